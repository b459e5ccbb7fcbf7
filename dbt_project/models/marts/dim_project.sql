{{ config(
    contract={'enforced': true},
    indexes=[
        {'columns': ['project_ref']},
        {'columns': ['organisation_id']},
        {'columns': ['programme_code']}
    ]
) }}

{#- Every project ever delivered (rules: docs/history.md), with its attributes from its latest
    delivery: a Mouazara project absent from the latest snapshot stays here, is_current false (its
    funding history ends at that snapshot in fct_funding_history; it has no row in fct_funding). INDH
    projects are a cumulative list: always current. -#}
with mouazara_projects as (
    select
        projects.*,
        projects.source_period = (
            select max(source_period) from {{ ref('stg_ministere__mouazara_project_snapshots') }}
        ) as is_current
    from ({{ latest_row_of_each_key(ref('stg_ministere__mouazara_project_snapshots'), ['project_ref']) }}) as projects
),

indh_projects as (
    select *, true as is_current from {{ ref('stg_wilaya__indh_projects') }}
),

holders as (
    select source_system, source_record_id, organisation_id from {{ ref('int_organisation_matches') }}
    where source_system in ('ministere_mouazara', 'wilaya_indh')
),

programme_mapping as (
    select * from {{ ref('int_programme_mapping') }} where item_type = 'project'
),

labels as (
    select * from {{ ref('labels') }}
),

projects as (
    select
        'ministere_mouazara' as source_system,
        project_ref,
        title,
        status as status_as_delivered,
        coalesce(labels.code, 'unknown') as status,
        agreement_on as approved_on,
        edition,
        edition_year,
        null::text as phase,
        strand,
        province_code,
        null::text as commune,
        total_cost_mad,
        holder_name,
        {{ period_to_date('first_loaded_period') }} as first_delivered_on,
        snapshot_date as last_delivered_on,
        is_current,
        source_file_name,
        source_line
    from mouazara_projects
    left join labels on labels.label_set = 'mouazara_status' and labels.source_value = mouazara_projects.status
    union all
    select
        'wilaya_indh',
        project_code,
        title,
        status,
        coalesce(labels.code, 'unknown'),
        approved_on,
        null,
        null,
        phase,
        programme,
        province_code,
        commune,
        total_cost_mad,
        holder_name,
        {{ period_to_date('first_loaded_period') }},
        snapshot_date,
        is_current,
        source_file_name,
        source_line
    from indh_projects
    left join labels on labels.label_set = 'indh_status' and labels.source_value = indh_projects.status
)

select
    {{ surrogate_key(['projects.source_system', 'projects.project_ref']) }} as project_key,
    projects.project_ref,
    projects.source_system,
    holders.organisation_id,
    programme_mapping.programme_code,
    programme_mapping.axis_code,
    projects.title,
    projects.status,
    projects.status_as_delivered,
    projects.approved_on,
    projects.edition,
    projects.edition_year,
    projects.phase,
    projects.strand,
    projects.province_code,
    projects.commune,
    projects.total_cost_mad,
    projects.first_delivered_on,
    projects.last_delivered_on,
    projects.is_current,
    projects.source_file_name,
    projects.source_line,
    -- for BI tools: a place key, and a code with French and Arabic labels per label users group by
    {{ place_columns('place') }},
    projects.status as status_code,
    status.label_fr as status_fr,
    status.label_ar as status_ar,
    programmes.name_fr as programme_fr,
    programmes.name_ar as programme_ar,
    axes.name_fr as axis_fr,
    axes.name_ar as axis_ar
from projects
left join holders
    on
        holders.source_system = projects.source_system
        and holders.source_record_id = projects.project_ref
left join programme_mapping
    on
        programme_mapping.source_system = projects.source_system
        and programme_mapping.source_record_id = projects.project_ref
{{ join_place('projects.province_code', 'projects.commune', 'place') }}
{{ join_label('project_status', 'projects.status', 'status') }}
left join {{ ref('programmes') }} as programmes on programmes.programme_code = programme_mapping.programme_code
left join {{ ref('axes') }} as axes on axes.axis_code = programme_mapping.axis_code
