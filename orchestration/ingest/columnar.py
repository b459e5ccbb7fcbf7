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
- the loaded rows are written as CSV for COPY block by block, while the server ingests the previous
  block: memory stays flat and the two cores work at once.

It serves plain CSV files: without a quote character (so one line is one row and the line numbers
are those a person sees), without a NUL byte or a lone carriage return, without columns the definition
does not know, with key columns that are not amounts or booleans. Any other file goes through the
row-by-row loader (`plan` says why), which handles every case, only slower.
"""

from __future__ import annotations

import io
import json
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from orchestration.ingest import parsers
from orchestration.ingest.definitions import Column, SourceDefinition
from orchestration.ingest.readers import detect_encoding, find_header, has_bom, map_header
from orchestration.ingest.rows import DUPLICATE_REASON, PARSERS, RowCounts, column_label, json_safe, raw_text

BLOCK_CHARS = 8 << 20  # about 50,000 lines of a register
SCAN_BYTES = 1 << 22

# Python's str.isspace() set is Unicode White_Space (polars' \s) plus the four separators U+001C-U+001F.
_SPACE = r"\s\x{1c}-\x{1f}"
_BLANK = rf"^[{_SPACE}]*$"
# What parsers._clean removes before deciding a cell is empty (all of them are format characters).
_INVISIBLE = r"[\x{200b}-\x{200f}\x{061c}\x{202a}-\x{202e}\x{2066}-\x{2069}\x{feff}]"
# A cell whose first or last character is a space other than U+0020 or a format character is left to
# Python: its strip() and polars' could disagree on such edges.
_ODD_EDGE = rf"^[{_SPACE}\p{{Cf}}]|[{_SPACE}\p{{Cf}}]$"
_KEY_TYPES_NOT_FAST = ("amount", "bool", "json")
_CITY = "|".join(sorted(parsers.REGISTER_CITY_CODES))


@dataclass
class Plan:
    """What the fast path needs to know of a file before reading its rows."""

    encoding: str
    reported_encoding: str
    header_line: int
    mapped: dict[str, int]
    missing_columns: list[str]


@dataclass
class Result(RowCounts):
    raw_rows: list[str] = field(default_factory=list)  # each set-aside row as delivered, as JSON


def plan(path: Path, definition: SourceDefinition) -> tuple[Plan | None, str | None]:
    """A plan for the fast path, or (None, why not). Raises FileRejected for a file that no path can
    load (unknown encoding, no header, a required column missing), with the row-by-row loader's words."""
    if definition.format != "csv":
        return None, "not a CSV definition"
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
    reported = "utf-8" if encoding in ("utf-8", "utf-8-sig") and not has_bom(path) else encoding
    return Plan(encoding, reported, header_line, mapped, missing), None


def _polars_accepts(pattern: str) -> bool:
    pl = _pl()
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
            if body.count(b"\r") != body.count(b"\r\n"):
                return "carriage returns inside lines"
    return None


# -- the expressions ------------------------------------------------------------------------------
def _pl():
    import polars

    return polars


def _fast_value(pl, text, column_type: str):
    """The parsed value of the common writings, as the text COPY reads; null when the cell is left to
    the Python parser. `text` is the cell without its spaces; it has no odd edges (see _ODD_EDGE)."""
    digits = r"[0-9]"
    if column_type == "text":
        return text
    if column_type == "int":
        return pl.when(text.str.contains(rf"^{digits}{{1,15}}$")).then(text.cast(pl.Int64).cast(pl.String))
    if column_type == "date":
        dmy = pl.when(text.str.contains(rf"^{digits}{{1,2}}/{digits}{{1,2}}/{digits}{{4}}$")).then(
            text.str.to_date("%d/%m/%Y", strict=False))
        ymd = pl.when(text.str.contains(rf"^{digits}{{4}}-{digits}{{1,2}}-{digits}{{1,2}}$")).then(
            text.str.to_date("%Y-%m-%d", strict=False))
        date = pl.coalesce(dmy, ymd)
        return pl.when(date.dt.year() >= 1).then(date.dt.to_string("%Y-%m-%d"))  # Python has no year 0
    if column_type == "amount":
        bare = text.str.replace(r"(?i)[ \x{a0}\x{202f}]*(dhs?|mad)\.?$", "")
        grouped = rf"{digits}{{1,3}}(?:[ \x{{a0}}\x{{202f}}\x{{2009}}]{digits}{{3}}){{1,4}}"
        plain = rf"{digits}{{1,15}}"
        number = rf"^(?:{plain}|{grouped})(?:[.,]{digits}{{1,2}})?$"
        return pl.when(bare.str.contains(number)).then(
            bare.str.replace_all(r"[ \x{a0}\x{202f}\x{2009}]", "").str.replace(",", ".", literal=True))
    if column_type == "ice":
        return pl.when(text.str.contains(rf"^{digits}{{1,15}}$") & text.str.contains("[1-9]")).then(
            text.str.zfill(15))
    if column_type == "receipt_number":
        return _receipt(pl, text)
    if column_type == "register_number":
        return _register(pl, text)
    if column_type == "org_identifier":  # the kind follows from the shape: see _fast_kind
        return pl.coalesce(_register(pl, text), _receipt(pl, text))
    return None  # province, bool: few distinct writings, each parsed once in Python


