{{ config(contract={'enforced': true}) }}

select
    {{ surrogate_key(['institution_code']) }} as institution_key,
    institution_code,
    name_fr,
    name_ar,
    institution_type
from {{ ref('institutions') }}
