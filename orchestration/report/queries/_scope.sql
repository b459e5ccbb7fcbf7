-- The report's scope: every figure query reads these relations, never the marts directly, so that
-- the as-of date, the province and the programme filter apply the same way to every figure.
-- Parameters: :as_of (date or null: everything known), :province (HCP code or null),
-- :programme (programme code or null).
--
-- As of a date D, with the history the marts hold today:
--   organisations  the dim_organisation version valid on D (valid_from <= D < valid_to);
--                  without D, the current version;
--   money          fct_funding flows dated on or before D (a commitment by its agreement or
--                  approval date, a disbursement by its payment date or delivery period);
--   projects       projects whose first commitment (or approval) is dated on or before D;
--   outcomes       the latest value of each project or organisation and indicator for a
--                  period on or before D;
--   sessions       Chamber sessions that started on or before D.
-- This is "what had happened by D according to the latest deliveries", not yet "what the warehouse
-- knew on D": a value corrected by a later delivery shows corrected. When the marts carry
-- point-in-time history for projects and money (when each row became known), the as-of tests of
-- `projects`, `funding` and `outcomes` below are the only place to change.
params as (
    select cast(:as_of as date) as as_of, cast(:province as text) as province,
           cast(:programme as text) as programme
),

organisation_types (organisation_type, type_fr, type_ar, sort_order) as (
    values ('cooperative', 'Coopératives', 'التعاونيات', 1),
           ('association', 'Associations', 'الجمعيات', 2),
           ('gie', 'GIE', 'مجموعات النفع الاقتصادي', 3)
),

session_types (session_type, type_fr, type_ar, sort_order) as (
    values ('formation', 'Formations', 'الدورات التكوينية', 1),
           ('rencontre', 'Rencontres', 'اللقاءات', 2),
           ('salon', 'Salons et foires', 'المعارض', 3)
),

provinces as (
    select g.province_code, g.province_name_fr as province_fr, g.province_name_ar as province_ar
    from marts.dim_geography as g
    cross join params
    where g.geography_level = 'province'
      and (params.province is null or g.province_code = params.province)
),

organisations as (
    -- one row per organisation: its version on the as-of date
    select o.*
    from marts.dim_organisation as o
    cross join params
    where (case when params.as_of is null then o.is_current
                else o.valid_from <= params.as_of and (o.valid_to is null or o.valid_to > params.as_of) end)
      and (params.province is null or o.province_code = params.province)
),

funding_rows as (
    select f.*, d.date as flow_date, d.year as flow_year, g.province_code,
           programmes.programme_code, i.institution_code
    from marts.fct_funding as f
    inner join marts.dim_date as d on d.date_key = f.date_key
    inner join marts.dim_geography as g on g.geography_key = f.geography_key
    inner join marts.dim_institution as i on i.institution_key = f.institution_key
    left join marts.dim_programme as programmes on programmes.programme_key = f.programme_key
),

first_commitments as (
    select project_key, min(flow_date) as first_commitment_on
    from funding_rows where flow_type = 'commitment' group by project_key
),

projects as (
    select p.*, first_commitments.first_commitment_on
    from marts.dim_project as p
    cross join params
    left join first_commitments on first_commitments.project_key = p.project_key
    where (params.province is null or p.province_code = params.province)
      and (params.programme is null or p.programme_code = params.programme)
      and (params.as_of is null or coalesce(first_commitments.first_commitment_on, p.approved_on) <= params.as_of)
),

funding as (
    select fr.*
    from funding_rows as fr
    cross join params
    inner join projects on projects.project_key = fr.project_key
    where params.as_of is null or fr.flow_date <= params.as_of
),

outcomes as (
    -- the latest value known for each project (or register organisation) and indicator
    select distinct on (coalesce(o.project_key, org.organisation_id), i.indicator_code, o.value_type)
           o.*, i.indicator_code, org.organisation_id
    from marts.fct_outcome as o
    inner join marts.dim_indicator as i on i.indicator_key = o.indicator_key
    inner join marts.dim_organisation as org on org.organisation_key = o.organisation_key
    cross join params
    where (params.as_of is null or o.period_date <= params.as_of)
      and (case when o.project_key is not null
                then o.project_key in (select project_key from projects)
                else org.organisation_id in (select organisation_id from organisations) end)
    order by coalesce(o.project_key, org.organisation_id), i.indicator_code, o.value_type, o.period_date desc
),

project_outcomes as (
    -- a project's latest period holds either its targets or, once completed, its actuals
    select latest.* from (
        select o.*, max(o.period_date) over (partition by o.project_key, o.indicator_code) as latest_period
        from outcomes as o where o.project_key is not null
    ) as latest
    where latest.period_date = latest.latest_period
),

sessions as (
    select s.*
    from marts.dim_session as s
    cross join params
    where (params.as_of is null or s.starts_on <= params.as_of)
      and (params.province is null or s.province_code = params.province)
      and (params.programme is null or s.programme_code = params.programme)
),

participation as (
    select fp.*, sessions.session_type, sessions.programme_code, sessions.province_code, org.organisation_id
    from marts.fct_participation as fp
    inner join sessions on sessions.session_key = fp.session_key
    inner join marts.dim_organisation as org on org.organisation_key = fp.organisation_key
),

supported_organisations as (
    -- organisations the council's programmes reached: a funded project or a session attended
    select distinct organisation_id from projects
    union
    select distinct organisation_id from participation
)
