"""Quiet output for the command line. While a load runs, everything the process and its children
write (dbt's, Dagster's and Great Expectations' own output) goes to a log file under data/logs/; the
terminal gets one line per step, then the summary. With --verbose the terminal gets everything too.
The redirection is at the file descriptors, so dbt's subprocess and C libraries are quiet as well."""

from __future__ import annotations

import datetime as dt
import os
import sys
import threading
from multiprocessing import resource_tracker
from pathlib import Path

import dagster as dg

from orchestration.messages import first_line

DRAIN_DEADLINE_S = 10


class RunOutput:
    """`with RunOutput(log_path, verbose) as out:` — `out.say(line)` reaches the terminal (and the
    log); anything else written meanwhile reaches the log (and the terminal only when verbose)."""

    def __init__(self, log_path: Path, verbose: bool = False):
        self.log_path = log_path
        self.verbose = verbose
        self._lock = threading.Lock()

    def __enter__(self) -> RunOutput:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "ab")
        # multiprocessing's resource tracker, once started, lives as long as this process: started
        # now, it keeps the terminal instead of holding the pipe open after the load
        resource_tracker.ensure_running()
        sys.stdout.flush()
        sys.stderr.flush()
        self._terminal = os.dup(1)
        self._saved_err = os.dup(2)
        read_end, write_end = os.pipe()
        os.dup2(write_end, 1)
        os.dup2(write_end, 2)
        os.close(write_end)
        self._reader = threading.Thread(target=self._drain, args=(read_end,), daemon=True, name="run-output")
        self._reader.start()
        return self

    def _drain(self, read_end: int) -> None:
        with os.fdopen(read_end, "rb", buffering=0) as pipe:
            while chunk := pipe.read(65536):
                with self._lock:
                    self._log.write(chunk)
                    if self.verbose:
                        os.write(self._terminal, chunk)

    def say(self, line: str) -> None:
        data = (line + "\n").encode()
        with self._lock:
            os.write(self._terminal, data)
            self._log.write(data)

    def __exit__(self, *exc) -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(self._terminal, 1)
        os.dup2(self._saved_err, 2)
        os.close(self._saved_err)
        # the pipe ends when its last writer closes: a child process still holding it is waited for
        # up to a deadline, then left writing to a pipe nobody reads
        self._reader.join(DRAIN_DEADLINE_S)
        if self._reader.is_alive():
            self.say(f"(output of a process still running after the load is not in {self.log_path})")
        os.close(self._terminal)
        self._log.close()


def run_log_path(logs_dir: Path, now: dt.datetime | None = None) -> Path:
    return logs_dir / f"run-{(now or dt.datetime.now()):%Y%m%d-%H%M%S}.log"


class StepProgress:
    """Dagster events as one line per step that materialises assets or fails; steps that only run
    checks are counted and told in one line at the end."""

    def __init__(self, say):
        self.say = say
        self.materialized: dict[str, int] = {}
        self.checks: dict[str, int] = {}
        self.check_steps = 0
        self.skipped = 0

    def __call__(self, event: dg.DagsterEvent) -> None:
        step = event.step_key
        if event.is_step_materialization:
            self.materialized[step] = self.materialized.get(step, 0) + 1
        elif event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            self.checks[step] = self.checks.get(step, 0) + 1
        elif event.is_step_success:
            if self.materialized.get(step):
                checks = self.checks.get(step, 0)
                self.say(
                    f"  done {step}: {self.materialized[step]} asset(s)" + (f", {checks} check(s)" if checks else "")
                )
            else:
                self.check_steps += 1
        elif event.is_step_failure:
            error = event.step_failure_data.error if event.step_failure_data else None
            reason = (first_line(error.message) if error else "")[:200] or "failed"
            self.say(f"  FAILED {step}: {reason}")
        elif event.is_step_skipped:
            self.skipped += 1

    def finish(self) -> None:
        if self.check_steps:
            self.say(f"  done {self.check_steps} quality check step(s)")
        if self.skipped:
            self.say(f"  skipped {self.skipped} step(s) (an upstream step failed or a blocking check did not pass)")
