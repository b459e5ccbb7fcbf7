-- The quality expectations that failed at the last check of each checked table (audit.quality_result).
with last_check as (
    select asset, max(checked_at) as checked_at from audit.quality_result
    where cast(:as_of as date) is null or checked_at < cast(:as_of as date) + 1
    group by asset
)

select
    r.asset, r.suite, r.expectation, r.severity,
    case r.severity when 'critical' then 'bloquante' else 'avertissement' end as severity_fr,
    case r.severity when 'critical' then 'حرجة' else 'تنبيه' end as severity_ar,
    r.failing_row_count, r.observed_value, r.checked_at
from audit.quality_result as r
inner join last_check on last_check.asset = r.asset and last_check.checked_at = r.checked_at
where not r.success
order by r.severity, r.asset, r.expectation
