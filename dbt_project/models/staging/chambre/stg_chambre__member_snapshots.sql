{#- Members of the Chamber of Traditional Crafts in every loaded export: one row per member and export.
    Phones and e-mails stay in the raw layer. -#}
{%- set member_columns = [
    'member_id', 'member_type', 'name_fr', 'name_ar', 'holder_identifier', 'holder_identifier_kind',
    'holder_identifier_raw', 'ice', 'ice_raw', 'craft', 'province_code', 'province_code_raw', 'commune',
    'joined_on', 'members_men', 'members_women', 'is_active'] -%}

with all_snapshots as (
    {{ history_rows('chambre__adherents', ['member_id'], member_columns) }}
)

select
    trim(member_id) as member_id,
    lower(trim(member_type)) as member_type,
    lower(trim(member_type)) in ('cooperative', 'association', 'gie') as is_sse_organisation,
    nullif(trim(name_fr), '') as name_fr,
    nullif(trim(name_ar), '') as name_ar,
    holder_identifier,
    holder_identifier_kind,
    holder_identifier_raw,
    ice,
    ice_raw,
    nullif(trim(craft), '') as craft,
    province_code,
    province_code_raw as province_raw,
    nullif(trim(commune), '') as commune,
    joined_on,
    members_men,
    members_women,
    is_active,
    {{ source_lineage_columns() }}
from all_snapshots
