"""What a sample suggests: a type per column (the most specific parser that reads every value), the
key (the first identifier-like column whose values are all present and unique), and a few values
to show in the definition's comments."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from orchestration.ingest.parsers import PARSERS
from orchestration.ingest.parsers.cells import ParseError
from orchestration.ingest.parsers.identifiers import (
    parse_ice,
    parse_org_identifier,
    parse_receipt_number,
    parse_register_number,
)
from orchestration.ingest.parsers.provinces import parse_province
from orchestration.ingest.parsers.values import parse_amount, parse_date, parse_int
from orchestration.scaffold.naming import is_arabic, looks_personal, safe_column_name, snake_case
from orchestration.scaffold.sample import SampleTable

_MONEY = re.compile(
    r"\b(dh|dhs|mad|montant|co[uû]t|cout|subvention|capital|budget|prix|chiffre|financement|"
    r"cofinancement|apport|contribution|d[eé]caiss|salaire|aide|prime|somme)",
    re.IGNORECASE,
)
_MONEY_AR = ("درهم", "مبلغ", "المبلغ", "كلفة", "الكلفة", "مساهمة", "تمويل", "المصروف", "دعم", "رقم المعاملات")
_IDENTIFIER = re.compile(
    r"(^|[\s_.\-])(id|ids|code|ref|r[eé]f|reference|r[eé]f[eé]rence|n[°o]|num|numero|"
    r"num[eé]ro|identifiant|matricule|immatriculation|cle|cl[eé])($|[\s_.\-°])",
    re.IGNORECASE,
)
_IDENTIFIER_AR = ("رقم", "رمز", "معرف")
_RECEIPT = re.compile(r"r[eé]c[eé]piss[eé]|re[cç]u|recu|وصل", re.IGNORECASE)
_ICE = re.compile(r"(^|[^a-z])ice($|[^a-z])", re.IGNORECASE)
_DECIMAL_TEXT = re.compile(r"[.,\u066b]\d{1,2}\s*(?:dhs?|mad|درهم)?\.?\s*$", re.IGNORECASE)
_DIGITS = re.compile(r"^\s*\d+\s*$")
_BOOL_WORDS = {"true", "false", "vrai", "faux", "oui", "non", "yes", "no", "نعم", "لا"}


@dataclass
class ProposedColumn:
    name: str
    label: str  # title (csv, xlsx) or path (json)
    type: str
    reason: str
    personal: bool
    arabic_title: bool
    filled: int  # rows with a value
    examples: list[str]


def _all(values: list[Any], parse: Callable[[Any], Any]) -> bool:
    try:
        for value in values:
            parse(value)
    except ParseError:
        return False
    return True


def _failures(values: list[Any], parse: Callable[[Any], Any]) -> list[Any]:
    bad = []
    for value in values:
        try:
            parse(value)
        except ParseError:
            bad.append(value)
    return bad


def _tolerated(values: list[Any], bad: list[Any]) -> bool:
    """A few unreadable values in a large enough sample: the provider's mistakes, not another type."""
    return len(values) >= 10 and len(bad) <= max(1, len(values) // 20)


def _set_aside_note(bad: list[Any]) -> str:
    shown = ", ".join(repr(_example(v)) for v in bad[:3])
    return f"; {len(bad)} value(s) cannot be read ({shown}): their rows will be set aside" if bad else ""


def _is_money(label: str) -> bool:
    return bool(_MONEY.search(label)) or any(word in label for word in _MONEY_AR)


def looks_like_identifier(label: str) -> bool:
    return bool(_IDENTIFIER.search(label)) or any(word in label for word in _IDENTIFIER_AR)


def propose_type(label: str, values: list[Any]) -> tuple[str, str]:
    """(type, why) for a column from its title and its values (None for an empty cell)."""
    present = [v for v in values if v is not None]
    n = len(present)
    if not present:
        return "text", "empty in the sample: text until a delivery says otherwise"
    if any(isinstance(v, (dict, list)) for v in present):
        return "json", "lists or objects: kept as JSON"
    strings = [v for v in present if isinstance(v, str)]
    all_text = len(strings) == n
    if all(isinstance(v, bool) for v in present) or (
        all_text
        and {v.strip().casefold() for v in strings} <= _BOOL_WORDS
        and not all(_DIGITS.match(v) for v in strings)
    ):
        return "bool", f"{n} yes/no values"
    if all(isinstance(v, (dt.date, dt.datetime, str)) for v in present) and _all(present, parse_date):
        return "date", f"{n} values read as dates"
    if all_text and _all(present, parse_province):
        return "province", f"{n} values read as provinces of the region (stored as the HCP code)"
    if all_text and _all(present, parse_register_number):
        return "register_number", f"{n} values read as cooperative register numbers"
    if all_text and _all(present, parse_receipt_number) and (_RECEIPT.search(label) or all("/" in v for v in strings)):
        return "receipt_number", f"{n} values read as association receipt numbers"
    if all_text and _all(present, parse_org_identifier) and any(not _DIGITS.match(v) for v in strings):
        kinds = {parse_org_identifier(v)[0] for v in present}
        return "org_identifier", f"{n} values read as organisation identifiers ({', '.join(sorted(kinds))})"
    if _all(present, parse_ice) and (
        _ICE.search(label) or all(isinstance(v, str) and len(re.sub(r"\s", "", v)) == 15 for v in present)
    ):
        return "ice", f"{n} values read as ICE numbers"
    if any(isinstance(v, str) and re.match(r"^\s*0\d", v) for v in present) and all(
        isinstance(v, str) and _DIGITS.match(v) for v in present
    ):
        return "text", "digit codes with leading zeros: kept as text"
    int_ok = _all(present, parse_int)
    amount_bad = _failures(present, parse_amount)
    amount_ok = not amount_bad
    if _is_money(label) and (amount_ok or _tolerated(present, amount_bad)):
        return "amount", f"{n - len(amount_bad)} values read as amounts in dirhams" + _set_aside_note(amount_bad)
    has_decimals = any(
        (isinstance(v, str) and _DECIMAL_TEXT.search(v))
        or (isinstance(v, (float, Decimal)) and v != int(v))
        or (isinstance(v, str) and re.search(r"(dhs?|mad|درهم)\.?\s*$", v, re.IGNORECASE))
        for v in present
    )
    if int_ok and not has_decimals:
        return "int", f"{n} whole numbers"
    if amount_ok:
        return "amount", f"{n} values read as amounts"
    # a few unreadable dates or counts among many good ones (strings only: a number is no date)
    for ctype, parse, what in (("date", parse_date, "dates"), ("int", parse_int, "whole numbers")):
        candidates = [v for v in present if ctype != "date" or isinstance(v, (str, dt.date))]
        bad = _failures(candidates, parse)
        if len(candidates) == n and _tolerated(present, bad) and len(bad) < n:
            return ctype, f"{n - len(bad)} values read as {what}" + _set_aside_note(bad)
    if all_text:
        bad = _failures(present, parse_province)
        if _tolerated(present, bad) and len(bad) < n:
            return "province", (
                f"{n - len(bad)} values read as provinces of the region (stored as the HCP code)" + _set_aside_note(bad)
            )
    return "text", "free text"


def _example(value: Any) -> str:
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        value = value.date()
    if isinstance(value, (dt.date, dt.datetime)):
        text = value.isoformat()
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value)
    text = " ".join(text.split())
    return text if len(text) <= 30 else text[:29] + "…"


