-- Money by intervention axis of the council's SSE strategy.
select
    coalesce(a.axis_code, 'UNMAPPED') as axis_code,
    coalesce(a.name_fr, 'Axe non rapproché') as axis_fr,
    coalesce(a.name_ar, 'محور غير محدد') as axis_ar,
    count(distinct f.project_key) as projects,
    coalesce(sum(f.committed_mad), 0) as committed_mad,
    coalesce(sum(f.disbursed_mad), 0) as disbursed_mad
from funding as f
left join marts.dim_axis as a on a.axis_code = f.axis_code
group by 1, 2, 3
order by committed_mad desc, axis_code
