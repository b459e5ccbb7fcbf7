"""Parsers of text, amounts, counts, dates and yes/no cells (see `cells.py` for what a parser takes
and raises). The writings accepted are those of the provider contract (``/work/shared/feeds/README.md``):
French and Arabic-Indic digits, French thousands spaces (U+0020, U+00A0, U+202F, U+2009), decimal
comma, Excel date serials."""

from __future__ import annotations

import datetime
import math
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from orchestration.ingest.parsers.cells import clean, fail, is_blank, number_from_cell

_CENT = Decimal("0.01")


# Thousands separators: space, no-break space, narrow no-break space, thin
# space, and the Arabic thousands separator.
_THOUSANDS = " \u00a0\u202f\u2009\u066c"

# A non-negative number with optional grouped thousands and a decimal part of
# one or two digits ("1 250 000,00", "1250000.00", "33959,4").
_NUMBER_RE = re.compile(
    r"(?P<int>\d+|\d{1,3}(?:[" + _THOUSANDS + r"]\d{3})+)"
    r"(?:[.,](?P<frac>\d{1,2}))?",
    re.ASCII,  # \d is 0-9 only; Arabic-Indic digits are converted before
)
_CURRENCY_RE = re.compile(r"\s*(?:dhs?|mad|درهم)\.?\s*$", re.IGNORECASE)
_MINUS_RE = re.compile(r"^[-\u2212]\s*")

_EXCEL_MAX_SERIAL = 2958465  # 31/12/9999 in Excel's 1900 date system
_TIME_RE = r"(?:[ T]+(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?)?"
_DMY_RE = re.compile(r"(?P<d>\d{1,2})[/.\-](?P<m>\d{1,2})[/.\-](?P<y>\d{4})" + _TIME_RE, re.ASCII)
_YMD_RE = re.compile(r"(?P<y>\d{4})[/.\-](?P<m>\d{1,2})[/.\-](?P<d>\d{1,2})" + _TIME_RE, re.ASCII)

_TRUE_WORDS = frozenset({"true", "vrai", "oui", "yes", "1", "نعم"})
_FALSE_WORDS = frozenset({"false", "faux", "non", "no", "0", "لا"})


def _decimal_from_text(text: str) -> Decimal | None:
    """Read a plain number ("-1 250 000,00", "33959.4"); None if it is not one.

    The sign is kept so that callers can tell a negative from a wrong value.
    """
    text = text.replace("\u066b", ",")  # Arabic decimal separator
    match = _MINUS_RE.match(text)
    negative = match is not None
    if negative:
        text = text[match.end() :]
    number = _NUMBER_RE.fullmatch(text)
    if number is None:
        return None
    digits = re.sub("[" + _THOUSANDS + "]", "", number["int"])
    value = Decimal(digits + "." + (number["frac"] or "0"))
    return -value if negative else value


def parse_text(value: object) -> str | None:
    """Text of a cell, stripped; integral numbers are written without ``.0``.

    Dates are written ISO (``2023-03-15``).  Nothing else is changed.
    """
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip() or None


def parse_amount(value: object) -> Decimal | None:
    """An amount in dirhams, as a Decimal with two places.

    Accepts numbers (floats are rounded to the centime through their decimal
    writing, so 0.1 + 0.2 gives 0.30) and text such as ``1 250 000,00 DH``,
    ``1250000.00``, ``33959,40``, ``5 000`` or ``٣٣٩٥٩٫٤٠``: thousands in
    groups of three separated by a space of any kind (or ``٬``), a decimal
    comma or point followed by one or two digits, an optional ``DH``, ``Dhs``
    or ``MAD``.  A negative amount, a third decimal (``1.250`` could be a
    thousand) and anything else is refused.
    """
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise fail("montant illisible", value)
    if isinstance(value, float):
        amount = Decimal(str(round(value, 2))) if math.isfinite(value) else None
    elif isinstance(value, (int, Decimal)):
        amount = number_from_cell(value)
    elif isinstance(value, str):
        amount = _decimal_from_text(_CURRENCY_RE.sub("", clean(value)))
    else:
        amount = None
    if amount is None:
        raise fail("montant illisible", value)
    try:
        amount = amount.quantize(_CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:  # more digits than a Decimal context holds
        raise fail("montant illisible", value) from None
    if amount < 0:
        raise fail("montant négatif", value)
    return abs(amount)  # turns a -0.00 into 0.00


def parse_int(value: object) -> int | None:
    """A count (members, jobs, beneficiaries): a non-negative whole number.

    Accepts ints, integral floats, and digit strings with thousands spaces or
    Arabic-Indic digits (``1 250``, ``١٢٣``, ``12,0``).
    """
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise fail("nombre illisible", value)
    if isinstance(value, (int, float, Decimal)):
        number = number_from_cell(value)
    elif isinstance(value, str):
        number = _decimal_from_text(clean(value))
    else:
        number = None
    if number is None:
        raise fail("nombre illisible", value)
    if number != number.to_integral_value():
        raise fail("nombre non entier", value)
    if number < 0:
        raise fail("nombre négatif", value)
    return int(number)


def _excel_serial_to_date(serial: float) -> datetime.date:
    """Excel 1900 date system: 1 is 1900-01-01, 60 the non-existent 29/02/1900."""
    days = int(serial)
    if days == 60:
        raise ValueError("29/02/1900 does not exist")
    if days < 60:
        return datetime.date(1899, 12, 31) + datetime.timedelta(days=days)
    return datetime.date(1899, 12, 30) + datetime.timedelta(days=days)


def _date_from_match(match: re.Match) -> datetime.date:
    if match["h"] is not None:
        datetime.time(int(match["h"]), int(match["mi"]), int(match["s"] or 0))
    return datetime.date(int(match["y"]), int(match["m"]), int(match["d"]))


def parse_date(value: object) -> datetime.date | None:
    """A date: a date/datetime cell, an Excel serial number (1900 system,
    45000 is 2023-03-15), ``dd/mm/yyyy`` (``d/m/yyyy``) or ``yyyy-mm-dd``,
    possibly followed by a time (``00:00:00``), which is dropped.
    Arabic-Indic digits are accepted.  The day always comes before the month.
    """
    if is_blank(value):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, bool):
        raise fail("date illisible", value)
    try:
        if isinstance(value, (int, float, Decimal)):
            if not 1 <= value <= _EXCEL_MAX_SERIAL:
                raise ValueError("serial out of range")
            return _excel_serial_to_date(float(value))
        if isinstance(value, str):
            text = clean(value)
            match = _DMY_RE.fullmatch(text) or _YMD_RE.fullmatch(text)
            if match is not None:
                return _date_from_match(match)
    except (ValueError, OverflowError):
        pass
    raise fail("date illisible", value)


def parse_bool(value: object) -> bool | None:
    """A yes/no cell: True/False, 1/0, ``true``/``false``, ``oui``/``non``,
    ``yes``/``no`` (also ``vrai``/``faux``, ``نعم``/``لا``), any case."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = clean(value).casefold()
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
    raise fail("valeur oui/non illisible", value)
