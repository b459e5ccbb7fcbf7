"""Dead runs found and recovered, live ones left alone, and a pool wait that ends at its deadline."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import dagster as dg
import pytest

from orchestration import recovery
from orchestration.instance import prepare_dagster_home
from orchestration.warehouse import admin_url
from tests.conftest import deliver_samples
from tests.faults.conftest import Runs

POOL = "warehouse_raw"


@pytest.fixture
def instance(warehouse):
    prepare_dagster_home(warehouse, admin_url(warehouse))
    with dg.DagsterInstance.get() as instance:
        instance.event_log_storage.set_concurrency_slots(POOL, 1)
        yield instance


def started_run(instance, tags) -> dg.DagsterRun:
    run = instance.add_run(dg.DagsterRun(job_name="nightly_load", status=dg.DagsterRunStatus.STARTED, tags=tags))
    claim = instance.event_log_storage.claim_concurrency_slot(POOL, run.run_id, "land_chambre")
    assert claim.is_claimed
    return run


def tags_of(pid: int) -> dict[str, str]:
    return {**recovery.run_tags(), recovery.TAG_PID: str(pid), recovery.TAG_PROCESS_START: recovery._process_start(pid)}


def test_a_run_whose_process_is_gone_is_marked_failed_and_its_slot_freed(instance):
    gone = subprocess.Popen(["true"])
    tags = tags_of(gone.pid)
    gone.wait()
    run = started_run(instance, tags)
    assert "DEAD: lost its process" in recovery.runs_in_progress(instance)[0]

    [recovered] = recovery.recover_dead_runs(instance)

    assert recovered.run_id == run.run_id and f"lost its process {gone.pid}" in recovered.reason
    assert instance.get_run_by_id(run.run_id).status == dg.DagsterRunStatus.FAILURE
    assert instance.event_log_storage.get_concurrency_info(POOL).claimed_slots == []
    assert "lost its process" in recovery.recently_recovered(instance)[0]
    assert recovery.runs_in_progress(instance) == []


def test_a_live_run_and_a_reused_pid_are_told_apart(instance):
    alive = subprocess.Popen(["sleep", "60"])
    try:
        live = started_run(instance, tags_of(alive.pid))
        reused = instance.add_run(
            dg.DagsterRun(
                job_name="nightly_load",
                status=dg.DagsterRunStatus.STARTED,
                tags={**tags_of(alive.pid), recovery.TAG_PROCESS_START: "1"},
            )
        )
        rebooted = instance.add_run(
            dg.DagsterRun(
                job_name="nightly_load",
                status=dg.DagsterRunStatus.STARTED,
                tags={**tags_of(alive.pid), recovery.TAG_BOOT: "another-boot"},
            )
        )
        recovered = {r.run_id: r.reason for r in recovery.recover_dead_runs(instance)}
        assert set(recovered) == {reused.run_id, rebooted.run_id}
        assert "machine restarted" in recovered[rebooted.run_id]
        assert instance.get_run_by_id(live.run_id).status == dg.DagsterRunStatus.STARTED
        assert [s.run_id for s in instance.event_log_storage.get_concurrency_info(POOL).claimed_slots] == [live.run_id]
    finally:
        alive.kill()
        alive.wait()


def test_slots_left_by_a_finished_run_are_freed(instance):
    run = started_run(instance, recovery.run_tags())
    instance.report_run_failed(run)
    assert recovery.recover_dead_runs(instance) == []
    assert instance.event_log_storage.get_concurrency_info(POOL).claimed_slots == []


@pytest.mark.slow
def test_a_step_blocked_behind_a_live_run_fails_at_the_deadline(warehouse, instance, tmp_path):
    alive = subprocess.Popen(["sleep", "600"])
    try:
        holder = started_run(instance, tags_of(alive.pid))
        runs = Runs(admin_url(warehouse), tmp_path, {recovery.POOL_WAIT_ENV: "4"})
        runs.env["TADAMON_DATA_DIR"] = str(warehouse.data_dir)
        runs.env["DAGSTER_HOME"] = str(warehouse.dagster_home)
        deliver_samples(warehouse, ("chambre",))
        started = time.monotonic()
        blocked = runs.run(timeout=300)
        assert blocked.returncode == 1, blocked.stdout[-3000:] + blocked.stderr[-3000:]
        assert "for pool warehouse_raw (deadline 4s, TADAMON_POOL_WAIT_SECONDS)" in blocked.stdout
        assert f"held by live run {holder.run_id[:8]}" in blocked.stdout
        assert time.monotonic() - started < 300
        assert instance.get_run_by_id(holder.run_id).status == dg.DagsterRunStatus.STARTED
    finally:
        alive.kill()
        alive.wait()


def test_a_deadline_the_run_swallowed_is_raised_again_while_it_still_waits(monkeypatch):
    """The watch raises the pool deadline in the run's main thread; code it passes through may swallow
    it (a logging handler's handleError does), so it is raised again while the run still waits."""
    monkeypatch.setattr(recovery, "WATCH_INTERVAL_S", 0.02)
    monkeypatch.setattr(recovery, "RESIGNAL_AFTER_S", 0.1)
    storage = type("Storage", (), {"supports_global_concurrency_limits": True})()
    watch = recovery.RunWatch(type("Instance", (), {"event_log_storage": storage})(), deadline_s=0)

    def still_waiting() -> bool:
        watch.failure = "step land_chambre waited 5s for pool warehouse_raw"
        return True

    monkeypatch.setattr(watch, "_check", still_waiting)
    raised = []
    with pytest.raises(recovery.PoolWaitTimeout, match="waited 5s for pool warehouse_raw"), watch:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # the run's wait for its pool
            try:
                time.sleep(0.01)
            except recovery.PoolWaitTimeout as exc:
                raised.append(exc)
                if len(raised) > 1:
                    raise
    assert len(raised) == 2
    assert signal.getsignal(signal.SIGUSR1) is not watch._raise  # the run's handler is put back


def test_a_watch_that_cannot_check_says_so_once_past_the_deadline(monkeypatch, caplog):
    """A check that keeps failing (the Dagster storage unreachable) leaves a pool wait without its
    deadline: past the deadline, the watch says so, once, with the error."""
    monkeypatch.setattr(recovery, "WATCH_INTERVAL_S", 0.01)
    storage = type("Storage", (), {"supports_global_concurrency_limits": True})()
    watch = recovery.RunWatch(type("Instance", (), {"event_log_storage": storage})(), deadline_s=0.05)
    calls = []

    def unreachable() -> bool:
        calls.append(time.monotonic())
        raise ConnectionError("could not connect to server: Connection refused")

    monkeypatch.setattr(watch, "_check", unreachable)
    with caplog.at_level("WARNING", logger=recovery.__name__), watch:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (len(calls) < 20 or not caplog.records):
            time.sleep(0.01)
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(calls) >= 20
    assert len(warnings) == 1, warnings
    assert "could not connect to server" in warnings[0] and recovery.POOL_WAIT_ENV in warnings[0]
    assert "not stopped at the 0s deadline" in warnings[0]


def test_the_processes_a_dead_run_left_behind_are_stopped(instance):
    """A run killed hard leaves its dbt build running (an orphan): recovering the run stops it, so it
    cannot write marts_build beside the next run's build."""
    gone = subprocess.Popen(["true"])
    tags = tags_of(gone.pid)
    gone.wait()
    identity = f"{tags[recovery.TAG_PID]}:{tags[recovery.TAG_PROCESS_START]}"
    env = {**os.environ, recovery.RUN_PROCESS_ENV: identity}
    orphan = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"], env=env)
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        started_run(instance, tags)
        [recovered] = recovery.recover_dead_runs(instance)
        assert orphan.wait(timeout=30) == -signal.SIGKILL
        assert f"leftover processes {orphan.pid} stopped" in recovered.reason
        assert bystander.poll() is None
    finally:
        for process in (orphan, bystander):
            process.kill()
            process.wait()
