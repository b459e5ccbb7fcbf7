{{ config(
    contract={'enforced': true},
    indexes=[
        {'columns': ['organisation_key']},
        {'columns': ['session_key']},
        {'columns': ['date_key']}
    ]
) }}

{#- One row per organisation and Chamber session: participants (of whom women, persons with
    disabilities) and fair sales, summed over the Chamber members that resolve to the organisation.
    Chamber members are linked to organisations through organisation_source_map (id_adherent).
    Artisan firms (entreprise_artisanale) are not SSE organisations and have no organisation: their
    participation is left out here (the warn test participation_of_non_sse_members counts it). -#}
with participants as (
    select * from {{ ref('stg_chambre__session_participants') }}
),

sales as (
    select * from {{ ref('stg_chambre__session_sales') }}
),

member_figures as (
    select
        coalesce(participants.session_id, sales.session_id) as session_id,
        coalesce(participants.member_id, sales.member_id) as member_id,
        participants.participants,
        participants.women,
        participants.persons_with_disabilities,
        sales.sales_mad
    from participants
    full outer join sales
        on
            sales.session_id = participants.session_id
            and sales.member_id = participants.member_id
),

member_organisations as (
    select source_record_id as member_id, organisation_id
    from {{ ref('organisation_source_map') }}
    where source_system = 'chambre_adherents'
),

organisation_figures as (
    select
        member_figures.session_id,
        member_organisations.organisation_id,
        sum(member_figures.participants) as participants,
        sum(member_figures.women) as women,
        sum(member_figures.persons_with_disabilities) as persons_with_disabilities,
        sum(member_figures.sales_mad) as sales_mad,
        count(*) as chamber_members
    from member_figures
    inner join member_organisations on member_organisations.member_id = member_figures.member_id
    group by member_figures.session_id, member_organisations.organisation_id
)

select
    {{ surrogate_key(['organisation_figures.organisation_id', 'organisation_figures.session_id']) }}
        as participation_key,
    organisations.organisation_key,
    sessions.session_key,
    {{ date_key('sessions.starts_on') }} as date_key,
    sessions.geography_key,
    coalesce(organisation_figures.participants, 0)::int as participants,
    coalesce(organisation_figures.women, 0)::int as women,
    coalesce(organisation_figures.persons_with_disabilities, 0)::int as persons_with_disabilities,
    coalesce(organisation_figures.sales_mad, 0)::numeric(18, 2) as sales_mad,
    organisation_figures.chamber_members::int as chamber_members
from organisation_figures
inner join {{ ref('dim_session') }} as sessions on sessions.session_id = organisation_figures.session_id
inner join {{ ref('dim_organisation') }} as organisations
    on
        organisations.organisation_id = organisation_figures.organisation_id
        and organisations.is_latest_version
