{{ config(
    contract={'enforced': true},
    indexes=[
        {'columns': ['organisation_id']},
        {'columns': ['source_system', 'source_record_id']}
    ]
) }}

-- Which organisation each source record belongs to, and the rule that linked it.
select
    matches.organisation_record_key as source_record_key,
    matches.organisation_id,
    matches.source_system,
    matches.source_record_id,
    matches.match_rule,
    records.province_code,
    records.source_file_name,
    records.source_line,
    records.source_line_number::int as source_line_number
from {{ ref('int_organisation_matches') }} as matches
inner join {{ ref('int_organisation_records') }} as records
    on records.organisation_record_key = matches.organisation_record_key
