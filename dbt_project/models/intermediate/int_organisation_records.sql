{#- Every organisation record of every source, in one shape, with the identifiers and name keys that
    entity resolution compares. One row per record; organisation_record_key is unique
    (source_system | source_record_id, plus the province for associations, whose receipt numbers
    are unique only within a province). Artisan firms (entreprise_artisanale) are not SSE
    organisations and are left out. Every record ever delivered is here with its latest delivered
    row, also one that a later snapshot no longer holds (a struck-off cooperative, a project the
    ministry dropped, a member who left the Chamber): the organisations they resolved to, and their
    organisation_id, never vanish from one night to the next (docs/history.md). -#}
with all_records as (
    select * from {{ ref('int_organisation_record_rows') }}
),

name_keys as not materialized (
    -- not materialized, although joined three times: the planner then sees the table's statistics
    -- (a latin, arabic or place key is a third of it, not 0.5 %) and hashes the keys, not the records
    -- (hashed on their names, the records split into half a million batches: 113 s at national scale,
    -- 4 s so)
    select * from {{ ref('int_name_keys') }}
),

geography as (
    select * from {{ ref('int_geography') }} where commune_name_fr is not null
),

keyed_records as (
    -- the normalised names, looked up: each distinct text is normalised once, the night it first comes
    select
        all_records.*,
        latin_keys.name_key as name_key_latin,
        arabic_keys.name_key as name_key_arabic,
        latin_keys.name_skeleton as skeleton_latin,
        arabic_keys.name_skeleton as skeleton_arabic,
        place_keys.name_key as commune_text_key,
        -- the activity term the name carries in either script ('de Miel', 'للعسل'): the least of the
        -- terms its two names' keys carry (int_name_keys finds them once per text)
        least(latin_keys.name_term, arabic_keys.name_term) as name_term
    from all_records
    left join name_keys as latin_keys
        on latin_keys.key_kind = 'latin' and latin_keys.source_text = all_records.name_fr
    left join name_keys as arabic_keys
        on arabic_keys.key_kind = 'arabic' and arabic_keys.source_text = all_records.name_ar
    left join name_keys as place_keys
        on place_keys.key_kind = 'place' and place_keys.source_text = all_records.commune
),

conformed_communes as (
    -- a commune written in either script, resolved to the reference list when it is there
    select distinct on (keyed_records.source_system, keyed_records.source_record_id, keyed_records.province_code)
        keyed_records.source_system,
        keyed_records.source_record_id,
        keyed_records.province_code,
        geography.commune_name_fr as conformed_commune
    from keyed_records
    inner join geography
        on
            geography.province_code = keyed_records.province_code
            and (
                keyed_records.commune_text_key in (geography.commune_key_fr, geography.commune_key_ar)
                -- a Windows-1256 export writes '?' for the letters it cannot hold (ڭ in ڭيكو)
                or (
                    keyed_records.commune like '%?%'
                    and geography.commune_name_ar like replace(keyed_records.commune, '?', '_')
                )
            )
    order by
        keyed_records.source_system, keyed_records.source_record_id, keyed_records.province_code,
        geography.commune_name_fr
)

select
    keyed_records.source_system
    || '|' || keyed_records.source_record_id
    || case
        when keyed_records.source_system = 'wilaya_associations'
            then '|' || keyed_records.province_code
        else ''
    end as organisation_record_key,
    keyed_records.source_system,
    keyed_records.source_record_id,
    keyed_records.organisation_type,
    keyed_records.register_number,
    keyed_records.association_receipt,
    case when keyed_records.association_receipt is not null then keyed_records.province_code end
        as association_receipt_province,
    keyed_records.rc_number,
    keyed_records.ice,
    keyed_records.name_fr,
    keyed_records.name_ar,
    keyed_records.name_key_latin,
    keyed_records.name_key_arabic,
    -- cross-script key: consonant skeleton of the distinctive word + activity term
    keyed_records.skeleton_latin || '|' || coalesce(keyed_records.name_term, '-') as name_skeleton_latin,
    keyed_records.skeleton_arabic || '|' || coalesce(keyed_records.name_term, '-') as name_skeleton_arabic,
    keyed_records.province_code,
    keyed_records.commune,
    conformed_communes.conformed_commune,
    -- what two records compare: the reference commune when known, else the commune's own spelling,
    -- prefixed by its script (an unresolved French and Arabic spelling cannot be compared)
    coalesce(
        'ref:' || conformed_communes.conformed_commune,
        case when keyed_records.commune ~ '[\u0600-\u06FF]' then 'ar:' else 'lat:' end || keyed_records.commune_text_key
    ) as commune_match_key,
    keyed_records.first_loaded_period,
    keyed_records.source_period,
    keyed_records.source_load_id,
    keyed_records.source_file_name,
    keyed_records.source_line,
    keyed_records.source_line_number
from keyed_records
left join conformed_communes
    on
        conformed_communes.source_system = keyed_records.source_system
        and conformed_communes.source_record_id = keyed_records.source_record_id
        and conformed_communes.province_code = keyed_records.province_code
