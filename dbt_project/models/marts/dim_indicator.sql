{{ config(contract={'enforced': true}) }}

select
    {{ surrogate_key(['indicator_code']) }} as indicator_key,
    indicator_code,
    name_fr,
    name_ar,
    unit,
    result_type
from {{ ref('indicators') }}
