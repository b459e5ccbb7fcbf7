"""Whether the fast path serves a CSV file, and what it needs to know of it before reading its rows:
a plain file (no quote character, NUL byte or lone carriage return, no column the definition does not
know, no key column that is an amount or a boolean), its encoding and its header."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from orchestration.ingest.definitions import SourceDefinition
from orchestration.ingest.readers import detect_encoding, find_header, map_header, reported_encoding

SCAN_BYTES = 1 << 22
KEY_TYPES_NOT_FAST = ("amount", "bool", "json")
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


def plan_csv(path: Path, definition: SourceDefinition) -> tuple[Plan | None, str | None]:
    """A plan for a CSV file, or (None, why not)."""
    if definition.delimiter in ('"', "\n", "\r"):
        return None, "unusual delimiter"
    if any(definition.column(k).type in KEY_TYPES_NOT_FAST for k in definition.key):
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
