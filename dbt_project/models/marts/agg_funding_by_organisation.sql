{{ config(contract={'enforced': true}) }}

{#- Each funded organisation's money, summed from fct_funding at publication: the dashboards' top
    organisations read it instead of ranking every flow. -#}
select
    organisations.organisation_key,
    organisations.organisation_id,
    organisations.organisation_type,
    organisations.name_fr,
    organisations.name_ar,
    sum(funding.amount_mad) filter (where funding.flow_type = 'commitment')::numeric(18, 2) as committed_mad,
    sum(funding.amount_mad) filter (where funding.flow_type = 'disbursement')::numeric(18, 2) as disbursed_mad,
    (count(distinct funding.project_key) filter (where funding.flow_type = 'commitment'))::integer as projects,
    count(*)::integer as flows
from {{ ref('fct_funding') }} as funding
inner join {{ ref('dim_organisation') }} as organisations
    on organisations.organisation_key = funding.organisation_key
group by 1, 2, 3, 4, 5
