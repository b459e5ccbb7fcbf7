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
    attributes_source
from {{ ref('int_organisation_versions') }}
