-- The Regional Council's co-financing (its commitments) by year of the agreement.
select
    f.flow_year as year,
    count(distinct f.project_key) as projects,
    sum(f.committed_mad) as council_committed_mad
from funding as f
where f.institution_code = 'CRFM' and f.committed_mad is not null
group by f.flow_year
order by f.flow_year
