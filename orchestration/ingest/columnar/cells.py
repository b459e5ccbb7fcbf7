"""The fast path for workbooks and JSON exports: the cells a reader holds in memory (python-calamine's
rows, orjson's records) parsed column by column, as the CSV path parses its blocks (csv_reader.py).

A workbook or an export is read whole by its library anyway, so the file is one block. Each column of
cells becomes a polars text column for its text cells, which go through the CSV path's expressions
and, for the writings they leave, the Python parser once per distinct text; the other cells (numbers,
dates, booleans, nested arrays and objects) go to the Python parser once per distinct value. Both are
`parsers/` itself for anything unusual, so values, errors and French messages are the row-by-row
loader's (`tests/unit/test_columnar_cells.py` checks it against `rows.classify_rows`).

`plan_xlsx` and `plan_json` read the file and say whether this path serves it; anything unusual
(extra columns, records that are not objects, JSON that orjson does not read exactly as the `json`
module, a file a reader would reject) goes to the row-by-row loader, which handles every case and
words every rejection.
"""

from __future__ import annotations

import codecs
import json
import logging
import re
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import Any

import polars as pl

from orchestration.ingest.columnar.csv_plan import KEY_TYPES_NOT_FAST, Plan
from orchestration.ingest.columnar.csv_reader import ColumnarCsv
from orchestration.ingest.columnar.expressions import python_values
from orchestration.ingest.definitions import Column, SourceDefinition
from orchestration.ingest.readers import (
    HEADER_SEARCH_ROWS,
    FileRejected,
    find_header,
    map_header,
    normalize_title,
    record_value,
)
from orchestration.ingest.rejections import line_label, record_label
from orchestration.ingest.rows import json_safe

log = logging.getLogger(__name__)


@dataclass
class CellsPlan:
    """A file read into memory, ready for ColumnarCells: a label and the cells of each data row."""

    reported_encoding: str | None
    missing_columns: list[str]
    lines: list[str]  # where each data row is: "ligne 12", "$.adherents[3]"
    columns: dict[str, list[Any]]  # column name -> its cell on each data row, as the reader delivered it


def _key_types_not_fast(definition: SourceDefinition) -> bool:
    return any(definition.column(k).type in KEY_TYPES_NOT_FAST for k in definition.key)


# -- workbooks -------------------------------------------------------------------------------------
def plan_xlsx(path: Path, definition: SourceDefinition) -> tuple[CellsPlan | None, str | None]:
    """The sheet `readers.read_xlsx` would read, with the same header and rows, or (None, why not)."""
    from python_calamine import CalamineWorkbook

    if _key_types_not_fast(definition):
        return None, "a key column is an amount or a boolean"
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        names = [n for n in definition.sheets if n in workbook.sheet_names]
        names += [n for n in workbook.sheet_names if n not in names]
        wanted = normalize_title(definition.header_first_column)
        for name in names:
            sheet = workbook.get_sheet_by_name(name)
            rows = list(sheet.iter_rows())
            if any(row and normalize_title(row[0]) == wanted for row in rows[:HEADER_SEARCH_ROWS]):
                break
        else:
            return None, "no sheet with the header"
    except Exception:  # noqa: BLE001 - an unreadable workbook: the row-by-row loader says why
        return None, "a workbook python-calamine does not read"
    first_row = sheet.start[0] + 1 if sheet.start else 1
    try:
        header_line, header = find_header(definition, ((first_row + i, r) for i, r in enumerate(rows)), "")
        mapped, extras, missing = map_header(definition, header)
    except FileRejected:
        return None, "header the row-by-row loader rejects"
    if extras:
        return None, "columns the definition does not know"
    footer = definition.footer_first_column
    lines, kept = [], []
    for index in range(header_line - first_row + 1, len(rows)):
        cells = rows[index]
        if all(c is None or (c.__class__ is str and not c.strip()) for c in cells):
            continue
        first = cells[0] if cells else None
        if footer is not None and isinstance(first, str) and footer.search(first):
            continue
        lines.append(line_label(first_row + index))
        kept.append(cells)
    width = min((len(r) for r in kept), default=0)
    columns = {}
    for name, i in mapped.items():
        columns[name] = [r[i] for r in kept] if i < width else [r[i] if i < len(r) else None for r in kept]
    return CellsPlan(None, missing, lines, columns), None


