{#- The lineage columns every staging model ends with, from the rows select_source_rows returns:
    the file a row comes from (its period, the load, the file name, the line) and the period in
    which its key was first delivered. with_snapshot_date adds the file's period as a date first
    (the snapshot date the history models and fct_funding_history use). -#}
{% macro source_lineage_columns(with_snapshot_date=true) -%}
    {%- if with_snapshot_date %}{{ period_to_date('load_period') }} as snapshot_date,
    {% endif -%}
    load_period as source_period,
    first_loaded_period,
    _load_id as source_load_id,
    _file_name as source_file_name,
    _line as source_line,
    line_number as source_line_number
{%- endmacro %}


{#- The rows in force of a raw table (select_source_rows), named once: raw.<raw_table>, whose files
    audit.load_file records under the same name; `loads` as in select_source_rows. -#}
{% macro raw_rows(raw_table, semantics, key_columns, columns, loads=none) -%}
    {{ select_source_rows(source('raw', raw_table), raw_table, semantics, key_columns, columns, loads) }}
{%- endmacro %}
