"""Dagster's storage on the warehouse server: events stored on kept connections, not one each, and
a connection the server dropped is replaced without the run noticing."""

from __future__ import annotations

import time

import dagster as dg
import pytest
import sqlalchemy as sa

from orchestration.instance import (
    PooledEventLogStorage,
    PooledRunStorage,
    PooledScheduleStorage,
    prepare_dagster_home,
)
from orchestration.warehouse import admin_url, engine

EVENTS = 60


@pytest.fixture
def instance(warehouse):
    prepare_dagster_home(warehouse, admin_url(warehouse))
    with dg.DagsterInstance.get() as instance:
        yield instance


def _parts(instance):
    parts = [instance.run_storage, instance.event_log_storage, instance.schedule_storage]
    assert [type(p) for p in parts] == [PooledRunStorage, PooledEventLogStorage, PooledScheduleStorage]
    return parts


def _count_connects(instance) -> list[int]:
    opened = [0]
    for part in _parts(instance):
        sa.event.listen(part._engine, "connect", lambda *_: opened.__setitem__(0, opened[0] + 1))  # noqa: SLF001
    return opened


def _started_run(instance, message: str) -> dg.DagsterRun:
    run = instance.add_run(dg.DagsterRun(job_name="nightly_load", status=dg.DagsterRunStatus.STARTED))
    instance.report_engine_event(message, run)
    return run


def _on_storage_database(warehouse, instance, select: str) -> int:
    """`select` (one number) over the storage database's sessions other than this one."""
    storage_db = sa.engine.make_url(_parts(instance)[1]._engine.url).database  # noqa: SLF001
    with engine(admin_url(warehouse)).connect() as conn:
        return conn.execute(
            sa.text(f"select {select} from pg_stat_activity where datname = :d and pid <> pg_backend_pid()"),
            {"d": storage_db},
        ).scalar()


def test_a_run_stores_its_events_on_kept_connections(instance):
    run = _started_run(instance, "first")
    opened = _count_connects(instance)
    for number in range(EVENTS):
        instance.report_engine_event(f"event {number}", run)
    assert len(instance.all_logs(run.run_id)) >= EVENTS
    assert opened[0] <= 2, f"{opened[0]} connections opened for {EVENTS} events"


def test_a_connection_the_server_dropped_is_replaced(instance, warehouse):
    run = _started_run(instance, "before")
    ended = _on_storage_database(warehouse, instance, "count(pg_terminate_backend(pid))")
    assert ended >= 1  # the kept connection was there, and is gone now
    instance.report_engine_event("after", run)
    messages = [entry.message for entry in instance.all_logs(run.run_id)]
    assert "before" in messages and "after" in messages


def test_the_kept_connections_close_with_the_instance(warehouse):
    prepare_dagster_home(warehouse, admin_url(warehouse))
    with dg.DagsterInstance.get() as instance:
        _started_run(instance, "one")
        assert _on_storage_database(warehouse, instance, "count(*)") >= 1  # kept while the instance lives
    # a closed connection's server process ends a moment after the client let it go
    deadline = time.monotonic() + 10
    while (left := _on_storage_database(warehouse, instance, "count(*)")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert left == 0