def examples(values: list[Any], count: int = 3) -> list[str]:
    out: list[str] = []
    for value in values:
        if value is None:
            continue
        shown = _example(value)
        if shown not in out:
            out.append(shown)
        if len(out) == count:
            break
    return out


def propose_columns(table: SampleTable) -> list[ProposedColumn]:
    taken: set[str] = set()
    proposed = []
    for position, column in enumerate(table.columns, start=1):
        label = column.label
        arabic = is_arabic(label)
        ctype, reason = propose_type(label, column.values)
        name = "" if arabic else snake_case(label)
        if name and ctype == "province":
            # the loader stores the HCP code of the province
            name = (
                "province_code"
                if name
                in ("province", "prefecture_province", "province_prefecture", "prefecture", "prefecture_ou_province")
                else f"{name}_code"
            )
        elif name and ctype == "amount":
            name = re.sub(r"_(dh|dhs|mad)$", "", name) + "_mad"
        name = safe_column_name(name, position, taken)
        personal = looks_personal(label)
        proposed.append(
            ProposedColumn(
                name=name,
                label=label,
                type=ctype,
                reason=reason,
                personal=personal,
                arabic_title=arabic,
                filled=sum(v is not None for v in column.values),
                examples=[] if personal else examples(column.values),
            )
        )
    return proposed


