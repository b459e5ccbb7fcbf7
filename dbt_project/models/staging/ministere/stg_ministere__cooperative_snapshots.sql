{#- The cooperative register in every loaded snapshot: one row per cooperative and snapshot (type-2 history). -#}
{%- set register_columns = [
    'register_number', 'register_number_raw', 'ice', 'ice_raw', 'name_fr', 'name_ar', 'sector', 'branch',
    'founded_on', 'province_code', 'province_code_raw', 'commune', 'members_total', 'members_women',
    'capital_mad', 'status'] -%}

with all_snapshots as (
    {{ history_rows('ministere__register', ['register_number'], register_columns) }}
)

select
    register_number,
    register_number_raw,
    ice,
    ice_raw,
    nullif(trim(name_fr), '') as name_fr,
    nullif(trim(name_ar), '') as name_ar,
    nullif(trim(sector), '') as sector,
    nullif(trim(branch), '') as branch,
    founded_on,
    province_code,
    province_code_raw as province_raw,
    nullif(trim(commune), '') as commune,
    members_total,
    members_women,
    capital_mad,
    nullif(trim(status), '') as status,
    {{ source_lineage_columns() }}
from all_snapshots
