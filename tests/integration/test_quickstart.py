"""The quick start as a user runs it: the `tadamon` command line, end to end."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from orchestration.settings import PROJECT_ROOT
from orchestration.warehouse import dispose_engines, engine

TADAMON = str(Path(sys.executable).with_name("tadamon"))


def tadamon(*args, env, timeout=900):
    return subprocess.run([TADAMON, *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def test_embedded_warehouse_lifecycle_and_psql(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "TADAMON_WAREHOUSE_URL"}
    env["TADAMON_WAREHOUSE_DIR"] = str(tmp_path / "warehouse")
    try:
        assert tadamon("warehouse", "status", env=env).returncode == 3
        started = tadamon("warehouse", "start", env=env)
        assert started.returncode == 0, started.stderr
        assert "running on 127.0.0.1:" in started.stdout
        url = tadamon("warehouse", "url", env=env).stdout.strip()
        assert url.startswith("postgresql://postgres:") and "@127.0.0.1:" in url and ":5432/" not in url
        psql = shutil.which("psql")
        if psql:
            result = subprocess.run([psql, url, "-tAc", "select 1"], capture_output=True, text=True, timeout=60)
            assert result.stdout.strip() == "1", result.stderr
        with sa.create_engine(url.replace("postgresql://", "postgresql+psycopg2://")).connect() as conn:
            schemas = set(conn.exec_driver_sql("select nspname from pg_namespace").scalars())
        assert {"raw", "audit", "staging", "intermediate", "marts"} <= schemas
        # a password is required over TCP
        bad = url.split("://", 1)[1].split("@", 1)[1]
        with pytest.raises(sa.exc.OperationalError, match="password authentication failed"):
            sa.create_engine(f"postgresql+psycopg2://postgres:wrong@{bad}").connect()
        bi_url = tadamon("warehouse", "url", "--role", "bi_reader", env=env).stdout.strip()
        assert bi_url.startswith("postgresql://bi_reader:")
        assert tadamon("warehouse", "status", env=env).returncode == 0
    finally:
        stopped = tadamon("warehouse", "stop", env=env)
    assert stopped.returncode == 0 and "stopped" in stopped.stdout
    assert tadamon("warehouse", "status", env=env).returncode == 3


JOB_RUNS = """
query JobRuns($selector: PipelineSelector!) {
  pipelineOrError(params: $selector) {
    __typename
    ... on Pipeline { runs { runId status } }
  }
}
"""


def job_runs(context, job: str) -> list[dict]:
    """The runs the Dagster UI lists on a job's page (the job's `runs` in GraphQL)."""
    from dagster_graphql.test.utils import execute_dagster_graphql

    selector = {"repositoryLocationName": "tadamon", "repositoryName": "__repository__", "pipelineName": job}
    result = execute_dagster_graphql(context, JOB_RUNS, {"selector": selector})
    assert result.data["pipelineOrError"]["__typename"] == "Pipeline", result
    return result.data["pipelineOrError"]["runs"]


def test_tadamon_run_twice_loads_everything_once(test_server, tmp_path, monkeypatch):
    url = test_server.new_database()
    env = {
        **os.environ,
        "TADAMON_WAREHOUSE_URL": url,
        "TADAMON_DATA_DIR": str(tmp_path / "data"),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
    }
    try:
        # a data folder other than the quick start's ./data gets the samples only when asked
        assert tadamon("init", "--samples", env=env).returncode == 0
        first = tadamon("run", env=env)
        assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
        # quiet by default: one line per step and the summary (its list of marts wraps at 120
        # characters); the samples' broken rules are warnings
        marts = re.search(r"^Marts \(rows\):.*?(?=^\S)", first.stdout, re.M | re.S)
        assert marts and len(first.stdout.splitlines()) - marts[0].count("\n") <= 26, first.stdout
        assert first.stderr == ""
        # the samples break six warning rules (dates outside their programme, women above members...)
        checks = re.search(r"^Checks: \d+ passed, (\d+) warnings, 0 errors$", first.stdout, re.M)
        assert checks and int(checks[1]) == 6, first.stdout
        assert len(re.findall(r"^  warning: ", first.stdout, re.M)) == 6, first.stdout
        assert "  done dbt_models: " in first.stdout
        for noise in ("Unable to do partial parsing", "AssetObservation", " of 2", "dagster - "):
            assert noise not in first.stdout
        log = Path(re.search(r"^log of this run .*: (\S+)$", first.stdout, re.M).group(1))
        assert log.parent == tmp_path / "data" / "logs"
        kept = log.read_text()
        assert re.search(r"\d+ of \d+ OK created sql table model marts_build\.dim_organisation", kept)
        assert "STEP_SUCCESS" in kept and "Checks: " in kept
        assert "Logging an `AssetObservation`" not in kept
        # a first night on a new warehouse: dbt's parse for its connection ran while the files landed,
        # and the build took it instead of parsing again
        assert "dbt's parse state for this warehouse, made while the files landed, is the build's" in kept
        assert "Unable to do partial parsing" not in kept
        assert "Files: 6 loaded, 0 duplicate, 0 rejected" in first.stdout
        assert "Rows: 1475 loaded, 4 set aside" in first.stdout
        assert re.search(r"Marts \(rows\): .*dim_organisation \d+", first.stdout, re.S)
        assert "tadamon warehouse url --role bi_reader" in first.stdout
        latest = tmp_path / "data" / "reports" / "latest"
        assert f"Bilan (results report, French and Arabic): {latest}/bilan_fr.pdf" in first.stdout
        assert {p.name for p in latest.iterdir()} == {"bilan_fr.pdf", "bilan_ar.pdf", "bilan_fr.html", "bilan_ar.html"}
        with engine(url).connect() as conn:
            counts = {
                table: conn.exec_driver_sql(f"select count(*) from {table}").scalar()
                for table in (
                    "raw.ministere__register",
                    "staging.stg_ministere__cooperatives",
                    "marts.dim_organisation",
                    "marts.fct_funding",
                )
            }
        assert counts["raw.ministere__register"] == 400
        assert all(counts.values()), counts

        second = tadamon("run", "--verbose", env=env)
        assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
        assert "dagster - DEBUG - check_deliveries" in second.stdout  # Dagster's own output, shown
        assert "Files: 0 loaded, 0 duplicate, 0 rejected" in second.stdout
        assert "Nothing new since the last publication: the marts are unchanged" in second.stdout
        with engine(url).connect() as conn:
            assert conn.exec_driver_sql("select count(*) from raw.ministere__register").scalar() == 400
            assert conn.exec_driver_sql("select count(*) from audit.load_file").scalar() == 6

        reload = tadamon("reload", "wilaya_jamiyat_202610.csv", env=env)
        assert reload.returncode == 0, reload.stdout[-3000:] + reload.stderr[-3000:]
        assert "wilaya/wilaya_jamiyat_202610.csv: loaded, 500 rows loaded" in reload.stdout
        assert "marts rebuilt and published" in reload.stdout
        assert "  done dbt_models: " in reload.stdout and " of 2" not in reload.stdout  # quiet as well
        # the first night's parse was kept: a later build on this warehouse parses nothing again
        reload_log = Path(re.search(r"^log of this run .*: (\S+)$", reload.stdout, re.M).group(1)).read_text()
        assert "OK created sql table model marts_build.dim_organisation" in reload_log
        assert "Unable to do partial parsing" not in reload_log
        with engine(url).connect() as conn:
            assert conn.exec_driver_sql("select count(*) from raw.wilaya__associations").scalar() == 500
            statuses = (
                conn.exec_driver_sql(
                    "select status from audit.load_file where file_name = 'wilaya_jamiyat_202610.csv' order by load_id"
                )
                .scalars()
                .all()
            )
            assert statuses == ["superseded", "loaded"]
        unknown = tadamon("reload", "nothing_like_this.csv", env=env)
        assert unknown.returncode == 2 and "no archived delivery matches" in unknown.stderr

        # the runs the command line launched are runs of the code location's jobs, on their pages
        import dagster as dg
        from dagster_graphql.test.utils import define_out_of_process_context

        monkeypatch.setenv("TADAMON_WAREHOUSE_URL", url)
        with (
            dg.DagsterInstance.from_config(str(tmp_path / "dagster_home")) as instance,
            define_out_of_process_context(str(PROJECT_ROOT / "workspace.yaml"), None, instance) as context,
        ):
            for job in ("nightly_load", "check_deliveries", "rebuild_marts"):
                runs = job_runs(context, job)
                assert [r["status"] for r in runs] == ["SUCCESS"], (job, runs)

        docs = tadamon("docs", env=env)
        assert docs.returncode == 0, docs.stdout[-2000:] + docs.stderr[-2000:]
        dictionary = tmp_path / "data" / "docs" / "dictionary.html"
        assert str(dictionary) in docs.stdout
        assert "marts.dim_organisation" in dictionary.read_text(encoding="utf-8")
    finally:
        dispose_engines()
        test_server.drop_database(url)
