"""A bench run: every part at each scale, on the same generated data and server, and the report."""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from orchestration.bench.generate import generate
from orchestration.bench.run.ingestion import bench_ingestion
from orchestration.bench.run.measures import log_progress
from orchestration.bench.run.nights import deliver, deliver_nothing_new, tadamon_run
from orchestration.bench.run.peers import dlt_available
from orchestration.bench.run.queries import bench_queries, bi_url
from orchestration.bench.run.report import BENCHMARKS_MD, read_previous, render_results, write_report
from orchestration.bench.run.server import BenchServer, machine_facts


# -- one scale -----------------------------------------------------------------------------------------
def bench_scale(
    server: BenchServer,
    scale: str,
    seed: int,
    workdir: Path,
    *,
    repeats: int,
    to_sql_cap: int,
    query_runs: int,
    load_timeout: float,
    keep: bool = False,
    parts: tuple[str, ...] = ("ingestion", "load"),
) -> dict:
    label = re.sub(r"[^a-z0-9]+", "_", str(scale).lower())
    folder = workdir / label
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    result: dict[str, Any] = {"scale": str(scale), "seed": seed, "date": dt.date.today().isoformat()}

    log_progress(f"{scale}: generating deliveries (seed {seed})")
    first = generate(folder / "delivery_0", scale, seed, delivery=0)
    second = generate(folder / "delivery_1", scale, seed, delivery=1) if "load" in parts else first
    result["data"] = {
        "organisations": first.organisations,
        "generate_s": first.seconds,
        "files": [{"file": f.path, "rows": f.data_rows, "bytes": f.bytes, "encoding": f.encoding} for f in first.files],
        "rows": first.total_rows,
        "sessions": first.sessions,
        "participations": first.participations,
        "next_delivery_rows": second.total_rows,
    }

    if "ingestion" in parts:
        log_progress(f"{scale}: ingestion ({first.total_rows:,} rows, {repeats} repeat(s)) and baselines")
        if not dlt_available():
            log_progress("dlt is not installed: no dlt peer (`.venv/bin/pip install -c constraints.txt -e '.[bench]'`)")
        result["ingestion"] = bench_ingestion(server, label, first, folder, repeats, to_sql_cap)
    if "load" not in parts:
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)
        return result

    database = f"bench_{label}"
    url = server.fresh_database(database)
    from orchestration.instance import dagster_storage_url

    bi_password = os.environ.get("TADAMON_BI_READER_PASSWORD") or secrets.token_urlsafe(16)
    env = {
        "TADAMON_WAREHOUSE_URL": url,
        "TADAMON_DATA_DIR": str(folder / "data"),
        "DAGSTER_HOME": str(folder / "dagster_home"),
        "TADAMON_DAGSTER_STORAGE_URL": dagster_storage_url(url),
        "TADAMON_BI_READER_PASSWORD": bi_password,
        "PYTHONUNBUFFERED": "1",
    }
    data = folder / "data"
    for sub in ("archive", "quarantine", "receipts", "logs"):
        (data / sub).mkdir(parents=True, exist_ok=True)
    nights = {}
    deliver(first, data / "incoming")
    for night, delivery in (("full", None), ("nothing_new", None), ("new_delivery", second)):
        if delivery is not None:
            deliver(delivery, data / "incoming")
        if night == "nothing_new":  # only a file delivered again and one no definition takes: nothing to rebuild
            deliver_nothing_new(first, data / "incoming")
        log_progress(f"{scale}: tadamon run — {night}")
        nights[night] = tadamon_run(env, folder / f"run_{night}.log", load_timeout)
        status = nights[night]
        log_progress(
            f"{scale}: {night}: exit {status['exit_code']}, {status['wall_s']:.1f} s, "
            f"peak {status['peak_rss_mb']:.0f} MB, phases {status.get('phases')}"
        )
        if status["exit_code"] == "timeout":
            server.terminate(database)
        if night == "full" and status["exit_code"] not in (0, 1):
            break  # nothing to build the next nights on
    result["nights"] = nights

    log_progress(f"{scale}: BI queries ({query_runs} runs each)")
    if nights["full"]["exit_code"] != 0:
        result["queries"] = []
        result["queries_skipped"] = "the full load did not finish: no marts to query"
    else:
        try:
            result["queries"] = bench_queries(bi_url(url, bi_password), query_runs)
            result["queries_role"] = "bi_reader"
            if all(q["error"] for q in result["queries"]):
                result["queries"] = bench_queries(url, query_runs)
                result["queries_role"] = "admin (bi_reader could not read the marts)"
        except Exception as exc:
            result["queries"] = bench_queries(url, query_runs)
            result["queries_role"] = f"admin ({type(exc).__name__} as bi_reader)"
    if not keep:
        server.drop_database(database)
        shutil.rmtree(folder, ignore_errors=True)
    return result


