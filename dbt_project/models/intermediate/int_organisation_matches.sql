{#- Entity resolution: which organisation each source record belongs to, and why.

    1. Identifier units. Records carrying the same register number, the same association receipt in
       the same province, or the same RC form one unit; a record with only an ICE joins the unit of
       the register number that ICE is written beside (if exactly one), else an ICE unit. A record
       without any identifier is a unit of its own. Register and receipt units are "strong".
    2. Name links between units: same organisation type, same province, and either the same Latin
       or Arabic name key (normalize_org_name), or the same consonant skeleton of the distinctive
       word + activity term (name_skeleton, which also compares a Latin name with an Arabic one);
       communes must not contradict each other (no record of one unit in another commune than a
       record of the other). Two strong units are never linked: two different register numbers
       (or receipts) are two organisations, whatever their names.
    3. Weak units (no register/receipt) linked by name form clusters (connected components; a
       transliterated link between weak units needs the same commune). A cluster joins the strong
       unit with the strongest evidence - same commune, then names that do not contradict each
       other, then the very same spelling - only if no other strong unit has evidence as strong;
       otherwise it stays apart rather than risk a false merge.
    4. The organisation_id is derived from the cluster's anchor: register number > receipt+province >
       RC > ICE > the record first delivered, so it survives reloads and new snapshots.
-#}
with records as (
    select * from {{ ref('int_organisation_records') }}
),

ice_registers as (
    -- an ICE written beside exactly one register number identifies that cooperative
    select ice, min(register_number) as register_number
    from records
    where ice is not null and register_number is not null
    group by ice
    having count(distinct register_number) = 1
),

record_units as (
    select
        records.*,
        case
            when records.register_number is not null then 'register:' || records.register_number
            when records.association_receipt is not null
                then 'receipt:' || records.association_receipt || '@' || records.province_code
            when records.rc_number is not null then 'rc:' || records.rc_number
            when ice_registers.register_number is not null then 'register:' || ice_registers.register_number
            when records.ice is not null then 'ice:' || records.ice
            else 'record:' || records.organisation_record_key
        end as unit_id,
        ice_registers.register_number is not null and records.register_number is null as joined_by_ice
    from records
    left join ice_registers on ice_registers.ice = records.ice
),

units as (
    select
        unit_id,
        split_part(unit_id, ':', 1) as unit_kind,
        split_part(unit_id, ':', 1) in ('register', 'receipt') as is_strong
    from record_units
    group by unit_id
),

record_match_keys as (
    -- every key a record can be matched on: its Latin name key, its Arabic name key, and the
    -- skeletons of its names (a skeleton matches a skeleton of either script), with what the
    -- comparison of two records needs
    select distinct
        record_units.organisation_record_key,
        record_units.unit_id,
        units.unit_kind,
        units.is_strong,
        record_units.organisation_type,
        record_units.province_code,
        match_keys.match_key,
        record_units.name_key_latin,
        record_units.name_key_arabic,
        lower(record_units.name_fr) as name_fr_lower,
        record_units.name_ar,
        record_units.commune_match_key,
        split_part(record_units.commune_match_key, ':', 1) as commune_key_kind
    from record_units
    inner join units on units.unit_id = record_units.unit_id
    cross join lateral (
        values
            ('L:' || record_units.name_key_latin),
            ('A:' || record_units.name_key_arabic),
            ('S:' || record_units.name_skeleton_latin),
            ('S:' || record_units.name_skeleton_arabic)
    ) as match_keys (match_key)
    where match_keys.match_key is not null
      and record_units.organisation_type is not null
      and record_units.province_code is not null
),

candidate_unit_links as (
    -- units whose records may name the same organisation: same type and province, and the same
    -- normalised name in one script (exact_key) or the same skeleton of the distinctive word +
    -- activity term (transliteration, also across scripts). Only links from a weak unit are needed
    -- (two strong units are never linked), and record pairs whose communes differ are left out:
    -- their units are not linked anyway (see contradicting_unit_pairs).
    select
        left_record.unit_id as left_unit_id,
        right_record.unit_id as right_unit_id,
        left_record.is_strong as left_is_strong,
        right_record.is_strong as right_is_strong,
        bool_or(coalesce(left_record.commune_match_key = right_record.commune_match_key, false)) as same_commune,
        bool_or(
            coalesce(right_record.name_key_latin = left_record.name_key_latin, false)
            or coalesce(right_record.name_key_arabic = left_record.name_key_arabic, false)
        ) as exact_key,
        bool_or(
            coalesce(right_record.name_fr_lower = left_record.name_fr_lower, false)
            or coalesce(right_record.name_ar = left_record.name_ar, false)
        ) as same_spelling,
        -- only a transliterated match, while the names can be compared in one script and differ
        not bool_or(
            coalesce(right_record.name_key_latin = left_record.name_key_latin, false)
            or coalesce(right_record.name_key_arabic = left_record.name_key_arabic, false)
        )
        and bool_or(
            -- both names readable in the same script, and not the same name
            coalesce(right_record.name_key_latin <> left_record.name_key_latin, false)
            or coalesce(right_record.name_key_arabic <> left_record.name_key_arabic, false)
        ) as names_contradict
    from record_match_keys as left_record
    inner join record_match_keys as right_record
        on right_record.match_key = left_record.match_key
        and right_record.organisation_type = left_record.organisation_type
        and right_record.province_code = left_record.province_code
        and right_record.unit_id <> left_record.unit_id
    where not left_record.is_strong
      -- never link two units identified by different identifiers of the same kind
      and not (left_record.unit_kind = right_record.unit_kind and left_record.unit_kind <> 'record')
      -- both communes known in comparable form (reference list, or the same script) and different
      and not coalesce(
            left_record.commune_match_key <> right_record.commune_match_key
            and (left_record.commune_key_kind = 'ref'
                 or right_record.commune_key_kind = 'ref'
                 or left_record.commune_key_kind = right_record.commune_key_kind),
            false
        )
    group by 1, 2, 3, 4
),

unit_communes as (
    select distinct
        unit_id,
        commune_match_key,
        split_part(commune_match_key, ':', 1) as commune_key_kind
    from record_units
    where commune_match_key is not null
),

contradicting_unit_pairs as (
    -- two units any of whose records sit in different communes (both communes known in comparable
    -- form: reference list, or the same script)
    select distinct
        candidate_unit_links.left_unit_id,
        candidate_unit_links.right_unit_id
    from candidate_unit_links
    inner join unit_communes as left_commune
        on left_commune.unit_id = candidate_unit_links.left_unit_id
    inner join unit_communes as right_commune
        on right_commune.unit_id = candidate_unit_links.right_unit_id
        and right_commune.commune_match_key <> left_commune.commune_match_key
        and (left_commune.commune_key_kind = 'ref'
             or right_commune.commune_key_kind = 'ref'
             or left_commune.commune_key_kind = right_commune.commune_key_kind)
),

unit_links as (
    select candidate_unit_links.*
    from candidate_unit_links
    left join contradicting_unit_pairs
        on contradicting_unit_pairs.left_unit_id = candidate_unit_links.left_unit_id
        and contradicting_unit_pairs.right_unit_id = candidate_unit_links.right_unit_id
    where contradicting_unit_pairs.left_unit_id is null
),

weak_edges as (
    -- between weak units a transliterated name is not enough without the same commune
    select left_unit_id, right_unit_id
    from unit_links
    where not right_is_strong
      and (exact_key or same_commune)
),

{#- connected components of the weak units: min-label propagation with pointer jumping for a few
    rounds, then an exact closure over the (small) graph of the labels still linked -#}
{%- set rounds = 6 %}
weak_labels_0 as (
    select unit_id, unit_id as label from units where not is_strong
),
{%- for i in range(1, rounds + 1) %}

weak_propagated_{{ i }} as (
    select weak_labels.unit_id, least(weak_labels.label, min(neighbour.label)) as label
    from weak_labels_{{ i - 1 }} as weak_labels
    left join weak_edges on weak_edges.left_unit_id = weak_labels.unit_id
    left join weak_labels_{{ i - 1 }} as neighbour on neighbour.unit_id = weak_edges.right_unit_id
    group by weak_labels.unit_id, weak_labels.label
),

weak_labels_{{ i }} as (
    -- pointer jumping: take the label of one's label
    select weak_propagated.unit_id, least(weak_propagated.label, label_of_label.label) as label
    from weak_propagated_{{ i }} as weak_propagated
    inner join weak_propagated_{{ i }} as label_of_label on label_of_label.unit_id = weak_propagated.label
),
{%- endfor %}

label_edges as (
    select distinct left_label.label as left_label, right_label.label as right_label
    from weak_edges
    inner join weak_labels_{{ rounds }} as left_label on left_label.unit_id = weak_edges.left_unit_id
    inner join weak_labels_{{ rounds }} as right_label on right_label.unit_id = weak_edges.right_unit_id
    where left_label.label <> right_label.label
),

label_reach as (
    with recursive walk (label, reached_label) as (
        select distinct label, label from weak_labels_{{ rounds }}
        union
        select walk.label, label_edges.right_label
        from walk
        inner join label_edges on label_edges.left_label = walk.reached_label
    )
    select label, min(reached_label) as component from walk group by label
),

weak_components as (
    select weak_labels.unit_id, label_reach.component
    from weak_labels_{{ rounds }} as weak_labels
    inner join label_reach on label_reach.label = weak_labels.label
),

weak_clusters as (
    select
        unit_id,
        min(unit_id) over (partition by component) as weak_cluster_id
    from weak_components
),

cluster_candidates as (
    -- strong units a weak cluster is linked to, with the strength of the evidence: a cluster whose
    -- names match two registered organisations equally well is left apart
    select
        weak_clusters.weak_cluster_id,
        unit_links.right_unit_id as strong_unit_id,
        -- the same commune first, then names that do not contradict each other, then the very
        -- same spelling (a provider copying the register's name)
        bool_or(unit_links.same_commune)::int * 4
            + bool_or(not unit_links.names_contradict)::int * 2
            + bool_or(unit_links.same_spelling)::int as evidence
    from weak_clusters
    inner join unit_links
        on unit_links.left_unit_id = weak_clusters.unit_id
        and unit_links.right_is_strong
    group by 1, 2
),

best_candidates as (
    select
        cluster_candidates.*,
        count(*) over (partition by weak_cluster_id, evidence) as candidates_with_this_evidence,
        rank() over (partition by weak_cluster_id order by evidence desc) as evidence_rank
    from cluster_candidates
),

cluster_attachments as (
    -- attach only when one strong unit has the strongest evidence; a tie stays apart
    select weak_cluster_id, strong_unit_id
    from best_candidates
    where evidence_rank = 1 and candidates_with_this_evidence = 1
),

unit_clusters as (
    select
        units.unit_id,
        case
            when units.is_strong then units.unit_id
            else coalesce(cluster_attachments.strong_unit_id, weak_clusters.weak_cluster_id)
        end as cluster_id
    from units
    left join weak_clusters on weak_clusters.unit_id = units.unit_id
    left join cluster_attachments on cluster_attachments.weak_cluster_id = weak_clusters.weak_cluster_id
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
    -- name links (as in candidate_unit_links, whatever the communes) to a record of another unit of
    -- the same cluster
    select
        left_record.organisation_record_key,
        bool_or(coalesce(left_record.commune_match_key = right_record.commune_match_key, false)) as same_commune
    from clustered_match_keys as left_record
    inner join clustered_match_keys as right_record
        on right_record.cluster_id = left_record.cluster_id
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
        when anchored_records.record_anchor = anchored_records.anchor then
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
