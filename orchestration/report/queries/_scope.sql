-- The report's scope: every figure query reads these relations, never the marts directly, so that
-- the as-of date, the province and the programme filter apply the same way to every figure.
-- Parameters: :as_of (date or null: everything known), :province (HCP code or null),
-- :programme (programme code or null). They are written inline, not read from a relation, so
-- that the planner sees an unused filter as the constant it is (and estimates rows right).
--
-- As of a date D: the state the marts' history says was known on D.
--   organisations  the dim_organisation version valid on D (valid_from <= D < valid_to);
--                  without D, the current version; a struck-off version is not counted;
--   money          the fct_funding_history versions known on D (known_from <= D < known_to);
--                  without D, the amounts in force (is_current, the rows of fct_funding);
--   projects       projects first delivered on or before D and still delivered then (or now);
--                  without D, the projects of the latest deliveries;
--   outcomes       the latest value of each project or organisation and indicator for a
--                  period on or before D;
--   sessions       Chamber sessions that started on or before D.
-- Province and axis of money are the project's (as in fct_funding).
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
    where g.geography_level = 'province'
      and (cast(:province as text) is null or g.province_code = cast(:province as text))
),

organisations as (
    -- one row per organisation: its version on the as-of date
    select o.organisation_id, o.organisation_type, o.province_code
    from marts.dim_organisation as o
    where (case when cast(:as_of as date) is null then o.is_current
                else o.valid_from <= cast(:as_of as date) and (o.valid_to is null or o.valid_to > cast(:as_of as date)) end)
      and (cast(:province as text) is null or o.province_code = cast(:province as text))
      and o.status is distinct from 'struck_off'
),

projects as (
    select p.project_key, p.organisation_id, p.programme_code, p.province_code, p.axis_code
    from marts.dim_project as p
    where (cast(:province as text) is null or p.province_code = cast(:province as text))
      and (cast(:programme as text) is null or p.programme_code = cast(:programme as text))
      and (case when cast(:as_of as date) is null then p.is_current
                else p.first_delivered_on <= cast(:as_of as date)
                     and (p.is_current or p.last_delivered_on >= cast(:as_of as date)) end)
),

funding as (
    -- the money of the projects in scope; each flow also as committed_mad or disbursed_mad: the one
    -- definition of both sums
    select h.project_key, h.flow_type, h.amount_mad, d.date as flow_date, d.year as flow_year,
           projects.province_code, projects.axis_code, programmes.programme_code, i.institution_code,
           case when h.flow_type = 'commitment' then h.amount_mad end as committed_mad,
           case when h.flow_type = 'disbursement' then h.amount_mad end as disbursed_mad
    from marts.fct_funding_history as h
    inner join projects on projects.project_key = h.project_key
    inner join marts.dim_date as d on d.date_key = h.date_key
    inner join marts.dim_institution as i on i.institution_key = h.institution_key
    left join marts.dim_programme as programmes on programmes.programme_key = h.programme_key
    where case when cast(:as_of as date) is null then h.is_current
               else h.known_from <= cast(:as_of as date)
                    and (h.known_to is null or h.known_to > cast(:as_of as date)) end
),

outcomes as (
    -- the latest value known for each project (or register organisation) and indicator
    select distinct on (coalesce(o.project_key, org.organisation_id), i.indicator_code, o.value_type)
           o.project_key, o.period_date, o.value_type, o.value, i.indicator_code, org.organisation_id
    from marts.fct_outcome as o
    inner join marts.dim_indicator as i on i.indicator_key = o.indicator_key
    inner join marts.dim_organisation as org on org.organisation_key = o.organisation_key
    -- in scope through its project, or (register values) its organisation: joins, not `in (select
    -- ...)` in a case, which scans the subquery once per row when it does not fit in work_mem
    left join projects as scope_project on scope_project.project_key = o.project_key
    left join organisations as scope_organisation
        on o.project_key is null and scope_organisation.organisation_id = org.organisation_id
    where (cast(:as_of as date) is null or o.period_date <= cast(:as_of as date))
      and (scope_project.project_key is not null or scope_organisation.organisation_id is not null)
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
    select s.session_key, s.session_id, s.session_type, s.title_fr, s.title_ar, s.starts_on, s.programme_code
    from marts.dim_session as s
    where (cast(:as_of as date) is null or s.starts_on <= cast(:as_of as date))
      and (cast(:province as text) is null or s.province_code = cast(:province as text))
      and (cast(:programme as text) is null or s.programme_code = cast(:programme as text))
),

participation as (
    select fp.session_key, fp.participants, fp.women, fp.persons_with_disabilities, fp.sales_mad,
           sessions.session_type, sessions.programme_code, org.organisation_id
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
