{{ config(
    contract={'enforced': true},
    indexes=[{'columns': ['session_id']}, {'columns': ['starts_on']}]
) }}

select
    {{ surrogate_key(['sessions.session_id']) }} as session_key,
    sessions.session_id,
    sessions.session_type,
    sessions.title_fr,
    sessions.title_ar,
    sessions.theme,
    sessions.starts_on,
    sessions.ends_on,
    sessions.place,
    sessions.province_code,
    sessions.programme as programme_as_delivered,
    programme_mapping.programme_code,
    (
        select string_agg(partner.value, ', ' order by partner.ordinality)
        from jsonb_array_elements_text(
            case when jsonb_typeof(sessions.partners) = 'array' then sessions.partners else '[]'::jsonb end
        ) with ordinality as partner(value, ordinality)
    ) as partners,
    sessions.source_file_name,
    sessions.source_line
from {{ ref('stg_chambre__sessions') }} as sessions
left join {{ ref('int_programme_mapping') }} as programme_mapping
    on programme_mapping.source_system = 'chambre_sessions'
    and programme_mapping.source_record_id = sessions.session_id
