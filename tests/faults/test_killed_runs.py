"""Runs killed at several points, on an embedded PostgreSQL of this test's own: SIGKILL of the run
while it lands files, SIGKILL of the run in the dbt build, SIGKILL of PostgreSQL mid-run. Each time
the next `tadamon run` takes over without a manual step; the last one completes and its marts equal
a clean run's, row for row. The same night holds the poison battery: each poison entry is
quarantined with its reason, the good files are loaded and published."""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from orchestration.warehouse import dispose_engines, engine
from orchestration.warehouse.embedded import EmbeddedWarehouse
from tests.conftest import SAMPLES
from tests.faults.conftest import RUN_DEADLINE_S, Runs, marts_rows, poll
from tests.faults.poison import deliver_poison

pytestmark = pytest.mark.slow

HOLDS_POOL_SLOT = "select 1 from concurrency_slots where run_id is not null and concurrency_key = 'warehouse_raw'"
DBT_STARTS = "select count(*) from event_logs where dagster_event_type = 'STEP_START' and step_key like '%dbt%'"


@pytest.fixture
def server():
    # not under tmp_path: pytest keeps its base folder 0700, out of reach of the server's system user
    folder = Path(tempfile.mkdtemp(prefix="tadamon-fault-pg-"))
    server = EmbeddedWarehouse(folder)
    yield server
    dispose_engines()
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)


def test_runs_killed_at_any_point_then_the_next_run_completes(server, star_schema_db, tmp_path):
    runs = Runs(None, tmp_path, {"TADAMON_WAREHOUSE_DIR": str(server.root)})
    incoming = Path(runs.env["TADAMON_DATA_DIR"]) / "incoming"
    for sample in sorted(SAMPLES.glob("*/samples/*")):
        (incoming / sample.parent.parent.name).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(sample, incoming / sample.parent.parent.name / sample.name)
    secret = tmp_path / "secret.txt"
    secret.write_text("CIN AB123456")
    poison = deliver_poison(incoming, secret)

    # 1. the run killed while a landing step holds the pool slot
    landing = runs.start()
    poll(lambda: server.is_running() or landing.poll() is not None, 120, "the embedded server started")
    runs.use_url(server.url("tadamon"))
    runs.kill_when(landing, HOLDS_POOL_SLOT, "the run landing files")
    assert runs.dagster("select 1 from runs where status = 'STARTED'"), "the killed run is left STARTED"

    # 2. the next run recovers it, then is killed in the dbt build
    in_dbt = runs.start()
    runs.kill_when(in_dbt, DBT_STARTS.replace("count(*)", "1"), "the run in the dbt build")
    status = runs.status()
    assert status.returncode == 0, status.stdout[-3000:] + status.stderr[-3000:]
    assert "DEAD: lost its process" in status.stdout

    # 3. the next run loses PostgreSQL in its dbt build: a failed run, "database lost", an alert
    dbt_starts = runs.dagster(DBT_STARTS)[0][0]
    lost = runs.start()
    poll(
        lambda: lost.poll() is not None or runs.dagster(DBT_STARTS)[0][0] > dbt_starts,
        300,
        "the third run in the dbt build",
    )
    assert lost.poll() is None, lost.stdout.read()[-3000:]
    os.kill(server._pid(), signal.SIGKILL)
    output, _ = lost.communicate(timeout=RUN_DEADLINE_S)
    assert lost.returncode == 1 and "FAILED: database lost" in output, output[-4000:]
    assert "Traceback" not in output, output[-4000:]
    alerts = (Path(runs.env["TADAMON_DATA_DIR"]) / "logs" / "alerts.log").read_text(encoding="utf-8")
    assert "database lost" in alerts
    dispose_engines()

    # 4. the next run completes without a manual step
    final = runs.run()
    assert final.returncode == 0, final.stdout[-4000:] + final.stderr[-4000:]
    assert "Recovered: run " in final.stdout and "marked failed, its pool slots freed" in final.stdout
    runs.use_url(server.url("tadamon"))
    assert not runs.dagster("select 1 from runs where status = 'STARTED'")
    assert not runs.dagster("select 1 from concurrency_slots where run_id is not null")
    assert runs.marts() == marts_rows(star_schema_db)
    with engine(runs.url).connect() as conn:
        rows = {
            (r.provider, r.file_name): r
            for r in conn.execute(sa.text("select provider, file_name, status, error from audit.load_file"))
        }
    for key, reason in poison.items():
        assert rows[key].status == "rejected" and reason in rows[key].error, (key, rows.get(key))
    assert sorted(r.status for k, r in rows.items() if k not in poison) == ["loaded"] * 6
