-- Projects and their total cost by programme and status
select
    pr.programme_code, pr.programme_fr, pr.programme_ar,
    pr.status_code, pr.status_fr, pr.status_ar,
    count(*) as projects, sum(pr.total_cost_mad) as total_cost_mad
from marts.dim_project pr
group by 1, 2, 3, 4, 5, 6
order by 1, 4;
