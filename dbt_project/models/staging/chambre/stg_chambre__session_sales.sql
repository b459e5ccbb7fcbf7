{#- Fair sales of the sessions in force: one row per session and member (summed if listed twice). -#}
with sale_entries as (
    select
        sessions.session_id,
        trim(entry ->> 'id_adherent') as member_id,
        (entry ->> 'chiffre_affaires_dh')::numeric(18, 2) as sales_mad,
        sessions.source_load_id,
        sessions.source_file_name,
        sessions.source_line
    from {{ ref('stg_chambre__sessions') }} as sessions
    cross join
        lateral jsonb_array_elements(
            case when jsonb_typeof(sessions.sales) = 'array' then sessions.sales else '[]'::jsonb end
        ) as entry
    where nullif(trim(entry ->> 'id_adherent'), '') is not null
)

select
    session_id,
    member_id,
    sum(sales_mad)::numeric(18, 2) as sales_mad,
    count(*) as entries,
    min(source_load_id) as source_load_id,
    min(source_file_name) as source_file_name,
    min(source_line) as source_line
from sale_entries
group by session_id, member_id
