{#- Type-2 history of the organisations (rules: docs/history.md). Every loaded snapshot of the
    cooperative register and of the associations register is compared with the previous one for the
    same organisation, from its first snapshot on:
    - its first snapshot opens its first version (version_reason 'first_seen');
    - a changed row (name, status, members, province, ...) opens a version ('changed'; changed_columns
      lists what changed), an unchanged one opens none;
    - missing from a snapshot: a version 'struck_off' opens at that snapshot's date (status
      'struck_off', in_register false, the last known attributes kept);
    - back in a later snapshot: a version 'returned' opens.
    Versions are contiguous: each one ends (valid_to) when the next begins, the last one is open
    (valid_to null, is_current). Between two snapshots (a skipped month) the earlier one holds.
    Organisations that the registers do not hold (only seen in Mouazara, INDH or the Chamber) get one
    version from their current attributes, valid from their first delivery ('outside_registers'). -#}
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
        snapshots.source_file_name,
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
        snapshots.source_file_name,
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
    from (
        select * from register_rows
        union all
        select * from association_rows
    ) as all_rows
    left join unit_organisations on unit_organisations.unit_id = all_rows.unit_id
),

snapshots as (
    select distinct history_source, snapshot_date, source_load_id, source_file_name from snapshot_rows
),

organisation_timelines as (
    -- every snapshot of its register from the organisation's first one on; 'absent' when it is missing
    select
        first_seen.organisation_id,
        snapshots.history_source,
        snapshots.snapshot_date,
        snapshots.source_file_name,
        coalesce(snapshot_rows.row_state, 'absent') as row_state
    from (
        select
            seen_rows.organisation_id,
            seen_rows.history_source,
            min(seen_rows.snapshot_date) as first_snapshot_date
        from snapshot_rows as seen_rows
        group by seen_rows.organisation_id, seen_rows.history_source
    ) as first_seen
    inner join snapshots
        on
            snapshots.history_source = first_seen.history_source
            and snapshots.snapshot_date >= first_seen.first_snapshot_date
    left join snapshot_rows
        on
            snapshot_rows.organisation_id = first_seen.organisation_id
            and snapshot_rows.source_load_id = snapshots.source_load_id
),

state_changes as (
    select
        organisation_timelines.*,
        lag(row_state) over timeline as previous_state,
        case when (lag(row_state) over timeline is distinct from row_state) then 1 else 0 end as opens_version
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
    -- one row per version: its state, first day, the snapshot that opened it and why
    select distinct on (organisation_id, state_number)
        organisation_id,
        state_number,
        row_state,
        snapshot_date as valid_from,
        source_file_name as version_source_file,
        case
            when previous_state is null then 'first_seen'
            when row_state = 'absent' then 'struck_off'
            when previous_state = 'absent' then 'returned'
            else 'changed'
        end as version_reason
    from numbered_states
    order by organisation_id, state_number, snapshot_date
),

present_versions as (
    select distinct on (states.organisation_id, states.state_number)
        states.organisation_id,
        states.state_number,
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
        snapshot_rows.history_source as attributes_source
    from states
    inner join snapshot_rows
        on
            snapshot_rows.organisation_id = states.organisation_id
            and snapshot_rows.row_state = states.row_state
            and snapshot_rows.snapshot_date = states.valid_from
    left join organisations on organisations.organisation_id = states.organisation_id
    where states.row_state <> 'absent'
    order by states.organisation_id, states.state_number, snapshot_rows.source_load_id desc
),

history_rows as (
    -- a struck-off version keeps the attributes of the version before it (the organisation as the
    -- register last showed it), with the status 'struck_off'
    select
        states.organisation_id,
        attributes.organisation_type,
        attributes.name_fr,
        attributes.name_ar,
        attributes.register_number,
        attributes.association_receipt,
        attributes.association_receipt_province,
        attributes.rc_number,
        attributes.ice,
        attributes.sector,
        attributes.province_code,
        attributes.commune,
        attributes.founded_on,
        attributes.members_total,
        attributes.members_women,
        case when states.row_state = 'absent' then 'struck_off' else attributes.status end as status,
        states.row_state <> 'absent' as in_register,
        states.version_reason,
        states.version_source_file,
        states.valid_from,
        lead(states.valid_from) over (partition by states.organisation_id order by states.valid_from) as valid_to,
        attributes.attributes_source
    from states
    inner join present_versions as attributes
        on
            attributes.organisation_id = states.organisation_id
            and attributes.state_number = case
                when states.row_state = 'absent' then states.state_number - 1
                else states.state_number
            end
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
        false as in_register,
        'outside_registers' as version_reason,
        null::text as version_source_file,
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
),

changed_columns as (
    -- what a version changed, compared with the version before it
    select
        all_versions.*,
        case when all_versions.version_reason in ('changed', 'returned') then nullif(concat_ws(
            ', ',
            {%- for column in ['name_fr', 'name_ar', 'ice', 'sector', 'province_code', 'commune', 'founded_on',
                               'members_total', 'members_women', 'status'] %}
                case when {{ column }} is distinct from lag({{ column }}) over versions then '{{ column }}' end
                {%- if not loop.last %},{% endif %}
            {%- endfor %}
        ), '') end as changed_columns
    from all_versions
    window versions as (partition by organisation_id order by valid_from)
)

select
    {{ surrogate_key(['organisation_id', 'valid_from']) }} as organisation_key,
    changed_columns.*,
    valid_to is null as is_current,
    row_number() over (partition by organisation_id order by valid_from) as version_number,
    row_number() over (partition by organisation_id order by valid_from desc) = 1 as is_latest_version
from changed_columns
