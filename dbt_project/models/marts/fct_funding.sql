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
    int_funding_flows (which amounts, no zero rows). Their history, "as known on date D", is
    fct_funding_history; a flow's date and lineage are those of its version in force there (one
    answer: a date the provider does not give, and the file named, stay those of the first delivery
    that showed the amount, so a delivery that repeats a flow leaves its row as it was). -#}
with flows as (
    select * from {{ ref('int_funding_flows') }} where in_force and is_flow
),

versions_in_force as (
    select funding_key, date_key, source_file_name, source_line
    from {{ ref('fct_funding_history') }}
    where is_current
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
    versions_in_force.date_key,
    flows.flow_type,
    flows.amount_mad::numeric(18, 2) as amount_mad,
    flows.source_system,
    versions_in_force.source_file_name,
    versions_in_force.source_line
from flows
inner join versions_in_force on versions_in_force.funding_key = flows.funding_key
{{ join_funding_dimensions('flows') }}
left join current_organisations on current_organisations.organisation_id = projects.organisation_id
left join {{ ref('dim_axis') }} as axes on axes.axis_code = projects.axis_code
