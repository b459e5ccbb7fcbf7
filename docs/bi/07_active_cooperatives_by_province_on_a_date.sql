-- Active cooperatives by province on 31 December 2026 (the register as it stood that day)
select g.province_code, g.province_fr, g.province_ar, count(*) as active_cooperatives
from marts.dim_organisation o
join marts.dim_geography g on g.province_code = o.province_code and g.commune_name_fr is null
where
    o.organisation_type = 'cooperative' and o.status = 'active'
    and o.valid_from <= date '2026-12-31' and (o.valid_to is null or o.valid_to > date '2026-12-31')
group by 1, 2, 3
order by 1;
