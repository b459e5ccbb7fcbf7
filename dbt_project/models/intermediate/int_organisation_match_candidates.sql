{#- Entity resolution, step 3: name links between units, with the evidence each carries. Two units
    are linked when records of theirs have the same organisation type and province and either the
    same Latin or Arabic name key, or the same consonant skeleton of the distinctive word +
    activity term (transliteration, also across scripts), and their communes do not contradict each
    other (no record of one unit in another commune than a record of the other). Only links from a
    weak unit are kept: two strong units (two register numbers, two receipts) are never linked, nor
    two units identified by different identifiers of the same kind. -#}
with match_keys as (
    select * from {{ ref('int_organisation_match_keys') }}
),

match_units as (
    select * from {{ ref('int_organisation_match_units') }}
),

candidate_unit_links as (
    -- record pairs whose communes differ are left out here: their units are not linked anyway
    -- (see contradicting_unit_pairs)
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
    from match_keys as left_record
    inner join match_keys as right_record
        on
            right_record.match_key = left_record.match_key
            and right_record.organisation_type = left_record.organisation_type
            and right_record.province_code = left_record.province_code
            and right_record.unit_id <> left_record.unit_id
    where
        not left_record.is_strong
        -- never link two units identified by different identifiers of the same kind
        and not (left_record.unit_kind = right_record.unit_kind and left_record.unit_kind <> 'record')
        -- both communes known in comparable form (reference list, or the same script) and different
        and not coalesce(
            left_record.commune_match_key <> right_record.commune_match_key
            and (
                left_record.commune_key_kind = 'ref'
                or right_record.commune_key_kind = 'ref'
                or left_record.commune_key_kind = right_record.commune_key_kind
            ),
            false
        )
    group by 1, 2, 3, 4
),

unit_communes as (
    select distinct
        unit_id,
        commune_match_key,
        split_part(commune_match_key, ':', 1) as commune_key_kind
    from match_units
    where commune_match_key is not null
),

links_with_left_communes as materialized (
    -- each link with the communes of its left unit, joined first and kept: joined in one step, the
    -- planner could pair every unit commune with every other before looking at the links (a nested
    -- loop of 350,000 x 350,000 rows at national scale)
    select
        candidate_unit_links.left_unit_id,
        candidate_unit_links.right_unit_id,
        left_commune.commune_match_key,
        left_commune.commune_key_kind
    from candidate_unit_links
    inner join unit_communes as left_commune
        on left_commune.unit_id = candidate_unit_links.left_unit_id
),

contradicting_unit_pairs as (
    -- two units any of whose records sit in different communes (both communes known in comparable
    -- form: reference list, or the same script)
    select distinct
        left_communes.left_unit_id,
        left_communes.right_unit_id
    from links_with_left_communes as left_communes
    inner join unit_communes as right_commune
        on
            right_commune.unit_id = left_communes.right_unit_id
            and right_commune.commune_match_key <> left_communes.commune_match_key
            and (
                left_communes.commune_key_kind = 'ref'
                or right_commune.commune_key_kind = 'ref'
                or left_communes.commune_key_kind = right_commune.commune_key_kind
            )
)

select candidate_unit_links.*
from candidate_unit_links
left join contradicting_unit_pairs
    on
        contradicting_unit_pairs.left_unit_id = candidate_unit_links.left_unit_id
        and contradicting_unit_pairs.right_unit_id = candidate_unit_links.right_unit_id
where contradicting_unit_pairs.left_unit_id is null
