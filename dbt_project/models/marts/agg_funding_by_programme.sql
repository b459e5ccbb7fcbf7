{{ config(contract={'enforced': true}) }}

{#- Dashboards' totals by programme, summed from fct_funding at publication (a BI query that sums
    330,000 national flows and counts their distinct projects takes a second; this table answers in
    milliseconds). Projects are counted once per programme and flow type. -#}
select
    programmes.programme_key,
    programmes.programme_code,
    programmes.name_fr as programme_fr,
    programmes.name_ar as programme_ar,
    funding.flow_type,
    count(distinct funding.project_key)::integer as projects,
    count(*)::integer as flows,
    sum(funding.amount_mad)::numeric(18, 2) as amount_mad
from {{ ref('fct_funding') }} as funding
inner join {{ ref('dim_programme') }} as programmes on programmes.programme_key = funding.programme_key
group by 1, 2, 3, 4, 5
