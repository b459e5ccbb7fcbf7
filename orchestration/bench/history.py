"""The cost of history: one night after twelve months of deliveries (docs/history.md).

    python -m orchestration.bench.history --scale region --months 12

Generates deliveries 0..`months` of one world (`generate(..., delivery=k)`), loads months
0..`months - 1` in one catch-up run (`tadamon run`), then measures the night of month `months`
(`tadamon run` with that month's six files): wall time, peak memory, phases, and the marts' sizes
(rows and bytes). Prints a markdown section for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import tempfile
import time
from pathlib import Path

from orchestration.bench.generate import generate
from orchestration.bench.run.measures import log_progress
from orchestration.bench.run.nights import deliver, tadamon_run
from orchestration.bench.run.server import BenchServer


def marts_sizes(url: str) -> list[tuple[str, int, int]]:
    """(table, rows, bytes with indexes) of every published mart."""
    from orchestration.warehouse import engine

    with engine(url).connect() as conn:
        tables = (
            conn.exec_driver_sql("select tablename from pg_tables where schemaname = 'marts' order by 1")
            .scalars()
            .all()
        )
        return [
            (
                t,
                conn.exec_driver_sql(f'select count(*) from marts."{t}"').scalar(),
                conn.exec_driver_sql("select pg_total_relation_size(%s::regclass)", (f'marts."{t}"',)).scalar(),
            )
            for t in tables
        ]


def bench_history(
    scale: str = "region", months: int = 12, seed: int = 42, timeout: float = 3600, workdir: Path | None = None
) -> dict:
    workdir = Path(workdir or tempfile.mkdtemp(prefix="tadamon-history-bench-"))
    server = BenchServer(os.environ.get("TADAMON_BENCH_WAREHOUSE_URL") or None)
    try:
        from orchestration.dbt_manifest import prepare_manifest
        from orchestration.instance import dagster_storage_url

        prepare_manifest()
        started = time.perf_counter()
        deliveries = [generate(workdir / f"delivery_{k:02d}", scale, seed, delivery=k) for k in range(months + 1)]
        generate_s = time.perf_counter() - started
        url = server.fresh_database("bench_history")
        env = {
            "TADAMON_WAREHOUSE_URL": url,
            "TADAMON_DATA_DIR": str(workdir / "data"),
            "DAGSTER_HOME": str(workdir / "dagster_home"),
            "TADAMON_DAGSTER_STORAGE_URL": dagster_storage_url(url),
            "TADAMON_BI_READER_PASSWORD": os.environ.get("TADAMON_BI_READER_PASSWORD") or secrets.token_urlsafe(16),
            "PYTHONUNBUFFERED": "1",
        }
        for sub in ("archive", "quarantine", "receipts", "logs"):
            (workdir / "data" / sub).mkdir(parents=True, exist_ok=True)
        for delivery in deliveries[:-1]:
            deliver(delivery, workdir / "data" / "incoming")
        log_progress(f"history {scale}: catch-up run of months 0..{months - 1}")
        catch_up = tadamon_run(env, workdir / "run_catch_up.log", timeout)
        deliver(deliveries[-1], workdir / "data" / "incoming")
        log_progress(f"history {scale}: the night of month {months}")
        night = tadamon_run(env, workdir / "run_night.log", timeout)
        sizes = marts_sizes(url) if night["exit_code"] == 0 else []
        return {
            "scale": scale,
            "months": months,
            "seed": seed,
            "generate_s": generate_s,
            "rows_per_month": [d.total_rows for d in deliveries],
            "catch_up": catch_up,
            "night": night,
            "marts": sizes,
        }
    finally:
        server.close()
        shutil.rmtree(workdir, ignore_errors=True)


def render(result: dict) -> str:
    night, catch_up = result["night"], result["catch_up"]
    lines = [
        f"### A night after {result['months']} months of history ({result['scale']} scale, seed {result['seed']})",
        "",
        f"Months 0..{result['months'] - 1} loaded first in one catch-up run ({catch_up['wall_s']:.0f} s, exit "
        f"{catch_up['exit_code']}; {sum(result['rows_per_month'][:-1]):,} delivered lines), then the night of month "
        f"{result['months']} ({result['rows_per_month'][-1]:,} lines): **{night['wall_s']:.0f} s wall time**, exit "
        f"{night['exit_code']}, peak memory {night['peak_rss_mb']:.0f} MB"
        + (f", phases {', '.join(f'{k} {v:.0f} s' for k, v in night['phases'].items())}" if night.get("phases") else "")
        + ".",
        "",
        "| mart | rows | size |",
        "|---|---:|---:|",
    ]
    lines += [f"| {table} | {rows:,} | {size / 2**20:.1f} MB |" for table, rows, size in result["marts"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.bench.history", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="region")
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--timeout", type=float, default=3600)
    args = parser.parse_args(argv)
    result = bench_history(args.scale, args.months, args.seed, args.timeout)
    print(render(result))
    return 0 if result["night"]["exit_code"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
