{{ config(contract={'enforced': true}) }}

{#- The projects' latest figures by intervention axis and indicator, summed from fct_outcome at
    publication: each project's values of its latest period (actuals once completed, targets
    before), the figures the dashboards show by axis. -#}
with project_values as (
    select
        project_key,
        indicator_key,
        value_type,
        value,
        period_date,
        max(period_date) over (partition by project_key) as latest_period_date
    from {{ ref('fct_outcome') }}
    where project_key is not null
)

select
    axes.axis_key,
    axes.axis_code,
    axes.name_fr as axis_fr,
    axes.name_ar as axis_ar,
    indicators.indicator_key,
    indicators.indicator_code,
    indicators.name_fr as indicator_fr,
    indicators.name_ar as indicator_ar,
    project_values.value_type,
    count(distinct project_values.project_key)::integer as projects,
    sum(project_values.value)::numeric(18, 2) as value
from project_values
inner join {{ ref('dim_project') }} as projects on projects.project_key = project_values.project_key
inner join {{ ref('dim_axis') }} as axes on axes.axis_code = projects.axis_code
inner join {{ ref('dim_indicator') }} as indicators on indicators.indicator_key = project_values.indicator_key
where project_values.period_date = project_values.latest_period_date
group by 1, 2, 3, 4, 5, 6, 7, 8, 9
