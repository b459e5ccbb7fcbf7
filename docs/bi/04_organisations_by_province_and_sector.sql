-- Organisations active today, by province and sector (one code per sector, whatever the script it was delivered in)
select
    g.province_code, g.province_fr, g.province_ar,
    org.sector_code, org.sector_fr, org.sector_ar,
    count(*) as organisations, sum(org.members_total) as members
from marts.dim_organisation org
join marts.dim_geography g using (geography_key)
where org.is_current and org.status_code = 'active'
group by 1, 2, 3, 4, 5, 6
order by 1, 7 desc;
