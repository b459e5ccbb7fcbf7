-- Money committed and disbursed by funder (ministry, council, INDH, partners, holders).
select
    i.institution_code, i.name_fr as funder_fr, i.name_ar as funder_ar,
    count(distinct f.project_key) as projects,
    coalesce(sum(f.committed_mad), 0) as committed_mad,
    coalesce(sum(f.disbursed_mad), 0) as disbursed_mad,
    round(
        sum(f.disbursed_mad)
        / nullif(sum(f.committed_mad), 0), 4
    ) as disbursement_rate
from funding as f
inner join marts.dim_institution as i on i.institution_code = f.institution_code
group by i.institution_code, i.name_fr, i.name_ar
order by committed_mad desc, i.institution_code
