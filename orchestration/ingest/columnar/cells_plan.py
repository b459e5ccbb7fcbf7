"""What the fast path needs of a workbook or a JSON export before parsing its cells (`cells.py`): the file
read whole by its library (python-calamine's rows, orjson's records) into a column of cells for each of
the definition's columns, with where each data row is, or why the path does not serve it.

`plan_xlsx` and `plan_json` read the file and say whether this path serves it; anything unusual
(extra columns, records that are not objects, JSON that orjson does not read exactly as the `json`
module, a file a reader would reject) goes to the row-by-row loader, which handles every case and
words every rejection.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import Any

from orchestration.ingest.columnar.csv_plan import KEY_TYPES_NOT_FAST
from orchestration.ingest.definitions import SourceDefinition
from orchestration.ingest.readers import (
    HEADER_SEARCH_ROWS,
    FileRejected,
    find_header,
    map_header,
    normalize_title,
    record_value,
)
from orchestration.ingest.rejections import line_label, record_label


@dataclass
class CellsPlan:
    """A file read into memory, ready for ColumnarCells: a label and the cells of each data row."""

    reported_encoding: str | None
    missing_columns: list[str]
    lines: list[str]  # where each data row is: "ligne 12", "$.adherents[3]"
    columns: dict[str, Sequence[Any]]  # column name -> its cell on each data row, as the reader delivered it


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
        first = cells[0] if cells else None
        if first.__class__ is str:
            if footer is not None and footer.search(first):
                continue
            # a row whose first cell has text is not blank (most rows): the other cells need no look
            if not first.strip() and all(c is None or (c.__class__ is str and not c.strip()) for c in cells):
                continue
        elif first is None and all(c is None or (c.__class__ is str and not c.strip()) for c in cells):
            continue
        lines.append(line_label(first_row + index))
        kept.append(cells)
    widths = {len(r) for r in kept}
    if len(widths) == 1:  # python-calamine's rows span the sheet's range: one width, a transposition in C
        by_position = list(zip(*kept))
        columns = {name: by_position[i] if i < len(by_position) else [None] * len(kept) for name, i in mapped.items()}
    else:
        width = min(widths, default=0)
        columns = {
            name: [r[i] for r in kept] if i < width else [r[i] if i < len(r) else None for r in kept]
            for name, i in mapped.items()
        }
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
    values = _path_values(records, [c.path for c in definition.columns])
    columns = {c.name: values[c.path] for c in definition.columns}
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


def _path_values(records: list[dict], paths: list[str]) -> dict[str, list[Any]]:
    """Each record's value at each dotted path, None where it has none (as readers.record_value); the
    values at a prefix shared by several paths (`effectif` of `effectif.hommes`) are looked up once,
    shorter prefixes first. A loop, not a recursive closure: a closure that calls itself is a reference
    cycle, which kept every record alive until Python's cyclic collector found it (walking them all:
    a sixth of the members' export's landing)."""
    found: dict[str, list[Any]] = {}
    prefixes = {".".join(path.split(".")[: depth + 1]) for path in paths for depth in range(path.count(".") + 1)}
    for dotted in sorted(prefixes, key=lambda p: p.count(".")):
        parent, _, last = dotted.rpartition(".")
        if not parent:
            found[dotted] = list(map(dict.get, records, repeat(dotted)))
        else:
            found[dotted] = [v.get(last) if v.__class__ is dict else None for v in found[parent]]
    return {dotted: found[dotted] for dotted in paths}
