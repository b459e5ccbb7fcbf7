{#- Members of the Chamber of Traditional Crafts in every loaded export: one row per member and export.
    Phones and e-mails stay in the raw layer. -#}
{%- set member_columns = [
    'member_id', 'member_type', 'name_fr', 'name_ar', 'holder_identifier', 'holder_identifier_kind',
    'holder_identifier_raw', 'ice', 'ice_raw', 'craft', 'province_code', 'province_code_raw', 'commune',
    'joined_on', 'members_men', 'members_women', 'is_active'] -%}

with all_snapshots as (
    {{ select_source_rows(source('raw', 'chambre__adherents'), 'chambre__adherents', 'history',
                          ['member_id'], member_columns) }}
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
    {{ period_to_date('load_period') }} as snapshot_date,
    load_period as source_period,
    first_loaded_period,
    _load_id as source_load_id,
    _file_name as source_file_name,
    _line as source_line,
    line_number as source_line_number
from all_snapshots
