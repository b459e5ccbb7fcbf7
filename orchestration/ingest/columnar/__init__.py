"""The fast path: whole columns parsed at once (polars), streamed into COPY. `plan` says whether it
serves a file (and why not), `reader` reads a planned file.

The row-by-row loader (`rows.classify_rows`) costs tens of microseconds a row in Python, about twenty
times what PostgreSQL needs to COPY the row. This path gives the same result, row for row and message
for message, at a fraction of the cost. For CSV deliveries (`csv_plan.py`, `csv_reader.py`):

- the file is read in blocks of lines; each block becomes a column of lines that polars splits into
  cells and parses with vectorised expressions for the common writings (`2019/123`, `15/06/2016`,
  `1 250 000,00 DH`, ...);
- a cell those expressions do not recognise is handed to the Python parser of its column, once per
  distinct text: it is the reference, so odd writings, errors and their French messages are exactly
  those of `parsers/` (the tests check that the two paths load the same rows and reject the same
  lines with the same reasons);
- duplicate lines and key conflicts are found across blocks, as the row-by-row loader finds them;
- the loaded rows are written as CSV for COPY block by block (the file's own delimiter, nothing to
  quote), while the server ingests the previous block: memory stays flat and the two cores work at
  once. DEVELOPERS.md lists what keeps it fast.

Workbooks and JSON exports take `cells.py`, on the same expressions: `cells_plan.py` reads the file
whole with its library (python-calamine, orjson) in the thread that feeds COPY, while the server
prepares the load (`Pending`: the landing learns only then whether the path serves the file, and a
NotServed file goes row by row); `cell_objects.py` writes the usual numbers and dates of a workbook
or an export directly, the other non-text cells go to their parser once per distinct value. The CSV
path serves plain CSV files (`csv_plan.py`): without a quote character (so one line is one row and the line numbers
are those a person sees), without a NUL byte or a lone carriage return, without columns the definition
does not know, with key columns that are not amounts or booleans. Any other file goes through the
row-by-row loader (`plan` says why), which handles every case, only slower.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from orchestration.ingest.columnar import cells_plan
from orchestration.ingest.columnar.cells import CellsPlan, ColumnarCells, NotServed
from orchestration.ingest.columnar.csv_plan import Plan, plan_csv
from orchestration.ingest.columnar.csv_reader import ColumnarCsv
from orchestration.ingest.definitions import SourceDefinition

__all__ = ["NotServed", "Pending", "plan", "planned", "reader"]

log = logging.getLogger(__name__)
READ_BY_THE_READER = ("xlsx", "json")  # read whole by a library: planned in the reader's thread (Pending)


def plan(path: Path, definition: SourceDefinition):
    """A plan for the fast path, or (None, why not): csv_plan's for a CSV file, cells_plan's for a
    workbook or a JSON export (`reader` takes either). Raises FileRejected for a CSV file that no path
    can load (unknown encoding, no header, a required column missing), with the row-by-row loader's words."""
    if definition.format != "csv":
        planner = {"xlsx": cells_plan.plan_xlsx, "json": cells_plan.plan_json}.get(definition.format)
        if planner is None:
            return None, f"no fast path for {definition.format}"
        try:
            return planner(path, definition)
        except Exception:  # a defect of the fast path must not cost the file: the row-by-row loader takes it
            log.exception("%s: the fast %s path failed to read the file", path.name, definition.format.upper())
            return None, "fast path failed"
    return plan_csv(path, definition)


@dataclass
class Pending:
    """A workbook or an export whose plan (`plan`, above) is made by its reader, in the thread that
    feeds COPY, while the server prepares the load; `why` says why not once it is read."""

    path: Path
    definition: SourceDefinition
    why: str | None = None

    def read(self) -> CellsPlan | None:
        file_plan, self.why = plan(self.path, self.definition)
        return file_plan


def planned(path: Path, definition: SourceDefinition):
    """What the landing hands to `reader`: `plan`'s answer, or for a workbook or an export a Pending
    plan (the reader raises NotServed if the file, once read, goes row by row)."""
    if definition.format in READ_BY_THE_READER:
        return Pending(path, definition), None
    return plan(path, definition)


def reader(path: Path, definition: SourceDefinition, file_plan) -> ColumnarCsv:
    """The fast reader of a planned file: `copy_blocks()` for COPY, `result`, `copy_delimiter`, and once
    the blocks are read `reported_encoding` and `missing_columns`."""
    if isinstance(file_plan, Plan):
        return ColumnarCsv(path, definition, file_plan)
    return ColumnarCells(path, definition, file_plan)
