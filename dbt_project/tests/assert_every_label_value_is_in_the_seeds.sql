{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'dim_organisation'}}}) }}
{#- Values the label seeds do not know yet: a BI user would see a null code and null French and Arabic
    labels for them. Add each one to dbt_project/seeds/mappings/labels.csv (or the communes seed)
    rather than guessing it in SQL. One row per label, value as delivered, and how many rows carry it. -#}
with unknown as (
    select 'sector' as label, sector as value_as_delivered from {{ ref('dim_organisation') }}
    where nullif(trim(sector), '') is not null and sector_code is null
    union all
    select 'organisation status', status from {{ ref('dim_organisation') }} where status_fr is null
    union all
    select 'legal form', organisation_type from {{ ref('dim_organisation') }} where legal_form_fr is null
    union all
    select 'project status', coalesce(status_as_delivered, status) from {{ ref('dim_project') }}
    where status_fr is null or status = 'unknown'
    union all
    select 'session type', session_type from {{ ref('dim_session') }}
    where session_type is not null and session_type_code is null
    union all
    select 'commune', province_code || ' ' || commune from {{ ref('dim_organisation') }}
    where nullif(trim(commune), '') is not null and commune_code is null
    union all
    select 'commune', province_code || ' ' || commune from {{ ref('dim_project') }}
    where nullif(trim(commune), '') is not null and commune_code is null
)

select label, value_as_delivered, count(*) as rows
from unknown
group by label, value_as_delivered
