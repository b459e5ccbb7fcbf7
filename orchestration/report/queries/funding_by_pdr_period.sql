-- Money by PDR period: each flow falls in the regional development plan whose years hold its date.
with periods as (
    select programme_code as period_code, name_fr, name_ar, start_year, end_year
    from marts.dim_programme where framework like 'PDR %'
)

select
    coalesce(periods.period_code, 'OUTSIDE_PDR') as period_code,
    coalesce(periods.name_fr, 'Hors période PDR') as period_fr,
    coalesce(periods.name_ar, 'خارج فترات برنامج التنمية الجهوية') as period_ar,
    count(distinct f.project_key) as projects,
    coalesce(sum(f.committed_mad), 0) as committed_mad,
    coalesce(sum(f.disbursed_mad), 0) as disbursed_mad,
    coalesce(sum(f.committed_mad) filter (where f.institution_code = 'CRFM'), 0)
        as council_committed_mad
from funding as f
left join periods on f.flow_year between periods.start_year and coalesce(periods.end_year, 9999)
group by 1, 2, 3, periods.start_year
order by periods.start_year nulls last
