{#- The cooperative register as of the latest loaded snapshot: one row per cooperative. -#}
{%- set register_columns = [
    'register_number', 'register_number_raw', 'ice', 'ice_raw', 'name_fr', 'name_ar', 'sector', 'branch',
    'founded_on', 'province_code', 'province_code_raw', 'commune', 'members_total', 'members_women',
    'capital_mad', 'status'] -%}

with latest_snapshot as (
    {{ select_source_rows(source('raw', 'ministere__register'), 'ministere__register', 'snapshot',
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
from latest_snapshot
