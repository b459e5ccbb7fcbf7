{#- Mouazara projects in every loaded snapshot: one row per project and snapshot (the history of
    dim_project and fct_funding_history). -#}
{%- set mouazara_columns = [
    'project_ref', 'edition', 'holder_name', 'holder_type', 'holder_identifier', 'holder_identifier_kind',
    'holder_identifier_raw', 'province_code', 'province_code_raw', 'title', 'strand', 'total_cost_mad',
    'ministry_grant_mad', 'region_cofinancing_mad', 'holder_contribution_mad', 'agreement_on',
    'disbursed_mad', 'last_disbursed_on', 'status', 'jobs_kept', 'jobs_created', 'beneficiaries',
    'beneficiaries_women', 'beneficiaries_disabled'] -%}

with all_snapshots as (
    {{ history_rows('ministere__mouazara', ['project_ref'], mouazara_columns) }}
)

select
    trim(project_ref) as project_ref,
    trim(edition) as edition,
    -- 'Édition' is written '3 (2022)': the call number and its year
    nullif(substring(edition from '^\s*(\d+)'), '')::int as edition_number,
    nullif(substring(edition from '\((\d{4})\)'), '')::int as edition_year,
    trim(holder_name) as holder_name,
    trim(holder_type) as holder_type,
    case
        when holder_type ilike 'coop%' then 'cooperative'
        when holder_type ilike 'asso%' then 'association'
        when holder_type ilike '%gie%' or holder_type ilike '%int_r_t _conomique%' then 'gie'
    end as holder_organisation_type,
    holder_identifier,
    holder_identifier_kind,
    holder_identifier_raw,
    province_code,
    province_code_raw as province_raw,
    nullif(trim(title), '') as title,
    nullif(trim(strand), '') as strand,
    total_cost_mad,
    ministry_grant_mad,
    region_cofinancing_mad,
    holder_contribution_mad,
    agreement_on,
    disbursed_mad,
    last_disbursed_on,
    nullif(trim(status), '') as status,
    jobs_kept,
    jobs_created,
    beneficiaries,
    beneficiaries_women,
    beneficiaries_disabled,
    {{ source_lineage_columns() }}
from all_snapshots
