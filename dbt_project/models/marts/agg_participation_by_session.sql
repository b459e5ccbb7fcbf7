{{ config(contract={'enforced': true}) }}

{#- Each Chamber session's participation, summed from fct_participation at publication (one row per
    organisation and session there, 300,000 at national scale): the dashboards' participation by
    session, province, year and session type add these rows. A session's place and date are the
    session's own, as in fct_participation. -#}
select
    sessions.session_key,
    sessions.session_id,
    sessions.session_type,
    sessions.session_type_code,
    sessions.session_type_fr,
    sessions.session_type_ar,
    sessions.starts_on,
    participation.date_key,
    dates.year,
    participation.geography_key,
    places.province_code,
    places.province_fr,
    places.province_ar,
    count(*)::integer as organisations,
    sum(participation.participants)::integer as participants,
    sum(participation.women)::integer as women,
    sum(participation.persons_with_disabilities)::integer as persons_with_disabilities,
    sum(participation.sales_mad)::numeric(18, 2) as sales_mad
from {{ ref('fct_participation') }} as participation
inner join {{ ref('dim_session') }} as sessions on sessions.session_key = participation.session_key
inner join {{ ref('dim_geography') }} as places on places.geography_key = participation.geography_key
inner join {{ ref('dim_date') }} as dates on dates.date_key = participation.date_key
group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13
