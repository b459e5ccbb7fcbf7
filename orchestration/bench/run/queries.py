"""Part 4 of a run: ten typical BI queries on the marts, as the `bi_reader` role, timed (median and
95th percentile), the way a dashboard asks them: its totals from the aggregates (agg_*), the rest from
the star. Those an aggregate answers are timed again as ad hoc queries on the facts, outside the
target. They load-test the marts; the council's own questions are docs/bi/*.sql."""

from __future__ import annotations

import statistics
import time

from orchestration.bench.run.measures import percentile
from orchestration.messages import first_line

# -- 4. BI queries -------------------------------------------------------------------------------------
BI_QUERIES: list[tuple[str, str]] = [
    (
        "Totals by programme (committed, paid)",
        """
        select programme_code, programme_fr as name_fr, flow_type, projects, amount_mad
        from marts.agg_funding_by_programme order by 1, 3""",
    ),
    (
        "Totals by province and year",
        """
        select province_fr as province_name_fr, year,
               sum(amount_mad) filter (where flow_type = 'commitment') as committed_mad,
               sum(amount_mad) filter (where flow_type = 'disbursement') as paid_mad
        from marts.agg_funding_by_programme_province_year
        group by 1, 2 order by 1, 2""",
    ),
    (
        "Regional Council co-financing by programme and year",
        """
        select p.programme_code, d.year, sum(f.amount_mad) as amount_mad, count(*) as flows
        from marts.fct_funding f
        join marts.dim_institution i using (institution_key) join marts.dim_programme p using (programme_key)
        join marts.dim_date d using (date_key)
        where i.institution_code = 'CRFM' and f.flow_type = 'commitment'
        group by 1, 2 order by 1, 2""",
    ),
    (
        "Women beneficiaries by axis (latest figures)",
        """
        select axis_code, axis_fr as name_fr,
               sum(value) filter (where indicator_code = 'BENEFICIARIES_WOMEN') as women,
               sum(value) filter (where indicator_code = 'BENEFICIARIES') as beneficiaries
        from marts.agg_outcomes_by_axis
        group by 1, 2 order by 1""",
    ),
    (
        "Participation by session",
        """
        select session_id, session_type, starts_on, organisations, participants, women, sales_mad
        from marts.agg_participation_by_session order by starts_on desc, 1""",
    ),
    (
        "Top 20 organisations by funding committed",
        """
        select organisation_id, name_fr, organisation_type, committed_mad, projects
        from marts.agg_funding_by_organisation
        order by committed_mad desc nulls last, organisation_id limit 20""",
    ),
    (
        "Disbursement rate by programme and province",
        """
        select programme_code, province_code,
               sum(amount_mad) filter (where flow_type = 'disbursement')
                 / nullif(sum(amount_mad) filter (where flow_type = 'commitment'), 0) as paid_share
        from marts.agg_funding_by_programme_province_year
        group by 1, 2 order by 1, 2""",
    ),
    (
        "Participation by province, year and session type",
        """
        select province_fr as province_name_fr, year, session_type, sum(participants) as participants,
               sum(women) as women, sum(persons_with_disabilities) as disabled
        from marts.agg_participation_by_session
        group by 1, 2, 3 order by 1, 2, 3""",
    ),
    (
        "Current organisations by province, type and sector",
        """
        select province_code, organisation_type, coalesce(sector, '-') as sector, count(*) as organisations,
               sum(members_total) as members, sum(members_women) as women
        from marts.dim_organisation where is_current
        group by 1, 2, 3 order by 1, 2, 3""",
    ),
    (
        "One organisation's projects and flows (drill-down)",
        """
        select o.organisation_id, pr.project_ref, pr.source_system, f.flow_type, f.amount_mad, d.date
        from marts.dim_organisation o
        join marts.fct_funding f on f.organisation_key = o.organisation_key
        join marts.dim_project pr on pr.project_key = f.project_key
        join marts.dim_date d on d.date_key = f.date_key
        where o.organisation_id = %(organisation_id)s
        order by d.date, pr.project_ref""",
    ),
]

