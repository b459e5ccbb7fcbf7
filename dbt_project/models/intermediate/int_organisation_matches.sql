{#- Entity resolution, step 5: the identity of every source record - which organisation it
    belongs to, and why. The steps: int_organisation_match_units (identifier units),
    int_organisation_match_keys (the keys names are compared on), int_organisation_match_candidates
    (name links between units), int_organisation_match_components (clusters); here the
    organisation_id is derived from the cluster's anchor: register number > receipt+province > RC >
    ICE > the record first delivered, so it survives reloads and new snapshots. One row per record. -#}
with record_units as (
    select * from {{ ref('int_organisation_match_units') }}
),

record_match_keys as (
    select * from {{ ref('int_organisation_match_keys') }}
),

unit_clusters as (
    select * from {{ ref('int_organisation_match_components') }}
),

clustered_records as (
    select
        record_units.*,
        unit_clusters.cluster_id,
        case
            when record_units.register_number is not null then 1
            when record_units.association_receipt is not null then 2
            when record_units.rc_number is not null then 3
            when record_units.ice is not null then 4
            else 5
        end as identifier_priority,
        case
            when record_units.register_number is not null then 'register:' || record_units.register_number
            when record_units.association_receipt is not null
                then 'receipt:' || record_units.association_receipt || '@' || record_units.province_code
            when record_units.rc_number is not null then 'rc:' || record_units.rc_number
            when record_units.ice is not null then 'ice:' || record_units.ice
            else 'record:' || record_units.organisation_record_key
        end as record_anchor
    from record_units
    inner join unit_clusters on unit_clusters.unit_id = record_units.unit_id
),

anchored_records as (
    select
        clustered_records.*,
        first_value(record_anchor) over cluster_order as anchor,
        first_value(organisation_record_key) over cluster_order as anchor_record_key
    from clustered_records
    window cluster_order as (
        partition by cluster_id
        order by
            identifier_priority,
            -- the register files themselves define their identifiers
            case when source_system in ('ministere_register', 'wilaya_associations') then 0 else 1 end,
            first_loaded_period,
            organisation_record_key
    )
),

clustered_match_keys as (
    select record_match_keys.*, unit_clusters.cluster_id
    from record_match_keys
    inner join unit_clusters on unit_clusters.unit_id = record_match_keys.unit_id
),

record_best_name_link as (
    -- name links (as in int_organisation_match_candidates, whatever the communes) to a record of
    -- another unit of the same cluster
    select
        left_record.organisation_record_key,
        bool_or(coalesce(left_record.commune_match_key = right_record.commune_match_key, false)) as same_commune
    from clustered_match_keys as left_record
    inner join clustered_match_keys as right_record
        on
            right_record.cluster_id = left_record.cluster_id
            and right_record.match_key = left_record.match_key
            and right_record.organisation_type = left_record.organisation_type
            and right_record.province_code = left_record.province_code
            and right_record.unit_id <> left_record.unit_id
    group by 1
)

select
    'ORG-' || left(md5(anchored_records.anchor), 12) as organisation_id,
    anchored_records.organisation_record_key,
    anchored_records.source_system,
    anchored_records.source_record_id,
    anchored_records.organisation_type,
    anchored_records.province_code,
    case
        when anchored_records.organisation_record_key = anchored_records.anchor_record_key then 'anchor'
        when anchored_records.record_anchor = anchored_records.anchor
            then
                case anchored_records.identifier_priority
                    when 1 then 'register_number'
                    when 2 then 'receipt_number'
                    when 3 then 'rc_number'
                    else 'ice'
                end
        when anchored_records.joined_by_ice then 'ice'
        when record_best_name_link.same_commune then 'name_province_commune'
        when record_best_name_link.same_commune is not null then 'name_province'
        when anchored_records.unit_id like 'rc:%' then 'rc_number'
        when anchored_records.unit_id like 'ice:%' then 'ice'
        else 'name_province'
    end as match_rule,
    anchored_records.anchor,
    anchored_records.cluster_id,
    anchored_records.unit_id
from anchored_records
left join record_best_name_link
    on record_best_name_link.organisation_record_key = anchored_records.organisation_record_key
