-- The ten sessions that gathered the most organisations.
select
    s.session_id, s.title_fr, s.title_ar, s.session_type, s.starts_on,
    count(distinct p.organisation_id) as organisations,
    coalesce(sum(p.participants), 0) as participants,
    coalesce(sum(p.sales_mad), 0) as sales_mad
from sessions as s
left join participation as p on p.session_key = s.session_key
group by s.session_id, s.title_fr, s.title_ar, s.session_type, s.starts_on
order by organisations desc, participants desc, s.session_id
limit 10
