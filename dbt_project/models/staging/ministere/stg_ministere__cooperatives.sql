{#- The cooperative register as of the latest loaded snapshot: one row per cooperative (the rows of the latest file
    of `stg_ministere__cooperative_snapshots`, which keeps every snapshot). -#}
with all_snapshots as (
    select * from {{ ref('stg_ministere__cooperative_snapshots') }}
),

latest_file as (
    select source_period, source_load_id
    from all_snapshots
    order by source_period desc, source_load_id desc
    limit 1
)

select all_snapshots.*
from all_snapshots
inner join latest_file
    on all_snapshots.source_period = latest_file.source_period
    and all_snapshots.source_load_id = latest_file.source_load_id
