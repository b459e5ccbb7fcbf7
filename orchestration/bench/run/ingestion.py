"""Part 1 of a run: each generated file loaded by the project's loader (`Lander.land_file`), against
its peers."""

from __future__ import annotations

import shutil
import statistics
import time
from pathlib import Path

from orchestration.bench.generate import GeneratedDelivery
from orchestration.bench.run.measures import env_vars
from orchestration.bench.run.peers import (
    copy_baseline,
    definition_of,
    dlt_available,
    dlt_baseline,
    tabular_rows,
    to_sql_baseline,
)
from orchestration.bench.run.server import BenchServer
from orchestration.settings import get_settings


def bench_ingestion(
    server: BenchServer, label: str, delivery: GeneratedDelivery, workdir: Path, repeats: int, to_sql_cap: int
) -> dict:
    """Each file landed by the project's Lander into a fresh database (median of `repeats`), and the
    CSV/XLSX baselines on the same server."""
    from orchestration.ingest.landing import Lander
    from orchestration.warehouse import dispose_engines, ensure_warehouse

    per_file: dict[str, dict] = {
        f.path: {"file": f.path, "format": f.format, "rows": f.data_rows, "bytes": f.bytes, "lander_s": []}
        for f in delivery.files
    }
    database = f"bench_{label}_ingest"
    for attempt in range(repeats):
        url = server.fresh_database(database)
        data_dir = workdir / f"ingest_{attempt}"
        shutil.rmtree(data_dir, ignore_errors=True)
        with env_vars(
            TADAMON_WAREHOUSE_URL=url, TADAMON_DATA_DIR=str(data_dir), DAGSTER_HOME=str(workdir / "dagster_ingest")
        ):
            settings = get_settings()
            ensure_warehouse(settings)
            lander = Lander(settings, url)
            for f in delivery.files:
                target = settings.incoming_dir / f.provider / f.file
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(delivery.out / f.path, target)
                started = time.perf_counter()
                outcome = lander.land_file(target, f.provider)
                seconds = time.perf_counter() - started
                entry = per_file[f.path]
                entry["lander_s"].append(seconds)
                entry.update(
                    status=outcome.status,
                    rows_read=outcome.rows_read,
                    rows_loaded=outcome.rows_loaded,
                    rows_rejected=outcome.rows_rejected,
                    rows_duplicate=outcome.rows_duplicate,
                    encoding=outcome.encoding,
                    error=outcome.error,
                )
        dispose_engines()
        shutil.rmtree(data_dir, ignore_errors=True)

    # baselines, in the last database
    url = server.url(database)
    for index, f in enumerate(delivery.files):
        entry = per_file[f.path]
        entry["lander_s"] = statistics.median(entry["lander_s"])
        entry["lander_rows_per_s"] = f.data_rows / entry["lander_s"]
        path = delivery.out / f.path
        reads, copies = [], []
        rows: list[list] = []
        encoding = None
        for _ in range(repeats):
            rows, read_s, encoding = tabular_rows(path, f.provider)
            reads.append(read_s)
            copies.append(copy_baseline(url, rows, f"bench_copy_{index}"))
        entry["read_s"] = statistics.median(reads)
        entry["copy_s"] = statistics.median(copies)
        entry["copy_rows"] = len(rows)
        entry["copy_rows_per_s"] = len(rows) / entry["copy_s"]
        entry["read_rows_per_s"] = len(rows) / entry["read_s"]
        if dlt_available():
            peer = dlt_baseline(url, path, f.provider, workdir, f"bench_dlt_{index}")
            entry["dlt"] = peer
            entry["dlt_rows_per_s"] = f.data_rows / peer["seconds"]
        if f.format == "json":
            continue  # pandas has no reader for the chamber's nested export
        header_at = 0
        if f.format == "xlsx":
            import openpyxl

            from orchestration.ingest.readers import normalize_title

            workbook = openpyxl.load_workbook(path, read_only=True)
            wanted = normalize_title(definition_of(f.provider, f.file).header_first_column)
            for i, r in enumerate(workbook.worksheets[0].iter_rows(values_only=True, max_col=1)):
                if r and normalize_title(r[0]) == wanted:
                    header_at = i
                    break
            workbook.close()
        tosql = to_sql_baseline(url, path, f.provider, encoding, header_at, to_sql_cap, f"bench_tosql_{index}")
        entry["to_sql"] = tosql
        entry["to_sql_rows_per_s"] = tosql["rows"] / tosql["seconds"]
    server.drop_database(database)
    files = list(per_file.values())
    summary = {}
    for fmt in ("csv", "xlsx", "json"):
        chosen = [e for e in files if e["format"] == fmt]
        if not chosen:
            continue
        rows = sum(e["rows"] for e in chosen)
        item = {"rows": rows, "lander_s": sum(e["lander_s"] for e in chosen)}
        item["lander_rows_per_s"] = rows / item["lander_s"]
        item["copy_rows_per_s"] = sum(e["copy_rows"] for e in chosen) / sum(e["copy_s"] for e in chosen)
        item["read_rows_per_s"] = sum(e["copy_rows"] for e in chosen) / sum(e["read_s"] for e in chosen)
        item["vs_copy"] = item["lander_rows_per_s"] / item["copy_rows_per_s"]
        if all("dlt" in e for e in chosen):
            item["dlt_rows_per_s"] = rows / sum(e["dlt"]["seconds"] for e in chosen)
            item["vs_dlt"] = item["lander_rows_per_s"] / item["dlt_rows_per_s"]
        if fmt != "json":
            item["to_sql_rows_per_s"] = rows / sum(e["to_sql"]["seconds"] for e in chosen)
            item["vs_to_sql"] = item["lander_rows_per_s"] / item["to_sql_rows_per_s"]
            item["to_sql_extrapolated"] = any(e["to_sql"]["extrapolated"] for e in chosen)
        summary[fmt] = item
    return {"files": files, "by_format": summary, "repeats": repeats, "to_sql_cap": to_sql_cap, "dlt": dlt_available()}
