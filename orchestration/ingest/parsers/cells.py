"""What every cell parser shares: the error a provider reads, what counts as an empty cell, and the
cleaning of a cell's text (invisible direction marks, Arabic-Indic digits, accents).

A parser (`values.py`, `identifiers.py`, `provinces.py`) takes one raw cell value as a reader hands
it over (``None``, ``str``, ``int``, ``float``, ``Decimal``, ``datetime.datetime`` or
``datetime.date``) and returns the parsed value, or ``None`` when the cell is empty. A value that is
present but cannot be read raises :class:`ParseError` whose message is a short reason in French for
the people who send the files, quoting the raw value, e.g. ``montant négatif : '-15000'``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import Decimal

# Arabic-Indic (U+0660..U+0669) and Eastern Arabic-Indic (U+06F0..U+06F9) digits.
ARABIC_DIGITS = {ord(c): str(i) for i, c in enumerate("٠١٢٣٤٥٦٧٨٩")}
ARABIC_DIGITS.update({ord(c): str(i) for i, c in enumerate("۰۱۲۳۴۵۶۷۸۹")})

# Invisible direction marks and zero-width characters met in Arabic exports.
_INVISIBLE_RE = re.compile("[\u200b-\u200f\u061c\u202a-\u202e\u2066-\u2069\ufeff]")


class ParseError(ValueError):
    """A cell value that cannot be read; the message is in French."""


def fail(reason: str, raw: object) -> ParseError:
    """Build the ParseError ``"<reason> : '<raw value>'"``; a whole number read from a workbook as a
    float is shown as the provider typed it (-15000, not -15000.0)."""
    shown = str(int(raw)) if isinstance(raw, float) and raw.is_integer() else str(raw)
    if len(shown) > 80:
        shown = shown[:79] + "…"
    return ParseError(f"{reason} : '{shown}'")


def _is_nan(value: object) -> bool:
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, Decimal):
        return value.is_nan()
    return False


def is_blank(value: object) -> bool:
    """None, a string of white space only, or a NaN number."""
    if value is None or _is_nan(value):
        return True
    return isinstance(value, str) and clean(value) == ""


def clean(text: str) -> str:
    """Drop invisible direction marks, convert Arabic digits, strip."""
    return _INVISIBLE_RE.sub("", text).translate(ARABIC_DIGITS).strip()


def number_from_cell(value: int | float | Decimal) -> Decimal | None:
    """An int, float or Decimal cell as an exact Decimal; None if infinite."""
    number = Decimal(value)
    return number if number.is_finite() else None


def strip_accents(text: str) -> str:
    """Drop combining marks after compatibility decomposition (é -> e)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))
