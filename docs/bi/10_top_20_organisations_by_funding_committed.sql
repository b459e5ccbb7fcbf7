-- The 20 organisations with the most money committed to their projects (from the dashboards' aggregate)
select organisation_id, name_fr, name_ar, organisation_type, committed_mad, disbursed_mad, projects
from marts.agg_funding_by_organisation
order by committed_mad desc nulls last, organisation_id
limit 20;
