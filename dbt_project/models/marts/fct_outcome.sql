{{ config(
    contract={'enforced': true},
    indexes=[
        {'columns': ['organisation_key']},
        {'columns': ['project_key']},
        {'columns': ['indicator_key']},
        {'columns': ['date_key']}
    ]
) }}

{#- One row per project or organisation, indicator, period and value type.
    Projects (Mouazara, INDH): jobs and beneficiaries as of the delivery period of the file; the
    figures of a completed project (Achevé, منجز) are actuals, those of any other project targets.
    Registers: members (and women members for cooperatives) per organisation and snapshot date,
    actuals, attached to the organisation version in force at that snapshot. Empty cells are not
    rows; a zero is a value. -#}
with mouazara_projects as (
    select * from {{ ref('stg_ministere__mouazara_projects') }}
),

indh_projects as (
    select * from {{ ref('stg_wilaya__indh_projects') }}
),

project_values as (
    select
        'ministere_mouazara' as source_system,
        projects.project_ref,
        projects.snapshot_date as period_date,
        case when projects.status = 'Achevé' then 'actual' else 'target' end as value_type,
        measures.indicator_code,
        measures.value,
        projects.source_file_name,
        projects.source_line
    from mouazara_projects as projects
    cross join
        lateral (
            values
            ('JOBS_KEPT', projects.jobs_kept),
            ('JOBS_CREATED', projects.jobs_created),
            ('BENEFICIARIES', projects.beneficiaries),
            ('BENEFICIARIES_WOMEN', projects.beneficiaries_women),
            ('BENEFICIARIES_DISABLED', projects.beneficiaries_disabled)
        ) as measures (indicator_code, value)
    union all
    select
        'wilaya_indh',
        projects.project_code,
        {{ period_to_date('projects.source_period') }},
        case when projects.status = 'منجز' then 'actual' else 'target' end,
        measures.indicator_code,
        measures.value,
        projects.source_file_name,
        projects.source_line
    from indh_projects as projects
    cross join lateral (
        values
        ('JOBS_CREATED', projects.jobs_created),
        ('BENEFICIARIES', projects.beneficiaries),
        ('BENEFICIARIES_WOMEN', projects.beneficiaries_women),
        ('BENEFICIARIES_DISABLED', projects.beneficiaries_disabled),
        ('BENEFICIARIES_YOUNG', projects.beneficiaries_young)
    ) as measures (indicator_code, value)
),

project_outcomes as (
    select
        project_values.source_system,
        project_values.project_ref as source_record_id,
        projects.project_key,
        organisations.organisation_key,
        project_values.period_date,
        project_values.value_type,
        project_values.indicator_code,
        project_values.value,
        project_values.source_file_name,
        project_values.source_line,
        projects.geography_key
    from project_values
    inner join {{ ref('dim_project') }} as projects
        on
            projects.source_system = project_values.source_system
            and projects.project_ref = project_values.project_ref
    left join {{ ref('dim_organisation') }} as organisations
        on
            organisations.organisation_id = projects.organisation_id
            and organisations.is_latest_version
    where project_values.value is not null
),

register_values as (
    select
        'ministere_register' as source_system,
        snapshots.register_number as source_record_id,
        'register:' || snapshots.register_number as unit_id,
        snapshots.snapshot_date,
        measures.indicator_code,
        measures.value,
        snapshots.source_file_name,
        snapshots.source_line
    from {{ ref('stg_ministere__cooperative_snapshots') }} as snapshots
    cross join
        lateral (
            values ('MEMBERS', snapshots.members_total), ('MEMBERS_WOMEN', snapshots.members_women)
        ) as measures (indicator_code, value)
    union all
    select
        'wilaya_associations',
        snapshots.receipt_number_raw,
        'receipt:' || snapshots.receipt_number || '@' || snapshots.province_code,
        snapshots.snapshot_date,
        'MEMBERS',
        snapshots.members_total,
        snapshots.source_file_name,
        snapshots.source_line
    from {{ ref('stg_wilaya__association_snapshots') }} as snapshots
),

unit_organisations as (
    select distinct unit_id, organisation_id from {{ ref('int_organisation_matches') }}
),

register_outcomes as (
    select
        register_values.source_system,
        register_values.source_record_id,
        null::text as project_key,
        organisations.organisation_key,
        register_values.snapshot_date as period_date,
        'actual' as value_type,
        register_values.indicator_code,
        register_values.value,
        register_values.source_file_name,
        register_values.source_line,
        organisations.geography_key
    from register_values
    left join unit_organisations on unit_organisations.unit_id = register_values.unit_id
    inner join {{ ref('dim_organisation') }} as organisations
        on
            organisations.organisation_id
            = coalesce(unit_organisations.organisation_id, 'ORG-' || left(md5(register_values.unit_id), 12))
            and register_values.snapshot_date >= organisations.valid_from
            and register_values.snapshot_date < coalesce(organisations.valid_to, date '9999-12-31')
    where register_values.value is not null
),

outcomes as (
    select * from project_outcomes
    union all
    select * from register_outcomes
)

select
    {{ surrogate_key(['outcomes.source_system', 'outcomes.source_record_id', 'outcomes.source_line',
                      'outcomes.indicator_code', 'outcomes.period_date', 'outcomes.value_type']) }} as outcome_key,
    outcomes.organisation_key,
    outcomes.project_key,
    indicators.indicator_key,
    {{ date_key('outcomes.period_date') }} as date_key,
    outcomes.period_date,
    outcomes.value_type,
    outcomes.value::numeric(18, 2) as value,
    outcomes.source_system,
    outcomes.source_file_name,
    outcomes.source_line,
    outcomes.geography_key
from outcomes
inner join {{ ref('dim_indicator') }} as indicators on indicators.indicator_code = outcomes.indicator_code