def _fast_kind(pl, text):
    """The kind parsers.parse_org_identifier gives the two shapes _fast_value reads."""
    return (pl.when(_register(pl, text).is_not_null()).then(pl.lit("register"))
            .when(_receipt(pl, text).is_not_null()).then(pl.lit("receipt")))


def _year_ok(pl, year):
    return year.cast(pl.Int32, strict=False).is_between(1900, 2100)


def _receipt(pl, text):
    """`2019/123` or `123/2019`: a year and a sequence; the first part is the year when it can be one."""
    parts = text.str.extract_groups(r"^([0-9]{1,6})/([0-9]{1,6})$")
    first, second = parts.struct.field("1"), parts.struct.field("2")
    first_is_year = (first.str.len_chars() == 4) & _year_ok(pl, first)
    second_is_year = (second.str.len_chars() == 4) & _year_ok(pl, second)
    year = pl.when(first_is_year).then(first).when(second_is_year).then(second)
    seq = pl.when(first_is_year).then(second).when(second_is_year).then(first).cast(pl.Int64, strict=False)
    return pl.when(year.is_not_null() & (seq > 0)).then(pl.concat_str(year, pl.lit("/"), seq.cast(pl.String)))


def _register(pl, text):
    """`FES/2015/0123` with a region city code, in capitals."""
    parts = text.str.extract_groups(rf"^({_CITY})/([0-9]{{4}})/([0-9]{{1,6}})$")
    city, year = parts.struct.field("1"), parts.struct.field("2")
    seq = parts.struct.field("3").cast(pl.Int64, strict=False)
    return pl.when(_year_ok(pl, year) & (seq > 0)).then(
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
            values.append(None), kinds.append(None), errors.append(f"{label} : {exc}")
            continue
        kind = None
        if column.type == "org_identifier" and parsed is not None:
            kind, parsed = parsed
        values.append(None if parsed is None else str(parsed)), kinds.append(kind), errors.append(None)
    return values, kinds, errors, raws


def parse_column(column: Column, cells: list[str | None]) -> list[tuple[str | None, str | None, str | None, str | None]]:
    """One column of cells through the fast path's parsing, expressions then Python: for each cell
    (value as COPY reads it, kind of an identifier, error message, raw text). For tests and checks."""
    import re

    pl = _pl()
    definition = SourceDefinition(provider="check", name="column", description="", file_pattern=re.compile("x"),
                                  format="csv", semantics="cumulative", key=(), columns=(column,))
    reader = ColumnarCsv(Path("."), definition, Plan("utf-8", "utf-8", 1, {column.name: 0}, []),
                         load_id=0, sha256="", file_name="", period=None)
    frame = pl.DataFrame({f"c_{column.name}": cells}, schema={f"c_{column.name}": pl.String}).with_columns(
        pl.lit(False).alias("_duplicate"))
    frame = reader._parse(frame)
    kinds = frame[f"k_{column.name}"] if column.type == "org_identifier" else [None] * frame.height
    raws = frame[f"r_{column.name}"] if column.keeps_raw_text else [None] * frame.height
    return list(zip(frame[f"p_{column.name}"], kinds, frame[f"e_{column.name}"], raws))


# -- the file ---------------------------------------------------------------------------------------
class ColumnarCsv:
    """Reads, checks and parses a planned CSV file block by block; `copy_blocks` yields the CSV bytes
    of the loaded rows for COPY, in `lineage + table_columns` order, and fills `result`."""

    def __init__(self, path: Path, definition: SourceDefinition, file_plan: Plan, *, load_id: int, sha256: str,
                 file_name: str, period: str | None):
        self.pl = _pl()
        self.path = path
        self.definition = definition
        self.plan = file_plan
        self.lineage = {"_load_id": load_id, "_file_sha256": sha256, "_file_name": file_name, "_period": period}
        self.result = Result()
        self.key = list(definition.key)
        self.seen_rows = None   # two 64-bit hashes of every row so far
        self.seen_keys = None   # key values -> first line, of every loaded row so far

    def copy_blocks(self) -> Iterator[bytes]:
        for first_line, text in self._blocks():
            out = self._block(first_line, text)
            if out is not None:
                yield out

    def _blocks(self) -> Iterator[tuple[int, str]]:
        """(number of its first line, text of whole lines) of the data part of the file."""
        with open(self.path, encoding=self.plan.encoding, newline="") as handle:
            for _ in range(self.plan.header_line):
                handle.readline()
            number = self.plan.header_line + 1
            carry = ""
            while True:
                piece = handle.read(BLOCK_CHARS)
                if not piece:
                    if carry:
                        yield number, carry
                    return
                piece = carry + piece
                cut = piece.rfind("\n") + 1
                if cut == 0:
                    carry = piece
                    continue
                piece, carry = piece[:cut], piece[cut:]
                yield number, piece
                number += piece.count("\n")

    def _block(self, first_line: int, text: str) -> bytes | None:
        pl = self.pl
        definition = self.definition
        delimiter = definition.delimiter
        lines = pl.Series("text", [text.removesuffix("\n")], dtype=pl.String).str.split("\n").explode()
        frame = lines.to_frame().with_row_index("n")
        text = pl.col("text").str.strip_suffix("\n").str.strip_suffix("\r")
        frame = frame.select(
            (pl.col("n").cast(pl.Int64) + first_line).alias("_n"),
            text.alias("text"),
        )
        # blank lines and the footer are not data rows
        keep = ~pl.col("text").str.replace_all(delimiter, "", literal=True).str.contains(_BLANK)
        cells = pl.col("_cells")
        frame = frame.filter(keep).with_columns(pl.col("text").str.split(delimiter).alias("_cells")).with_columns(
            [cells.list.get(i, null_on_oob=True).alias(f"c_{name}") for name, i in self.plan.mapped.items()]
            + ([cells.list.get(0, null_on_oob=True).alias("_first")] if definition.footer_first_column else [])
        ).drop("_cells", "text")
        if definition.footer_first_column is not None:
            pattern = "(?i)" + definition.footer_first_column.pattern
            frame = frame.filter(~pl.col("_first").str.contains(pattern).fill_null(False)).drop("_first")
        if frame.height == 0:
            return None
        frame = self._mark_duplicates(frame)
        frame = self._parse(frame)
        frame = self._mark_key_conflicts(frame)
        self._set_aside(frame)
        loaded = frame.filter(pl.col("_kind") == "loaded")
        self.result.count_loaded(loaded.height)
        if loaded.height == 0:
            return None
        return self._copy_csv(loaded)

    # -- duplicates ------------------------------------------------------------------------------
    def _mark_duplicates(self, frame):
        pl = self.pl
        cells = [pl.col(f"c_{name}") for name in self.plan.mapped] or [pl.lit(None)]
        frame = frame.with_columns(
            pl.struct(cells).hash(11).alias("_h1"), pl.struct(cells).hash(7_919).alias("_h2"))
        first = pl.struct("_h1", "_h2").is_first_distinct()
        if self.seen_rows is not None:
            earlier = frame.select("_h1", "_h2").join(
                self.seen_rows.with_columns(pl.lit(True).alias("_earlier")), on=["_h1", "_h2"], how="left",
                maintain_order="left")["_earlier"].fill_null(False)
            frame = frame.with_columns(earlier.alias("_earlier"))
        else:
            frame = frame.with_columns(pl.lit(False).alias("_earlier"))
        frame = frame.with_columns((~first | pl.col("_earlier")).alias("_duplicate")).drop("_earlier")
        new = frame.filter(~pl.col("_duplicate")).select("_h1", "_h2")
        self.seen_rows = new if self.seen_rows is None else pl.concat([self.seen_rows, new])
        return frame

    # -- cells -----------------------------------------------------------------------------------
    def _parse(self, frame):
        """p_<column>: the parsed value as COPY text; r_: the raw text; e_: the error; k_: the kind of an
        identifier. The expressions first, then Python for what they left."""
        pl = self.pl
        # Each step materialises its columns: an eager polars frame computes an expression once per use.
        mapped = [c for c in self.definition.columns if c.name in self.plan.mapped]
        absent = [c for c in self.definition.columns if c.name not in self.plan.mapped]
        frame = frame.with_columns([pl.col(f"c_{c.name}").str.strip_chars(" ").alias(f"s_{c.name}") for c in mapped])
        frame = frame.with_columns(
            [pl.col(f"s_{c.name}").str.contains(_ODD_EDGE).fill_null(False).alias(f"o_{c.name}") for c in mapped]
            + [(pl.col(f"s_{c.name}").is_null() | (pl.col(f"s_{c.name}") == "")).alias(f"z_{c.name}") for c in mapped])
        plain = {c.name: ~pl.col(f"o_{c.name}") & ~pl.col(f"z_{c.name}") for c in mapped}
        values = []
        for column in mapped:
            fast = _fast_value(pl, pl.col(f"s_{column.name}"), column.type)
            values.append(pl.when(plain[column.name]).then(fast).alias(f"p_{column.name}") if fast is not None
                          else pl.lit(None, dtype=pl.String).alias(f"p_{column.name}"))
            if column.keeps_raw_text:
                values.append(pl.when(plain[column.name]).then(pl.col(f"c_{column.name}")).alias(f"r_{column.name}"))
        nothing = pl.lit(None, dtype=pl.String)
        values += [nothing.alias(f"p_{c.name}") for c in absent]
        values += [nothing.alias(f"r_{c.name}") for c in absent if c.keeps_raw_text]
        values += [nothing.alias(f"e_{c.name}") for c in self.definition.columns]
        values += [pl.when(plain[c.name]).then(_fast_kind(pl, pl.col(f"s_{c.name}"))).alias(f"k_{c.name}")
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
                .then(pl.lit(f"{column_label(column)} : clé manquante"))
                .otherwise(pl.col(f"e_{name}")).alias(f"e_{name}"))
        frame = frame.with_columns(missing_keys)
        errors = [pl.col(f"e_{c.name}") for c in self.definition.columns]
        return frame.with_columns(pl.when(pl.any_horizontal([e.is_not_null() for e in errors]))
                                  .then(pl.concat_str(errors, separator="; ", ignore_nulls=True)).alias("_errors"))

    def _resolve_in_python(self, frame, column: Column):
        """Cells the expressions left go to the Python parser, once per distinct text."""
        pl = self.pl
        name = column.name
        texts = frame.filter(pl.col(f"q_{name}") & ~pl.col("_duplicate"))[f"c_{name}"].unique().to_list()
        if not texts:
            return frame
        values, kinds, errors, raws = _python_values(column, texts)
        lookup = pl.DataFrame({f"c_{name}": texts, "_v": values, "_k": kinds, "_e": errors, "_r": raws},
                              schema={f"c_{name}": pl.String, "_v": pl.String, "_k": pl.String, "_e": pl.String,
                                      "_r": pl.String})
        frame = frame.join(lookup, on=f"c_{name}", how="left", maintain_order="left")
        updates = [pl.when(pl.col(f"q_{name}")).then(pl.col("_v")).otherwise(pl.col(f"p_{name}")).alias(f"p_{name}"),
                   pl.when(pl.col(f"q_{name}")).then(pl.col("_e")).alias(f"e_{name}")]
        if column.type == "org_identifier":
            updates.append(pl.when(pl.col(f"q_{name}")).then(pl.col("_k")).otherwise(pl.col(f"k_{name}"))
                           .alias(f"k_{name}"))
        if column.keeps_raw_text:
            updates.append(pl.when(pl.col(f"o_{name}")).then(pl.col("_r")).otherwise(pl.col(f"r_{name}"))
                           .alias(f"r_{name}"))
        return frame.with_columns(updates).drop("_v", "_k", "_e", "_r")

    # -- keys ------------------------------------------------------------------------------------
    def _mark_key_conflicts(self, frame):
        pl = self.pl
        keys = [f"p_{k}" for k in self.key]
        candidate = ~pl.col("_duplicate") & pl.col("_errors").is_null()
        frame = frame.with_columns(
            pl.when(candidate).then(pl.col("_n").min().over(keys + [candidate])).alias("_first"))
        if self.seen_keys is not None and keys:
            frame = frame.join(self.seen_keys, on=keys, how="left", maintain_order="left")
            frame = frame.with_columns(
                pl.when(candidate).then(pl.coalesce("_seen", "_first")).alias("_first")).drop("_seen")
        conflict = candidate & (pl.col("_first") != pl.col("_n"))
        key_text = pl.concat_str([pl.col(k) for k in keys], separator=", ")
        message = pl.concat_str(pl.lit("même clé ("), key_text, pl.lit(") que la ligne "),
                                pl.col("_first").cast(pl.String), pl.lit(", avec d'autres valeurs"))
        frame = frame.with_columns(
            pl.when(pl.col("_duplicate")).then(pl.lit("duplicate"))
            .when(pl.col("_errors").is_not_null() | conflict).then(pl.lit("rejected"))
            .otherwise(pl.lit("loaded")).alias("_kind"),
            pl.when(pl.col("_duplicate")).then(pl.lit(DUPLICATE_REASON))
            .when(pl.col("_errors").is_not_null()).then(pl.col("_errors"))
            .when(conflict).then(message).alias("_reason"),
        )
        if keys:
            new = frame.filter(candidate & ~conflict).select(*keys, pl.col("_n").alias("_seen"))
            self.seen_keys = new if self.seen_keys is None else pl.concat([self.seen_keys, new])
        return frame

    # -- output ----------------------------------------------------------------------------------
    def _set_aside(self, frame) -> None:
        pl = self.pl
        aside = frame.filter(pl.col("_kind") != "loaded")
        if aside.height == 0:
            return
        cells = [f"c_{name}" for name in self.plan.mapped]
        for row in aside.select("_n", "_kind", "_reason", *cells).iter_rows():
            self.result.count(f"ligne {row[0]}", row[1], row[2])
            values = dict(zip(self.plan.mapped, row[3:]))
            self.result.raw_rows.append(json.dumps(json_safe(values), ensure_ascii=False, default=str))

    def _copy_csv(self, loaded) -> bytes:
        pl = self.pl
        lineage = self.lineage
        out = [pl.lit(lineage["_load_id"]).alias("_load_id"), pl.lit(lineage["_file_sha256"]).alias("_file_sha256"),
               pl.lit(lineage["_file_name"]).alias("_file_name"),
               pl.concat_str(pl.lit("ligne "), pl.col("_n").cast(pl.String)).alias("_line"),
               pl.lit(lineage["_period"], dtype=pl.String).alias("_period"),
               pl.lit(None, dtype=pl.String).alias("_extra")]
        for column in self.definition.columns:
            out.append(pl.col(f"p_{column.name}"))
            if column.type == "org_identifier":
                out.append(pl.col(f"k_{column.name}"))
            if column.keeps_raw_text:
                out.append(pl.col(f"r_{column.name}"))
        buffer = io.BytesIO()
        loaded.select(out).write_csv(buffer, include_header=False)
        return buffer.getvalue()


class BlockReader:
    """A file-like view of the blocks for psycopg2's copy_expert, which reads it in small pieces.

    The blocks are computed in a thread while COPY sends the previous one: polars releases the GIL,
    so the client parses while the server writes. At most `ahead` blocks wait: memory stays flat."""

    _END = object()

    def __init__(self, blocks: Iterator[bytes], ahead: int = 2):
        self.queue: queue.Queue = queue.Queue(maxsize=ahead)
        self.error: BaseException | None = None
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._produce, args=(blocks,), name="columnar-csv", daemon=True)
        self.thread.start()
        self.block = b""
        self.offset = 0
        self.done = False

    def _produce(self, blocks: Iterator[bytes]) -> None:
        try:
            for block in blocks:
                if not self._put(block):
                    return
        except BaseException as exc:  # handed to the reading thread
            self.error = exc
            self._put(exc)
            return
        self._put(self._END)

    def _put(self, item) -> bool:
        while not self.stop.is_set():
            try:
                self.queue.put(item, timeout=0.5)
                return True
            except queue.Full:
                continue
        return False

    def read(self, size: int = -1) -> bytes:
        while self.offset >= len(self.block):
            if self.done:
                return b""
            item = self.queue.get()
            if item is self._END:
                self.done = True
                return b""
            if isinstance(item, BaseException):
                self.done = True
                raise item
            self.block, self.offset = item, 0
        end = len(self.block) if size < 0 else self.offset + size
        out = self.block[self.offset:end]
        self.offset += len(out)
        return out

    def close(self) -> None:
        """Stop the producer (after an error on the COPY side) and wait for it."""
        self.stop.set()
        self.thread.join()
