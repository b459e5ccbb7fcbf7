"""The fast path for workbooks and JSON exports: the cells a reader holds in memory (python-calamine's
rows, orjson's records, read by `cells_plan.py`) parsed column by column, as the CSV path parses its
blocks (csv_reader.py).

The file is read whole by its library, in the thread that feeds COPY: meanwhile the server prepares the
load (its lock, the raw table). Each column of cells becomes a polars text column for its text cells,
which go through the CSV path's expressions and, for the writings they leave, the Python parser once
per distinct text; the other cells (numbers, dates, booleans, nested arrays and objects) go to the
Python parser once per distinct value. Both are `parsers/` itself for anything unusual, so values,
errors and French messages are the row-by-row loader's (`tests/unit/test_columnar_cells.py` checks
it against `rows.classify_rows`). The rows are then parsed and sent in blocks, each one written by
the server while the next is parsed; duplicates and key conflicts are found across blocks as the CSV
path finds them.
"""

from __future__ import annotations

import contextlib
import gc
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl

from orchestration.ingest.columnar.cell_objects import object_values
from orchestration.ingest.columnar.cells_plan import CellsPlan
from orchestration.ingest.columnar.csv_plan import Plan
from orchestration.ingest.columnar.csv_reader import ColumnarCsv, Result
from orchestration.ingest.definitions import Column, SourceDefinition
from orchestration.ingest.rows import json_safe

__all__ = ["BLOCK_ROWS", "CellsPlan", "ColumnarCells", "NotServed"]

BLOCK_ROWS = 50_000  # a register of the region is one block; more rows, as many blocks of about 10 MB of COPY text


class NotServed(Exception):  # noqa: N818 - not an error: the row-by-row loader takes the file
    """Raised by `copy_blocks` when the file, once read, is not one this path serves; `why` says why."""

    def __init__(self, why: str | None):
        super().__init__(why)
        self.why = why