# -- JSON exports ----------------------------------------------------------------------------------
def plan_json(path: Path, definition: SourceDefinition) -> tuple[CellsPlan | None, str | None]:
    """The records `readers.read_json` would read, parsed by orjson, or (None, why not). orjson refuses
    what it cannot read as the `json` module does (NaN, infinities, integers beyond 64 bits, lone
    surrogates): such a file goes row by row."""
    import orjson

    if _key_types_not_fast(definition):
        return None, "a key column is an amount or a boolean"
    data = path.read_bytes()
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    if _DEEP.search(data.translate(None, _NOT_BRACKETS)):
        return None, "deeply nested JSON"  # the json module may give up (its call stack) where orjson does not
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None, "JSON orjson does not read"
    records = document.get(definition.records) if isinstance(document, dict) else None
    if not isinstance(records, list):
        return None, "no list of records"
    if not all(r.__class__ is dict for r in records):
        return None, "records that are not objects"
    top_keys = {c.path.split(".")[0] for c in definition.columns}
    if not top_keys.issuperset(set().union(*records)):
        return None, "fields the definition does not know"
    columns = {c.name: _path_values(records, c.path) for c in definition.columns}
    head = records[:50]
    present = {c.name for c in definition.columns if any(record_value(r, c.path)[0] for r in head)}
    if records and any(c.required and c.name not in present for c in definition.columns):
        return None, "required fields missing"
    missing = [c.path for c in definition.columns if c.name not in present] if records else []
    lines = [record_label(definition.records, i) for i in range(len(records))]
    return CellsPlan("utf-8", missing, lines, columns), None


# 500 arrays or objects opened one inside the other: 500 opening brackets in a row once every other byte
# is dropped (brackets inside strings count too: a false alarm only sends the file row by row)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_DEEP = re.compile(rb"[\[{]{500}")


def _path_values(records: list[dict], dotted: str) -> list[Any]:
    """Each record's value at a dotted path, None where it has none (as readers.record_value)."""
    parts = dotted.split(".")
    if len(parts) == 1:
        return list(map(dict.get, records, repeat(dotted)))
    values = []
    for record in records:
        value: Any = record
        for part in parts:
            value = value.get(part) if value.__class__ is dict else None
            if value is None:
                break
        values.append(value)
    return values


# -- the cells -------------------------------------------------------------------------------------
def _identity(value: Any):
    """What makes two non-text cells of a class the same for the row-by-row loader (its fingerprint is
    their repr): the value; a zero or NaN float by its repr (-0.0 is not 0.0), JSON arrays and objects
    by their orjson bytes (the same key order and types whenever the repr is the same)."""
    cls = value.__class__
    if cls is float:
        return value if value == value and value != 0.0 else repr(value)
    if cls is list or cls is dict:
        import orjson

        return orjson.dumps(value)
    return value


