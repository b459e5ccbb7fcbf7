{#- Every organisation record of every source, in one shape, with the identifiers and name keys that
    entity resolution compares. One row per record; organisation_record_key is unique
    (source_system | source_record_id, plus the province for associations, whose receipt numbers
    are unique only within a province). Artisan firms (entreprise_artisanale) are not SSE
    organisations and are left out. Every record ever delivered is here with its latest delivered
    row, also one that a later snapshot no longer holds (a struck-off cooperative, a project the
    ministry dropped, a member who left the Chamber): the organisations they resolved to, and their
    organisation_id, never vanish from one night to the next (docs/history.md). -#}
with register_records as (
    select
        'ministere_register' as source_system,
        register_number as source_record_id,
        'cooperative' as organisation_type,
        register_number,
        null::text as association_receipt,
        null::text as rc_number,
        ice,
        name_fr,
        name_ar,
        province_code,
        commune,
        first_loaded_period,
        source_period,
        source_load_id,
        source_file_name,
        source_line,
        source_line_number
    from
        ({{ latest_row_of_each_key(ref('stg_ministere__cooperative_snapshots'), ['register_number']) }}) as cooperatives
),

association_records as (
    select
        'wilaya_associations',
        receipt_number_raw,
        'association',
        null,
        receipt_number,
        null,
        null,
        name_fr,
        name_ar,
        province_code,
        commune,
        first_loaded_period,
        source_period,
        source_load_id,
        source_file_name,
        source_line,
        source_line_number
    from
        ({{ latest_row_of_each_key(ref('stg_wilaya__association_snapshots'), ['receipt_number', 'province_code']) }})
            as associations
),

mouazara_holders as (
    select
        'ministere_mouazara',
        project_ref,
        holder_organisation_type,
        case when holder_identifier_kind = 'register' then holder_identifier end,
        case when holder_identifier_kind = 'receipt' then holder_identifier end,
        case when holder_identifier_kind = 'rc' then holder_identifier end,
        null,
        -- the holder's name is written in either script
        case when holder_name !~ '[\u0600-\u06FF]' then holder_name end,
        case when holder_name ~ '[\u0600-\u06FF]' then holder_name end,
        province_code,
        null,
        first_loaded_period,
        source_period,
        source_load_id,
        source_file_name,
        source_line,
        source_line_number
    from ({{ latest_row_of_each_key(ref('stg_ministere__mouazara_project_snapshots'), ['project_ref']) }}) as projects
),

indh_holders as (
    select
        'wilaya_indh',
        project_code,
        holder_organisation_type,
        case when holder_identifier_kind = 'register' then holder_identifier end,
        case when holder_identifier_kind = 'receipt' then holder_identifier end,
        case when holder_identifier_kind = 'rc' then holder_identifier end,
        null,
        case when holder_name !~ '[\u0600-\u06FF]' then holder_name end,
        case when holder_name ~ '[\u0600-\u06FF]' then holder_name end,
        province_code,
        commune,
        first_loaded_period,
        source_period,
        source_load_id,
        source_file_name,
        source_line,
        source_line_number
    from {{ ref('stg_wilaya__indh_projects') }}
),

chamber_members as (
    select
        'chambre_adherents',
        member_id,
        member_type,
        case when holder_identifier_kind = 'register' then holder_identifier end,
        case when holder_identifier_kind = 'receipt' then holder_identifier end,
        case when holder_identifier_kind = 'rc' then holder_identifier end,
        ice,
        name_fr,
        name_ar,
        province_code,
        commune,
        first_loaded_period,
        source_period,
        source_load_id,
        source_file_name,
        source_line,
        source_line_number
    from ({{ latest_row_of_each_key(ref('stg_chambre__member_snapshots'), ['member_id']) }}) as members
    where is_sse_organisation
),

all_records as (
    select * from register_records
    union all
    select * from association_records
    union all
    select * from mouazara_holders
    union all
    select * from indh_holders
    union all
    select * from chamber_members
),

geography as (
    select * from {{ ref('int_geography') }} where commune_name_fr is not null
),

name_terms as (
    select * from {{ ref('name_terms') }}
),

keyed_records as (
    select
        all_records.*,
        {{ normalize_org_name('all_records.name_fr', 'latin') }} as name_key_latin,
        {{ normalize_org_name('all_records.name_ar', 'arabic') }} as name_key_arabic,
        {{ normalize_place_name('all_records.commune') }} as commune_text_key
    from all_records
),

termed_records as (
    -- the activity term a name carries, in either script ('de Miel', 'للعسل')
    select
        keyed_records.*,
        (
            select min(name_terms.term_code)
            from name_terms
            where
                position(' de ' || name_terms.latin_key || ' ' in ' ' || keyed_records.name_key_latin || ' ') > 0
                or position(' ' || name_terms.arabic_key || ' ' in ' ' || keyed_records.name_key_arabic || ' ') > 0
        ) as name_term
    from keyed_records
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
    {{ name_skeleton('keyed_records.name_key_latin', 'latin') }} || '|' || coalesce(keyed_records.name_term, '-')
        as name_skeleton_latin,
    {{ name_skeleton('keyed_records.name_key_arabic', 'arabic') }} || '|' || coalesce(keyed_records.name_term, '-')
        as name_skeleton_arabic,
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
from termed_records as keyed_records
left join conformed_communes
    on
        conformed_communes.source_system = keyed_records.source_system
        and conformed_communes.source_record_id = keyed_records.source_record_id
        and conformed_communes.province_code = keyed_records.province_code