# The questions above that the dashboards' aggregates answer (agg_*, summed from the facts at
# publication), asked of the facts themselves, as an analyst's ad hoc query would: timed beside the
# ten, outside the target, and the same rows as the aggregates' (tests/integration/test_bi.py).
AD_HOC_QUERIES: list[tuple[str, str]] = [
    (
        "Totals by programme (committed, paid)",
        """
        select p.programme_code, p.name_fr, f.flow_type, count(distinct f.project_key) as projects,
               sum(f.amount_mad) as amount_mad
        from marts.fct_funding f join marts.dim_programme p using (programme_key)
        group by 1, 2, 3 order by 1, 3""",
    ),
    (
        "Totals by province and year",
        """
        select g.province_name_fr, d.year,
               sum(f.amount_mad) filter (where f.flow_type = 'commitment') as committed_mad,
               sum(f.amount_mad) filter (where f.flow_type = 'disbursement') as paid_mad
        from marts.fct_funding f
        join marts.dim_geography g using (geography_key) join marts.dim_date d using (date_key)
        group by 1, 2 order by 1, 2""",
    ),
    (
        "Women beneficiaries by axis (latest figures)",
        """
        with latest as (
            select project_key, max(period_date) as period_date from marts.fct_outcome
            where project_key is not null group by 1)
        select a.axis_code, a.name_fr,
               sum(o.value) filter (where i.indicator_code = 'BENEFICIARIES_WOMEN') as women,
               sum(o.value) filter (where i.indicator_code = 'BENEFICIARIES') as beneficiaries
        from marts.fct_outcome o
        join latest l on l.project_key = o.project_key and l.period_date = o.period_date
        join marts.dim_indicator i using (indicator_key)
        join marts.dim_project pr on pr.project_key = o.project_key
        join marts.dim_axis a on a.axis_code = pr.axis_code
        group by 1, 2 order by 1""",
    ),
    (
        "Participation by session",
        """
        select s.session_id, s.session_type, s.starts_on, count(*) as organisations,
               sum(p.participants) as participants, sum(p.women) as women, sum(p.sales_mad) as sales_mad
        from marts.fct_participation p join marts.dim_session s using (session_key)
        group by 1, 2, 3 order by s.starts_on desc, 1""",
    ),
    (
        "Top 20 organisations by funding committed",
        """
        select o.organisation_id, max(o.name_fr) as name_fr, max(o.organisation_type) as organisation_type,
               sum(f.amount_mad) as committed_mad, count(distinct f.project_key) as projects
        from marts.fct_funding f join marts.dim_organisation o using (organisation_key)
        where f.flow_type = 'commitment'
        group by 1 order by committed_mad desc nulls last, 1 limit 20""",
    ),
    (
        "Disbursement rate by programme and province",
        """
        select p.programme_code, g.province_code,
               sum(f.amount_mad) filter (where f.flow_type = 'disbursement')
                 / nullif(sum(f.amount_mad) filter (where f.flow_type = 'commitment'), 0) as paid_share
        from marts.fct_funding f
        join marts.dim_programme p using (programme_key) join marts.dim_geography g using (geography_key)
        group by 1, 2 order by 1, 2""",
    ),
    (
        "Participation by province, year and session type",
        """
        select g.province_name_fr, d.year, s.session_type, sum(p.participants) as participants,
               sum(p.women) as women, sum(p.persons_with_disabilities) as disabled
        from marts.fct_participation p
        join marts.dim_session s using (session_key) join marts.dim_geography g on g.geography_key = p.geography_key
        join marts.dim_date d using (date_key)
        group by 1, 2, 3 order by 1, 2, 3""",
    ),
]
AD_HOC = "ad hoc on the facts: "

# The organisation the drill-down opens: a user clicks one they already see; the bench takes the one
# with the most flows, found once before the timings (picking it ranks every flow: the top 20's work,
# not a drill-down's; until 2026-12-07 it was a subquery of the timed drill-down and most of its time).
DRILL_DOWN_ORGANISATION = """
    select o.organisation_id from marts.fct_funding f join marts.dim_organisation o using (organisation_key)
    group by 1 order by count(*) desc, 1 limit 1"""


def bench_queries(url: str, runs: int, warmup: int = 2) -> list[dict]:
    """Each query (the ten, then the ad hoc ones) `warmup` times, then `runs` times timed (execute and
    fetch), over one connection."""
    import psycopg2
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    conn = psycopg2.connect(
        host=parsed.host, port=parsed.port, user=parsed.username, password=parsed.password, dbname=parsed.database
    )
    conn.autocommit = True
    out = []
    try:
        parameters = {"organisation_id": None}
        try:
            with conn.cursor() as cur:
                cur.execute(DRILL_DOWN_ORGANISATION)
                found = cur.fetchone()
                parameters["organisation_id"] = found[0] if found else None
        except psycopg2.Error:  # no marts: each query below reports its own error
            pass
        timed = [(name, sql, False) for name, sql in BI_QUERIES]
        timed += [(AD_HOC + name, sql, True) for name, sql in AD_HOC_QUERIES]
        for name, sql, ad_hoc in timed:
            timings: list[float] = []
            rows = None
            error = None
            try:
                with conn.cursor() as cur:
                    for i in range(warmup + runs):
                        started = time.perf_counter()
                        cur.execute(sql, parameters)
                        rows = len(cur.fetchall())
                        if i >= warmup:
                            timings.append((time.perf_counter() - started) * 1000)
            except Exception as exc:
                error = f"{type(exc).__name__}: {first_line(exc)}"
            out.append(
                {
                    "query": name,
                    "ad_hoc": ad_hoc,
                    "rows": rows,
                    "runs": len(timings),
                    "error": error,
                    "median_ms": statistics.median(timings) if timings else None,
                    "p95_ms": percentile(timings, 0.95) if timings else None,
                    "max_ms": max(timings) if timings else None,
                }
            )
    finally:
        conn.close()
    return out


def bi_url(url: str, password: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(username="bi_reader", password=password).render_as_string(hide_password=False)
