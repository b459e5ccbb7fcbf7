"""From a delivered row to the values of a raw table row: parse each cell with its column's parser,
keep the text as delivered beside it, and say in plain French why a row cannot be loaded (in the words
of `rejections.py`, which the fast path uses too)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from orchestration.ingest.definitions import Column, SourceDefinition
from orchestration.ingest.parsers import PARSERS
from orchestration.ingest.parsers.cells import ParseError
from orchestration.ingest.rejections import (
    DUPLICATE_REASON,
    cell_reason,
    column_label,
    key_conflict_reason,
    missing_key_reason,
    row_reason,
)

SQL_TYPES = {
    "text": "text",
    "int": "bigint",
    "amount": "numeric(18,2)",
    "date": "date",
    "bool": "boolean",
    "ice": "text",
    "register_number": "text",
    "receipt_number": "text",
    "org_identifier": "text",
    "province": "text",
    "json": "jsonb",
}


def raw_text(value: Any) -> str | None:
    """The cell as the provider wrote it, as text: what the raw layer keeps beside the parsed value."""
    if value is None:
        return None
    if value.__class__ is str:
        return value if value.strip() else None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    text = str(value)
    return text if text.strip() else None


def table_columns(definition: SourceDefinition) -> list[tuple[str, str, Column]]:
    """(column name, SQL type, definition column) of a raw table, lineage columns excluded."""
    out: list[tuple[str, str, Column]] = []
    for column in definition.columns:
        out.append((column.name, SQL_TYPES[column.type], column))
        if column.type == "org_identifier":
            out.append((f"{column.name}_kind", "text", column))
        if column.keeps_raw_text:
            out.append((f"{column.name}_raw", "text", column))
    return out


class RowParser:
    """Parses the rows of one definition: a converter per column, built once.

    Files repeat the same provinces, statuses, dates and counts on many lines, so each column
    remembers what it already parsed from a given text (up to a bound): the parsers run once per
    distinct value, not once per cell. This loop runs for every cell of every file: it is written
    for speed (flags computed once, the cache looked up inline).
    """

    CACHE_LIMIT = 50_000

    def __init__(self, definition: SourceDefinition):
        self.columns = [
            (
                column.name,
                PARSERS[column.type],
                {},
                column.name in definition.key,
                column.type == "org_identifier",
                column.keeps_raw_text,
                column_label(column),
            )
            for column in definition.columns
        ]

    def __call__(self, values: dict[str, Any]) -> tuple[list[Any], list[str]]:
        """The raw table values in `table_columns` order, and the reasons the row cannot be loaded."""
        out: list[Any] = []
        errors: list[str] = []
        for name, parse, cache, is_key, is_identifier, keeps_raw, label in self.columns:
            value = values.get(name)
            try:
                if value.__class__ is str:
                    parsed = cache.get(value, _MISSING)
                    if parsed is _MISSING:
                        parsed = parse(value)  # a ParseError is not cached: the next one raises again
                        if len(cache) < self.CACHE_LIMIT:
                            cache[value] = parsed
                else:
                    parsed = parse(value)
            except ParseError as exc:
                errors.append(cell_reason(label, exc))
                parsed = None
            else:
                if parsed is None and is_key:
                    errors.append(missing_key_reason(label))
            if is_identifier:
                kind, canonical = parsed if parsed else (None, None)
                out.append(canonical)
                out.append(kind)
            else:
                out.append(parsed)
            if keeps_raw:
                out.append(raw_text(value))
        return out, errors


_MISSING = object()


def parse_row(definition: SourceDefinition, values: dict[str, Any]) -> tuple[list[Any], list[str]]:
    """One row, without a RowParser's memory: for checks and tests."""
    return RowParser(definition)(values)


@dataclass(kw_only=True)
class RowCounts:
    """What happened to a file's data rows: the loader's outcome, `source check`'s report and the
    columnar path count them alike. rows_read = rows_loaded + rows_rejected + rows_duplicate."""

    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rows_duplicate: int = 0
    set_aside: list[tuple[str, str, str]] = field(default_factory=list)  # (line, kind, reason)

    def count(self, line: str, kind: str, reason: str | None) -> None:
        """One data row, of kind `loaded`, `rejected` or `duplicate`."""
        self.rows_read += 1
        if kind == "loaded":
            self.rows_loaded += 1
            return
        if kind == "duplicate":
            self.rows_duplicate += 1
        else:
            self.rows_rejected += 1
        self.set_aside.append((line, kind, reason))

    def count_loaded(self, rows: int) -> None:
        """Loaded rows counted in bulk (the columnar path counts a block at once)."""
        self.rows_read += rows
        self.rows_loaded += rows

    def reset_counts(self) -> None:
        self.rows_read = self.rows_loaded = self.rows_rejected = self.rows_duplicate = 0
        self.set_aside = []

    def take_counts(self, other: RowCounts) -> None:
        self.rows_read, self.rows_loaded = other.rows_read, other.rows_loaded
        self.rows_rejected, self.rows_duplicate = other.rows_rejected, other.rows_duplicate
        self.set_aside = list(other.set_aside)


def classify_rows(definition: SourceDefinition, rows: Iterator[tuple[str, dict, dict]]):
    """Every data row of a file as the loader accounts for it, in file order:
    `(line, kind, parsed, reason, values, extras)` with kind `loaded` (parsed holds the raw table
    values), `duplicate` (an exact copy of an earlier line) or `rejected` (reason says why)."""
    parse = RowParser(definition)
    names = [name for name, _, _ in table_columns(definition)]
    key_positions = [names.index(k) for k in definition.key]
    seen_rows: set[bytes] = set()
    seen_keys: dict[tuple, str] = {}
    for line, values, extras in rows:
        fingerprint = row_fingerprint(values, extras)
        if fingerprint in seen_rows:
            yield line, "duplicate", None, DUPLICATE_REASON, values, extras
            continue
        seen_rows.add(fingerprint)
        parsed, errors = parse(values)
        if not errors:
            key = tuple(parsed[i] for i in key_positions)
            first = seen_keys.setdefault(key, line)
            if first != line:
                errors.append(key_conflict_reason(key, first))
        if errors:
            yield line, "rejected", None, row_reason(errors), values, extras
        else:
            yield line, "loaded", parsed, None, values, extras


def row_fingerprint(values: dict[str, Any], extras: dict[str, Any]) -> bytes:
    """Identifies an exact duplicate line: the same cells, in the same order."""
    text = repr((tuple(values.values()), tuple(extras.items())))
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def json_safe(values: dict[str, Any]) -> dict[str, Any]:
    """A row as JSON for audit.rejected_row: the cells as delivered, as text where JSON has no type."""
    out = {}
    for key, value in values.items():
        if isinstance(value, (dt.datetime, dt.date, Decimal)):
            out[key] = raw_text(value)
        else:
            out[key] = value
    return out
