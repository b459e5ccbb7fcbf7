-- Every organisation has exactly one latest version and at most one current version, and its
-- versions do not overlap.
with versions as (
    select
        organisation_id,
        valid_from,
        valid_to,
        is_current,
        is_latest_version,
        lead(valid_from) over (partition by organisation_id order by valid_from) as next_valid_from
    from {{ ref('dim_organisation') }}
)

select organisation_id, 'latest or current version count' as problem
from versions
group by organisation_id
having count(*) filter (where is_latest_version) <> 1 or count(*) filter (where is_current) > 1
union all
select organisation_id, 'overlapping versions'
from versions
where next_valid_from is not null and (valid_to is null or valid_to > next_valid_from)
