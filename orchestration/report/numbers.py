"""Numbers and dates as the council writes them: French (12 345,6), Arabic with Western digits
(12,345.6) or with Arabic-Indic digits (١٢٬٣٤٥٫٦)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

DIGITS = ("western", "arabic-indic")
_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
# thousands separator, decimal mark, percent sign
_STYLE = {
    ("fr", "western"): ("\u202f", ",", "\u202f%"),
    ("ar", "western"): (",", ".", "%"),
    ("ar", "arabic-indic"): ("٬", "٫", "٪"),
}


def check_digits(digits: str) -> str:
    if digits not in DIGITS:
        raise ValueError(f"unknown digits {digits!r}: choose one of {', '.join(DIGITS)}")
    return digits


def _style(lang: str, digits: str) -> tuple[str, str, str]:
    return _STYLE.get((lang, check_digits(digits)), _STYLE[(lang, "western")])


def _digits(text: str, lang: str, digits: str) -> str:
    return text.translate(_INDIC) if lang == "ar" and digits == "arabic-indic" else text


def number(value, lang: str, digits: str = "western", places: int = 0) -> str:
    if value is None:
        return "—"
    quantum = Decimal(1).scaleb(-places)
    rounded = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    thousands, decimal, _ = _style(lang, digits)
    text = f"{rounded:,.{places}f}".replace(",", "\x00").replace(".", decimal).replace("\x00", thousands)
    return _digits(text, lang, digits)


def percent(rate, lang: str, digits: str = "western") -> str:
    if rate is None:
        return "—"
    sign = _style(lang, digits)[2]
    return number(Decimal(str(rate)) * 100, lang, digits, places=1) + sign


def plain_integer(value, lang: str, digits: str = "western") -> str:
    """A year or an identifier: no thousands separator."""
    return "—" if value is None else _digits(str(value), lang, digits)


def date(value, lang: str, digits: str = "western") -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value) if "T" in value else dt.date.fromisoformat(value)
    return _digits(f"{value:%d/%m/%Y}", lang, digits)


def value_of_column(column: str, value, lang: str, digits: str = "western") -> str:
    """How a figure's column is written, from its name: *_mad money, *_rate percent, *_on and
    *_at dates, year as is, any other number with thousands separators; text as written."""
    if column.endswith("_rate"):
        return percent(value, lang, digits)
    if column.endswith(("_on", "_at")):
        return date(value, lang, digits)
    if column == "year":
        return plain_integer(value, lang, digits)
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return number(value, lang, digits)
    # codes, file names, titles: as written
    return "—" if value is None else str(value)
