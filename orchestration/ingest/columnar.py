"""The fast path for CSV deliveries: whole columns parsed at once (polars), streamed into COPY.

The row-by-row loader (`rows.classify_rows`) costs tens of microseconds a row in Python, about twenty
times what PostgreSQL needs to COPY the row. This path gives the same result, row for row and message
for message, at a fraction of the cost:

- the file is read in blocks of lines; each block becomes a column of lines that polars splits into
  cells and parses with vectorised expressions for the common writings (`2019/123`, `15/06/2016`,
  `1 250 000,00 DH`, ...);
- a cell those expressions do not recognise is handed to the Python parser of its column, once per
  distinct text: it is the reference, so odd writings, errors and their French messages are exactly
  those of `parsers.py` (the tests check that the two paths load the same rows and reject the same
  lines with the same reasons);
- duplicate lines and key conflicts are found across blocks, as the row-by-row loader finds them;
- the loaded rows are written as CSV for COPY block by block (the file's own delimiter, nothing to
  quote), while the server ingests the previous block: memory stays flat and the two cores work at
  once. DEVELOPERS.md lists what keeps it fast.

It serves plain CSV files: without a quote character (so one line is one row and the line numbers
are those a person sees), without a NUL byte or a lone carriage return, without columns the definition
does not know, with key columns that are not amounts or booleans. Any other file goes through the
row-by-row loader (`plan` says why), which handles every case, only slower.
"""

from __future__ import annotations

import codecs
import io
import json
import logging
import os
import queue
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from orchestration.ingest import parsers
from orchestration.ingest.definitions import Column, SourceDefinition
from orchestration.ingest.readers import detect_encoding, find_header, map_header, reported_encoding
from orchestration.ingest.rejections import (DUPLICATE_REASON, cell_reason, column_label, key_conflict_expr,
                                             line_label, line_label_expr, missing_key_reason, row_reason_expr)
from orchestration.ingest.rows import PARSERS, RowCounts, json_safe, raw_text

log = logging.getLogger(__name__)

BLOCK_BYTES = 8 << 20  # about 50,000 lines of a register
LAST_BLOCK_BYTES = 1 << 19
SCAN_BYTES = 1 << 22

# Python's str.isspace() set is Unicode White_Space (polars' \s) plus the four separators U+001C-U+001F.
_SPACE = r"\s\x{1c}-\x{1f}"
# A cell whose first or last character is a space other than U+0020 or a format character is left to
# Python: its strip() and polars' could disagree on such edges.
_ODD_EDGE = rf"^[{_SPACE}\p{{Cf}}]|[{_SPACE}\p{{Cf}}]$"
_KEY_TYPES_NOT_FAST = ("amount", "bool", "json")
_CITY = "|".join(sorted(parsers.REGISTER_CITY_CODES))
_LONE_CR = re.compile(rb"\r(?!\n)")


@dataclass
class Plan:
    """What the fast path needs to know of a file before reading its rows."""

    encoding: str
    reported_encoding: str
    header_line: int
    width: int  # cells in the header
    mapped: dict[str, int]
    missing_columns: list[str]


@dataclass
class Result(RowCounts):
    raw_rows: list[str] = field(default_factory=list)  # each set-aside row as delivered, as JSON


