-- Outcomes per indicator. A project's latest value is its actual once it is completed, its target
-- before. achieved: actuals of completed projects; their_target: the targets those same projects
-- had in an earlier delivery (achievement rate = achieved / their_target); pending_target: the
-- targets of projects not completed yet.
with completed as (
    select * from project_outcomes where value_type = 'actual'
),
earlier_targets as (
    select o.project_key, o.indicator_code, o.value
    from outcomes as o
    inner join completed as c on c.project_key = o.project_key and c.indicator_code = o.indicator_code
    where o.value_type = 'target'
)
select i.indicator_code, i.name_fr as indicator_fr, i.name_ar as indicator_ar, i.unit,
       (select count(*) from completed as c where c.indicator_code = i.indicator_code) as projects_completed,
       (select coalesce(sum(c.value), 0) from completed as c where c.indicator_code = i.indicator_code) as achieved,
       (select sum(t.value) from earlier_targets as t where t.indicator_code = i.indicator_code) as their_target,
       (select round(sum(c.value) / nullif(sum(t.value), 0), 4)
          from completed as c inner join earlier_targets as t
            on t.project_key = c.project_key and t.indicator_code = c.indicator_code
         where c.indicator_code = i.indicator_code) as achievement_rate,
       (select count(*) from project_outcomes as p
         where p.indicator_code = i.indicator_code and p.value_type = 'target') as projects_ongoing,
       (select coalesce(sum(p.value), 0) from project_outcomes as p
         where p.indicator_code = i.indicator_code and p.value_type = 'target') as pending_target
from marts.dim_indicator as i
where i.indicator_code in (select indicator_code from project_outcomes)
order by i.indicator_code
