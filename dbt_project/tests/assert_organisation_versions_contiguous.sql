-- Structural invariant of the organisation history (docs/history.md; checked here only): every
-- organisation has exactly one current version, which is its latest, and its versions are
-- contiguous (each ends the day the next begins, none overlaps, none after the current one).
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

select organisation_id, 'not exactly one current version, or current is not latest' as problem
from versions
group by organisation_id
having
    count(*) filter (where is_current) <> 1
    or count(*) filter (where is_latest_version) <> 1
    or count(*) filter (where is_current and is_latest_version) <> 1
union all
select organisation_id, 'versions not contiguous'
from versions
where
    valid_to is distinct from next_valid_from
    or valid_to <= valid_from
