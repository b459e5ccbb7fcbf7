{#- Participants of the sessions in force: one row per session and member (a member listed twice in a
    session is summed). -#}
with participant_entries as (
    select
        sessions.session_id,
        trim(entry ->> 'id_adherent') as member_id,
        (entry ->> 'nb_participants')::numeric as participants,
        (entry ->> 'dont_femmes')::numeric as women,
        (entry ->> 'dont_psh')::numeric as persons_with_disabilities,
        sessions.source_load_id,
        sessions.source_file_name,
        sessions.source_line
    from {{ ref('stg_chambre__sessions') }} as sessions
    cross join
        lateral jsonb_array_elements(
            case when jsonb_typeof(sessions.participants) = 'array' then sessions.participants else '[]'::jsonb end
        ) as entry
    where nullif(trim(entry ->> 'id_adherent'), '') is not null
)

select
    session_id,
    member_id,
    sum(participants)::int as participants,
    sum(women)::int as women,
    sum(persons_with_disabilities)::int as persons_with_disabilities,
    count(*) as entries,
    min(source_load_id) as source_load_id,
    min(source_file_name) as source_file_name,
    min(source_line) as source_line
from participant_entries
group by session_id, member_id
