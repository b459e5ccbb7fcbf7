"""The quality worker (orchestration/quality/worker.py): a child process runs the suites a step asks
for and gives back the outcomes a run in the step's own process gives, then builds their Data Docs;
a worker that stops or hangs fails the request with a message."""

from __future__ import annotations

import dataclasses
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from orchestration.ingest.landing import Lander
from orchestration.quality import data_docs_index, iter_suites, stored_suites
from orchestration.quality.worker import QualityWorker, QualityWorkerError
from orchestration.recovery import RUN_PROCESS_ENV
from orchestration.warehouse import engine
from tests.conftest import deliver_samples

MINISTRY_SUITES = ["raw_ministere__mouazara", "raw_ministere__register"]


@pytest.fixture
def worker():
    started = QualityWorker()
    yield started
    started.stop()


def _land_ministry(warehouse) -> str:
    deliver_samples(warehouse, providers=("ministere",))
    Lander(warehouse, warehouse.warehouse_url).land_pending(("ministere",))
    return warehouse.warehouse_url


def _compared(outcome) -> dict:
    """An outcome without what differs from one run to the next (its run, its time)."""
    data = dataclasses.asdict(outcome)
    for key in ("run_id", "seconds"):
        data.pop(key)
    return data


def test_the_worker_gives_the_outcomes_of_a_run_in_this_process(warehouse, worker):
    url = _land_ministry(warehouse)
    assert {s.name for s in stored_suites()} >= set(MINISTRY_SUITES)
    first, second = (f"{what}-{uuid.uuid4().hex[:8]}" for what in ("from-worker", "again"))
    from_worker = list(worker.run(url, MINISTRY_SUITES, run_id=first))
    with engine(url).begin() as conn:  # the same loads judged again, not only the new ones
        conn.exec_driver_sql("delete from audit.raw_check_load")
    here = list(iter_suites(url, MINISTRY_SUITES, run_id="here", record=False))
    assert [o.suite for o in from_worker] == MINISTRY_SUITES
    assert [_compared(o) for o in from_worker] == [_compared(o) for o in here]
    failed = {o.expectation for o in from_worker[1].outcomes if not o.success}
    assert "women_not_above_members" in failed  # the samples' known warning, so the outcomes are not empty
    with engine(url).connect() as conn:
        recorded = conn.execute(
            sa.text("select count(*) from audit.quality_result where run_id = :r"), {"r": first}
        ).scalar()
    assert recorded == sum(len(o.outcomes) for o in from_worker) > 10
    # the same worker answers the next request, once it has built the first one's Data Docs
    again = list(worker.run(url, MINISTRY_SUITES[:1], run_id=second))
    assert [o.suite for o in again] == MINISTRY_SUITES[:1] and worker.alive()
    assert first in data_docs_index().read_text()
    worker.stop()  # after the Data Docs of its last request
    assert second in data_docs_index().read_text()


def test_a_worker_that_stopped_fails_the_request_with_its_exit_code(warehouse, worker):
    url = _land_ministry(warehouse)
    worker.process.kill()
    worker.process.wait()
    with pytest.raises(QualityWorkerError, match=r"the quality checks' process stopped \(exit code -9\)"):
        list(worker.run(url, MINISTRY_SUITES, run_id="dead"))


def test_a_request_past_its_deadline_stops_the_worker(warehouse, worker):
    url = _land_ministry(warehouse)
    with pytest.raises(QualityWorkerError, match=r"took more than 0 s and were stopped"):
        list(worker.run(url, MINISTRY_SUITES, run_id="late", timeout_s=0))
    assert not worker.alive()


def test_a_request_left_mid_answer_stops_the_worker(warehouse, worker):
    """Its remaining answers would be read as the next request's: the worker is stopped instead."""
    url = _land_ministry(warehouse)
    answers = worker.run(url, MINISTRY_SUITES, run_id="left")
    assert next(answers).suite == MINISTRY_SUITES[0]
    answers.close()
    assert not worker.alive()


def _environment(pid: int) -> list[bytes]:
    return Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")


def test_the_worker_carries_the_run_identity(monkeypatch):
    """A dead run's worker is found and killed with its dbt build (recovery.kill_orphans)."""
    monkeypatch.setenv(RUN_PROCESS_ENV, "12345:678")  # as recovery.run_tags sets it before the run
    worker = QualityWorker()
    try:
        assert f"{RUN_PROCESS_ENV}=12345:678".encode() in _environment(worker.process.pid)
    finally:
        worker.stop()
    assert worker.process.returncode == 0  # an idle worker asked to stop exits on its own
