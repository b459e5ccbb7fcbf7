-- Who took part in the meeting of 14 October 2026, by legal form of the organisation
select
    org.legal_form_code, org.legal_form_fr, org.legal_form_ar,
    count(distinct org.organisation_id) as organisations,
    sum(fp.participants) as participants, sum(fp.women) as women
from marts.fct_participation fp
join marts.dim_session s using (session_key)
join marts.dim_organisation org using (organisation_key)
where s.session_id = 'S-2026-0001'
group by 1, 2, 3
order by 1;
