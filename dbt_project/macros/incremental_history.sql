{#-
    Staging models that keep every delivery of a source (semantics 'history') are incremental
    tables: a night reads the raw rows of the loads they do not hold yet, not every load again.

    A load is immutable: its rows never change once landed, and a reload or a corrected re-send is a
    new load that supersedes the earlier one. So the table is a function of the set of loads in force
    (audit.load_file, status 'loaded'), and a night only has to
    - add the rows of the loads in force that the table does not hold (`history_rows`);
    - remove the rows of the loads no longer in force (superseded since), and set again
      first_loaded_period, the one column that depends on other loads than a row's own
      (`keep_loads_in_force`, the post-hook).
    The result is the table a full build gives (`tadamon run --rebuild`, dbt's --full-refresh;
    tests/integration/test_history_replay.py compares the two). A change of the project's code
    rebuilds in full (orchestration/defs/transform/full_refresh.py): old loads are never left
    staged by older SQL.
-#}

{#- The rows of a history staging model: the raw rows (raw_rows) of every load in force on a full
    build, of the loads the table does not hold yet on an incremental one. Sets the model's config. -#}
{% macro history_rows(raw_table, key_columns, columns) -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        post_hook=[
            "{{ keep_loads_in_force('" ~ raw_table ~ "', " ~ (key_columns | tojson) ~ ") }}",
            "{{ analyze_built_table() }}",
        ]
    ) }}
    {%- set loads = none -%}
    {%- if is_incremental() -%}
        {%- set loads -%}
            select load_id from {{ source('audit', 'load_file') }} as in_force
            where not exists (select 1 from {{ this }} as held where held.source_load_id = in_force.load_id)
        {%- endset -%}
    {%- endif -%}
    {{ raw_rows(raw_table, 'history', key_columns, columns, loads) }}
{%- endmacro %}


{#- After an incremental run: forget the loads superseded since, and give every row the first period
    its key was delivered in, over the loads the table holds now. (The next post-hook, after any run,
    analyses the table: analyze_built_table.) -#}
{% macro keep_loads_in_force(raw_table, key_columns) -%}
    {%- if is_incremental() -%}
    delete from {{ this }}
    where source_load_id not in (
        select load_id from {{ source('audit', 'load_file') }}
        where source_name = '{{ raw_table }}' and status = 'loaded'
    );

    update {{ this }} as held
    set first_loaded_period = firsts.first_loaded_period
    from (
        select {{ key_columns | join(', ') }}, min(source_period) as first_loaded_period
        from {{ this }}
        group by {{ key_columns | join(', ') }}
    ) as firsts
    where
        {% for key in key_columns %}held.{{ key }} = firsts.{{ key }}
        and {% endfor %}held.first_loaded_period is distinct from firsts.first_loaded_period
    {%- else -%}
    select 1
    {%- endif -%}
{%- endmacro %}
