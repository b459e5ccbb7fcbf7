{#- INDH income-generating projects in every loaded delivery: one row per project and delivery (the list
    is cumulative; stg_wilaya__indh_projects keeps the latest delivery of each project). -#}
{%- set indh_columns = [
    'project_code', 'programme', 'phase', 'province_code', 'province_code_raw', 'commune', 'holder_name',
    'holder_legal_form', 'holder_identifier', 'holder_identifier_kind', 'holder_identifier_raw', 'title',
    'total_cost_mad', 'indh_contribution_mad', 'partners_contribution_mad', 'holder_contribution_mad',
    'approved_on', 'disbursed_mad', 'status', 'jobs_created', 'beneficiaries', 'beneficiaries_women',
    'beneficiaries_disabled', 'beneficiaries_young'] -%}

with all_deliveries as (
    {{ history_rows('wilaya__indh_agr', ['project_code'], indh_columns) }}
)

select
    trim(project_code) as project_code,
    nullif(trim(programme), '') as programme,
    nullif(trim(phase), '') as phase,
    province_code,
    province_code_raw as province_raw,
    nullif(trim(commune), '') as commune,
    trim(holder_name) as holder_name,
    nullif(trim(holder_legal_form), '') as holder_legal_form,
    case
        when holder_legal_form like '%تعاونية%' or holder_legal_form like '%تعاونيه%' then 'cooperative'
        when holder_legal_form like '%جمعية%' or holder_legal_form like '%جمعيه%' then 'association'
        when holder_legal_form like '%مجموعة%' or holder_legal_form like '%مجموعه%' then 'gie'
    end as holder_organisation_type,
    holder_identifier,
    holder_identifier_kind,
    holder_identifier_raw,
    nullif(trim(title), '') as title,
    total_cost_mad,
    indh_contribution_mad,
    partners_contribution_mad,
    holder_contribution_mad,
    approved_on,
    disbursed_mad,
    nullif(trim(status), '') as status,
    jobs_created,
    beneficiaries,
    beneficiaries_women,
    beneficiaries_disabled,
    beneficiaries_young,
    {{ source_lineage_columns() }}
from all_deliveries