# -- entry points ----------------------------------------------------------------------------------------
def run_bench(
    scales: tuple[str, ...] = ("sample", "region"),
    out: Path | None = BENCHMARKS_MD,
    seed: int = 42,
    nation: bool = False,
    workdir: Path | None = None,
    repeats: int | None = None,
    to_sql_cap: int = 20_000,
    query_runs: int = 20,
    load_timeout: float = 600,
    keep: bool = False,
    parts: tuple[str, ...] = ("ingestion", "load"),
) -> dict:
    """Run the benchmark at these scales (plus `nation` with `nation=True`) and rewrite the results
    section of `out` (None: only print). Returns {'machine', 'results'}."""
    scales = tuple(scales) + (("nation",) if nation and "nation" not in scales else ())
    from orchestration.dbt_manifest import prepare_manifest

    prepare_manifest()  # once, before any timing: `tadamon run` would otherwise parse on first use
    own_workdir = workdir is None
    workdir = Path(workdir or tempfile.mkdtemp(prefix="tadamon-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    server = BenchServer(os.environ.get("TADAMON_BENCH_WAREHOUSE_URL") or None)
    results: dict[str, dict] = {}
    try:
        machine = machine_facts(server)
        log_progress(f"server: {machine['postgres']['version'].split(' on ')[0]}; work folder {workdir}")
        for scale in scales:
            started = time.perf_counter()
            reps = repeats if repeats is not None else (1 if scale == "nation" else 3)
            results[str(scale)] = bench_scale(
                server,
                scale,
                seed,
                workdir,
                repeats=reps,
                to_sql_cap=to_sql_cap,
                query_runs=query_runs,
                load_timeout=load_timeout,
                keep=keep,
                parts=parts,
            )
            results[str(scale)]["bench_s"] = round(time.perf_counter() - started, 1)
            log_progress(f"{scale}: done in {results[str(scale)]['bench_s']} s")
    finally:
        server.close(keep=keep)
        if own_workdir and not keep:
            shutil.rmtree(workdir, ignore_errors=True)
    previous, _ = read_previous(out) if out else ({}, {})
    if out:
        body = write_report(Path(out), results, machine, previous)
    else:
        body = render_results(results, machine, previous)
    print(body)
    return {"machine": machine, "results": results}


def render_only(path: Path = BENCHMARKS_MD) -> str:
    """Rewrite the results section of `path` from the numbers recorded in it (after a change to the
    report's layout), without measuring anything."""
    results, machine = read_previous(path)
    if not results:
        raise SystemExit(f"no recorded results in {path}")
    return write_report(path, results, machine, {})


def main(argv: list[str] | None = None) -> int:
    import argparse

    import orchestration.bench.run as package
    from orchestration.bench import add_bench_arguments, run_bench_command

    parser = argparse.ArgumentParser(prog="tadamon bench", description=package.__doc__.split("\n\n")[0])
    add_bench_arguments(parser)
    return run_bench_command(parser.parse_args(argv))