def plan(path: Path, definition: SourceDefinition):
    """A plan for the fast path, or (None, why not): this module's for a CSV file, columnar_cells'
    for a workbook or a JSON export (`reader` takes either). Raises FileRejected for a CSV file that
    no path can load (unknown encoding, no header, a required column missing), with the row-by-row
    loader's words."""
    if definition.format != "csv":
        from orchestration.ingest import columnar_cells

        planner = {"xlsx": columnar_cells.plan_xlsx, "json": columnar_cells.plan_json}.get(definition.format)
        if planner is None:
            return None, f"no fast path for {definition.format}"
        try:
            return planner(path, definition)
        except Exception:  # a defect of the fast path must not cost the file: the row-by-row loader takes it
            log.exception("%s: the fast %s path failed to read the file", path.name, definition.format.upper())
            return None, "fast path failed"
    if definition.delimiter in ('"', "\n", "\r"):
        return None, "unusual delimiter"
    if any(definition.column(k).type in _KEY_TYPES_NOT_FAST for k in definition.key):
        return None, "a key column is an amount or a boolean"
    if definition.footer_first_column is not None and not _polars_accepts(definition.footer_first_column.pattern):
        return None, "footer pattern not understood by polars"
    why = _unsuitable_bytes(path)
    if why:
        return None, why
    encoding = detect_encoding(path, definition.encodings)
    with open(path, encoding=encoding, newline="") as handle:
        lines = ((number, _split(line, definition.delimiter)) for number, line in enumerate(handle, start=1))
        header_line, header = find_header(definition, lines, "")
    mapped, extras, missing = map_header(definition, header)
    if extras:
        return None, "columns the definition does not know"
    return Plan(encoding, reported_encoding(path, encoding), header_line, len(header), mapped, missing), None


def reader(path: Path, definition: SourceDefinition, file_plan) -> "ColumnarCsv":
    """The fast reader of a planned file: `copy_blocks()` for COPY, `result`, `copy_delimiter`."""
    if isinstance(file_plan, Plan):
        return ColumnarCsv(path, definition, file_plan)
    from orchestration.ingest.columnar_cells import ColumnarCells

    return ColumnarCells(path, definition, file_plan)


def _polars_accepts(pattern: str) -> bool:
    try:
        pl.Series([""]).str.contains("(?i)" + pattern)
    except Exception:  # polars' regex syntax differs from Python's on this pattern
        return False
    return True


def _split(line: str, delimiter: str) -> list[str]:
    """A line's cells as the csv module gives them for a line without quotes."""
    line = line.rstrip("\n").removesuffix("\r")
    return line.split(delimiter) if line else []


def _unsuitable_bytes(path: Path) -> str | None:
    with open(path, "rb") as handle:
        carry = b""
        while chunk := handle.read(SCAN_BYTES):
            if b'"' in chunk:
                return "quoted cells"
            if b"\x00" in chunk:
                return "NUL bytes"
            data = carry + chunk
            carry = b"\r" if data.endswith(b"\r") else b""  # its \n may start the next chunk
            body = data[:-1] if carry else data
            if _LONE_CR.search(body):
                return "carriage returns inside lines"
    return None


# -- the expressions ------------------------------------------------------------------------------
def _fast_parts(text, column_type: str) -> dict:
    """The first of two steps of _fast_value: the pieces a value is read from, by kind (`d`: a date written ISO,
    `a`: an amount without its currency, `x`: receipt parts, `y`: register parts). Each is computed once
    into a column: an eager polars frame evaluates an expression again wherever it is used."""
    digits = r"[0-9]"
    if column_type == "date":  # 15/06/2016 or 2016-06-15, as 2016-06-15 (checked in _fast_value)
        dmy = text.str.contains(rf"^{digits}{{2}}/{digits}{{2}}/{digits}{{4}}$")
        ymd = text.str.contains(rf"^{digits}{{4}}-{digits}{{2}}-{digits}{{2}}$")
        iso = pl.concat_str(text.str.slice(6, 4), pl.lit("-"), text.str.slice(3, 2), pl.lit("-"), text.str.slice(0, 2))
        return {"d": pl.when(dmy).then(iso).when(ymd).then(text)}
    if column_type == "amount":
        return {"a": text.str.replace(r"(?i)[ \x{a0}\x{202f}]*(dhs?|mad)\.?$", "")}
    receipt = {"x": text.str.extract_groups(r"^([0-9]{1,6})/([0-9]{1,6})$")}
    register = {"y": text.str.extract_groups(rf"^({_CITY})/([0-9]{{4}})/([0-9]{{1,6}})$")}
    if column_type == "receipt_number":
        return receipt
    if column_type == "register_number":
        return register
    if column_type == "org_identifier":
        return receipt | register
    return {}


