{{ config(meta={'dagster': {'ref': {'name': 'fct_funding'}}}) }}
-- meta.dagster.ref: the model Dagster shows this test as a check of (it reads several)
-- Money in fct_funding, per programme, funder and flow type, equals to the centime what the raw
-- tables hold for the rows in force, computed here straight from raw + audit.load_file (not from
-- staging): the latest loaded Mouazara snapshot, and the latest delivery of each INDH project.
with latest_mouazara_load as (
    select load_id
    from {{ source('audit', 'load_file') }}
    where source_name = 'ministere__mouazara' and status = 'loaded'
    order by period desc, load_id desc
    limit 1
),

mouazara_rows as (
    select distinct on (trim(project_ref))
        ministry_grant_mad, region_cofinancing_mad, holder_contribution_mad, disbursed_mad
    from {{ source('raw', 'ministere__mouazara') }}
    where _load_id = (select load_id from latest_mouazara_load)
    order by trim(project_ref), nullif(regexp_replace(_line, '\D', '', 'g'), '')::bigint desc
),

indh_rows as (
    select distinct on (trim(indh.project_code))
        trim(indh.programme) as programme,
        trim(indh.phase) as phase,
        indh.indh_contribution_mad,
        indh.partners_contribution_mad,
        indh.holder_contribution_mad,
        indh.disbursed_mad
    from {{ source('raw', 'wilaya__indh_agr') }} as indh
    inner join {{ source('audit', 'load_file') }} as loads
        on loads.load_id = indh._load_id and loads.status = 'loaded'
    order by
        trim(indh.project_code), loads.period desc, loads.load_id desc,
        nullif(regexp_replace(indh._line, '\D', '', 'g'), '')::bigint desc
),

expected as (
    select
        'MOUAZARA' as programme_code, 'MTAESS' as institution_code, 'commitment' as flow_type,
        coalesce(sum(ministry_grant_mad), 0) as amount_mad
    from mouazara_rows
    union all
    select 'MOUAZARA', 'CRFM', 'commitment', coalesce(sum(region_cofinancing_mad), 0) from mouazara_rows
    union all
    select 'MOUAZARA', 'HOLDER', 'commitment', coalesce(sum(holder_contribution_mad), 0) from mouazara_rows
    union all
    select 'MOUAZARA', 'MTAESS', 'disbursement', coalesce(sum(disbursed_mad), 0) from mouazara_rows
    union all
    select aliases.programme_code, flows.institution_code, flows.flow_type, sum(flows.amount_mad)
    from indh_rows
    inner join {{ ref('programme_aliases') }} as aliases
        on
            aliases.source_system = 'wilaya_indh'
            and aliases.source_value = indh_rows.programme
            and aliases.source_phase = indh_rows.phase
    cross join
        lateral (
            values
            ('WILAYA_INDH', 'commitment', indh_rows.indh_contribution_mad),
            ('PARTNERS', 'commitment', indh_rows.partners_contribution_mad),
            ('HOLDER', 'commitment', indh_rows.holder_contribution_mad),
            ('WILAYA_INDH', 'disbursement', indh_rows.disbursed_mad)
        ) as flows (institution_code, flow_type, amount_mad)
    group by 1, 2, 3
),

actual as (
    select
        programmes.programme_code,
        institutions.institution_code,
        funding.flow_type,
        sum(funding.amount_mad) as amount_mad
    from {{ ref('fct_funding') }} as funding
    left join {{ ref('dim_programme') }} as programmes on programmes.programme_key = funding.programme_key
    inner join {{ ref('dim_institution') }} as institutions on institutions.institution_key = funding.institution_key
    group by 1, 2, 3
)

select
    coalesce(expected.programme_code, actual.programme_code) as programme_code,
    coalesce(expected.institution_code, actual.institution_code) as institution_code,
    coalesce(expected.flow_type, actual.flow_type) as flow_type,
    expected.amount_mad as expected_amount_mad,
    actual.amount_mad as actual_amount_mad
from expected
full outer join actual
    on
        actual.programme_code is not distinct from expected.programme_code
        and actual.institution_code = expected.institution_code
        and actual.flow_type = expected.flow_type
where coalesce(expected.amount_mad, 0) <> coalesce(actual.amount_mad, 0)
