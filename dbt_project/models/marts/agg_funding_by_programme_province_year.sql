{{ config(contract={'enforced': true}) }}

{#- Dashboards' totals by programme, province and year, summed from fct_funding at publication: the
    maps and yearly charts (totals by province and year, disbursement rate by programme and province)
    add a few thousand of these rows instead of 330,000 national flows. A project in a commune counts
    in its province (the province's row of dim_geography). Projects are counted once per programme,
    province, year and flow type, so they do not add up across years or provinces. -#}
select
    programmes.programme_key,
    programmes.programme_code,
    programmes.name_fr as programme_fr,
    programmes.name_ar as programme_ar,
    provinces.geography_key,
    provinces.province_code,
    provinces.province_fr,
    provinces.province_ar,
    dates.year,
    funding.flow_type,
    count(distinct funding.project_key)::integer as projects,
    count(*)::integer as flows,
    sum(funding.amount_mad)::numeric(18, 2) as amount_mad
from {{ ref('fct_funding') }} as funding
inner join {{ ref('dim_programme') }} as programmes on programmes.programme_key = funding.programme_key
inner join {{ ref('dim_geography') }} as places on places.geography_key = funding.geography_key
inner join {{ ref('dim_geography') }} as provinces
    on provinces.province_code = places.province_code and provinces.geography_level = 'province'
inner join {{ ref('dim_date') }} as dates on dates.date_key = funding.date_key
group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
