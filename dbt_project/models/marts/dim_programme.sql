{{ config(contract={'enforced': true}) }}

select
    {{ surrogate_key(['programme_code']) }} as programme_key,
    programme_code,
    name_fr,
    name_ar,
    framework,
    start_year,
    end_year,
    nullif(lead_institution_code, '') as lead_institution_code
from {{ ref('programmes') }}
