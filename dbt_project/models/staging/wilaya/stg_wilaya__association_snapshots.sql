{#- The associations register in every loaded snapshot: one row per association and snapshot (type-2 history).
    The president's name, CIN and phone stay in the raw layer. -#}
{%- set association_columns = [
    'receipt_number', 'receipt_number_raw', 'receipt_date', 'name_ar', 'name_fr', 'province_code',
    'province_code_raw', 'commune', 'field', 'founded_on', 'members_total', 'status'] -%}

with all_snapshots as (
    {{ history_rows('wilaya__associations', ['receipt_number', 'province_code'], association_columns) }}
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
    {{ source_lineage_columns() }}
from all_snapshots
