"""Reading a sample delivery without a definition: its format, encoding, separator, header row and
columns, and the values of each column, as the readers will hand them to the parsers."""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orchestration.ingest.parsers.cells import ParseError
from orchestration.ingest.parsers.values import parse_amount, parse_date
from orchestration.ingest.readers import HEADER_SEARCH_ROWS, FileRejected, detect_encoding, normalize_title

ENCODINGS = ("utf-8-sig", "cp1256")
DELIMITERS = (";", ",", "\t", "|")
# A first cell that says the row is a total, not data.
_FOOTER = re.compile(r"^\s*(total(?:e|es|s)?|totaux|ensemble|المجموع|مجموع)\b", re.IGNORECASE)


class SampleError(ValueError):
    """The sample cannot be read well enough to draft a definition; the message says why."""


@dataclass
class SampleColumn:
    label: str  # the title (csv, xlsx) or the dotted path (json)
    values: list[Any] = field(default_factory=list)  # one per data row, None when absent or empty


@dataclass
class SampleTable:
    path: Path
    format: str
    columns: list[SampleColumn]
    row_count: int
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    header_line: int | None = None
    header_first_column: str | None = None
    footer_first_column: str | None = None
    records: str | None = None
    notes: list[str] = field(default_factory=list)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _is_texty(value: Any) -> bool:
    """A header-like cell: text that is not a number or a date."""
    if not isinstance(value, str) or not value.strip():
        return False
    for parse in (parse_amount, parse_date):
        try:
            if parse(value) is not None:
                return False
        except ParseError:
            pass
    return True


def find_header(rows: list[tuple[int, list[Any]]]) -> int:
    """Index in `rows` of the header: the first row whose cells are mostly non-empty text, with its
    first cell filled, followed by a data row. Title blocks (one filled cell over a wide table)
    are skipped."""
    width = max((sum(not _blank(c) for c in cells) for _, cells in rows), default=0)
    for index, (_, cells) in enumerate(rows):
        filled = [c for c in cells if not _blank(c)]
        if not filled or _blank(cells[0]):
            continue
        if len(filled) < max(1, 0.6 * width) and not (width <= 2 and len(filled) == width):
            continue
        if sum(_is_texty(c) for c in filled) < 0.8 * len(filled):
            continue
        if any(any(not _blank(c) for c in later) for _, later in rows[index + 1 :]):
            return index
    raise SampleError(
        f"no header row found in the first {HEADER_SEARCH_ROWS} rows: a header is a row of titles "
        "(mostly text, first cell filled) followed by data rows"
    )


def _tabular(path: Path, fmt: str, numbered: list[tuple[int, list[Any]]], table: SampleTable) -> SampleTable:
    head = numbered[: HEADER_SEARCH_ROWS + 1]
    index = find_header(head)
    header_line, header = numbered[index]
    table.header_line = header_line
    table.header_first_column = str(header[0]).strip()
    data = [(n, cells) for n, cells in numbered[index + 1 :] if any(not _blank(c) for c in cells)]
    if data and isinstance(data[-1][1][0] if data[-1][1] else None, str) and _FOOTER.match(data[-1][1][0]):
        word = _FOOTER.match(data[-1][1][0]).group(1)
        table.footer_first_column = rf"^\s*{re.escape(word)}\b"
        table.notes.append(
            f"line {data[-1][0]} ({str(data[-1][1][0]).strip()!r}) is a total, not data: footer_first_column set"
        )
        data = data[:-1]
    seen: set[str] = set()
    columns: list[SampleColumn] = []
    for position, title in enumerate(header):
        key = normalize_title(title)
        if not key:
            if any(position < len(cells) and not _blank(cells[position]) for _, cells in data):
                table.notes.append(
                    f"column {position + 1} has values but no title: the loader cannot read "
                    "it; ask the provider for a title"
                )
            continue
        if key in seen:
            table.notes.append(f"title {str(title).strip()!r} appears twice: only its first column is read")
            continue
        seen.add(key)
        values = [
            cells[position] if position < len(cells) and not _blank(cells[position]) else None for _, cells in data
        ]
        columns.append(SampleColumn(label=str(title).strip(), values=values))
    table.columns = columns
    table.row_count = len(data)
    return table


