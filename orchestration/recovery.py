"""Runs whose process died (SIGKILL, the OOM killer, a reboot) and the waits they would cause.

A run killed hard leaves its Dagster run `STARTED` and its pool slots (`warehouse_raw`, limit 1)
taken: every later run would wait for them forever. Each run started here carries the identity of
its process in its tags (host, boot, pid, process start); the next run checks that identity, marks a
run whose process is gone as failed, frees its slots and says so. A run the daemon launched is
checked by the pid its events carry. While a run executes, a watchdog frees the slots of a holder
that dies meanwhile, and ends the run with a clear failure when a step waits for a pool beyond
`TADAMON_POOL_WAIT_SECONDS` behind a live holder: no wait without a deadline.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import signal
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
from dagster._core.storage.dagster_run import ACTIVE_RUN_STATUSES

from orchestration.messages import first_line
from orchestration.processes import process_alive

log = logging.getLogger(__name__)

TAG_HOST = "tadamon/host"
TAG_BOOT = "tadamon/boot_id"
TAG_PID = "tadamon/pid"
TAG_PROCESS_START = "tadamon/process_start"
TAG_RECOVERED = "tadamon/recovered"  # set on a dead run when a later run marked it failed
# in the environment of a run's process, so its children (dbt) carry it: a run killed hard leaves its
# dbt build running, which would write marts_build beside the next run's build
RUN_PROCESS_ENV = "TADAMON_RUN_PROCESS"
ORPHAN_EXIT_DEADLINE_S = 30
POOL_WAIT_ENV = "TADAMON_POOL_WAIT_SECONDS"
DEFAULT_POOL_WAIT_S = 1800
WATCH_INTERVAL_S = 2.0
# a run still waiting this long after the watch raised its deadline in it is signalled again
RESIGNAL_AFTER_S = 10.0


@dataclass(frozen=True)
class Recovered:
    run_id: str
    job_name: str
    reason: str

    def describe(self) -> str:
        return f"run {self.run_id[:8]} ({self.job_name}) {self.reason}: marked failed, its pool slots freed"


# -- who runs a run ---------------------------------------------------------------------------------
def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


def _process_start(pid: int) -> str:
    """The start of a process in clock ticks since boot ('' when unknown): tells a pid reused by
    another process from the original one."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat.rsplit(")", 1)[1].split()[19]  # field 22, counted after the command name


def run_tags() -> dict[str, str]:
    """The tags a run started by this process carries, so a later run can tell if it died. The same
    identity goes into the environment its children inherit (see `kill_orphans`)."""
    pid = os.getpid()
    os.environ[RUN_PROCESS_ENV] = _identity(pid, _process_start(pid))
    return {
        TAG_HOST: socket.gethostname(),
        TAG_BOOT: _boot_id(),
        TAG_PID: str(pid),
        TAG_PROCESS_START: _process_start(pid),
    }


def _identity(pid: int | str, start: str) -> str:
    return f"{pid}:{start}"


def kill_orphans(identity: str, deadline_s: float = ORPHAN_EXIT_DEADLINE_S) -> list[int]:
    """SIGKILL the processes left by a dead run (those whose environment carries its identity, such
    as its dbt build) and wait until they are gone. Returns their pids. Linux only (/proc)."""
    marker = f"{RUN_PROCESS_ENV}={identity}".encode()
    orphans = []
    for proc in Path("/proc").glob("[0-9]*"):
        pid = int(proc.name)
        if pid == os.getpid():
            continue
        try:
            environ = (proc / "environ").read_bytes()
        except OSError:
            continue
        if marker in environ.split(b"\0"):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
                orphans.append(pid)
    deadline = time.monotonic() + deadline_s
    while any(process_alive(pid) and Path(f"/proc/{pid}/stat").exists() and not _zombie(pid) for pid in orphans):
        if time.monotonic() > deadline:
            raise RuntimeError(f"processes {orphans} of a dead run did not exit within {deadline_s:.0f} s of SIGKILL")
        time.sleep(0.05)
    return orphans


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def why_dead(instance: dg.DagsterInstance, run: dg.DagsterRun) -> str | None:
    """Why the process of an in-progress run is gone, or None when it is alive or cannot be told
    (a run on another host)."""
    tags = run.tags
    if TAG_PID in tags:
        host, pid = tags.get(TAG_HOST), int(tags[TAG_PID])
        if host != socket.gethostname():
            return None
        if tags.get(TAG_BOOT) and tags[TAG_BOOT] != _boot_id():
            return f"started before the machine restarted (process {pid})"
        if pid == os.getpid() and tags.get(TAG_PROCESS_START) == _process_start(pid):
            return None if _executing.is_set() else "was left unfinished by this process"
        if not process_alive(pid) or tags.get(TAG_PROCESS_START, "") != _process_start(pid):
            return f"lost its process {pid} on {host}"
        return None
    # a run the daemon launched on this machine: its events carry its worker's pid
    records = instance.get_records_for_run(run.run_id, limit=1, ascending=False).records
    if not records or not records[0].event_log_entry.pid:
        return None
    pid = records[0].event_log_entry.pid
    if not process_alive(pid):
        return f"lost its process {pid}"
    return None


