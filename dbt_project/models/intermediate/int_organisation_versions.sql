{#- Type-2 history of the organisations. Every loaded snapshot of the cooperative register and of the
    associations register is compared with the previous one for the same organisation: a changed
    row opens a new version, an unchanged one does not, and an organisation missing from a snapshot
    has its version closed at that snapshot (it re-opens if it comes back). Organisations that the
    registers do not hold (only seen in Mouazara, INDH or the Chamber) get one version from their
    current attributes, valid from their first delivery. -#}
with organisations as (
    select * from {{ ref('int_organisations') }}
),

unit_organisations as (
    select distinct unit_id, organisation_id from {{ ref('int_organisation_matches') }}
),

labels as (
    select * from {{ ref('labels') }}
),

register_rows as (
    select
        'ministere_register' as history_source,
        'register:' || snapshots.register_number as unit_id,
        snapshots.snapshot_date,
        snapshots.source_load_id,
        'cooperative' as organisation_type,
        snapshots.name_fr,
        snapshots.name_ar,
        snapshots.register_number,
        null::text as association_receipt,
        snapshots.ice,
        snapshots.sector,
        snapshots.province_code,
        snapshots.commune,
        snapshots.founded_on,
        snapshots.members_total,
        snapshots.members_women,
        coalesce(labels.code, lower(snapshots.status)) as status
    from {{ ref('stg_ministere__cooperative_snapshots') }} as snapshots
    left join labels on labels.label_set = 'cooperative_status' and labels.source_value = snapshots.status
),

association_rows as (
    select
        'wilaya_associations',
        'receipt:' || snapshots.receipt_number || '@' || snapshots.province_code,
        snapshots.snapshot_date,
        snapshots.source_load_id,
        'association',
        snapshots.name_fr,
        snapshots.name_ar,
        null,
        snapshots.receipt_number,
        null,
        snapshots.field,
        snapshots.province_code,
        snapshots.commune,
        snapshots.founded_on,
        snapshots.members_total,
        null::bigint,
        coalesce(labels.code, snapshots.status)
    from {{ ref('stg_wilaya__association_snapshots') }} as snapshots
    left join labels on labels.label_set = 'association_status' and labels.source_value = snapshots.status
),

snapshot_rows as (
    select
        coalesce(unit_organisations.organisation_id, 'ORG-' || left(md5(all_rows.unit_id), 12)) as organisation_id,
        all_rows.*,
        {{ surrogate_key(['all_rows.name_fr', 'all_rows.name_ar', 'all_rows.ice', 'all_rows.sector',
                          'all_rows.province_code', 'all_rows.commune', 'all_rows.founded_on',
                          'all_rows.members_total', 'all_rows.members_women', 'all_rows.status']) }} as row_state
    from (select * from register_rows union all select * from association_rows) as all_rows
    left join unit_organisations on unit_organisations.unit_id = all_rows.unit_id
),

snapshots as (
    select distinct history_source, snapshot_date, source_load_id from snapshot_rows
),

organisation_timelines as (
    -- every snapshot of its register from the organisation's first one on; 'absent' when it is missing
    select
        first_seen.organisation_id,
        snapshots.history_source,
        snapshots.snapshot_date,
        coalesce(snapshot_rows.row_state, 'absent') as row_state
    from (
        select organisation_id, history_source, min(snapshot_date) as first_snapshot_date
        from snapshot_rows
        group by organisation_id, history_source
    ) as first_seen
    inner join snapshots
        on snapshots.history_source = first_seen.history_source
        and snapshots.snapshot_date >= first_seen.first_snapshot_date
    left join snapshot_rows
        on snapshot_rows.organisation_id = first_seen.organisation_id
        and snapshot_rows.source_load_id = snapshots.source_load_id
),

state_changes as (
    select
        organisation_timelines.*,
        case
            when lag(row_state) over timeline is distinct from row_state then 1 else 0
        end as opens_version
    from organisation_timelines
    window timeline as (partition by organisation_id order by snapshot_date)
),

numbered_states as (
    select
        state_changes.*,
        sum(opens_version) over (partition by organisation_id order by snapshot_date) as state_number
    from state_changes
),

states as (
    select
        organisation_id,
        state_number,
        min(row_state) as row_state,
        min(snapshot_date) as valid_from
    from numbered_states
    group by organisation_id, state_number
),

history_versions as (
    select
        states.organisation_id,
        states.valid_from,
        lead(states.valid_from) over (partition by states.organisation_id order by states.valid_from) as valid_to,
        states.row_state
    from states
),

history_rows as (
    select distinct on (history_versions.organisation_id, history_versions.valid_from)
        history_versions.organisation_id,
        snapshot_rows.organisation_type,
        coalesce(snapshot_rows.name_fr, organisations.name_fr) as name_fr,
        coalesce(snapshot_rows.name_ar, organisations.name_ar) as name_ar,
        snapshot_rows.register_number,
        snapshot_rows.association_receipt,
        case when snapshot_rows.association_receipt is not null then snapshot_rows.province_code end
            as association_receipt_province,
        organisations.rc_number,
        coalesce(snapshot_rows.ice, organisations.ice) as ice,
        snapshot_rows.sector,
        snapshot_rows.province_code,
        snapshot_rows.commune,
        snapshot_rows.founded_on,
        snapshot_rows.members_total,
        snapshot_rows.members_women,
        snapshot_rows.status,
        history_versions.valid_from,
        history_versions.valid_to,
        snapshot_rows.history_source as attributes_source
    from history_versions
    inner join snapshot_rows
        on snapshot_rows.organisation_id = history_versions.organisation_id
        and snapshot_rows.row_state = history_versions.row_state
        and snapshot_rows.snapshot_date = history_versions.valid_from
    left join organisations on organisations.organisation_id = history_versions.organisation_id
    where history_versions.row_state <> 'absent'
    order by history_versions.organisation_id, history_versions.valid_from
),

single_versions as (
    select
        organisations.organisation_id,
        organisations.organisation_type,
        organisations.name_fr,
        organisations.name_ar,
        organisations.register_number,
        organisations.association_receipt,
        organisations.association_receipt_province,
        organisations.rc_number,
        organisations.ice,
        null::text as sector,
        organisations.province_code,
        organisations.commune,
        null::date as founded_on,
        null::bigint as members_total,
        null::bigint as members_women,
        'unknown' as status,
        organisations.first_seen_on as valid_from,
        null::date as valid_to,
        split_part(organisations.source_systems, ', ', 1) as attributes_source
    from organisations
    where not exists (
        select 1 from history_rows where history_rows.organisation_id = organisations.organisation_id
    )
),

all_versions as (
    select * from history_rows
    union all
    select * from single_versions
)

select
    {{ surrogate_key(['organisation_id', 'valid_from']) }} as organisation_key,
    all_versions.*,
    valid_to is null as is_current,
    row_number() over (partition by organisation_id order by valid_from) as version_number,
    row_number() over (partition by organisation_id order by valid_from desc) = 1 as is_latest_version
from all_versions
