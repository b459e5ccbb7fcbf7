{{ config(
    contract={'enforced': true},
    indexes=[
        {'columns': ['project_key']},
        {'columns': ['organisation_key']},
        {'columns': ['programme_key']},
        {'columns': ['institution_key']},
        {'columns': ['date_key']},
        {'columns': ['geography_key']}
    ]
) }}

{#- One row per project, funder and flow type, as of the latest deliveries: the flows in force of
    int_funding_flows (which amounts, which dates, no zero rows). Their history, "as known on date D",
    is fct_funding_history. -#}
with flows as (
    select * from {{ ref('int_funding_flows') }} where in_force and is_flow
),

current_organisations as (
    select organisation_id, organisation_key from {{ ref('dim_organisation') }} where is_latest_version
)

select
    flows.funding_key,
    projects.project_key,
    current_organisations.organisation_key,
    programmes.programme_key,
    axes.axis_key,
    institutions.institution_key,
    projects.geography_key,
    {{ date_key('flows.flow_date') }} as date_key,
    flows.flow_type,
    flows.amount_mad::numeric(18, 2) as amount_mad,
    flows.source_system,
    flows.source_file_name,
    flows.source_line
from flows
{{ join_funding_dimensions('flows') }}
left join current_organisations on current_organisations.organisation_id = projects.organisation_id
left join {{ ref('dim_axis') }} as axes on axes.axis_code = projects.axis_code