def _fast_value(text, parts: dict, column_type: str):
    """The parsed value of the common writings, as the text COPY reads; null when the cell is left to
    the Python parser. `text` is the cell (a text cell without its spaces), `parts` the columns of
    _fast_parts. No writing read here starts or ends with a space or a format character: such cells
    go to Python."""
    digits = r"[0-9]"
    if column_type == "text":
        return text
    if column_type == "int":
        return pl.when(text.str.contains(rf"^{digits}{{1,15}}$")).then(text.cast(pl.Int64).cast(pl.String))
    if column_type == "date":
        iso = parts["d"]
        date = iso.str.to_date("%Y-%m-%d", strict=False)
        return pl.when(date.dt.year() >= 1).then(iso)  # a real day; Python has no year 0
    if column_type == "amount":
        bare = parts["a"]
        grouped = rf"{digits}{{1,3}}(?:[ \x{{a0}}\x{{202f}}\x{{2009}}]{digits}{{3}}){{1,4}}"
        plain = rf"{digits}{{1,15}}"
        number = rf"^(?:{plain}|{grouped})(?:[.,]{digits}{{1,2}})?$"
        return pl.when(bare.str.contains(number)).then(
            bare.str.replace_all(r"[ \x{a0}\x{202f}\x{2009}]", "").str.replace(",", ".", literal=True))
    if column_type == "ice":
        return pl.when(text.str.contains(rf"^{digits}{{1,15}}$") & text.str.contains("[1-9]")).then(
            text.str.zfill(15))
    if column_type == "receipt_number":
        return _receipt(parts["x"])
    if column_type == "register_number":
        return _register(parts["y"])
    if column_type == "org_identifier":  # the kind follows from the shape: see _fast_kind
        return pl.coalesce(_register(parts["y"]), _receipt(parts["x"]))
    return None  # province, bool: few distinct writings, each parsed once in Python


def _fast_kind(parts: dict):
    """The kind parsers.parse_org_identifier gives the two shapes _fast_value reads."""
    return (pl.when(_register(parts["y"]).is_not_null()).then(pl.lit("register"))
            .when(_receipt(parts["x"]).is_not_null()).then(pl.lit("receipt")))


def _year_ok(year):
    return year.cast(pl.Int32, strict=False).is_between(1900, 2100)


def _receipt(parts):
    """`2019/123` or `123/2019`: a year and a sequence; the first part is the year when it can be one."""
    first, second = parts.struct.field("1"), parts.struct.field("2")
    first_is_year = (first.str.len_bytes() == 4) & _year_ok(first)  # digits only: bytes are characters
    second_is_year = (second.str.len_bytes() == 4) & _year_ok(second)
    year = pl.when(first_is_year).then(first).when(second_is_year).then(second)
    seq = pl.when(first_is_year).then(second).when(second_is_year).then(first).cast(pl.Int64, strict=False)
    return pl.when(year.is_not_null() & (seq > 0)).then(pl.concat_str(year, pl.lit("/"), seq.cast(pl.String)))


def _register(parts):
    """`FES/2015/0123` with a region city code, in capitals."""
    city, year = parts.struct.field("1"), parts.struct.field("2")
    seq = parts.struct.field("3").cast(pl.Int64, strict=False)
    return pl.when(_year_ok(year) & (seq > 0)).then(
        pl.concat_str(city, pl.lit("/"), year, pl.lit("/"), seq.cast(pl.String).str.zfill(4)))


def _python_values(column: Column, texts: list[str]) -> tuple[list, list, list, list]:
    """The reference parser on each distinct text: value as COPY text, kind, error message, raw text."""
    parse = PARSERS[column.type]
    label = column_label(column)
    values, kinds, errors, raws = [], [], [], []
    for text in texts:
        raws.append(raw_text(text))
        try:
            parsed = parse(text)
        except parsers.ParseError as exc:
            values.append(None), kinds.append(None), errors.append(cell_reason(label, exc))
            continue
        kind = None
        if column.type == "org_identifier" and parsed is not None:
            kind, parsed = parsed
        values.append(None if parsed is None else str(parsed)), kinds.append(kind), errors.append(None)
    return values, kinds, errors, raws


