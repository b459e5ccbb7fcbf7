-- Organisations by province (the province of the organisation's version) and type.
select
    p.province_code, p.province_fr, p.province_ar,
    count(o.organisation_id) filter (where o.organisation_type = 'cooperative') as cooperatives,
    count(o.organisation_id) filter (where o.organisation_type = 'association') as associations,
    count(o.organisation_id) filter (where o.organisation_type = 'gie') as gies,
    count(o.organisation_id) as organisations,
    count(o.organisation_id) filter (where o.organisation_id in (select organisation_id from supported_organisations))
        as organisations_supported
from provinces as p
left join organisations as o on o.province_code = p.province_code
group by p.province_code, p.province_fr, p.province_ar
order by organisations desc, p.province_code
