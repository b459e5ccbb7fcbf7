-- Money committed and paid out, by programme, province and year
select
    p.programme_code, p.name_fr as programme_fr, p.name_ar as programme_ar,
    g.province_code, g.province_fr, g.province_ar, d.year,
    sum(f.amount_mad) filter (where f.flow_type = 'commitment') as committed_mad,
    sum(f.amount_mad) filter (where f.flow_type = 'disbursement') as paid_out_mad
from marts.fct_funding f
join marts.dim_programme p using (programme_key)
join marts.dim_geography g using (geography_key)
join marts.dim_date d using (date_key)
group by 1, 2, 3, 4, 5, 6, 7
order by 1, 4, 7;