# -- recovery -----------------------------------------------------------------------------------------
def _mark_failed(instance: dg.DagsterInstance, run: dg.DagsterRun, reason: str) -> Recovered:
    if run.tags.get(TAG_PID) and run.tags.get(TAG_HOST) == socket.gethostname():
        orphans = kill_orphans(_identity(run.tags[TAG_PID], run.tags.get(TAG_PROCESS_START, "")))
        if orphans:
            reason += f" (its leftover processes {', '.join(map(str, orphans))} stopped)"
    recovered = Recovered(run.run_id, run.job_name, reason)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    instance.add_run_tags(run.run_id, {TAG_RECOVERED: f"{stamp}: {reason}"})
    instance.report_run_failed(
        run, message=f"tadamon: this run {reason}; a later run marked it failed and freed its pool slots"
    )
    instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
    log.warning("%s", recovered.describe())
    return recovered


def recover_dead_runs(instance: dg.DagsterInstance) -> list[Recovered]:
    """Mark failed every in-progress run whose process is gone and free its pool slots; free the
    slots still held by runs that have finished. Returns what was recovered."""
    recovered = []
    for run in instance.get_runs(filters=dg.RunsFilter(statuses=list(ACTIVE_RUN_STATUSES))):
        reason = why_dead(instance, run)
        if reason:
            recovered.append(_mark_failed(instance, run, reason))
    storage = instance.event_log_storage
    if storage.supports_global_concurrency_limits:
        for run_id in storage.get_concurrency_run_ids():
            run = instance.get_run_by_id(run_id)
            if run is None or run.status not in ACTIVE_RUN_STATUSES:
                storage.free_concurrency_slots_for_run(run_id)
                log.warning("pool slots of finished run %s freed", run_id[:8])
    return recovered


def recently_recovered(instance: dg.DagsterInstance, limit: int = 5) -> list[str]:
    """For `tadamon status`: the latest runs marked failed because their process was gone."""
    lines = []
    for run in instance.get_runs(limit=200):
        if TAG_RECOVERED in run.tags:
            lines.append(f"run {run.run_id[:8]} ({run.job_name}): {run.tags[TAG_RECOVERED]}")
            if len(lines) >= limit:
                break
    return lines


def runs_in_progress(instance: dg.DagsterInstance) -> list[str]:
    """For `tadamon status`: the runs in progress, and whether their process is alive."""
    lines = []
    for run in instance.get_runs(filters=dg.RunsFilter(statuses=list(ACTIVE_RUN_STATUSES))):
        reason = why_dead(instance, run)
        state = f"DEAD: {reason} (the next `tadamon run` marks it failed and frees its slots)" if reason else "running"
        lines.append(f"run {run.run_id[:8]} ({run.job_name}, {run.status.value}): {state}")
    return lines


# -- waits with a deadline ------------------------------------------------------------------------
class PoolWaitTimeout(Exception):
    """A step waited for a pool longer than the deadline."""


_executing = threading.Event()  # set while this process executes a run (its own runs are not dead)


def pool_wait_seconds() -> float:
    return float(os.environ.get(POOL_WAIT_ENV) or DEFAULT_POOL_WAIT_S)


