{{ config(
    contract={'enforced': true},
    indexes=[{'columns': ['province_code']}]
) }}

select
    geography_key,
    region_code,
    'Fès-Meknès'::text as region_name_fr,
    'فاس مكناس'::text as region_name_ar,
    province_code,
    iso_3166_2,
    province_kind,
    province_name_fr,
    province_name_ar,
    commune_name_fr,
    commune_name_ar,
    commune_type,
    case when commune_name_fr is null then 'province' else 'commune' end as geography_level,
    province_name_fr as province_fr,
    province_name_ar as province_ar,
    commune_code,
    commune_name_fr as commune_fr,
    commune_name_ar as commune_ar
from {{ ref('int_geography') }}
