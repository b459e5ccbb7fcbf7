{#-
    Rows of a raw table that are in force, following the provider's delivery semantics.

    Only files that audit.load_file records as `loaded` count (duplicates, rejected and superseded
    files never reach staging). Files are ordered by (period, load_id): a corrected file for the same
    period, loaded later, wins.

    semantics:
      snapshot    - the latest loaded file replaces all earlier ones: keep its rows only;
      cumulative  - the latest delivery of each key wins;
      history     - every row of every loaded file (for type-2 history);
      latest_file - every line of the latest loaded file, a key repeated in it included (the raw
                    GX suites judge a snapshot's file whole: a repeated key must show); only that
                    file's rows are read (one load, by the BRIN index on _load_id).
    Within one file a key repeated on several lines keeps its last line (snapshot, cumulative).

    `loads` (optional): a query of load ids; only those files count (the GX suites of new loads
    rank the rows of the loads they have not checked yet, orchestration/quality/runner.py).

    This is also the batch of the raw tables' GX suites: orchestration/quality/rows_in_force.py
    renders this file with jinja2 (source() as schema.table), so the checks judge the rows dbt reads.

    Adds: load_period (the file's period), line_number (the numeric part of _line) and
    first_loaded_period (the earliest period in which the key was delivered).
    Personal columns must never be listed in `columns`.
-#}
{% macro select_source_rows(source_relation, source_name, semantics, key_columns, columns, loads=none) %}
    {%- set key_list = key_columns | join(', ') -%}
    with loaded_files as (
        select load_id, period
        from {{ source('audit', 'load_file') }}
        where source_name = '{{ source_name }}'
          and status = 'loaded'
          {%- if loads %}
          and load_id in ({{ loads }})
          {%- endif %}
        {%- if semantics == 'latest_file' %}
        order by period desc, load_id desc
        limit 1
        {%- endif %}
    ),

    delivered_rows as (
        select
            {% for column in columns %}delivered.{{ column }},
            {% endfor -%}
            delivered._load_id,
            delivered._file_name,
            delivered._line,
            loaded_files.period as load_period,
            nullif(regexp_replace(delivered._line, '\D', '', 'g'), '')::bigint as line_number
        from {{ source_relation }} as delivered
        inner join loaded_files on loaded_files.load_id = delivered._load_id
        {%- if semantics == 'latest_file' %}
        where delivered._load_id = (select loaded_files.load_id from loaded_files)
        {%- endif %}
    ),

    ranked_rows as (
        select
            delivered_rows.*,
            min(load_period) over (partition by {{ key_list }}) as first_loaded_period,
            dense_rank() over (order by load_period desc, _load_id desc) as file_rank,
            row_number() over (
                partition by {{ key_list }}
                order by load_period desc, _load_id desc, line_number desc
            ) as key_rank,
            row_number() over (
                partition by {{ key_list }}, _load_id
                order by line_number desc
            ) as key_in_file_rank
        from delivered_rows
    )

    select *
    from ranked_rows
    {% if semantics == 'snapshot' -%}
    where file_rank = 1 and key_rank = 1
    {%- elif semantics == 'cumulative' -%}
    where key_rank = 1
    {%- elif semantics == 'history' -%}
    where key_in_file_rank = 1
    {%- elif semantics == 'latest_file' -%}
    where file_rank = 1
    {%- else -%}
    {{ exceptions.raise_compiler_error("select_source_rows: unknown semantics " ~ semantics) }}
    {%- endif %}
{% endmacro %}


{#- A delivery period ('YYYYMMDD' or 'YYYYMM', the first day of the month) as a date. -#}
{% macro period_to_date(period) -%}
    to_date(case when length({{ period }}) = 6 then {{ period }} || '01' else {{ period }} end, 'YYYYMMDD')
{%- endmacro %}


{#- The rows of the latest file (greatest period, then load) of a staging model that keeps every
    snapshot: the register as it stands now. `all_snapshots` is read twice, and a materialised CTE
    has no statistics: the join with the latest file was estimated at one row, and a dbt test that
    joined the chamber's members in a nested loop compared every unresolved participant with every
    member (3.2 s of a region build, 0.1 s with the table's statistics). -#}
{% macro latest_snapshot_rows(history_relation) %}
    with all_snapshots as not materialized (
        select * from {{ history_relation }}
    ),

    latest_file as (
        select source_period, source_load_id
        from all_snapshots
        order by source_period desc, source_load_id desc
        limit 1
    )

    select all_snapshots.*
    from all_snapshots
    inner join latest_file
        on all_snapshots.source_period = latest_file.source_period
        and all_snapshots.source_load_id = latest_file.source_load_id
{% endmacro %}


{#- The latest delivered row of each key of a staging model that keeps every delivery (greatest
    period, then load, then line): the latest delivery of each project of a cumulative list, or the
    last known row of every organisation ever in a register, struck off or not (entity resolution
    reads these, so that an identifier never disappears from one night to the next). -#}
{% macro latest_row_of_each_key(history_relation, key_columns) %}
    select distinct on ({{ key_columns | join(', ') }}) *
    from {{ history_relation }}
    order by {{ key_columns | join(', ') }}, source_period desc, source_load_id desc, source_line_number desc
{% endmacro %}
