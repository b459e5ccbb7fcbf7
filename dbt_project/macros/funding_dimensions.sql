{#- The dimensions a funding row points to, joined the one way fct_funding and fct_funding_history
    share: its project (dim_project, by source system and project reference; a row without project
    is left out), the project's programme, and the funder (dim_institution). `flows` is the alias of
    a relation with source_system, project_ref and institution_code; the joins bring in `projects`,
    `programmes` and `institutions`. -#}
{% macro join_funding_dimensions(flows) -%}
inner join {{ ref('dim_project') }} as projects
    on projects.source_system = {{ flows }}.source_system
    and projects.project_ref = {{ flows }}.project_ref
left join {{ ref('dim_programme') }} as programmes on programmes.programme_code = projects.programme_code
left join {{ ref('dim_institution') }} as institutions on institutions.institution_code = {{ flows }}.institution_code
{%- endmacro %}
