"""The distinct non-text cells of a column (numbers and dates from a workbook, numbers and nested values
from an export) as the row-by-row loader reads them: the value as COPY text, kind, error, raw text.

The usual ones are written here directly, a few times cheaper than through the parser: a positive
number under a bound in a count, an amount or an ICE, a date or datetime in a date column. They are
the cases where `parsers/` can only give that value and `rows.raw_text` that text (the tests compare
the two, `tests/unit/test_columnar_cells.py`); every other cell, errors included, goes to the parser.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from orchestration.ingest.columnar.expressions import python_values
from orchestration.ingest.definitions import Column

# Under 1e11 a float is within 2e-5 of the two-decimal writing `round` gives it: `.2f` writes that
# writing (parse_amount's Decimal(str(round(v, 2)))). Counts and ICEs: at most 15 digits.
_AMOUNT_BOUND = 1e11
_DIGITS_BOUND = 10**15


def _amount(value) -> tuple[str, str] | None:
    if 0 < value < _AMOUNT_BOUND:
        raw = str(int(value)) if value.__class__ is int or value.is_integer() else repr(value)
        return (f"{round(value, 2):.2f}" if value.__class__ is float else str(value)), raw
    return None


def _count(value) -> tuple[str, str] | None:
    if 0 <= value < _DIGITS_BOUND and (value.__class__ is int or value.is_integer()):
        text = str(int(value))
        return text, text
    return None


def _ice(value) -> tuple[str, str] | None:
    if 1 <= value < _DIGITS_BOUND and (value.__class__ is int or value.is_integer()):
        text = str(int(value))
        return text.zfill(15), text
    return None


_NUMBERS = {"amount": _amount, "int": _count, "ice": _ice}


def object_values(column: Column, objects: list[Any]) -> tuple[list, list, list, list]:
    """(values, kinds, errors, raw texts) of each distinct non-text cell, in the order of `objects`."""
    count = len(objects)
    if column.type == "json":
        import orjson  # the same JSON as json.dumps for what orjson read (jsonb keeps the value, not the text)

        nothing = [None] * count
        return [orjson.dumps(v).decode() for v in objects], nothing, nothing, nothing
    values: list = [None] * count
    raws: list = [None] * count
    left: list[int] = []  # for the parser
    number = _NUMBERS.get(column.type)
    for i, value in enumerate(objects):
        cls = value.__class__
        found = None
        if number is not None and (cls is float or cls is int):
            found = number(value)
        elif column.type == "date" and cls is dt.date:
            found = value.isoformat(), value.isoformat()
        elif column.type == "date" and cls is dt.datetime:
            found = value.date().isoformat(), value.isoformat()
        if found is None:
            left.append(i)
        else:
            values[i], raws[i] = found
    kinds, errors = [None] * count, [None] * count
    if left:
        for i, value, kind, error, raw in zip(left, *python_values(column, [objects[i] for i in left])):
            values[i], kinds[i], errors[i], raws[i] = value, kind, error, raw
    return values, kinds, errors, raws
