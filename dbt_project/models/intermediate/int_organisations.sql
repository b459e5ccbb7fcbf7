{#- One row per resolved organisation with its current attributes: each attribute from the most
    authoritative record that has it (the registers, then the Chamber, then Mouazara, then INDH). -#}
with matches as (
    select * from {{ ref('int_organisation_matches') }}
),

records as (
    select * from {{ ref('int_organisation_records') }}
),

ranked_records as (
    select
        matches.organisation_id,
        matches.anchor,
        records.*,
        case records.source_system
            when 'ministere_register' then 1
            when 'wilaya_associations' then 1
            when 'chambre_adherents' then 2
            when 'ministere_mouazara' then 3
            else 4
        end as source_priority
    from matches
    inner join records on records.organisation_record_key = matches.organisation_record_key
)

select
    organisation_id,
    min(anchor) as anchor,
    (
        array_agg(organisation_type order by source_priority, organisation_record_key)
        filter (where organisation_type is not null)
    )[1] as organisation_type,
    (array_agg(name_fr order by source_priority, organisation_record_key) filter (where name_fr is not null))[1]
        as name_fr,
    (array_agg(name_ar order by source_priority, organisation_record_key) filter (where name_ar is not null))[1]
        as name_ar,
    min(register_number) as register_number,
    min(association_receipt) as association_receipt,
    min(association_receipt_province) as association_receipt_province,
    min(rc_number) as rc_number,
    (array_agg(ice order by source_priority, organisation_record_key) filter (where ice is not null))[1] as ice,
    (
        array_agg(province_code order by source_priority, organisation_record_key)
        filter (where province_code is not null)
    )[1] as province_code,
    (
        array_agg(coalesce(conformed_commune, commune) order by source_priority, organisation_record_key)
        filter (where commune is not null)
    )[1] as commune,
    {{ period_to_date('min(first_loaded_period)') }} as first_seen_on,
    count(*) as source_records,
    string_agg(distinct source_system, ', ' order by source_system) as source_systems
from ranked_records
group by organisation_id
