"""PostgreSQL killed mid-run (SIGKILL of its postmaster), on an embedded server of this test's own:
the run ends as a failed run reported as "database lost", with an alert; the next run completes and
the marts equal a clean run's."""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
from pathlib import Path

import pytest

from orchestration.warehouse import dispose_engines
from orchestration.warehouse.embedded import EmbeddedWarehouse
from tests.faults.conftest import RUN_DEADLINE_S, Runs, marts_rows, poll
from tests.faults.test_killed_runs import HOLDS_POOL_SLOT

pytestmark = pytest.mark.slow


def test_postgres_killed_mid_run_is_reported_and_the_next_run_completes(tmp_path, star_schema_db):
    # not under tmp_path: pytest keeps its base folder 0700, out of reach of the server's system user
    folder = Path(tempfile.mkdtemp(prefix="tadamon-fault-pg-"))
    server = EmbeddedWarehouse(folder)
    runs = Runs(None, tmp_path, {"TADAMON_WAREHOUSE_DIR": str(server.root)})
    try:
        first = runs.start()
        poll(lambda: server.is_running() or first.poll() is not None, 120, "the embedded server started")
        runs.use_url(server.url("tadamon"))
        poll(lambda: runs.dagster(HOLDS_POOL_SLOT) or first.poll() is not None, 300, "the run landing files")
        assert first.poll() is None, first.stdout.read()[-3000:]
        os.kill(server._pid(), signal.SIGKILL)
        output, _ = first.communicate(timeout=RUN_DEADLINE_S)
        assert first.returncode == 1, output[-4000:]
        assert "FAILED: database lost" in output, output[-4000:]
        assert "Traceback" not in output, output[-4000:]
        alerts = (tmp_path / "data" / "logs" / "alerts.log").read_text(encoding="utf-8")
        assert "database lost" in alerts
        dispose_engines()

        rerun = runs.run()
        assert rerun.returncode == 0, rerun.stdout[-4000:] + rerun.stderr[-4000:]
        assert marts_rows(server.url("tadamon")) == marts_rows(star_schema_db)
    finally:
        dispose_engines()
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
