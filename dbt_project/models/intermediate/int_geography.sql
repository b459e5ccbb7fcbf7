{#- Conformed geography of the region: one row per province (commune null) and one per commune of the
    reference list, with the matching keys of their French and Arabic names. -#}
with provinces as (
    select * from {{ ref('provinces') }}
),

communes as (
    -- the reference list repeats a few communes (Taounate): one row per province and French name
    select distinct on (province_code, commune_name_fr) *
    from {{ ref('communes') }}
    order by province_code, commune_name_fr, commune_name_ar
),

province_rows as (
    select
        provinces.region_code::text as region_code,
        provinces.province_code::text as province_code,
        provinces.iso_3166_2,
        provinces.kind as province_kind,
        provinces.name_fr as province_name_fr,
        provinces.name_ar as province_name_ar,
        null::text as commune_name_fr,
        null::text as commune_name_ar,
        null::text as commune_type
    from provinces
),

commune_rows as (
    select
        provinces.region_code::text,
        provinces.province_code::text,
        provinces.iso_3166_2,
        provinces.kind,
        provinces.name_fr,
        provinces.name_ar,
        communes.commune_name_fr,
        communes.commune_name_ar,
        communes.commune_type
    from communes
    inner join provinces on provinces.province_code = communes.province_code
),

all_rows as (
    select * from province_rows
    union all
    select * from commune_rows
)

select
    'GEO-' || province_code || coalesce('-' || left(md5(commune_name_fr), 8), '') as geography_id,
    all_rows.*,
    {{ normalize_place_name('commune_name_fr') }} as commune_key_fr,
    {{ normalize_place_name('commune_name_ar') }} as commune_key_ar,
    {{ surrogate_key(['province_code', 'commune_name_fr']) }} as geography_key,
    province_code || ':' || {{ normalize_place_name('commune_name_fr') }} as commune_code
from all_rows
