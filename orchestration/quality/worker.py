"""The suites of a run, checked by a child process (`python -m orchestration.quality.worker`).

Loading Great Expectations and the project's context takes about three seconds of one core before
the first suite can run. A worker started with the run (a Dagster resource: defs/resources.py)
loads them on the other core while the run lands its files; each step of checks then hands it the
suites to run and reads back their outcomes as soon as each is known. The suites run exactly as in
any other process (`runner.iter_suites`): the same results in audit.quality_result, the same Data
Docs, the same error when a suite cannot run.

The GX Data Docs of a request are built after its answer, while the step that asked goes on (they
held the raw checks' step, before dbt could start); the next request waits for them. A
build that fails is a warning: the step has its results, and the quality report (report.py) is
written from audit.quality_result.

Protocol, one JSON object a line: the parent writes a request `{"url", "suites", "run_id"}`; the
worker answers a line `{"outcome": ...}` per suite, then `{"done": null}`, or `{"done": "<error>"}`
when some suite could not run; `{"warning": ...}` lines may come between requests. Whatever the
worker or its libraries print goes to its standard error, which the parent logs (and quotes when
the worker stops unexpectedly)."""

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
# a worker asked to stop finishes its Data Docs first (about a second)
STOP_TIMEOUT_S = 30
ERROR_LINES_KEPT = 40


class QualityWorkerError(RuntimeError):
    pass


class QualityWorker:
    """A started worker; `run` checks suites with it, one request at a time; `stop` ends it."""

    def __init__(self) -> None:
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
        self._error_reader = threading.Thread(target=self._read_errors, daemon=True, name="quality-worker-errors")
        self._error_reader.start()

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
        """The next answer to the current request (a warning left by the previous one is logged)."""
        while True:
            try:
                line = self._answers.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                self.kill()
                raise QualityWorkerError(
                    f"the quality checks took more than {timeout_s:.0f} s and were stopped (their process hung)"
                ) from None
            if line is None:
                raise self._stopped()
            message = json.loads(line)
            if not _logged_warning(message):
                return message

    def _stopped(self) -> QualityWorkerError:
        try:
            code = self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            code = None
        self._error_reader.join(timeout=5)  # what it printed last, before it is quoted
        said = "\n".join(self._errors) or "(it printed nothing)"
        return QualityWorkerError(f"the quality checks' process stopped (exit code {code}):\n{said}")

    def stop(self) -> None:
        """End the worker: its input closed, it exits once its current request is answered and its
        Data Docs built; killed if it has not within STOP_TIMEOUT_S."""
        if self.process.stdin and not self.process.stdin.closed:
            try:
                self.process.stdin.close()
            except OSError:
                pass
        try:
            self.process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.kill()
        self._answers_left()

    def _answers_left(self) -> None:
        """Log the warnings the worker wrote after its last answer (its last Data Docs)."""
        while True:
            try:
                line = self._answers.get(timeout=1)
            except queue.Empty:
                return
            if line is None:
                return
            _logged_warning(json.loads(line))

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()


def _logged_warning(message: dict) -> bool:
    """Log a warning the worker wrote after answering (a request's Data Docs not built); False for an answer."""
    if "warning" not in message:
        return False
    log.warning("quality checks: %s", message["warning"])
    return True


def outcome_from_json(data: dict) -> SuiteOutcome:
    outcomes = [ExpectationOutcome(**o) for o in data.pop("outcomes")]
    return SuiteOutcome(**data, outcomes=outcomes)


# -- the worker's side -------------------------------------------------------------------------
def main() -> None:
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # anything printed goes to the error stream
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from orchestration.quality import runner

    def answer(message: dict) -> None:
        answers.write(json.dumps(message, default=str) + "\n")
        answers.flush()

    runner.load_ahead()
    for line in sys.stdin:
        request = json.loads(line)
        error, pages = None, []
        try:
            for outcome in runner.iter_suites(request["url"], request["suites"], run_id=request["run_id"], pages=pages):
                answer({"outcome": dataclasses.asdict(outcome)})
        except Exception as exc:  # noqa: BLE001 - the step that asked raises it
            error = str(exc) if isinstance(exc, RuntimeError) else f"{type(exc).__name__}: {exc}"
        answer({"done": error})
        if pages:
            try:
                runner.update_data_docs(request["url"], pages)
            except Exception as exc:  # noqa: BLE001 - the results stand; the pages are GX's view of them
                answer({"warning": f"the GX Data Docs were not updated: {type(exc).__name__}: {exc}"[:2000]})


if __name__ == "__main__":
    main()
