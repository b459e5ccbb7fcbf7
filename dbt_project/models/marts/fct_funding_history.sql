{{ config(
    contract={'enforced': true},
    indexes=[
        {'columns': ['funding_key']},
        {'columns': ['project_key']},
        {'columns': ['known_from', 'known_to']}
    ]
) }}

{#- Funding as known on any date (rules: docs/history.md): one row per project, funder and flow type
    and period during which the deliveries showed the same amount and date (a date the provider does
    not give, as an INDH payment's, is the first delivery's: dated_by_delivery in int_funding_flows).
    Its lineage (source_file_name, source_line) is the first file that showed it. A version is known from the
    delivery date (snapshot date) of the first file that showed it to the delivery date of the
    first file that showed another amount or no longer had the flow (known_to; null: in force now).
    A Mouazara project absent from a later snapshot ends there (the snapshot replaces the earlier
    ones); an INDH project absent from a later delivery keeps its last amounts (a cumulative list).
    A corrected re-send replaces the earlier file of its period, so history shows corrected values.
    Committed as known on D: flow_type = 'commitment' and known_from <= D and (known_to is null or
    known_to > D). The versions in force (is_current) are exactly fct_funding. -#}
with flows as (
    select * from {{ ref('int_funding_flows') }}
),

mouazara_snapshots as (
    select distinct known_on from flows where source_system = 'ministere_mouazara'
),

funding_keys as (
    select funding_key, source_system, project_ref, institution_code, flow_type, min(known_on) as first_known_on
    from flows
    where is_flow
    group by 1, 2, 3, 4, 5
),

observations as (
    -- every Mouazara snapshot from the flow's first one on (absent: amount null); every INDH
    -- delivery that holds the project
    select
        funding_keys.funding_key,
        mouazara_snapshots.known_on,
        case when flows.is_flow then flows.amount_mad end as amount_mad,
        flows.flow_date,
        flows.dated_by_delivery,
        flows.source_file_name,
        flows.source_line
    from funding_keys
    inner join mouazara_snapshots on mouazara_snapshots.known_on >= funding_keys.first_known_on
    left join flows
        on
            flows.funding_key = funding_keys.funding_key
            and flows.known_on = mouazara_snapshots.known_on
    where funding_keys.source_system = 'ministere_mouazara'
    union all
    select
        flows.funding_key, flows.known_on, case when flows.is_flow then flows.amount_mad end, flows.flow_date,
        flows.dated_by_delivery, flows.source_file_name, flows.source_line
    from flows
    inner join funding_keys on funding_keys.funding_key = flows.funding_key
    where flows.source_system = 'wilaya_indh' and flows.known_on >= funding_keys.first_known_on
),

states as (
    -- a version is an amount and the provider's date; a date the provider did not give (an INDH
    -- payment, which the wilaya does not date) is each delivery's own and would otherwise open a
    -- version every month with the same amount: the version keeps the date of its first delivery
    select
        observations.*,
        case
            when amount_mad is null then 'absent'
            when dated_by_delivery then amount_mad::text
            else amount_mad::text || ' ' || flow_date::text
        end as state
    from observations
),

changes as (
    select
        states.*,
        case when (lag(state) over timeline is distinct from state) then 1 else 0 end as opens_version
    from states
    window timeline as (partition by funding_key order by known_on)
),

numbered as (
    select changes.*, sum(opens_version) over (partition by funding_key order by known_on) as version_number
    from changes
),

versions as (
    select distinct on (funding_key, version_number)
        funding_key, version_number, state, amount_mad, flow_date, known_on as known_from, source_file_name,
        source_line
    from numbered
    order by funding_key, version_number, known_on
),

dated_versions as (
    select
        versions.*,
        lead(known_from) over (partition by funding_key order by known_from) as known_to
    from versions
)

select
    {{ surrogate_key(['dated_versions.funding_key', 'dated_versions.known_from']) }} as funding_history_key,
    dated_versions.funding_key,
    projects.project_key,
    programmes.programme_key,
    institutions.institution_key,
    {{ date_key('dated_versions.flow_date') }} as date_key,
    funding_keys.flow_type,
    dated_versions.amount_mad::numeric(18, 2) as amount_mad,
    dated_versions.known_from,
    dated_versions.known_to,
    dated_versions.known_to is null as is_current,
    funding_keys.source_system,
    dated_versions.source_file_name,
    dated_versions.source_line
from dated_versions
inner join funding_keys on funding_keys.funding_key = dated_versions.funding_key
{{ join_funding_dimensions('funding_keys') }}
where dated_versions.state <> 'absent'
