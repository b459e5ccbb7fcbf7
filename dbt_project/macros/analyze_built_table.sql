{#- The statistics of a table just built, for the models downstream of it to be planned against.
    Why a small sample: they need row counts and each column's distinct values, which a sample of
    3,000 rows gives (ANALYZE reads 300 x the statistics target); the default of 30,000 rows made
    ANALYZE cost as much as building the table (at region scale, 0.46 s against 0.18 s for
    int_organisation_match_units), on every link of the entity-resolution chain. BI queries are
    planned against the published marts, which the publication analyses with the server's default.
    The target is the project's var `built_table_statistics_target` (dbt_project.yml), which the
    loader takes for the raw tables too. -#}
{% macro analyze_built_table() %}
set local default_statistics_target = {{ var('built_table_statistics_target') | int }};
analyze {{ this }}
{% endmacro %}
