-- Money committed and disbursed by programme; rate = disbursed / committed.
select
    coalesce(pr.programme_code, 'UNMAPPED') as programme_code,
    coalesce(pr.name_fr, 'Programme non rapproché') as programme_fr,
    coalesce(pr.name_ar, 'برنامج غير محدد') as programme_ar,
    count(distinct f.project_key) as projects,
    coalesce(sum(f.committed_mad), 0) as committed_mad,
    coalesce(sum(f.disbursed_mad), 0) as disbursed_mad,
    round(
        sum(f.disbursed_mad)
        / nullif(sum(f.committed_mad), 0), 4
    ) as disbursement_rate
from funding as f
left join marts.dim_programme as pr on pr.programme_code = f.programme_code
group by 1, 2, 3
order by committed_mad desc, programme_code
