-- Money committed and paid out, by programme, province and year
select
    programme_code, programme_fr, programme_ar,
    province_code, province_fr, province_ar, year,
    sum(amount_mad) filter (where flow_type = 'commitment') as committed_mad,
    sum(amount_mad) filter (where flow_type = 'disbursement') as paid_out_mad
from marts.agg_funding_by_programme_province_year
group by 1, 2, 3, 4, 5, 6, 7
order by 1, 4, 7;
