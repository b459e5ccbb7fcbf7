-- Chamber sessions and their participants by type of session and year
select
    s.session_type_code, s.session_type_fr, s.session_type_ar, d.year,
    count(distinct s.session_key) as sessions, sum(fp.participants) as participants, sum(fp.women) as women
from marts.fct_participation fp
join marts.dim_session s using (session_key)
join marts.dim_date d using (date_key)
group by 1, 2, 3, 4
order by 4, 1;