@contextlib.contextmanager
def without_cyclic_gc():
    """Python's cyclic garbage collector paused while a file is read into Python objects and made into
    columns. A reader makes tens of thousands of containers at once (a workbook's rows, an export's
    records and their nested participations), alive until the file is read: each 700 new ones started
    a collection that walked the young ones again, and now and then a full one walked the whole heap
    (19 to 51 ms of a region workbook's or export's landing on a busy machine, measured with
    gc.callbacks). They hold no cycles, and most are freed before the collector is on again. The pause
    is process-wide, for the fraction of a second the reading lasts; only whoever set it lifts it
    (another thread may be reading meanwhile)."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


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
    """Parses the cells of a CellsPlan; `copy_blocks` yields blocks of CSV bytes for COPY (quoted: a
    workbook's or an export's cells may hold anything) and fills `result`. Given instead something
    whose `read()` gives the plan (`columnar.Pending`), it reads the file first, in `copy_blocks`,
    and raises NotServed when the plan says no."""

    def __init__(self, path: Path, definition: SourceDefinition, file_plan):
        self.path = path
        self.definition = definition
        self.pending = None if isinstance(file_plan, CellsPlan) else file_plan
        self.result = Result()
        self.reported_encoding, self.missing_columns = None, []
        self.copy_delimiter = ","  # known before the file is read: COPY starts meanwhile
        if self.pending is None:
            self._take(file_plan)

    def _take(self, file_plan: CellsPlan) -> None:
        names = list(file_plan.columns)
        plan = Plan(
            "utf-8",
            file_plan.reported_encoding or "",
            0,
            len(names),
            {name: i for i, name in enumerate(names)},
            file_plan.missing_columns,
        )
        super().__init__(self.path, self.definition, plan)
        self.reported_encoding = file_plan.reported_encoding
        self.cells = file_plan
        self.unquoted = False
        self.copy_delimiter = ","
        self.objects: dict[str, list[Any]] = {}  # column -> its distinct non-text cells
        self.parsed_objects: dict[str, tuple[list, list, list, list]] = {}  # column -> their parsed values

    def copy_blocks(self) -> Iterator[bytes]:
        with without_cyclic_gc():
            if self.pending is not None:
                file_plan = self.pending.read()
                if file_plan is None:
                    raise NotServed(self.pending.why)
                self._take(file_plan)
            count = len(self.cells.lines)
            if count == 0:
                return
            frame = self._cells_frame()
        for start in range(0, count, BLOCK_ROWS):
            out = self._cells_block(frame.slice(start, BLOCK_ROWS))
            if out is not None:
                yield out

    def _cells_frame(self):
        """Every row: `_n`, the text cells `c_`, the indexes `j_` of the other cells, the row's hashes."""
        data: dict[str, pl.Series] = {"_n": pl.Series("_n", range(len(self.cells.lines)), dtype=pl.Int64)}
        for name, values in self.cells.columns.items():
            texts, ids = self._split(name, values)
            data[f"c_{name}"] = pl.Series(f"c_{name}", texts, dtype=pl.String)
            if ids is not None:
                data[f"j_{name}"] = pl.Series(f"j_{name}", ids, dtype=pl.Int64)
        frame = pl.DataFrame(data)
        row = pl.struct([c for c in frame.columns if c != "_n"])
        return frame.with_columns(row.hash(11).alias("_h1"), row.hash(7_919).alias("_h2"))

    def _cells_block(self, frame) -> bytes | None:
        frame = self._mark_duplicates(frame)
        frame = self._parse(frame)
        frame = self._mark_key_conflicts(frame)
        self._set_aside(frame)
        return self._copy_csv(frame)

    def _split(self, name: str, values: list[Any]) -> tuple[list[str | None], list[int | None] | None]:
        """The text cells (None elsewhere), and for the other cells an index into self.objects[name]."""
        text = str
        present = set(map(type, values))  # the classes, at C speed: most columns hold text only
        classes = present - {text, type(None)}
        if not classes:
            return values, None
        kind = next(iter(classes))
        if len(classes) == 1 and kind not in (list, dict):
            if present == classes:  # no text, no empty cell: a column of numbers or dates
                objects = list(dict.fromkeys(values))
                texts = [None] * len(values)
            else:
                objects = list(dict.fromkeys(v for v in values if v.__class__ is kind))
                texts = [v if v.__class__ is text else None for v in values]
            # one class whose values are their own identity (no -0.0, which equals 0.0, no NaN): a text
            # cell never equals one
            if kind is not float or all(v == v and v != 0.0 for v in objects):
                index = {v: i for i, v in enumerate(objects)}
                self.objects[name] = objects
                return texts, list(map(index.get, values))
        else:
            texts = [v if v.__class__ is text else None for v in values]
        others = [i for i, v in enumerate(values) if v is not None and v.__class__ is not text]
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

    def _resolve_in_python(self, frame, columns: list[Column]):
        """The text cells as the CSV path resolves them, then each distinct other cell by its parser."""
        frame = super()._resolve_in_python(frame, columns)
        updates = []
        for column in columns:
            name = column.name
            objects = self.objects.get(name)
            if not objects:
                continue
            if name not in self.parsed_objects:  # the whole file's, once: every block gathers from them
                self.parsed_objects[name] = object_values(column, objects)
            values, kinds, errors, raws = self.parsed_objects[name]
            index = pl.col(f"j_{name}")  # the position of the cell's value in `objects`: a gather, no join
            other = index.is_not_null()

            def of(found: list, index=index) -> pl.Expr:
                return pl.lit(pl.Series(found, dtype=pl.String)).gather(index)

            updates += [
                pl.when(other).then(of(values)).otherwise(pl.col(f"p_{name}")).alias(f"p_{name}"),
                pl.when(other).then(of(errors)).otherwise(pl.col(f"e_{name}")).alias(f"e_{name}"),
            ]
            if column.type == "org_identifier":
                updates.append(pl.when(other).then(of(kinds)).otherwise(pl.col(f"k_{name}")).alias(f"k_{name}"))
            if column.keeps_raw_text:
                updates.append(pl.when(other).then(of(raws)).otherwise(pl.col(f"r_{name}")).alias(f"r_{name}"))
        return frame.with_columns(updates) if updates else frame

    def _line_text(self, numbers):
        return pl.lit(pl.Series(self.cells.lines, dtype=pl.String)).gather(numbers)

    def _set_aside(self, frame) -> None:
        aside = frame.select("_n", "_kind", "_reason").filter(pl.col("_kind") != "loaded")
        for n, kind, reason in aside.iter_rows():
            self.result.count(self.cells.lines[n], kind, reason)
            values = {name: cells[n] for name, cells in self.cells.columns.items()}
            self.result.raw_rows.append(json.dumps(json_safe(values), ensure_ascii=False, default=str))
