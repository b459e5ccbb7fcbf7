-- Organisations by type: known in the registers and deliveries, and reached by a funded project
-- or a Chamber session.
select
    t.organisation_type, t.type_fr, t.type_ar,
    count(o.organisation_id) as organisations,
    count(supported.organisation_id) as organisations_supported
from organisation_types as t
left join organisations as o on o.organisation_type = t.organisation_type
-- a join, not `in (select ...)` in the count's filter: that subquery is scanned once per organisation
-- unless it fits in work_mem (the national bilan timed out on it)
left join supported_organisations as supported on supported.organisation_id = o.organisation_id
group by t.organisation_type, t.type_fr, t.type_ar, t.sort_order
order by t.sort_order
