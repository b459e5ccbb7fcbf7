"""A run killed with SIGKILL at any point: the next `tadamon run` completes without a manual step,
and the marts equal a clean run's, row for row."""

from __future__ import annotations

import pytest

from tests.faults.conftest import marts_rows

pytestmark = pytest.mark.slow

HOLDS_POOL_SLOT = "select 1 from concurrency_slots where run_id is not null and concurrency_key = 'warehouse_raw'"
IN_DBT_BUILD = ("select 1 from event_logs where dagster_event_type = 'STEP_START' "
                "and step_key like '%dbt%'")


def test_run_killed_while_landing_then_in_dbt_the_next_run_recovers_and_completes(runs, star_schema_db):
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