def read_csv_sample(path: Path) -> SampleTable:
    try:
        encoding = detect_encoding(path, ENCODINGS)
    except FileRejected as exc:
        raise SampleError(str(exc)) from None
    text = path.read_text(encoding=encoding)
    delimiter = detect_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        numbered = [(reader.line_num, cells) for cells in reader]
    except csv.Error as exc:
        raise SampleError(f"the CSV cannot be read at line {reader.line_num}: {exc}") from None
    shown = "utf-8" if encoding == "utf-8-sig" and not path.read_bytes().startswith(codecs.BOM_UTF8) else encoding
    table = SampleTable(path=path, format="csv", columns=[], row_count=0, encoding=shown, delimiter=delimiter)
    return _tabular(path, "csv", numbered, table)


def detect_delimiter(text: str) -> str:
    """The separator among ; , tab | that splits the first lines into the most consistent number of
    fields (more than one); csv.Sniffer breaks ties. French amounts (`1 250,00`) hold commas, so the
    sniffer alone is not trusted."""
    lines = [line for line in text.splitlines() if line.strip()][:HEADER_SEARCH_ROWS]
    sample = "\n".join(lines)
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        sniffed = None
    scores = {}
    for delimiter in DELIMITERS:
        counts = [len(cells) for cells in csv.reader(io.StringIO(sample), delimiter=delimiter)]
        if not counts:
            continue
        mode = max(set(counts), key=counts.count)
        if mode < 2:
            continue
        # rows with the usual number of fields, then the number of fields
        scores[delimiter] = (counts.count(mode) / len(counts), mode, delimiter == sniffed)
    if not scores:
        return sniffed or ";"
    return max(scores, key=lambda d: scores[d])


def read_xlsx_sample(path: Path) -> SampleTable:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise SampleError(f"not a readable Excel workbook ({type(exc).__name__}: {exc})") from None
    problems = []
    for name in workbook.sheetnames:
        rows = [(n, list(r)) for n, r in enumerate(workbook[name].iter_rows(values_only=True), start=1)]
        table = SampleTable(path=path, format="xlsx", columns=[], row_count=0, sheet=name)
        try:
            return _tabular(path, "xlsx", rows, table)
        except SampleError as exc:
            problems.append(f"sheet {name!r}: {exc}")
    raise SampleError("; ".join(problems) or "the workbook has no sheet")


def _flatten(record: dict) -> dict[str, Any]:
    """One level of nesting as dotted paths: {"contact": {"email": x}} -> {"contact.email": x}."""
    flat: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, dict) and value:
            for sub, inner in value.items():
                flat[f"{key}.{sub}"] = inner
        else:
            flat[str(key)] = value
    return flat


def read_json_sample(path: Path) -> SampleTable:
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise SampleError(f"the JSON file is not UTF-8 ({exc})") from None
    except json.JSONDecodeError as exc:
        raise SampleError(f"not valid JSON, line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    if not isinstance(document, dict):
        raise SampleError(
            'the loader reads a JSON object holding a list of records ({"records": [...]}); this file is not an object'
        )
    records_key = next(
        (k for k, v in document.items() if isinstance(v, list) and v and all(isinstance(r, dict) for r in v)), None
    )
    if records_key is None:
        raise SampleError("no top-level key holds a list of objects (the records)")
    records = document[records_key]
    paths: dict[str, None] = {}
    flat_records = []
    for record in records:
        flat = _flatten(record)
        flat_records.append(flat)
        for key in flat:
            paths.setdefault(key)
    # a key that is an object in some records and null in others: keep its dotted paths only
    nested = {p.split(".")[0] for p in paths if "." in p}
    paths = {p: None for p in paths if p not in nested or any(r.get(p) is not None for r in flat_records)}
    columns = [
        SampleColumn(label=p, values=[r.get(p) if not _blank(r.get(p)) else None for r in flat_records]) for p in paths
    ]
    table = SampleTable(
        path=path, format="json", columns=columns, row_count=len(records), encoding="utf-8", records=records_key
    )
    others = [k for k in document if k != records_key]
    if others:
        table.notes.append(f"top-level keys besides the records ({', '.join(others)}) are not loaded")
    return table


def read_sample(path: Path) -> SampleTable:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        table = read_xlsx_sample(path)
    elif suffix in (".csv", ".txt", ".tsv"):
        table = read_csv_sample(path)
    elif suffix == ".json":
        table = read_json_sample(path)
    else:
        raise SampleError(f"unknown file type {suffix!r}: the loader reads .xlsx, .csv and .json files")
    if not table.columns:
        raise SampleError("no columns found in the sample")
    if table.row_count == 0:
        raise SampleError("the sample has a header but no data rows: types and key cannot be proposed")
    return table
