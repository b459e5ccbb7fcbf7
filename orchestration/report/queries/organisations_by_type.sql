-- Organisations by type: known in the registers and deliveries, and reached by a funded project
-- or a Chamber session.
select
    t.organisation_type, t.type_fr, t.type_ar,
    count(o.organisation_id) as organisations,
    count(o.organisation_id) filter (where o.organisation_id in (select organisation_id from supported_organisations))
        as organisations_supported
from organisation_types as t
left join organisations as o on o.organisation_type = t.organisation_type
group by t.organisation_type, t.type_fr, t.type_ar, t.sort_order
order by t.sort_order
