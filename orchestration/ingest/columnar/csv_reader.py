"""Reads a planned CSV file block by block: each block a column of lines that polars splits into cells
and parses (`expressions.py`), duplicate lines and key conflicts found across blocks as the row-by-row
loader finds them, the loaded rows written as CSV for COPY. DEVELOPERS.md lists what keeps it fast."""

from __future__ import annotations

import codecs
import io
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from orchestration.ingest.columnar.csv_plan import Plan
from orchestration.ingest.columnar.expressions import ODD_EDGE, SPACE, fast_kind, fast_parts, fast_value, python_values
from orchestration.ingest.columnar.threads import Ahead
from orchestration.ingest.definitions import Column, SourceDefinition
from orchestration.ingest.rejections import (
    DUPLICATE_REASON,
    column_label,
    key_conflict_expr,
    line_label,
    line_label_expr,
    missing_key_reason,
    row_reason_expr,
)
from orchestration.ingest.rows import RowCounts, json_safe

BLOCK_BYTES = 8 << 20  # about 50,000 lines of a register
# not under a megabyte: each block costs ~10 ms of polars' own, more than a shorter last COPY saves
LAST_BLOCK_BYTES = 1 << 20


@dataclass
class Result(RowCounts):
    raw_rows: list[str] = field(default_factory=list)  # each set-aside row as delivered, as JSON


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
        self.reported_encoding, self.missing_columns = file_plan.reported_encoding, file_plan.missing_columns
        self.key = list(definition.key)
        self.seen_rows = None  # two 64-bit hashes of every row so far
        self.seen_keys = None  # key values -> first line, of every loaded row so far

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
        return pl.read_csv(
            data,
            separator="\x00",
            has_header=False,
            quote_char=None,
            schema={"text": pl.String},
            empty_string_is_null=False,
            raise_if_empty=False,
        )

    def _block(self, first_line: int, data: bytes) -> bytes | None:
        definition = self.definition
        delimiter = definition.delimiter
        frame = self._lines(data).with_row_index("_n", offset=first_line).with_columns(pl.col("_n").cast(pl.Int64))
        # blank lines (nothing but delimiters and spaces) and the footer are not data rows
        keep = pl.col("text").str.contains(rf"[^\x{{{ord(delimiter):x}}}{SPACE}]")
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
            row = pl.struct(
                [
                    pl.col("_cells").list.get(i, null_on_oob=True).alias(f"c{i}")
                    for i in sorted(self.plan.mapped.values())
                ]
            )
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
        # Python. Only a text cell needs its edges checked (see ODD_EDGE).
        texts = [c for c in mapped if c.type == "text"]
        frame = frame.with_columns([pl.col(f"c_{c.name}").str.strip_chars(" ").alias(f"s_{c.name}") for c in texts])
        cell = {c.name: pl.col(f"s_{c.name}" if c.type == "text" else f"c_{c.name}") for c in mapped}
        parts = {c.name: fast_parts(cell[c.name], c.type) for c in mapped}
        frame = frame.with_columns(
            [
                cell[c.name].str.contains(ODD_EDGE).fill_null(False).alias(f"o_{c.name}")
                if c.type == "text"
                else pl.lit(False).alias(f"o_{c.name}")
                for c in mapped
            ]
            + [(cell[c.name].is_null() | (cell[c.name] == "")).alias(f"z_{c.name}") for c in mapped]
            + [expr.alias(f"{kind}_{name}") for name, kinds in parts.items() for kind, expr in kinds.items()]
        )
        parts = {name: {kind: pl.col(f"{kind}_{name}") for kind in kinds} for name, kinds in parts.items()}
        plain = {c.name: ~pl.col(f"o_{c.name}") & ~pl.col(f"z_{c.name}") for c in mapped}
        values = []
        for column in mapped:
            fast = fast_value(cell[column.name], parts[column.name], column.type)
            values.append(
                pl.when(plain[column.name]).then(fast).alias(f"p_{column.name}")
                if fast is not None
                else pl.lit(None, dtype=pl.String).alias(f"p_{column.name}")
            )
            if column.keeps_raw_text:
                values.append(pl.when(plain[column.name]).then(pl.col(f"c_{column.name}")).alias(f"r_{column.name}"))
        nothing = pl.lit(None, dtype=pl.String)
        values += [nothing.alias(f"p_{c.name}") for c in absent]
        values += [nothing.alias(f"r_{c.name}") for c in absent if c.keeps_raw_text]
        values += [nothing.alias(f"e_{c.name}") for c in self.definition.columns]
        values += [
            pl.when(plain[c.name]).then(fast_kind(parts[c.name])).alias(f"k_{c.name}")
            if c.name in plain
            else nothing.alias(f"k_{c.name}")
            for c in self.definition.columns
            if c.type == "org_identifier"
        ]
        frame = frame.with_columns(values)
        frame = frame.with_columns(
            [
                (pl.col(f"o_{c.name}") | (~pl.col(f"z_{c.name}") & pl.col(f"p_{c.name}").is_null())).alias(
                    f"q_{c.name}"
                )
                for c in mapped
            ]
        )
        frame = self._resolve_in_python(frame, mapped)
        missing_keys = []
        for name in self.key:
            column = self.definition.column(name)
            missing_keys.append(
                pl.when(pl.col(f"p_{name}").is_null() & pl.col(f"e_{name}").is_null())
                .then(pl.lit(missing_key_reason(column_label(column))))
                .otherwise(pl.col(f"e_{name}"))
                .alias(f"e_{name}")
            )
        frame = frame.with_columns(missing_keys)
        errors = [pl.col(f"e_{c.name}") for c in self.definition.columns]
        return frame.with_columns(
            pl.when(pl.any_horizontal([e.is_not_null() for e in errors])).then(row_reason_expr(errors)).alias("_errors")
        )

    def _resolve_in_python(self, frame, columns: list[Column]):
        """Cells the expressions left go to the Python parser, once per distinct text. Every column at
        once: one selection of the texts, one update of the values (each polars step has its cost)."""
        left = ~pl.col("_duplicate")
        found = frame.select(
            [pl.col(f"c_{c.name}").filter(pl.col(f"q_{c.name}") & left).unique().implode() for c in columns]
        )
        updates = []
        for column in columns:
            name = column.name
            texts = found[f"c_{name}"][0].to_list()
            if not texts:
                continue
            values, kinds, errors, raws = python_values(column, texts)
            if self.unquoted:
                unwritable = [
                    v
                    for v in values
                    if v is not None and (v == "" or any(c in v for c in f'{self.copy_delimiter}"\r\n'))
                ]
                if unwritable:  # a defect of a parser: the loader falls back to the row-by-row path
                    raise ValueError(f"{column.name}: a parsed value cannot be written unquoted: {unwritable[0]!r}")
            left_to_python = pl.col(f"q_{name}")

            def of(parsed: list, name=name, texts=texts) -> pl.Expr:  # the texts are unique
                return pl.col(f"c_{name}").replace_strict(
                    texts, pl.Series(parsed, dtype=pl.String), default=None, return_dtype=pl.String
                )

            updates += [
                pl.when(left_to_python).then(of(values)).otherwise(pl.col(f"p_{name}")).alias(f"p_{name}"),
                pl.when(left_to_python).then(of(errors)).alias(f"e_{name}"),
            ]
            if column.type == "org_identifier":
                updates.append(
                    pl.when(left_to_python).then(of(kinds)).otherwise(pl.col(f"k_{name}")).alias(f"k_{name}")
                )
            if column.keeps_raw_text:
                updates.append(pl.when(left_to_python).then(of(raws)).otherwise(pl.col(f"r_{name}")).alias(f"r_{name}"))
        return frame.with_columns(updates) if updates else frame

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
                firsts = firsts.join(earlier, on=keys, how="left").select(
                    *keys, pl.coalesce("_seen", "_first").alias("_first")
                )
            repeats = suspects.join(firsts, on=keys).filter(pl.col("_first") != pl.col("_n"))
            first = pl.col("_n").replace_strict(repeats["_n"], repeats["_first"], default=None, return_dtype=pl.Int64)
        frame = frame.with_columns(first.alias("_first"))
        conflict = pl.col("_first").is_not_null()
        message = key_conflict_expr([pl.col(k) for k in keys], self._line_text(pl.col("_first")))
        frame = frame.with_columns(
            pl.when(pl.col("_duplicate"))
            .then(pl.lit("duplicate"))
            .when(pl.col("_errors").is_not_null() | conflict)
            .then(pl.lit("rejected"))
            .otherwise(pl.lit("loaded"))
            .alias("_kind"),
            pl.when(pl.col("_duplicate"))
            .then(pl.lit(DUPLICATE_REASON))
            .when(pl.col("_errors").is_not_null())
            .then(pl.col("_errors"))
            .when(conflict)
            .then(message)
            .alias("_reason"),
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
        out = [self._line_text(pl.col("_n")).alias("_line"), pl.lit(None, dtype=pl.String).alias("_extra")]
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
        loaded.write_csv(
            buffer,
            include_header=False,
            separator=self.copy_delimiter,
            quote_style="never" if self.unquoted else "necessary",
        )
        return buffer.getvalue()


def parse_column(
    column: Column, cells: list[str | None]
) -> list[tuple[str | None, str | None, str | None, str | None]]:
    """One column of cells through the fast path's parsing, expressions then Python: for each cell
    (value as COPY reads it, kind of an identifier, error message, raw text). For tests and checks."""
    definition = SourceDefinition(
        provider="check",
        name="column",
        description="",
        file_pattern=re.compile("x"),
        format="csv",
        semantics="cumulative",
        key=(),
        columns=(column,),
    )
    reader = ColumnarCsv(Path("."), definition, Plan("utf-8", "utf-8", 1, 1, {column.name: 0}, []))
    reader.unquoted = False  # any cell may come here, the delimiter included; nothing is written
    frame = pl.DataFrame({f"c_{column.name}": cells}, schema={f"c_{column.name}": pl.String}).with_columns(
        pl.lit(False).alias("_duplicate")
    )
    frame = reader._parse(frame)
    kinds = frame[f"k_{column.name}"] if column.type == "org_identifier" else [None] * frame.height
    raws = frame[f"r_{column.name}"] if column.keeps_raw_text else [None] * frame.height
    return list(zip(frame[f"p_{column.name}"], kinds, frame[f"e_{column.name}"], raws))


def _filtered(frame, keep):
    """frame.filter(keep), without copying every column when every row is kept (most blocks)."""
    kept = frame.select(keep.alias("_keep")).to_series()
    return frame if kept.all() else frame.filter(kept)
