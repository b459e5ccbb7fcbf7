{#- Entity resolution, step 2: every key a record can be matched on - its Latin name key, its
    Arabic name key (normalize_org_name), and the consonant skeletons of its names (name_skeleton; a
    skeleton matches a skeleton of either script) - with what the comparison of two records needs.
    Records without a type or a province are matched on identifiers only. -#}
with match_units as (
    select * from {{ ref('int_organisation_match_units') }}
)

select distinct
    match_units.organisation_record_key,
    match_units.unit_id,
    match_units.unit_kind,
    match_units.is_strong,
    match_units.organisation_type,
    match_units.province_code,
    match_keys.match_key,
    match_units.name_key_latin,
    match_units.name_key_arabic,
    lower(match_units.name_fr) as name_fr_lower,
    match_units.name_ar,
    match_units.commune_match_key,
    split_part(match_units.commune_match_key, ':', 1) as commune_key_kind
from match_units
cross join
    lateral (
        values
        ('L:' || match_units.name_key_latin),
        ('A:' || match_units.name_key_arabic),
        ('S:' || match_units.name_skeleton_latin),
        ('S:' || match_units.name_skeleton_arabic)
    ) as match_keys (match_key)
where
    match_keys.match_key is not null
    and match_units.organisation_type is not null
    and match_units.province_code is not null