def _safe_parse(column: ProposedColumn, value: Any) -> Any:
    try:
        return PARSERS[column.type](value)
    except ParseError:
        return None


def _parsed(column: ProposedColumn, values: list[Any]) -> list[Any]:
    return [_safe_parse(column, v) for v in values]


def propose_key(table: SampleTable, columns: list[ProposedColumn]) -> tuple[list[str], str]:
    """(key column names, why): the first column (identifier-like titles first) whose values are all
    present and unique once parsed; else the first such pair; else the first filled column, flagged."""
    # an exact duplicate line loads once: it does not count against a key
    rows = list(zip(*(c.values for c in table.columns)))
    first_seen: dict[str, int] = {}
    for index, row in enumerate(rows):
        first_seen.setdefault(repr(row), index)
    distinct = sorted(first_seen.values())
    by_name = {c.name: [table.columns[i].values[r] for r in distinct] for i, c in enumerate(columns)}
    candidates = [
        c
        for c in columns
        if not c.personal and c.type not in ("json", "bool", "amount") and None not in by_name[c.name]
    ]
    candidates.sort(key=lambda c: (not looks_like_identifier(c.label), c.type == "date", columns.index(c)))
    parsed = {c.name: _parsed(c, by_name[c.name]) for c in candidates}
    for column in candidates:
        values = parsed[column.name]
        if None not in values and len(set(map(repr, values))) == len(values):
            return [column.name], f"{column.label!r}: present and unique on all {len(values)} rows of the sample"
    # an identifier missing or unreadable on a few rows (the provider's mistakes): those rows are set aside
    for column in columns:
        if (
            column.personal
            or column.type in ("json", "bool", "amount", "date")
            or not looks_like_identifier(column.label)
        ):
            continue
        values = [_safe_parse(column, v) for v in by_name[column.name]]
        present = [v for v in values if v is not None]
        missing = len(values) - len(present)
        if missing and _tolerated(values, [None] * missing) and len(set(map(repr, present))) == len(present):
            return [column.name], (
                f"{column.label!r}: unique, present on {len(present)} of {len(values)} rows of "
                f"the sample (the {missing} row(s) without it will be set aside)"
            )
    for first, second in itertools.combinations(candidates[:8], 2):
        pairs = list(zip(parsed[first.name], parsed[second.name]))
        if all(None not in p for p in pairs) and len(set(map(repr, pairs))) == len(pairs):
            return [first.name, second.name], (
                f"{first.label!r} and {second.label!r} together: unique on all "
                f"{len(pairs)} rows of the sample (no single column is)"
            )
    fallback = candidates[0] if candidates else next((c for c in columns if not c.personal), columns[0])
    return [fallback.name], (
        f"NO COLUMN IS UNIQUE in the sample: {fallback.label!r} is a placeholder; "
        "choose the real key before loading (rows with the same key are set aside)"
    )
