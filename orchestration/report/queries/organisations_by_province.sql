-- Organisations by province (the province of the organisation's version) and type.
select
    p.province_code, p.province_fr, p.province_ar,
    count(o.organisation_id) filter (where o.organisation_type = 'cooperative') as cooperatives,
    count(o.organisation_id) filter (where o.organisation_type = 'association') as associations,
    count(o.organisation_id) filter (where o.organisation_type = 'gie') as gies,
    count(o.organisation_id) as organisations,
    count(supported.organisation_id) as organisations_supported
from provinces as p
left join organisations as o on o.province_code = p.province_code
-- a join, not `in (select ...)` in the count's filter (organisations_by_type.sql says why)
left join supported_organisations as supported on supported.organisation_id = o.organisation_id
group by p.province_code, p.province_fr, p.province_ar
order by organisations desc, p.province_code
