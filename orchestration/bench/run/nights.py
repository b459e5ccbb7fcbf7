"""Parts 2 and 3 of a run: `tadamon run` in a child process (wall time, peak memory, phases from the
Dagster run's step events, the slowest dbt models), and the deliveries of each night."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from orchestration.bench.generate import GeneratedDelivery
from orchestration.bench.run.measures import MemorySampler, env_vars
from orchestration.settings import PROJECT_ROOT


# -- 2, 3. the nightly load ------------------------------------------------------------------------------
def _phase_of(step_key: str) -> str:
    if step_key.startswith("land_"):
        return "ingest"
    if "publish" in step_key:
        return "publish"
    if "dbt" in step_key:
        return "dbt"
    if step_key.startswith("report__"):
        return "bilan"
    return "quality"


def _run_events(env: dict[str, str], ended_at: float | None = None) -> dict:
    """Step timings of the latest Dagster run of this DAGSTER_HOME; a step still running when the
    run was stopped (`ended_at`) counts until then."""
    import dagster as dg

    with (
        env_vars(DAGSTER_HOME=env["DAGSTER_HOME"], TADAMON_DAGSTER_STORAGE_URL=env["TADAMON_DAGSTER_STORAGE_URL"]),
        dg.DagsterInstance.get() as instance,
    ):
        runs = instance.get_runs(limit=1)
        if not runs:
            return {}
        run = runs[0]
        records = instance.all_logs(run.run_id)
    events = dg.DagsterEventType
    starts: dict[str, float] = {}
    steps: dict[str, float] = {}
    run_start = run_end = None
    for record in records:
        event = record.dagster_event
        if event is None:
            continue
        kind = event.event_type
        if kind == events.RUN_START:
            run_start = record.timestamp
        elif kind in (events.RUN_SUCCESS, events.RUN_FAILURE):
            run_end = record.timestamp
        elif kind == events.STEP_START and record.step_key:
            starts[record.step_key] = record.timestamp
        elif kind in (events.STEP_SUCCESS, events.STEP_FAILURE) and record.step_key in starts:
            steps[record.step_key] = record.timestamp - starts[record.step_key]
    unfinished = [key for key in starts if key not in steps]
    for key in unfinished:
        steps[key] = (ended_at or time.time()) - starts[key]
    phases = {"ingest": 0.0, "dbt": 0.0, "quality": 0.0, "publish": 0.0, "bilan": 0.0}
    for key, seconds in steps.items():
        phases[_phase_of(key)] += seconds
    run_s = (run_end - run_start) if run_start and run_end else None
    return {
        "run_id": run.run_id,
        "status": str(run.status.value),
        "run_s": run_s,
        "steps": steps,
        "phases": phases,
        "unfinished_steps": unfinished,
        "dbt": _dbt_results(run.run_id),
    }


def _running_dbt_nodes(log_text: str) -> list[str]:
    """dbt nodes started but not finished in a `tadamon run` log (what a stopped run was doing)."""
    started = re.findall(r"\d+ of \d+ START \S+ (?:\S+ )?(?:model|test|seed|snapshot) ([\w.]+)", log_text)
    done = set(
        re.findall(r"\d+ of \d+ (?:OK|PASS|WARN|ERROR|FAIL|SKIP)\S* .*?(?:model|test|seed|snapshot) ([\w.]+)", log_text)
    )
    return [node for node in started if node not in done]


def _dbt_results(run_id: str, top: int = 6) -> dict | None:
    """What dbt did in this run (dagster-dbt keeps each invocation's target folder): nodes by kind,
    dbt's own elapsed time, and the slowest nodes."""
    from orchestration.settings import DBT_PROJECT_DIR

    found = sorted((DBT_PROJECT_DIR / "target").glob(f"*-{run_id[:7]}-*/run_results.json"))
    if not found:
        return None
    data = json.loads(found[-1].read_text())
    nodes = data.get("results", [])
    kinds: dict[str, int] = {}
    busy = 0.0
    for node in nodes:
        kind = node["unique_id"].split(".")[0]
        kinds[kind] = kinds.get(kind, 0) + 1
        busy += node.get("execution_time") or 0
    slowest = sorted(nodes, key=lambda n: n.get("execution_time") or 0, reverse=True)[:top]
    return {
        "elapsed_s": data.get("elapsed_time"),
        "nodes": kinds,
        "node_seconds": busy,
        "threads": (data.get("args") or {}).get("threads"),
        "slowest": [(n["unique_id"].split(".", 2)[-1], round(n.get("execution_time") or 0, 2)) for n in slowest],
    }


def _summary_numbers(log_text: str) -> dict:
    out: dict[str, Any] = {}
    patterns = {
        "files_loaded": r"Files: (\d+) loaded",
        "rows_loaded": r"Rows: (\d+) loaded",
        "rows_set_aside": r"Rows: \d+ loaded, (\d+) set aside",
        "checks_passed": r"Checks: (\d+) passed",
        "checks_failed": r"Checks: \d+ passed, \d+ warnings?, (\d+) errors?",
    }
    for name, pattern in patterns.items():
        found = re.findall(pattern, log_text)
        if found:
            out[name] = int(found[-1])
    failed = re.findall(r"^FAILED: (.*)$", log_text, flags=re.M)
    if failed:
        out["failure"] = failed[-1][:500]
    return out


def tadamon_run(env: dict[str, str], log_path: Path, timeout: float) -> dict:
    """`tadamon run` in a child process with this environment: wall time, exit code, peak memory of
    its process tree (Python, dbt), phases from the Dagster run's events."""
    command = [sys.executable, "-m", "orchestration.cli", "run"]
    started = time.perf_counter()
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            command, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT, cwd=PROJECT_ROOT
        )
        with MemorySampler(process.pid) as sampler:
            try:
                code = process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _kill_tree(process.pid)
                process.wait()
                code = "timeout"
    wall = time.perf_counter() - started
    ended_at = time.time()
    text = log_path.read_text(errors="replace")
    result = {"wall_s": wall, "exit_code": code, "peak_rss_mb": sampler.peak / 2**20, **_summary_numbers(text)}
    if code == "timeout":
        result["running_at_timeout"] = _running_dbt_nodes(text)
    try:
        result.update(_run_events(env, ended_at))
    except Exception as exc:  # the numbers above still stand
        result["events_error"] = f"{type(exc).__name__}: {exc}"
    if code == "timeout" and not result.get("run_s") and result.get("steps"):
        result["run_s"] = None
    if result.get("run_s"):
        result["startup_s"] = wall - result["run_s"]
        result["orchestration_s"] = result["run_s"] - sum(result["phases"].values())
    if code != 0:
        result["log_tail"] = text[-3000:]
    return result


def _kill_tree(pid: int) -> None:
    """Stop a child process and its descendants (dbt), children first."""
    import psutil

    try:
        root = psutil.Process(pid)
        procs = root.children(recursive=True)[::-1] + [root]
    except psutil.Error:
        return
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    psutil.wait_procs(procs, timeout=10)


def deliver_nothing_new(delivery: GeneratedDelivery, incoming: Path) -> None:
    """A night's files that load nothing: a delivery sent again (a duplicate) and a file of a name no
    definition takes (rejected)."""
    sent_again = delivery.files[0]
    target = incoming / sent_again.provider / sent_again.file
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(delivery.out / sent_again.path, target)
    (incoming / sent_again.provider / f"copie de {sent_again.file}").write_bytes(
        (delivery.out / sent_again.path).read_bytes()
    )


def deliver(delivery: GeneratedDelivery, incoming: Path) -> None:
    for f in delivery.files:
        target = incoming / f.provider / f.file
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(delivery.out / f.path, target)
