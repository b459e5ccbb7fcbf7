{#- Money per project, funder and flow type in every delivery of the programme files (one truth for
    fct_funding, the flows in force, and fct_funding_history, the flows as known at each delivery).
    Which amounts are which flows, and their dates: a commitment is dated by the agreement
    (Mouazara) or the approval (INDH); a Mouazara disbursement by its last payment date; an INDH
    disbursement, which the wilaya does not date, by the delivery period of the file: where the
    provider gives no date (provider_date), the file's stands in (dated_by_delivery). in_force: the
    row of the latest Mouazara snapshot, the latest delivery of each INDH project (a cumulative list). -#}
with mouazara_projects as (
    select
        *,
        source_period = max(source_period) over () as in_force
    from {{ ref('stg_ministere__mouazara_project_snapshots') }}
),

indh_projects as (
    select
        *,
        row_number() over (
            partition by project_code order by source_period desc, source_load_id desc, source_line_number desc
        ) = 1 as in_force
    from {{ ref('stg_wilaya__indh_project_deliveries') }}
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
        coalesce(flows.provider_date, projects.snapshot_date) as flow_date,
        flows.provider_date is null as dated_by_delivery,
        projects.snapshot_date as known_on,
        projects.in_force,
        projects.source_file_name,
        projects.source_line
    from mouazara_projects as projects
    cross join lateral (
        values
        ('MTAESS', 'commitment', projects.ministry_grant_mad, projects.agreement_on),
        ('CRFM', 'commitment', projects.region_cofinancing_mad, projects.agreement_on),
        ('HOLDER', 'commitment', projects.holder_contribution_mad, projects.agreement_on),
        (
            'MTAESS', 'disbursement', projects.disbursed_mad,
            coalesce(projects.last_disbursed_on, projects.agreement_on)
        )
    ) as flows (institution_code, flow_type, amount_mad, provider_date)
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
        coalesce(flows.provider_date, projects.snapshot_date),
        flows.provider_date is null,
        projects.snapshot_date,
        projects.in_force,
        projects.source_file_name,
        projects.source_line
    from indh_projects as projects
    cross join lateral (
        values
        ('WILAYA_INDH', 'commitment', projects.indh_contribution_mad, projects.approved_on),
        ('PARTNERS', 'commitment', projects.partners_contribution_mad, projects.approved_on),
        ('HOLDER', 'commitment', projects.holder_contribution_mad, projects.approved_on),
        ('WILAYA_INDH', 'disbursement', projects.disbursed_mad, null::date)
    ) as flows (institution_code, flow_type, amount_mad, provider_date)
)

select
    {{ surrogate_key(['source_system', 'project_ref', 'institution_code', 'flow_type']) }} as funding_key,
    all_flows.*,
    -- a zero or empty amount is no flow (sums unchanged, "funded by X" counts stay true)
    coalesce(all_flows.amount_mad, 0) <> 0 as is_flow
from (
    select * from mouazara_flows
    union all
    select * from indh_flows
) as all_flows
