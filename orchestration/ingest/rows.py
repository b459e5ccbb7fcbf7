"""From a delivered row to the values of a raw table row: parse each cell with its column's parser,
keep the text as delivered beside it, and say in plain French why a row cannot be loaded."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from typing import Any, Callable

from orchestration.ingest import parsers
from orchestration.ingest.definitions import Column, SourceDefinition

PARSERS: dict[str, Callable[[Any], Any]] = {
    "text": parsers.parse_text,
    "int": parsers.parse_int,
    "amount": parsers.parse_amount,
    "date": parsers.parse_date,
    "bool": parsers.parse_bool,
    "ice": parsers.parse_ice,
    "register_number": parsers.parse_register_number,
    "receipt_number": parsers.parse_receipt_number,
    "org_identifier": parsers.parse_org_identifier,
    "province": parsers.parse_province,
    "json": lambda value: None if value is None else json.dumps(value, ensure_ascii=False),
}

SQL_TYPES = {
    "text": "text", "int": "bigint", "amount": "numeric(18,2)", "date": "date", "bool": "boolean",
    "ice": "text", "register_number": "text", "receipt_number": "text", "org_identifier": "text",
    "province": "text", "json": "jsonb",
}


def raw_text(value: Any) -> str | None:
    """The cell as the provider wrote it, as text: what the raw layer keeps beside the parsed value."""
    if value is None:
        return None
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


def _label(column: Column) -> str:
    return column.title or column.path or column.name


def parse_row(definition: SourceDefinition, values: dict[str, Any]) -> tuple[list[Any], list[str]]:
    """The raw table values in `table_columns` order, and the reasons the row cannot be loaded."""
    out: list[Any] = []
    errors: list[str] = []
    for column in definition.columns:
        value = values.get(column.name)
        try:
            parsed = PARSERS[column.type](value)
        except parsers.ParseError as exc:
            errors.append(f"{_label(column)} : {exc}")
            parsed = None
        else:
            if parsed is None and column.name in definition.key:
                errors.append(f"{_label(column)} : clé manquante")
        if column.type == "org_identifier":
            kind, canonical = parsed if parsed else (None, None)
            out.extend([canonical, kind])
        else:
            out.append(parsed)
        if column.keeps_raw_text:
            out.append(raw_text(value))
    return out, errors


def row_fingerprint(values: dict[str, Any], extras: dict[str, Any]) -> bytes:
    """Identifies an exact duplicate line: the same text in every cell."""
    text = json.dumps(
        [[k, raw_text(v)] for k, v in values.items()] + [[k, raw_text(v)] for k, v in extras.items()],
        ensure_ascii=False,
    )
    return hashlib.blake2b(text.encode(), digest_size=16).digest()


def json_safe(values: dict[str, Any]) -> dict[str, Any]:
    """A row as JSON for audit.rejected_row: the cells as delivered, as text where JSON has no type."""
    out = {}
    for key, value in values.items():
        if isinstance(value, (dt.datetime, dt.date, Decimal)):
            out[key] = raw_text(value)
        else:
            out[key] = value
    return out


def copy_value(value: Any) -> Any:
    """A value as PostgreSQL's COPY (csv format) reads it; None stays None (written as NULL)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return value
