{{ config(
    contract={'enforced': true},
    indexes=[
        {'columns': ['organisation_id']},
        {'columns': ['is_current']},
        {'columns': ['province_code']}
    ]
) }}

select
    organisation_key,
    organisation_id,
    organisation_type,
    name_fr,
    name_ar,
    register_number,
    association_receipt,
    association_receipt_province,
    rc_number,
    ice,
    sector,
    province_code,
    commune,
    founded_on,
    members_total::int as members_total,
    members_women::int as members_women,
    status,
    in_register,
    version_reason,
    changed_columns,
    version_source_file,
    valid_from,
    valid_to,
    is_current,
    is_latest_version,
    version_number::int as version_number,
    attributes_source,
    -- for BI tools: a place key, and a code with French and Arabic labels per label users group by
    {{ place_columns('place') }},
    versions.organisation_type as legal_form_code,
    legal_form.label_fr as legal_form_fr,
    legal_form.label_ar as legal_form_ar,
    sector_value.code as sector_code,
    sector.label_fr as sector_fr,
    sector.label_ar as sector_ar,
    versions.status as status_code,
    status.label_fr as status_fr,
    status.label_ar as status_ar,
    coalesce(nullif(trim(versions.name_fr), ''), nullif(trim(versions.name_ar), ''), versions.organisation_id)
        as display_name
from {{ ref('int_organisation_versions') }} as versions
{{ join_place('versions.province_code', 'versions.commune', 'place') }}
{{ join_label('legal_form', 'versions.organisation_type', 'legal_form') }}
left join {{ ref('labels') }} as sector_value
    on sector_value.label_set = 'sector' and sector_value.source_value = trim(versions.sector)
{{ join_label('sector', 'sector_value.code', 'sector') }}
{{ join_label('organisation_status', 'versions.status', 'status') }}
