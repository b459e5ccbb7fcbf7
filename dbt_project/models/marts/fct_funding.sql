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

{#- One row per project, funder and flow type. Zero and empty amounts are not rows: a project without
    Regional Council co-financing has no Regional Council row (sums are unchanged, counts of
    "funded by" stay meaningful). Dates: a commitment is dated by the agreement (Mouazara) or the
    approval (INDH); a Mouazara disbursement by its last payment date; an INDH disbursement, which
    the wilaya does not date, by the delivery period of the file (amount paid as of that period). -#}
with mouazara_projects as (
    select * from {{ ref('stg_ministere__mouazara_projects') }}
),

indh_projects as (
    select * from {{ ref('stg_wilaya__indh_projects') }}
),

mouazara_flows as (
    select
        'ministere_mouazara' as source_system,
        projects.project_ref,
        projects.province_code,
        null::text as commune,
        flows.institution_code,
        flows.flow_type,
        flows.amount_mad,
        flows.flow_date,
        projects.source_file_name,
        projects.source_line
    from mouazara_projects as projects
    cross join lateral (
        values
            ('MTAESS', 'commitment', projects.ministry_grant_mad, coalesce(projects.agreement_on, projects.snapshot_date)),
            ('CRFM', 'commitment', projects.region_cofinancing_mad, coalesce(projects.agreement_on, projects.snapshot_date)),
            ('HOLDER', 'commitment', projects.holder_contribution_mad, coalesce(projects.agreement_on, projects.snapshot_date)),
            ('MTAESS', 'disbursement', projects.disbursed_mad,
                coalesce(projects.last_disbursed_on, projects.agreement_on, projects.snapshot_date))
    ) as flows (institution_code, flow_type, amount_mad, flow_date)
),

indh_flows as (
    select
        'wilaya_indh',
        projects.project_code,
        projects.province_code,
        projects.commune,
        flows.institution_code,
        flows.flow_type,
        flows.amount_mad,
        flows.flow_date,
        projects.source_file_name,
        projects.source_line
    from indh_projects as projects
    cross join lateral (
        values
            ('WILAYA_INDH', 'commitment', projects.indh_contribution_mad,
                coalesce(projects.approved_on, {{ period_to_date('projects.source_period') }})),
            ('PARTNERS', 'commitment', projects.partners_contribution_mad,
                coalesce(projects.approved_on, {{ period_to_date('projects.source_period') }})),
            ('HOLDER', 'commitment', projects.holder_contribution_mad,
                coalesce(projects.approved_on, {{ period_to_date('projects.source_period') }})),
            ('WILAYA_INDH', 'disbursement', projects.disbursed_mad, {{ period_to_date('projects.source_period') }})
    ) as flows (institution_code, flow_type, amount_mad, flow_date)
),

flows as (
    select * from mouazara_flows
    union all
    select * from indh_flows
),

projects as (
    select * from {{ ref('dim_project') }}
),

current_organisations as (
    select organisation_id, organisation_key from {{ ref('dim_organisation') }} where is_latest_version
),

geography as (
    select * from {{ ref('int_geography') }}
)

select
    {{ surrogate_key(['flows.source_system', 'flows.project_ref', 'flows.institution_code', 'flows.flow_type']) }}
        as funding_key,
    projects.project_key,
    current_organisations.organisation_key,
    programmes.programme_key,
    axes.axis_key,
    institutions.institution_key,
    {{ surrogate_key(['flows.province_code', 'commune_geography.commune_name_fr']) }} as geography_key,
    {{ date_key('flows.flow_date') }} as date_key,
    flows.flow_type,
    flows.amount_mad::numeric(18, 2) as amount_mad,
    flows.source_system,
    flows.source_file_name,
    flows.source_line
from flows
inner join projects
    on projects.source_system = flows.source_system
    and projects.project_ref = flows.project_ref
left join current_organisations on current_organisations.organisation_id = projects.organisation_id
left join {{ ref('dim_programme') }} as programmes on programmes.programme_code = projects.programme_code
left join {{ ref('dim_axis') }} as axes on axes.axis_code = projects.axis_code
left join {{ ref('dim_institution') }} as institutions on institutions.institution_code = flows.institution_code
left join lateral (
    -- the project's commune when it is in the reference list, else the province
    select geography.commune_name_fr
    from geography
    where geography.province_code = flows.province_code
      and geography.commune_name_fr is not null
      and {{ normalize_place_name('flows.commune') }} in (geography.commune_key_fr, geography.commune_key_ar)
    limit 1
) as commune_geography on true
where coalesce(flows.amount_mad, 0) <> 0
