"""The pipeline's own sessions on the warehouse database (the login role of its URL: the loader, dbt,
the checks, the publication) run without JIT compilation (bootstrap.sql says why), in that database
only: the other databases of the server keep their settings."""

from __future__ import annotations

import re

import psycopg2
from sqlalchemy.engine import make_url

from orchestration.warehouse import engine
from tests.dbt_cli import run_dbt


def _show_jit(url: str) -> str:
    parsed = make_url(url)
    conn = psycopg2.connect(
        host=parsed.host, port=parsed.port, dbname=parsed.database, user=parsed.username, password=parsed.password
    )
    try:
        with conn.cursor() as cur:
            cur.execute("show jit")
            return cur.fetchone()[0]
    finally:
        conn.close()


def test_a_new_session_of_the_pipeline_runs_without_jit(warehouse):
    assert _show_jit(warehouse.warehouse_url) == "off"
    # the bootstrap's own session, kept by the pool for the rest of the night, too
    with engine(warehouse.warehouse_url).connect() as conn:
        assert conn.exec_driver_sql("show jit").scalar() == "off"


def test_dbts_sessions_run_without_jit(warehouse, tmp_path):
    result = run_dbt(
        "show", "--inline", "select current_setting('jit') as jit_now", url=warehouse.warehouse_url, artifacts=tmp_path
    )
    assert result.returncode == 0, result.stdout[-4000:]
    assert re.search(r"\|\s*jit_now\s*\|", result.stdout), result.stdout[-2000:]
    assert re.search(r"\|\s*off\s*\|", result.stdout), result.stdout[-2000:]


def test_the_other_databases_of_the_server_keep_their_settings(warehouse, test_server):
    other = test_server.new_database()
    try:
        with engine(other).connect() as conn:
            settings = conn.exec_driver_sql(
                "select count(*) from pg_db_role_setting s join pg_database d on d.oid = s.setdatabase "
                "where d.datname = current_database()"
            ).scalar()
            database = conn.exec_driver_sql("select current_database()").scalar()
        assert settings == 0, f"settings made in {database}, which no bootstrap ran in"
    finally:
        test_server.drop_database(other)
