-- Capacity building and marketing: Chamber trainings, meetings and fairs, the organisations and
-- participants they gathered, and sales at fairs.
select
    t.session_type, t.type_fr, t.type_ar,
    (select count(*) from sessions where sessions.session_type = t.session_type) as sessions,
    count(distinct p.organisation_id) as organisations,
    coalesce(sum(p.participants), 0) as participants,
    coalesce(sum(p.women), 0) as women,
    coalesce(sum(p.sales_mad), 0) as sales_mad
from session_types as t
left join participation as p on p.session_type = t.session_type
group by t.session_type, t.type_fr, t.type_ar, t.sort_order
order by t.sort_order
