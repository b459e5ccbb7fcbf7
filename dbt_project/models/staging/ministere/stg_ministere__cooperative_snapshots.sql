{#- The cooperative register in every loaded snapshot: one row per cooperative and snapshot (type-2 history). -#}
{%- set register_columns = [
    'register_number', 'register_number_raw', 'ice', 'ice_raw', 'name_fr', 'name_ar', 'sector', 'branch',
    'founded_on', 'province_code', 'province_code_raw', 'commune', 'members_total', 'members_women',
    'capital_mad', 'status'] -%}

with all_snapshots as (
    {{ select_source_rows(source('raw', 'ministere__register'), 'ministere__register', 'history',
                          ['register_number'], register_columns) }}
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
    {{ period_to_date('load_period') }} as snapshot_date,
    load_period as source_period,
    first_loaded_period,
    _load_id as source_load_id,
    _file_name as source_file_name,
    _line as source_line,
    line_number as source_line_number
from all_snapshots
