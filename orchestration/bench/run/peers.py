"""What the loader is compared with, on the same rows: the time only to read a file, a plain COPY
(the limit), `pandas.DataFrame.to_sql` (a quick script) and dlt (a loading library)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
import time
from pathlib import Path


# -- 1. ingestion --------------------------------------------------------------------------------------
def definition_of(provider: str, file_name: str):
    from orchestration.ingest.definitions import definition_for

    return definition_for(provider, file_name)


def tabular_rows(path: Path, provider: str) -> tuple[list[list], float, str | None]:
    """The data rows of a CSV or XLSX delivery as a plain script would read them (no parsing), the
    time it took, and the encoding: the read floor."""
    from orchestration.ingest.readers import detect_encoding, normalize_title

    definition = definition_of(provider, path.name)
    if definition.format == "json":
        return json_rows(path, definition)
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
    data = [
        r
        for r in rows[header_at + 1 :]
        if any(c not in (None, "") for c in r)
        and not (footer is not None and isinstance(r[0], str) and footer.search(r[0]))
    ]
    return data, time.perf_counter() - started, encoding


def json_rows(path: Path, definition) -> tuple[list[list], float, str | None]:
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


def dlt_baseline(url: str, path: Path, provider: str, workdir: Path, dataset: str) -> dict:
    """dlt, the peer a data engineer would pick today for files into PostgreSQL: a pipeline with its
    defaults (extract, normalize, load into its postgres destination, same server), fed the file's data
    rows as dicts read as the read-only baseline reads them (dlt has no workbook reader of its own);
    a JSON export's records go in whole, so dlt unnests the arrays into child tables as it does."""
    import dlt

    definition = definition_of(provider, path.name)
    started = time.perf_counter()
    if definition.format == "json":
        with open(path, encoding="utf-8-sig") as handle:
            data = json.load(handle)[definition.records]
    else:
        rows, _, _ = tabular_rows(path, provider)
        data = [{f"c{i}": (None if v == "" else v) for i, v in enumerate(r)} for r in rows]
    pipeline = dlt.pipeline(
        pipeline_name=dataset,
        pipelines_dir=str(workdir / "dlt"),
        dataset_name=dataset,
        destination=dlt.destinations.postgres(credentials=url),
    )
    info = pipeline.run(data, table_name="rows")
    seconds = time.perf_counter() - started
    from orchestration.warehouse import engine

    with engine(url).begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{dataset}" CASCADE')
    shutil.rmtree(workdir / "dlt", ignore_errors=True)
    return {"seconds": seconds, "rows": len(data), "loads": len(info.loads_ids)}


def copy_baseline(url: str, rows: list[list], table: str) -> float:
    """Seconds for a plain COPY of these rows (as text) into a table of text columns."""
    from orchestration.warehouse import engine

    width = max(len(r) for r in rows)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(
            ["" if v is None else (v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v) for v in row]
            + [""] * (width - len(row))
        )
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


def to_sql_baseline(
    url: str, path: Path, provider: str, encoding: str | None, header_at: int, cap: int, table: str
) -> dict:
    """pandas as a quick script uses it: read_csv/read_excel, then DataFrame.to_sql (defaults) into
    the same server; at most `cap` rows are written, the rate for the whole file is extrapolated."""
    import pandas as pd
    import sqlalchemy as sa

    from orchestration.warehouse import sqlalchemy_url

    definition = definition_of(provider, path.name)
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
    return {
        "rows": rows,
        "rows_written": written,
        "read_s": read_s,
        "write_s": write_s,
        "seconds": seconds,
        "extrapolated": written < rows,
    }
