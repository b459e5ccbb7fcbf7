{{ config(contract={'enforced': true}) }}

select
    {{ surrogate_key(['axis_code']) }} as axis_key,
    axis_code,
    name_fr,
    name_ar,
    name_en
from {{ ref('axes') }}