def parse_column(column: Column, cells: list[str | None]) -> list[tuple[str | None, str | None, str | None, str | None]]:
    """One column of cells through the fast path's parsing, expressions then Python: for each cell
    (value as COPY reads it, kind of an identifier, error message, raw text). For tests and checks."""
    definition = SourceDefinition(provider="check", name="column", description="", file_pattern=re.compile("x"),
                                  format="csv", semantics="cumulative", key=(), columns=(column,))
    reader = ColumnarCsv(Path("."), definition, Plan("utf-8", "utf-8", 1, 1, {column.name: 0}, []))
    reader.unquoted = False  # any cell may come here, the delimiter included; nothing is written
    frame = pl.DataFrame({f"c_{column.name}": cells}, schema={f"c_{column.name}": pl.String}).with_columns(
        pl.lit(False).alias("_duplicate"))
    frame = reader._parse(frame)
    kinds = frame[f"k_{column.name}"] if column.type == "org_identifier" else [None] * frame.height
    raws = frame[f"r_{column.name}"] if column.keeps_raw_text else [None] * frame.height
    return list(zip(frame[f"p_{column.name}"], kinds, frame[f"e_{column.name}"], raws))


def _filtered(frame, keep):
    """frame.filter(keep), without copying every column when every row is kept (most blocks)."""
    kept = frame.select(keep.alias("_keep")).to_series()
    return frame if kept.all() else frame.filter(kept)


