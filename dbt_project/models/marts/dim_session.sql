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
        ) with ordinality as partner (value, ordinality)
    ) as partners,
    sessions.source_file_name,
    sessions.source_line,
    -- for BI tools: a place key, and a code with French and Arabic labels per label users group by
    place.geography_key,
    place.province_fr,
    place.province_ar,
    session_type_value.code as session_type_code,
    session_type.label_fr as session_type_fr,
    session_type.label_ar as session_type_ar,
    programmes.name_fr as programme_fr,
    programmes.name_ar as programme_ar
from {{ ref('stg_chambre__sessions') }} as sessions
left join {{ ref('int_programme_mapping') }} as programme_mapping
    on
        programme_mapping.source_system = 'chambre_sessions'
        and programme_mapping.source_record_id = sessions.session_id
{{ join_place('sessions.province_code', 'null::text', 'place') }}
left join {{ ref('labels') }} as session_type_value
    on session_type_value.label_set = 'session_type' and session_type_value.source_value = sessions.session_type
{{ join_label('session_type', 'session_type_value.code', 'session_type') }}
left join {{ ref('programmes') }} as programmes on programmes.programme_code = programme_mapping.programme_code