class ColumnarCells(ColumnarCsv):
    """Parses the cells of a CellsPlan at once; `copy_blocks` yields one block of CSV bytes for COPY
    (quoted: a workbook's or an export's cells may hold anything) and fills `result`."""

    def __init__(self, path: Path, definition: SourceDefinition, file_plan: CellsPlan):
        names = list(file_plan.columns)
        super().__init__(
            path,
            definition,
            Plan(
                "utf-8",
                file_plan.reported_encoding or "",
                0,
                len(names),
                {name: i for i, name in enumerate(names)},
                file_plan.missing_columns,
            ),
        )
        self.cells = file_plan
        self.unquoted = False
        self.copy_delimiter = ","
        self.objects: dict[str, list[Any]] = {}  # column -> its distinct non-text cells

    def copy_blocks(self):
        out = self._cells_block()
        if out is not None:
            yield out

    def _cells_block(self) -> bytes | None:
        count = len(self.cells.lines)
        if count == 0:
            return None
        data: dict[str, pl.Series] = {"_n": pl.Series("_n", range(count), dtype=pl.Int64)}
        for name, values in self.cells.columns.items():
            texts, ids = self._split(name, values)
            data[f"c_{name}"] = pl.Series(f"c_{name}", texts, dtype=pl.String)
            if ids is not None:
                data[f"j_{name}"] = pl.Series(f"j_{name}", ids, dtype=pl.Int64)
        frame = pl.DataFrame(data)
        row = pl.struct([c for c in frame.columns if c != "_n"])
        frame = frame.with_columns(row.hash(11).alias("_h1"), row.hash(7_919).alias("_h2"))
        frame = self._mark_duplicates(frame)
        frame = self._parse(frame)
        frame = self._mark_key_conflicts(frame)
        self._set_aside(frame)
        return self._copy_csv(frame)

    def _split(self, name: str, values: list[Any]) -> tuple[list[str | None], list[int | None] | None]:
        """The text cells (None elsewhere), and for the other cells an index into self.objects[name]."""
        text = str
        others = [i for i, v in enumerate(values) if v is not None and v.__class__ is not text]
        if not others:
            return values, None
        texts = [v if v.__class__ is text else None for v in values]
        classes = {values[i].__class__ for i in others}
        kind = next(iter(classes))
        if (
            len(classes) == 1
            and kind not in (list, dict)
            and (kind is not float or all(v == v and v != 0.0 for v in (values[i] for i in others)))
        ):
            # one class whose values are their own identity (no -0.0, no NaN): a text cell never equals one
            objects = list(dict.fromkeys(values[i] for i in others))
            index = {v: i for i, v in enumerate(objects)}
            self.objects[name] = objects
            return texts, [index.get(v) for v in values]
        ids: list[int | None] = [None] * len(values)
        seen: dict[type, dict[Any, int]] = {}
        objects: list[Any] = []
        for i in others:
            value = values[i]
            known = seen.get(value.__class__)
            if known is None:
                known = seen[value.__class__] = {}
            key = _identity(value)
            index = known.get(key)
            if index is None:
                index = known[key] = len(objects)
                objects.append(value)
            ids[i] = index
        self.objects[name] = objects
        return texts, ids

    def _resolve_in_python(self, frame, column: Column):
        """The text cells as the CSV path resolves them, then each distinct other cell by its parser."""
        frame = super()._resolve_in_python(frame, column)
        objects = self.objects.get(column.name)
        if not objects:
            return frame
        name = column.name
        if column.type == "json":
            import orjson  # the same JSON as json.dumps for what orjson read (jsonb keeps the value, not the text)

            values = [orjson.dumps(v).decode() for v in objects]
            kinds, errors, raws = [None] * len(objects), [None] * len(objects), [None] * len(objects)
        else:
            values, kinds, errors, raws = python_values(column, objects)
        index = pl.col(f"j_{name}")  # the position of the cell's value in `objects`: a gather, no join
        other = index.is_not_null()

        def of(found: list) -> pl.Expr:
            return pl.lit(pl.Series(found, dtype=pl.String)).gather(index)

        updates = [
            pl.when(other).then(of(values)).otherwise(pl.col(f"p_{name}")).alias(f"p_{name}"),
            pl.when(other).then(of(errors)).otherwise(pl.col(f"e_{name}")).alias(f"e_{name}"),
        ]
        if column.type == "org_identifier":
            updates.append(pl.when(other).then(of(kinds)).otherwise(pl.col(f"k_{name}")).alias(f"k_{name}"))
        if column.keeps_raw_text:
            updates.append(pl.when(other).then(of(raws)).otherwise(pl.col(f"r_{name}")).alias(f"r_{name}"))
        return frame.with_columns(updates)

    def _line_text(self, numbers):
        return pl.lit(pl.Series(self.cells.lines, dtype=pl.String)).gather(numbers)

    def _set_aside(self, frame) -> None:
        aside = frame.select("_n", "_kind", "_reason").filter(pl.col("_kind") != "loaded")
        for n, kind, reason in aside.iter_rows():
            self.result.count(self.cells.lines[n], kind, reason)
            values = {name: cells[n] for name, cells in self.cells.columns.items()}
            self.result.raw_rows.append(json.dumps(json_safe(values), ensure_ascii=False, default=str))
