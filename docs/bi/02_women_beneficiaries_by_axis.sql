-- Women beneficiaries by intervention axis (Mouazara and INDH projects)
select a.axis_code, a.name_fr as axis_fr, a.name_ar as axis_ar, sum(o.value) as women_beneficiaries
from marts.fct_outcome o
join marts.dim_indicator i using (indicator_key)
join marts.dim_project pr using (project_key)
join marts.dim_axis a on a.axis_code = pr.axis_code
where i.indicator_code = 'BENEFICIARIES_WOMEN'
group by 1, 2, 3
order by 4 desc;
