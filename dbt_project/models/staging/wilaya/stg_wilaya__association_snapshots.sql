{#- The associations register in every loaded snapshot: one row per association and snapshot (type-2 history).
    The president's name, CIN and phone stay in the raw layer. -#}
{%- set association_columns = [
    'receipt_number', 'receipt_number_raw', 'receipt_date', 'name_ar', 'name_fr', 'province_code',
    'province_code_raw', 'commune', 'field', 'founded_on', 'members_total', 'status'] -%}

with all_snapshots as (
    {{ select_source_rows(source('raw', 'wilaya__associations'), 'wilaya__associations', 'history',
                          ['receipt_number', 'province_code'], association_columns) }}
)

select
    receipt_number,
    receipt_number_raw,
    receipt_date,
    nullif(trim(name_ar), '') as name_ar,
    nullif(trim(name_fr), '') as name_fr,
    province_code,
    province_code_raw as province_raw,
    nullif(trim(commune), '') as commune,
    nullif(trim(field), '') as field,
    founded_on,
    members_total,
    nullif(trim(status), '') as status,
    {{ period_to_date('load_period') }} as snapshot_date,
    load_period as source_period,
    first_loaded_period,
    _load_id as source_load_id,
    _file_name as source_file_name,
    _line as source_line,
    line_number as source_line_number
from all_snapshots
