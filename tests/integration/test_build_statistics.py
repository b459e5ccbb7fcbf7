"""The statistics of the tables dbt builds (macros/analyze_built_table.sql): every one (the history
tables of staging, the intermediate and mart tables) is analysed as soon as it is built, from a small
sample (the raw tables as they are landed: test_ingestion.py); the published marts, which BI queries
are planned against, from the server's default sample (the publication's vacuum).

Needs the `star_schema_db` fixture: a database where the samples went through the whole load."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from orchestration.dbt_manifest import load_manifest
from orchestration.warehouse import engine
from tests.dbt_cli import run_dbt
from tests.table_statistics import SMALL_SAMPLE_BOUNDS, widest_histogram

BUILT = ("staging", "intermediate", "marts_build")  # in staging, the tables: the history models


def _tables(conn, schemas) -> list[sa.Row]:
    return conn.execute(
        sa.text(
            """select t.schemaname, t.relname, t.last_analyze, t.last_autoanalyze
               from pg_stat_user_tables t
               where t.schemaname = any(:schemas)
                 and (t.schemaname <> 'intermediate' or t.relname like 'int\\_%')
               order by 1, 2"""
        ),
        {"schemas": list(schemas)},
    ).all()


def test_every_table_dbt_builds_is_analysed_by_the_post_hook(star_schema_db):
    with engine(star_schema_db).connect() as conn:
        tables = _tables(conn, BUILT)
    assert {t.schemaname for t in tables} == set(BUILT)
    assert len(tables) >= 30, [t.relname for t in tables]
    never = [f"{t.schemaname}.{t.relname}" for t in tables if t.last_analyze is None]
    assert never == [], f"built but not analysed by the post-hook: {never}"


REBUILT = {"marts_build.dim_date": "dim_date", "intermediate.int_labels": "int_labels"}


def _rebuild(url: str, tmp_path: Path) -> None:
    result = run_dbt("run", "--select", *REBUILT.values(), url=url, artifacts=tmp_path)
    assert result.returncode == 0, result.stdout[-4000:]


def test_a_table_just_built_has_the_statistics_of_a_small_sample(star_schema_db, tmp_path):
    """Judged right after a build: autovacuum analyses a new table again with the server's default
    when it comes by (its rows count as changed since the post-hook), so a table it reached first is
    built again."""
    for _ in range(3):
        _rebuild(star_schema_db, tmp_path)
        with engine(star_schema_db).connect() as conn:
            judged = {
                f"{t.schemaname}.{t.relname}": widest_histogram(conn, t.schemaname, t.relname)
                for t in _tables(conn, BUILT)
                if f"{t.schemaname}.{t.relname}" in REBUILT
                and (t.last_autoanalyze is None or t.last_autoanalyze < t.last_analyze)
            }
        if judged:
            break
    assert judged, "autovacuum analysed the rebuilt tables again three times before they were judged"
    # the date spine (16,801 distinct days) and the labels: histograms of the target's size at most
    assert all(bounds <= SMALL_SAMPLE_BOUNDS for bounds in judged.values()), judged
    assert judged.get("marts_build.dim_date", SMALL_SAMPLE_BOUNDS) == SMALL_SAMPLE_BOUNDS, judged


def test_the_published_marts_have_the_servers_default_statistics(star_schema_db):
    with engine(star_schema_db).connect() as conn:
        default = int(conn.exec_driver_sql("show default_statistics_target").scalar())
        bounds = widest_histogram(conn, "marts", "dim_date")
    assert bounds == default + 1


def _latest_file_views() -> list[str]:
    """The staging views of a register as it stands now (macros/select_source_rows.sql)."""
    return sorted(
        node["name"]
        for node in load_manifest()["nodes"].values()
        if node["resource_type"] == "model" and "latest_snapshot_rows(" in node.get("raw_code", "")
    )


def test_the_registers_as_they_stand_are_estimated_from_their_history_tables(star_schema_db):
    """The planner's estimate of each latest-file view is about its real size: the views read their
    history table, analysed when built, and not a materialised CTE, which has no statistics (the join
    with the latest file was estimated at one row, and a test that joined the chamber's members
    compared every unresolved participant with every member)."""
    views = _latest_file_views()
    assert {"stg_chambre__members", "stg_ministere__cooperatives"} <= set(views), views
    estimates = {}
    with engine(star_schema_db).connect() as conn:
        for view in views:
            plan = conn.exec_driver_sql(f"explain (format json) select * from staging.{view}").scalar()
            rows = conn.exec_driver_sql(f"select count(*) from staging.{view}").scalar()
            estimates[view] = (plan[0]["Plan"]["Plan Rows"], rows)
    assert all(rows >= 10 for _, rows in estimates.values()), estimates
    assert all(rows / 2 <= estimate <= rows * 2 for estimate, rows in estimates.values()), estimates
