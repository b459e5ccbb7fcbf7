"""The suites of a run, checked by a child process (`python -m orchestration.quality.worker`).

Loading Great Expectations and the project's context takes about three seconds of one core before
the first suite can run. A worker started with the run loads them on the other core while the run
prepares and lands its files; each step of checks then hands it the suites to run and reads back
their outcomes as soon as each is known. The suites run exactly as in any other process
(`runner.iter_suites`): the same results in audit.quality_result, the same Data Docs, the same error
when a suite cannot run.

Protocol, one JSON object a line: the parent writes a request `{"url", "suites", "run_id"}`; the
worker answers a line `{"outcome": ...}` per suite, then `{"done": null}`, or `{"done": "<error>"}`
when some suite could not run. Whatever the worker or its libraries print goes to its standard
error, which the parent logs (and quotes when the worker stops unexpectedly)."""

from __future__ import annotations

import collections
import dataclasses
import json
import logging
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

from orchestration.quality.runner import ExpectationOutcome, SuiteOutcome

log = logging.getLogger(__name__)

# The national suites take under a minute: an hour is a worker that hangs, not a slow one.
RUN_TIMEOUT_S = 3600
ERROR_LINES_KEPT = 40


class QualityWorkerError(RuntimeError):
    pass


class QualityWorker:
    """A started worker; `run` checks suites with it, one request at a time; `stop` ends it."""

    def __init__(self) -> None:
        self.environment = dict(os.environ)  # what the worker was started with
        self.process = subprocess.Popen(
            [sys.executable, "-m", __name__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        self._answers: queue.Queue[str | None] = queue.Queue()
        self._errors: collections.deque[str] = collections.deque(maxlen=ERROR_LINES_KEPT)
        self._lock = threading.Lock()
        threading.Thread(target=self._read_answers, daemon=True, name="quality-worker-answers").start()
        threading.Thread(target=self._read_errors, daemon=True, name="quality-worker-errors").start()

    def _read_answers(self) -> None:
        for line in self.process.stdout:
            self._answers.put(line)
        self._answers.put(None)  # the worker has stopped

    def _read_errors(self) -> None:
        for line in self.process.stderr:
            line = line.rstrip("\n")
            self._errors.append(line)
            log.info("quality worker: %s", line)

    def alive(self) -> bool:
        return self.process.poll() is None

    def run(self, url: str, suites: list[str], run_id: str, timeout_s: float = RUN_TIMEOUT_S) -> Iterator[SuiteOutcome]:
        """Each suite's outcome as soon as the worker has it; raises what `iter_suites` raises once
        they have all run, and QualityWorkerError when the worker stops or passes `timeout_s`."""
        with self._lock:
            self._send({"url": url, "suites": suites, "run_id": run_id})
            deadline = time.monotonic() + timeout_s
            finished = False
            try:
                while True:
                    message = self._next(deadline, timeout_s)
                    if "outcome" in message:
                        yield outcome_from_json(message["outcome"])
                        continue
                    finished = True
                    if message["done"] is not None:
                        raise RuntimeError(message["done"])
                    return
            finally:
                if not finished:  # left mid-answer: its next lines would answer the next request
                    self.kill()

    def _send(self, request: dict) -> None:
        try:
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            raise self._stopped() from None

    def _next(self, deadline: float, timeout_s: float) -> dict:
        try:
            line = self._answers.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            self.kill()
            raise QualityWorkerError(
                f"the quality checks took more than {timeout_s:.0f} s and were stopped (their process hung)"
            ) from None
        if line is None:
            raise self._stopped()
        return json.loads(line)

    def _stopped(self) -> QualityWorkerError:
        try:
            code = self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            code = None
        said = "\n".join(self._errors) or "(it printed nothing)"
        return QualityWorkerError(f"the quality checks' process stopped (exit code {code}):\n{said}")

    def stop(self) -> None:
        """End the worker: its input closed, it exits once its current request is answered; killed
        if it has not within a few seconds."""
        if self.process.stdin and not self.process.stdin.closed:
            try:
                self.process.stdin.close()
            except OSError:
                pass
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()


def outcome_from_json(data: dict) -> SuiteOutcome:
    outcomes = [ExpectationOutcome(**o) for o in data.pop("outcomes")]
    return SuiteOutcome(**data, outcomes=outcomes)


# -- the worker started ahead of the run (`tadamon run`), claimed by the run's resource ----------
_started: list[QualityWorker] = []
_started_lock = threading.Lock()


def start_ahead() -> None:
    """Start a worker now, for the run about to start in this process to claim (`claim`)."""
    with _started_lock:
        if not _started:
            _started.append(QualityWorker())


def claim() -> QualityWorker:
    """The worker started ahead, when it is alive and was started with this environment; else a new one."""
    with _started_lock:
        worker = _started.pop() if _started else None
    if worker is not None and worker.alive() and worker.environment == dict(os.environ):
        return worker
    if worker is not None:
        worker.stop()
    return QualityWorker()


def discard_unclaimed() -> None:
    """Stop a worker started ahead that no run claimed (the run failed before its checks' resource)."""
    with _started_lock:
        workers = list(_started)
        _started.clear()
    for worker in workers:
        worker.stop()


# -- the worker's side -------------------------------------------------------------------------
def main() -> None:
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # anything printed goes to the error stream
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from orchestration.quality import runner

    runner.load_ahead()
    for line in sys.stdin:
        request = json.loads(line)
        error = None
        try:
            for outcome in runner.iter_suites(request["url"], request["suites"], run_id=request["run_id"]):
                answers.write(json.dumps({"outcome": dataclasses.asdict(outcome)}, default=str) + "\n")
                answers.flush()
        except Exception as exc:  # noqa: BLE001 - the step that asked raises it
            error = str(exc) if isinstance(exc, RuntimeError) else f"{type(exc).__name__}: {exc}"
        answers.write(json.dumps({"done": error}) + "\n")
        answers.flush()


if __name__ == "__main__":
    main()
