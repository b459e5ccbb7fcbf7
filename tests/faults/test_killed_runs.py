"""A run killed with SIGKILL at any point: the next `tadamon run` completes without a manual step,
and the marts equal a clean run's, row for row."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from orchestration.warehouse import engine
from tests.conftest import SAMPLES
from tests.faults.conftest import marts_rows
from tests.faults.poison import deliver_poison

pytestmark = pytest.mark.slow

HOLDS_POOL_SLOT = "select 1 from concurrency_slots where run_id is not null and concurrency_key = 'warehouse_raw'"
IN_DBT_BUILD = ("select 1 from event_logs where dagster_event_type = 'STEP_START' "
                "and step_key like '%dbt%'")


def test_run_killed_while_landing_then_in_dbt_the_next_run_recovers_and_completes(runs, star_schema_db, tmp_path):
    incoming = Path(runs.env["TADAMON_DATA_DIR"]) / "incoming"
    for sample in sorted(SAMPLES.glob("*/samples/*")):
        (incoming / sample.parent.parent.name).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(sample, incoming / sample.parent.parent.name / sample.name)
    secret = tmp_path / "secret.txt"
    secret.write_text("CIN AB123456")
    poison = deliver_poison(incoming, secret)  # the same night as the good files

    for point, sql in (("holding the landing pool slot", HOLDS_POOL_SLOT), ("in the dbt build", IN_DBT_BUILD)):
        killed = runs.start()
        runs.kill_when(killed, sql, f"the run {point}")
        assert runs.dagster("select 1 from runs where status = 'STARTED'"), f"killed {point}: left STARTED"

    status = runs.status()
    assert status.returncode == 0, status.stdout[-3000:] + status.stderr[-3000:]
    assert "DEAD: lost its process" in status.stdout

    rerun = runs.run()
    assert rerun.returncode == 0, rerun.stdout[-4000:] + rerun.stderr[-4000:]
    assert rerun.stdout.count("Recovered: run ") == 1, rerun.stdout
    assert "lost its process" in rerun.stdout and "marked failed, its pool slots freed" in rerun.stdout
    assert not runs.dagster("select 1 from runs where status = 'STARTED'")
    assert not runs.dagster("select 1 from concurrency_slots where run_id is not null")
    assert runs.marts() == marts_rows(star_schema_db)
    with engine(runs.url).connect() as conn:
        rows = {(r.provider, r.file_name): r for r in conn.execute(sa.text(
            "select provider, file_name, status, error from audit.load_file"))}
    for key, reason in poison.items():
        assert rows[key].status == "rejected" and reason in rows[key].error, (key, rows.get(key))
    assert sorted(r.status for k, r in rows.items() if k not in poison) == ["loaded"] * 6
