-- Chamber sessions and their participants by type of session and year
select
    session_type_code, session_type_fr, session_type_ar, year,
    count(*) as sessions, sum(participants) as participants, sum(women) as women
from marts.agg_participation_by_session
group by 1, 2, 3, 4
order by 4, 1;
