-- Each kind of delivery: its last file received (loaded or a repeat of a loaded file), the rows
-- that file loaded and set aside (rejected lines and duplicates), and the files rejected whole.
-- Read from the load audit (audit.load_file), not from the marts; with :as_of, what had arrived by then.
with received as (
    select distinct on (source_name)
        source_name, provider, file_name, received_at, status,
        rows_read, rows_loaded, rows_rejected + rows_duplicate as rows_set_aside
    from audit.load_file
    where
        status in ('loaded', 'duplicate', 'superseded') and source_name is not null
        and (cast(:as_of as date) is null or received_at < cast(:as_of as date) + 1)
    order by source_name, received_at desc, load_id desc
),

rejected as (
    select source_name, count(*) as files_rejected
    from audit.load_file
    where status = 'rejected' and (cast(:as_of as date) is null or received_at < cast(:as_of as date) + 1)
    group by source_name
)

select
    received.source_name, received.provider, received.file_name, received.received_at, received.status,
    received.rows_read, received.rows_loaded, received.rows_set_aside,
    coalesce(rejected.files_rejected, 0) as files_rejected
from received
left join rejected on rejected.source_name = received.source_name
order by received.source_name
