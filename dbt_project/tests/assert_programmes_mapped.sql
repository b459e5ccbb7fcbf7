{{ config(severity='warn') }}
-- Business rule, reported not fatal: a programme or strand the seeds do not know (add it to
-- seeds/mappings/programme_aliases.csv or axis_mapping.csv).
select source_system, source_record_id, programme_as_delivered, phase_as_delivered, axis_as_delivered
from {{ ref('int_programme_mapping') }}
where
    (programme_code is null and programme_as_delivered is not null)
    or (axis_code is null and item_type = 'project')
