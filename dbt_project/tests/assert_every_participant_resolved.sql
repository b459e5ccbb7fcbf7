{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'organisation_source_map'}}}) }}
-- meta.dagster.ref: the model Dagster shows this test as a check of (it reads several)
-- Business rule, reported not fatal: session participants and sales whose id_adherent is not an SSE
-- organisation (an artisan firm, or a member missing from the latest members export) are not in
-- fct_participation. This lists them.
with figures as (
    select session_id, member_id from {{ ref('stg_chambre__session_participants') }}
    union
    select session_id, member_id from {{ ref('stg_chambre__session_sales') }}
)

select figures.session_id, figures.member_id, members.member_type
from figures
left join {{ ref('stg_chambre__members') }} as members on members.member_id = figures.member_id
where not exists (
    select 1 from {{ ref('organisation_source_map') }} as source_map
    where source_map.source_system = 'chambre_adherents' and source_map.source_record_id = figures.member_id
)
