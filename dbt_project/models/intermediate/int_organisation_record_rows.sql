{#- Every organisation record of every source in one shape, before its name keys: the latest delivered
    row of every record ever delivered (int_organisation_records adds the keys entity resolution
    compares; int_name_keys holds the normalised names). -#}
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
)

select * from all_records