class RunWatch:
    """While a run executes: frees the slots of holders that die, and ends the run when one of its
    steps waits for a pool beyond the deadline (a signal raises PoolWaitTimeout in the main
    thread, which Dagster reports as the run's failure)."""

    def __init__(self, instance: dg.DagsterInstance, deadline_s: float | None = None):
        self.instance = instance
        self.deadline_s = pool_wait_seconds() if deadline_s is None else deadline_s
        self.failure: str | None = None
        self.recovered: list[Recovered] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._previous_handler = None

    def __enter__(self) -> RunWatch:
        _executing.set()
        storage = self.instance.event_log_storage
        if threading.current_thread() is threading.main_thread() and storage.supports_global_concurrency_limits:
            self._previous_handler = signal.signal(signal.SIGUSR1, self._raise)
            self._thread = threading.Thread(target=self._watch, name="tadamon-run-watch", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            signal.signal(signal.SIGUSR1, self._previous_handler or signal.SIG_DFL)
        _executing.clear()

    def _raise(self, *_):
        if self.failure and not self._stop.is_set():
            raise PoolWaitTimeout(self.failure)

    def _own_run_ids(self) -> set[str]:
        tags = run_tags()
        runs = self.instance.get_runs(
            filters=dg.RunsFilter(
                statuses=list(ACTIVE_RUN_STATUSES), tags={TAG_PID: tags[TAG_PID], TAG_HOST: tags[TAG_HOST]}
            )
        )
        return {r.run_id for r in runs}

    def _watch(self) -> None:
        signalled = None
        failing_since = None  # the first failed check of the current streak
        warned = False
        while not self._stop.wait(WATCH_INTERVAL_S):
            if signalled is not None and time.monotonic() - signalled < RESIGNAL_AFTER_S:
                continue
            try:
                if self._check():
                    # Signalled again for as long as the run still waits: code the exception passes
                    # through may swallow it (a logging handler's handleError does), and the wait would
                    # then have no deadline. Once it unwinds, Dagster frees the pending claim.
                    signal.pthread_kill(threading.main_thread().ident, signal.SIGUSR1)
                    signalled = time.monotonic()
                failing_since, warned = None, False
            except Exception as exc:  # noqa: BLE001 - the watchdog must never break the run it watches
                log.debug("run watch check failed", exc_info=True)
                failing_since = failing_since or time.monotonic()
                if not warned and time.monotonic() - failing_since >= self.deadline_s:
                    # said once per streak: while the watch cannot look, a pool wait has no deadline
                    log.warning(
                        "the run watch has not been able to check the pool waits for %.0fs (%s: %s): until it "
                        "can, a step waiting for a pool is not stopped at the %.0fs deadline (%s)",
                        time.monotonic() - failing_since,
                        type(exc).__name__,
                        first_line(exc) or "no message",
                        self.deadline_s,
                        POOL_WAIT_ENV,
                    )
                    warned = True

    def _check(self) -> bool:
        own = self._own_run_ids()
        if not own:
            return False
        storage = self.instance.event_log_storage
        now = dt.datetime.now(dt.UTC)
        for pool in storage.get_concurrency_keys():
            info = storage.get_concurrency_info(pool)
            waiting = [s for s in info.pending_steps if s.run_id in own and s.assigned_timestamp is None]
            if not waiting:
                continue
            holders = {s.run_id for s in info.claimed_slots if s.run_id not in own}
            for holder_id in holders:
                holder = self.instance.get_run_by_id(holder_id)
                reason = (
                    "is gone"
                    if holder is None
                    else (
                        "has finished" if holder.status not in ACTIVE_RUN_STATUSES else why_dead(self.instance, holder)
                    )
                )
                if reason and holder is not None and holder.status in ACTIVE_RUN_STATUSES:
                    self.recovered.append(_mark_failed(self.instance, holder, reason))
                elif reason:
                    storage.free_concurrency_slots_for_run(holder_id)
            enqueued = min(_utc(s.enqueued_timestamp) for s in waiting)
            waited = (now - enqueued).total_seconds()
            if waited > self.deadline_s:
                names = ", ".join(sorted(s.step_key for s in waiting))
                held_by = ", ".join(sorted(h[:8] for h in holders)) or "no run"
                self.failure = (
                    f"step {names} waited {waited:.0f}s for pool {pool} (deadline "
                    f"{self.deadline_s:.0f}s, {POOL_WAIT_ENV}); the slot is held by live run "
                    f"{held_by}: see `tadamon status` or the Dagster UI"
                )
                return True
        return False


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


@contextlib.contextmanager
def watched_run(instance: dg.DagsterInstance):
    """Recover dead predecessors, then watch the run executed inside the block."""
    recovered = recover_dead_runs(instance)
    with RunWatch(instance) as watch:
        watch.recovered[:0] = recovered
        yield watch


# -- the database lost mid-run ------------------------------------------------------------------------
def database_lost(exc: BaseException) -> bool:
    """True when `exc` (or what caused it) says the PostgreSQL server went away, not that the data
    or the code is wrong."""
    import psycopg2
    import sqlalchemy.exc
    from dagster_postgres.utils import DagsterPostgresException

    lost = (
        DagsterPostgresException,
        psycopg2.OperationalError,
        psycopg2.InterfaceError,
        sqlalchemy.exc.OperationalError,
        sqlalchemy.exc.InterfaceError,
        ConnectionError,
    )
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, lost):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def describe_lost(exc: BaseException) -> str:
    first = first_line(exc) or type(exc).__name__
    return (
        f"database lost: the PostgreSQL server stopped answering during the run ({type(exc).__name__}: "
        f"{first[:200]}); what was committed is kept, the next run takes over from there"
    )
