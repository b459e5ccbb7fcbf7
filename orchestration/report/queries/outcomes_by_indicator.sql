-- Outcomes per indicator. A project's latest value is its actual once it is completed, its target
-- before. achieved: actuals of completed projects; their_target: the targets those same projects
-- had in an earlier delivery, when the marts hold one (achievement rate = achieved / their_target,
-- over the projects that have both); pending_target: the targets of projects not completed yet.
with targets as (
    select project_key, indicator_code, value from outcomes
    where value_type = 'target' and project_key is not null
),

per_indicator as (
    select
        p.indicator_code,
        count(*) filter (where p.value_type = 'actual') as projects_completed,
        coalesce(sum(p.value) filter (where p.value_type = 'actual'), 0) as achieved,
        sum(t.value) as their_target,
        round(sum(p.value) filter (where t.value is not null) / nullif(sum(t.value), 0), 4) as achievement_rate,
        count(*) filter (where p.value_type = 'target') as projects_ongoing,
        coalesce(sum(p.value) filter (where p.value_type = 'target'), 0) as pending_target
    from project_outcomes as p
    left join targets as t
        on p.value_type = 'actual' and t.project_key = p.project_key and t.indicator_code = p.indicator_code
    group by p.indicator_code
)

select
    i.indicator_code, i.name_fr as indicator_fr, i.name_ar as indicator_ar, i.unit,
    per_indicator.projects_completed, per_indicator.achieved, per_indicator.their_target,
    per_indicator.achievement_rate, per_indicator.projects_ongoing, per_indicator.pending_target
from per_indicator
inner join marts.dim_indicator as i on i.indicator_code = per_indicator.indicator_code
order by i.indicator_code