# -- the file ---------------------------------------------------------------------------------------
class ColumnarCsv:
    """Reads, checks and parses a planned CSV file block by block; `copy_blocks` yields the CSV bytes
    of the loaded rows for COPY (`_line`, `_extra`, then the raw table's columns), and fills `result`."""

    def __init__(self, path: Path, definition: SourceDefinition, file_plan: Plan):
        self.path = path
        self.definition = definition
        self.plan = file_plan
        # The rows go to COPY with the file's own delimiter when COPY accepts it: no cell of a plain CSV
        # file holds it, a quote or a line end, so nothing needs quoting (a third cheaper to write).
        delimiter = definition.delimiter
        self.unquoted = delimiter.isascii() and len(delimiter) == 1 and delimiter != "\\"
        self.copy_delimiter = delimiter if self.unquoted else ","
        self.result = Result()
        self.key = list(definition.key)
        self.seen_rows = None   # two 64-bit hashes of every row so far
        self.seen_keys = None   # key values -> first line, of every loaded row so far

    def copy_blocks(self) -> Iterator[bytes]:
        read = Ahead(self._blocks(), 1, "columnar-csv-read")  # the next block is read and transcoded meanwhile
        try:
            for first_line, data in read:
                out = self._block(first_line, data)
                if out is not None:
                    yield out
        finally:
            read.close()

    def _blocks(self) -> Iterator[tuple[int, bytes]]:
        """(number of its first line, UTF-8 bytes of whole lines) of the data part of the file."""
        transcode = codecs.lookup(self.plan.encoding).name not in ("utf-8", "utf-8-sig")
        with open(self.path, "rb") as handle:  # b"\n" is a line end in UTF-8 and in the code pages alike
            for _ in range(self.plan.header_line):
                handle.readline()
            number = self.plan.header_line + 1
            carry = b""
            size = os.fstat(handle.fileno()).st_size
            while True:
                # Blocks halve towards the end of the file: the server's COPY of the last block is the
                # only part of it that nothing overlaps.
                remaining = size - handle.tell()
                piece = handle.read(min(BLOCK_BYTES, max(remaining // 2, LAST_BLOCK_BYTES)))
                if not piece:
                    if carry:
                        yield number, self._utf8(carry, transcode)
                    return
                piece = carry + piece
                cut = piece.rfind(b"\n") + 1
                if cut == 0:
                    carry = piece
                    continue
                piece, carry = piece[:cut], piece[cut:]
                yield number, self._utf8(piece, transcode)
                number += piece.count(b"\n")

    def _utf8(self, data: bytes, transcode: bool) -> bytes:
        return data.decode(self.plan.encoding).encode("utf-8") if transcode else data

    def _lines(self, data: bytes):
        """One row per line, with its number: polars' CSV reader with a separator the file cannot hold
        (the plan excludes NUL bytes) splits the lines, without their CR LF, in parallel."""
        return pl.read_csv(data, separator="\x00", has_header=False, quote_char=None, schema={"text": pl.String},
                           empty_string_is_null=False, raise_if_empty=False)

    def _block(self, first_line: int, data: bytes) -> bytes | None:
        definition = self.definition
        delimiter = definition.delimiter
        frame = self._lines(data).with_row_index("_n", offset=first_line).with_columns(pl.col("_n").cast(pl.Int64))
        # blank lines (nothing but delimiters and spaces) and the footer are not data rows
        keep = pl.col("text").str.contains(rf"[^\x{{{ord(delimiter):x}}}{_SPACE}]")
        cells = pl.col("_cells")
        frame = _filtered(frame, keep).with_columns(pl.col("text").str.split(delimiter).alias("_cells"))
        frame = frame.with_columns(
            [cells.list.get(i, null_on_oob=True).alias(f"c_{name}") for name, i in self.plan.mapped.items()]
            + ([cells.list.get(0, null_on_oob=True).alias("_first")] if definition.footer_first_column else [])
            + [hashed.alias(f"_h{i}") for i, hashed in enumerate(self._row_hashes(frame), start=1)]
        ).drop("_cells", "text")
        if definition.footer_first_column is not None:
            pattern = "(?i)" + definition.footer_first_column.pattern
            frame = _filtered(frame, ~pl.col("_first").str.contains(pattern).fill_null(False)).drop("_first")
        if frame.height == 0:
            return None
        frame = self._mark_duplicates(frame)
        frame = self._parse(frame)
        frame = self._mark_key_conflicts(frame)
        self._set_aside(frame)
        return self._copy_csv(frame)

    # -- duplicates ------------------------------------------------------------------------------
    def _row_hashes(self, frame):
        """Two hashes of what makes a row a duplicate line: the cells under the definition's columns, as
        the row-by-row loader compares them. When those are all the header's columns, the hashes of the
        line itself (cut after as many cells as the header has): ten times cheaper than of the cells."""
        width = self.plan.width
        if sorted(self.plan.mapped.values()) != list(range(width)):
            row = pl.struct([pl.col("_cells").list.get(i, null_on_oob=True).alias(f"c{i}")
                             for i in sorted(self.plan.mapped.values())])
        elif frame.height == 0 or frame["_cells"].list.len().max() <= width:
            row = pl.col("text")
        else:
            row = pl.col("_cells").list.head(width).list.join(self.definition.delimiter)
        return row.hash(11), row.hash(7_919)

    def _mark_duplicates(self, frame):
        frame = frame.with_columns((~pl.struct("_h1", "_h2").is_first_distinct()).alias("_duplicate"))
        if self.seen_rows is not None:
            # a copy of a line of an earlier block: the first hash finds the few rows to compare
            maybe = ~pl.col("_duplicate") & pl.col("_h1").is_in(self.seen_rows["_h1"].implode())
            maybe = frame.select("_n", "_h1", "_h2", maybe.alias("_maybe")).filter("_maybe")
            if maybe.height:
                seen = self.seen_rows.filter(pl.col("_h1").is_in(maybe["_h1"].implode()))
                earlier = maybe.join(seen, on=["_h1", "_h2"], how="semi")["_n"]
                frame = frame.with_columns(pl.col("_duplicate") | pl.col("_n").is_in(earlier.implode()))
        new = frame.select("_h1", "_h2", "_duplicate").filter(~pl.col("_duplicate")).drop("_duplicate")
        self.seen_rows = new if self.seen_rows is None else pl.concat([self.seen_rows, new])
        return frame

    # -- cells -----------------------------------------------------------------------------------
    def _parse(self, frame):
        """p_<column>: the parsed value as COPY text; r_: the raw text; e_: the error; k_: the kind of an
        identifier. The expressions first, then Python for what they left."""
        # Each step materialises its columns: an eager polars frame computes an expression once per use.
        mapped = [c for c in self.definition.columns if c.name in self.plan.mapped]
        absent = [c for c in self.definition.columns if c.name not in self.plan.mapped]
        # s_: a text cell without its spaces. The other types read the cell as it is: their expressions
        # read no writing that starts or ends with a space or a format character, such cells go to
        # Python. Only a text cell needs its edges checked (see _ODD_EDGE).
        texts = [c for c in mapped if c.type == "text"]
        frame = frame.with_columns([pl.col(f"c_{c.name}").str.strip_chars(" ").alias(f"s_{c.name}") for c in texts])
        cell = {c.name: pl.col(f"s_{c.name}" if c.type == "text" else f"c_{c.name}") for c in mapped}
        parts = {c.name: _fast_parts(cell[c.name], c.type) for c in mapped}
        frame = frame.with_columns(
            [cell[c.name].str.contains(_ODD_EDGE).fill_null(False).alias(f"o_{c.name}")
             if c.type == "text" else pl.lit(False).alias(f"o_{c.name}") for c in mapped]
            + [(cell[c.name].is_null() | (cell[c.name] == "")).alias(f"z_{c.name}") for c in mapped]
            + [expr.alias(f"{kind}_{name}") for name, kinds in parts.items() for kind, expr in kinds.items()])
        parts = {name: {kind: pl.col(f"{kind}_{name}") for kind in kinds} for name, kinds in parts.items()}
        plain = {c.name: ~pl.col(f"o_{c.name}") & ~pl.col(f"z_{c.name}") for c in mapped}
        values = []
        for column in mapped:
            fast = _fast_value(cell[column.name], parts[column.name], column.type)
            values.append(pl.when(plain[column.name]).then(fast).alias(f"p_{column.name}") if fast is not None
                          else pl.lit(None, dtype=pl.String).alias(f"p_{column.name}"))
            if column.keeps_raw_text:
                values.append(pl.when(plain[column.name]).then(pl.col(f"c_{column.name}")).alias(f"r_{column.name}"))
        nothing = pl.lit(None, dtype=pl.String)
        values += [nothing.alias(f"p_{c.name}") for c in absent]
        values += [nothing.alias(f"r_{c.name}") for c in absent if c.keeps_raw_text]
        values += [nothing.alias(f"e_{c.name}") for c in self.definition.columns]
        values += [pl.when(plain[c.name]).then(_fast_kind(parts[c.name])).alias(f"k_{c.name}")
                   if c.name in plain else nothing.alias(f"k_{c.name}")
                   for c in self.definition.columns if c.type == "org_identifier"]
        frame = frame.with_columns(values)
        frame = frame.with_columns(
            [(pl.col(f"o_{c.name}") | (~pl.col(f"z_{c.name}") & pl.col(f"p_{c.name}").is_null())).alias(f"q_{c.name}")
             for c in mapped])
        for column in self.definition.columns:
            if column.name in self.plan.mapped:
                frame = self._resolve_in_python(frame, column)
        missing_keys = []
        for name in self.key:
            column = self.definition.column(name)
            missing_keys.append(
                pl.when(pl.col(f"p_{name}").is_null() & pl.col(f"e_{name}").is_null())
                .then(pl.lit(missing_key_reason(column_label(column))))
                .otherwise(pl.col(f"e_{name}")).alias(f"e_{name}"))
        frame = frame.with_columns(missing_keys)
        errors = [pl.col(f"e_{c.name}") for c in self.definition.columns]
        return frame.with_columns(pl.when(pl.any_horizontal([e.is_not_null() for e in errors]))
                                  .then(row_reason_expr(errors)).alias("_errors"))

    def _resolve_in_python(self, frame, column: Column):
        """Cells the expressions left go to the Python parser, once per distinct text."""
        name = column.name
        # narrow selections and joins: a filter or join of the whole frame would copy all its columns
        texts = frame.select(pl.col(f"c_{name}").filter(pl.col(f"q_{name}") & ~pl.col("_duplicate")).unique())
        texts = texts.to_series().to_list()
        if not texts:
            return frame
        values, kinds, errors, raws = _python_values(column, texts)
        if self.unquoted:
            unwritable = [v for v in values if v is not None and (v == "" or any(c in v for c in f'{self.copy_delimiter}"\r\n'))]
            if unwritable:  # a defect of a parser: the loader falls back to the row-by-row path
                raise ValueError(f"{column.name}: a parsed value cannot be written unquoted: {unwritable[0]!r}")
        lookup = pl.DataFrame({f"c_{name}": texts, "_v": values, "_k": kinds, "_e": errors, "_r": raws},
                              schema={f"c_{name}": pl.String, "_v": pl.String, "_k": pl.String, "_e": pl.String,
                                      "_r": pl.String})
        found = frame.select(f"c_{name}").join(lookup, on=f"c_{name}", how="left", maintain_order="left")
        frame = frame.with_columns(found.drop(f"c_{name}"))  # the texts are unique: one row each, in order
        updates = [pl.when(pl.col(f"q_{name}")).then(pl.col("_v")).otherwise(pl.col(f"p_{name}")).alias(f"p_{name}"),
                   pl.when(pl.col(f"q_{name}")).then(pl.col("_e")).alias(f"e_{name}")]
        if column.type == "org_identifier":
            updates.append(pl.when(pl.col(f"q_{name}")).then(pl.col("_k")).otherwise(pl.col(f"k_{name}"))
                           .alias(f"k_{name}"))
        if column.keeps_raw_text:
            updates.append(pl.when(pl.col(f"q_{name}")).then(pl.col("_r")).otherwise(pl.col(f"r_{name}"))
                           .alias(f"r_{name}"))
        return frame.with_columns(updates).drop("_v", "_k", "_e", "_r")

    # -- keys ------------------------------------------------------------------------------------
    def _mark_key_conflicts(self, frame):
        """A loadable row whose key an earlier row (of this block or an earlier one) already has is
        rejected, naming that row's line. A hash of the key finds the few rows to compare exactly."""
        keys = [f"p_{k}" for k in self.key]  # a definition has at least one key column
        candidate = ~pl.col("_duplicate") & pl.col("_errors").is_null()
        frame = frame.with_columns(pl.when(candidate).then(pl.struct(keys).hash(3)).alias("_kh"))
        suspect = pl.col("_kh").is_not_null() & pl.col("_kh").is_duplicated()
        if self.seen_keys is not None:
            suspect = suspect | pl.col("_kh").is_in(self.seen_keys["_kh"].implode())
        suspects = frame.select("_n", "_kh", *keys, suspect.alias("_suspect")).filter("_suspect")
        first = pl.lit(None, dtype=pl.Int64)
        if suspects.height:
            firsts = suspects.group_by(keys).agg(pl.col("_n").min().alias("_first"))
            if self.seen_keys is not None:
                earlier = self.seen_keys.filter(pl.col("_kh").is_in(suspects["_kh"].implode())).drop("_kh")
                firsts = firsts.join(earlier, on=keys, how="left").select(*keys, pl.coalesce("_seen", "_first").alias("_first"))
            repeats = suspects.join(firsts, on=keys).filter(pl.col("_first") != pl.col("_n"))
            first = pl.col("_n").replace_strict(repeats["_n"], repeats["_first"], default=None, return_dtype=pl.Int64)
        frame = frame.with_columns(first.alias("_first"))
        conflict = pl.col("_first").is_not_null()
        message = key_conflict_expr([pl.col(k) for k in keys], self._line_text(pl.col("_first")))
        frame = frame.with_columns(
            pl.when(pl.col("_duplicate")).then(pl.lit("duplicate"))
            .when(pl.col("_errors").is_not_null() | conflict).then(pl.lit("rejected"))
            .otherwise(pl.lit("loaded")).alias("_kind"),
            pl.when(pl.col("_duplicate")).then(pl.lit(DUPLICATE_REASON))
            .when(pl.col("_errors").is_not_null()).then(pl.col("_errors"))
            .when(conflict).then(message).alias("_reason"),
        )
        new = frame.select(*keys, pl.col("_n").alias("_seen"), "_kh", (candidate & ~conflict).alias("_new"))
        new = new.filter("_new").drop("_new")
        self.seen_keys = new if self.seen_keys is None else pl.concat([self.seen_keys, new])
        return frame

    # -- output ----------------------------------------------------------------------------------
    def _line_text(self, numbers):
        """Where a row is, as a receipt says it: its line number (`_n`) as "ligne 12"."""
        return line_label_expr(numbers)

    def _set_aside(self, frame) -> None:
        cells = [f"c_{name}" for name in self.plan.mapped]
        aside = frame.select("_n", "_kind", "_reason", *cells).filter(pl.col("_kind") != "loaded")
        for row in aside.iter_rows():
            self.result.count(line_label(row[0]), row[1], row[2])
            values = dict(zip(self.plan.mapped, row[3:]))
            self.result.raw_rows.append(json.dumps(json_safe(values), ensure_ascii=False, default=str))

    def _copy_csv(self, frame) -> bytes | None:
        """The loaded rows as COPY reads them."""
        out = [self._line_text(pl.col("_n")).alias("_line"),
               pl.lit(None, dtype=pl.String).alias("_extra")]
        for column in self.definition.columns:
            out.append(pl.col(f"p_{column.name}"))
            if column.type == "org_identifier":
                out.append(pl.col(f"k_{column.name}"))
            if column.keeps_raw_text:
                out.append(pl.col(f"r_{column.name}"))
        loaded = frame.select(out + [pl.col("_kind")]).filter(pl.col("_kind") == "loaded").drop("_kind")
        self.result.count_loaded(loaded.height)
        if loaded.height == 0:
            return None
        buffer = io.BytesIO()
        loaded.write_csv(buffer, include_header=False, separator=self.copy_delimiter,
                         quote_style="never" if self.unquoted else "necessary")
        return buffer.getvalue()


class Ahead:
    """An iterator run in a thread, at most `ahead` items in advance; its exception is raised by
    `next` (and kept in `error`). polars and the codecs release the GIL or run between the other
    thread's waits, so the two threads work at once. `close` stops it and waits for it."""

    _END = object()

    def __init__(self, items: Iterator, ahead: int, name: str):
        self.queue: queue.Queue = queue.Queue(maxsize=ahead)
        self.error: BaseException | None = None
        self.stop = threading.Event()
        self.done = False
        self.thread = threading.Thread(target=self._produce, args=(items,), name=name, daemon=True)
        self.thread.start()

    def _produce(self, items: Iterator) -> None:
        try:
            for item in items:
                if not self._put(item):
                    return
        except BaseException as exc:  # handed to the consuming thread
            self.error = exc
            self._put(self._END)
            return
        finally:
            if hasattr(items, "close"):
                items.close()  # a generator's own clean-up (an Ahead inside it) runs now, not at GC
        self._put(self._END)

    def _put(self, item) -> bool:
        while not self.stop.is_set():
            try:
                self.queue.put(item, timeout=0.5)
                return True
            except queue.Full:
                continue
        return False

    def __iter__(self):
        return self

    def __next__(self):
        if self.done:
            raise StopIteration
        item = self.queue.get()
        if item is self._END:
            self.done = True
            if self.error is not None:
                raise self.error
            raise StopIteration
        return item

    def close(self) -> None:
        self.stop.set()
        self.thread.join()


class BlockReader:
    """A file-like view of the blocks for psycopg2's copy_expert, which reads it in small pieces.

    The blocks are computed in a thread while COPY sends the previous one, at most `ahead` of them
    waiting: memory stays flat."""

    def __init__(self, blocks: Iterator[bytes], ahead: int = 2):
        self.blocks = Ahead(blocks, ahead, "columnar-csv")
        self.block = b""
        self.offset = 0

    @property
    def error(self) -> BaseException | None:
        return self.blocks.error

    def read(self, size: int = -1) -> bytes:
        while self.offset >= len(self.block):
            block = next(self.blocks, None)
            if block is None:
                return b""
            self.block, self.offset = block, 0
        end = len(self.block) if size < 0 else self.offset + size
        out = self.block[self.offset:end]
        self.offset += len(out)
        return out

    def close(self) -> None:
        """Stop the producer (after an error on the COPY side) and wait for it."""
        self.blocks.close()
