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

record_name_links as (
    -- pairs of records of different units that may name the same organisation: same type and
    -- province, and the same normalised name in one script (exact_key) or the same skeleton of the
    -- distinctive word + activity term (transliteration, also across scripts)
    select
        left_record.organisation_record_key as left_record_key,
        right_record.organisation_record_key as right_record_key,
        left_record.unit_id as left_unit_id,
        right_record.unit_id as right_unit_id,
        coalesce(right_record.name_key_latin = left_record.name_key_latin, false)
            or coalesce(right_record.name_key_arabic = left_record.name_key_arabic, false) as exact_key,
        coalesce(lower(right_record.name_fr) = lower(left_record.name_fr), false)
            or coalesce(right_record.name_ar = left_record.name_ar, false) as same_spelling,
        -- both names readable in the same script, and not the same name
        coalesce(right_record.name_key_latin <> left_record.name_key_latin, false)
            or coalesce(right_record.name_key_arabic <> left_record.name_key_arabic, false) as names_differ,
        coalesce(left_record.commune_match_key = right_record.commune_match_key, false) as same_commune,
        -- both communes known in comparable form (reference list, or the same script) and different
        coalesce(
            left_record.commune_match_key <> right_record.commune_match_key
            and (split_part(left_record.commune_match_key, ':', 1) = 'ref'
                 or split_part(right_record.commune_match_key, ':', 1) = 'ref'
                 or split_part(left_record.commune_match_key, ':', 1) = split_part(right_record.commune_match_key, ':', 1)),
            false
        ) as communes_differ
    from record_units as left_record
    inner join record_units as right_record
        on right_record.organisation_type = left_record.organisation_type
        and right_record.province_code = left_record.province_code
        and right_record.unit_id <> left_record.unit_id
        and (right_record.name_key_latin = left_record.name_key_latin
             or right_record.name_key_arabic = left_record.name_key_arabic
             or right_record.name_skeleton_latin in (left_record.name_skeleton_latin, left_record.name_skeleton_arabic)
             or right_record.name_skeleton_arabic in (left_record.name_skeleton_latin, left_record.name_skeleton_arabic))
),

unit_links as (
    select
        record_name_links.left_unit_id,
        record_name_links.right_unit_id,
        left_unit.is_strong as left_is_strong,
        right_unit.is_strong as right_is_strong,
        bool_or(record_name_links.same_commune) as same_commune,
        bool_or(record_name_links.exact_key) as exact_key,
        bool_or(record_name_links.same_spelling) as same_spelling,
        -- only a transliterated match, while the names can be compared in one script and differ
        not bool_or(record_name_links.exact_key) and bool_or(record_name_links.names_differ) as names_contradict
    from record_name_links
    inner join units as left_unit on left_unit.unit_id = record_name_links.left_unit_id
    inner join units as right_unit on right_unit.unit_id = record_name_links.right_unit_id
    -- never link two units identified by different identifiers of the same kind
    where not (left_unit.unit_kind = right_unit.unit_kind and left_unit.unit_kind <> 'record')
      and not (left_unit.is_strong and right_unit.is_strong)
    group by 1, 2, 3, 4
    -- nor two units any of whose records sit in different communes
    having not bool_or(record_name_links.communes_differ)
        and not exists (
            select 1
            from record_units as left_member
            inner join record_units as right_member
                on right_member.unit_id = record_name_links.right_unit_id
                and left_member.commune_match_key <> right_member.commune_match_key
                and (split_part(left_member.commune_match_key, ':', 1) = 'ref'
                     or split_part(right_member.commune_match_key, ':', 1) = 'ref'
                     or split_part(left_member.commune_match_key, ':', 1) = split_part(right_member.commune_match_key, ':', 1))
            where left_member.unit_id = record_name_links.left_unit_id
        )
),

weak_reach (unit_id, reached_unit_id) as (
    -- connected components of the weak units over name links
    with recursive walk (unit_id, reached_unit_id) as (
        select unit_id, unit_id from units where not is_strong
        union
        select walk.unit_id, unit_links.right_unit_id
        from walk
        inner join unit_links
            on unit_links.left_unit_id = walk.reached_unit_id
            and not unit_links.right_is_strong
            -- between weak units a transliterated name is not enough without the same commune
            and (unit_links.exact_key or unit_links.same_commune)
    )
    select unit_id, reached_unit_id from walk
),

weak_clusters as (
    select unit_id, min(reached_unit_id) as weak_cluster_id
    from weak_reach
    group by unit_id
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

record_best_name_link as (
    select
        record_name_links.left_record_key as organisation_record_key,
        bool_or(record_name_links.same_commune) as same_commune
    from record_name_links
    inner join anchored_records as left_record
        on left_record.organisation_record_key = record_name_links.left_record_key
    inner join anchored_records as right_record
        on right_record.organisation_record_key = record_name_links.right_record_key
    where left_record.cluster_id = right_record.cluster_id
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
