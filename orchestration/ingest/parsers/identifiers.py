"""Parsers of identifiers: the ICE (and its check digits), the cooperative register number, the
association receipt number, the trade register number, and an organisation identifier of unknown
kind (see `cells.py` for what a parser takes and raises). The writings accepted are those of the
provider contract (``/work/shared/feeds/README.md``)."""

from __future__ import annotations

import re
from decimal import Decimal

from stdnum.ma import ice as _stdnum_ice

from orchestration.ingest.parsers.cells import clean, fail, is_blank, number_from_cell, strip_accents

#: City codes of the cooperative register in the Fès-Meknès region.
REGISTER_CITY_CODES = frozenset({"FES", "MKN", "BLM", "HAJ", "IFR", "MYQ", "SEF", "TAO", "TAZ"})


_ID_SEPARATORS_RE = re.compile(r"[\s/\\\-_.]+")

# City of a trade register (RC): the tribunal's city written as a register
# code or as a name (after accents are stripped and upper-cased).
_RC_CITY_ALIASES = {
    "FES": "FES",
    "FEZ": "FES",
    "MKN": "MKN",
    "MEKNES": "MKN",
    "BLM": "BLM",
    "BOULEMANE": "BLM",
    "HAJ": "HAJ",
    "ELHAJEB": "HAJ",
    "IFR": "IFR",
    "IFRANE": "IFR",
    "MYQ": "MYQ",
    "MOULAYYACOUB": "MYQ",
    "MOULAYYAACOUB": "MYQ",
    "SEF": "SEF",
    "SEFROU": "SEF",
    "TAO": "TAO",
    "TAOUNATE": "TAO",
    "TAZ": "TAZ",
    "TAZA": "TAZ",
}
_RC_PREFIX_RE = re.compile(r"^R\s*\.?\s*C(?![A-Z])")


def parse_ice(value: object) -> str | None:
    """The 15-digit ICE as text.

    A number (Excel drops the leading zeros) or a shorter digit string is
    left-padded with zeros (``4927354354582`` gives ``004927354354582``);
    spaces are removed and Arabic-Indic digits converted.  An ICE made of
    zeros only is a placeholder for "no ICE" and gives None.  The check
    digits are NOT verified here: see :func:`ice_is_valid`.
    """
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise fail("ICE illisible", value)
    if isinstance(value, (int, float, Decimal)):
        number = number_from_cell(value)
        if number is None or number < 0 or number != number.to_integral_value():
            raise fail("ICE illisible", value)
        digits = str(int(number))
    elif isinstance(value, str):
        digits = re.sub(r"\s+", "", clean(value))
        if not re.fullmatch(r"[0-9]+", digits):
            raise fail("ICE illisible", value)
    else:
        raise fail("ICE illisible", value)
    if len(digits) > 15:
        raise fail("ICE de plus de 15 chiffres", value)
    if set(digits) == {"0"}:
        return None
    return digits.zfill(15)


def ice_is_valid(ice: str | None) -> bool:
    """Whether a 15-digit ICE passes its check digits.

    Two conventions are in use and both are accepted: ``stdnum.ma.ice`` (and the ICEs the
    administration issues) want the 15-digit number divisible by 97; the providers' contract and
    their deliveries compute the last two digits as a textbook ISO 7064 mod 97-10 check, which
    leaves a remainder of 1. Anything else is a wrong check. None, or anything but 15 ASCII digits,
    is not valid.
    """
    if ice is None or not re.fullmatch(r"[0-9]{15}", ice):
        return False
    return _stdnum_ice.is_valid(ice) or int(ice) % 97 == 1


def _identifier_tokens(value: object) -> list[str]:
    """Upper-case tokens of an identifier split on / \\ - _ . and spaces."""
    text = clean(str(value)).upper()
    return [token for token in _ID_SEPARATORS_RE.split(text) if token]


def _is_year(token: str) -> bool:
    return len(token) == 4 and token.isascii() and token.isdigit() and 1900 <= int(token) <= 2100


def _is_sequence(token: str) -> bool:
    return token.isascii() and token.isdigit() and len(token) <= 6 and int(token) > 0


def _register_from_tokens(tokens: list[str]) -> str | None:
    """``CITY YEAR SEQ`` or ``SEQ YEAR CITY`` to ``CITY/YYYY/NNNN``."""
    if len(tokens) != 3:
        return None
    if tokens[0] in REGISTER_CITY_CODES:
        city, year, sequence = tokens
    elif tokens[2] in REGISTER_CITY_CODES:
        sequence, year, city = tokens
    else:
        return None
    if not (_is_year(year) and _is_sequence(sequence)):
        return None
    return f"{city}/{year}/{int(sequence):04d}"


def parse_register_number(value: object) -> str | None:
    """A cooperative register number as ``CITY/YYYY/NNNN``.

    Accepts ``FES/2015/0123``, ``FES/2015/123``, ``FES-2015-123``,
    ``FES 2015 0123``, ``123/2015 FES``, ``123-2015-FES``, lower case, extra
    spaces and Arabic-Indic digits.  The city is one of
    :data:`REGISTER_CITY_CODES`, the year has four digits (1900-2100), the
    sequence is written with at least four digits.
    """
    if is_blank(value):
        return None
    register = _register_from_tokens(_identifier_tokens(value))
    if register is None:
        raise fail("numéro d'immatriculation illisible", value)
    return register


def _receipt_from_tokens(tokens: list[str]) -> str | None:
    """Two digit groups, one of them a year, to ``YYYY/N``."""
    if len(tokens) != 2 or not all(token.isascii() and token.isdigit() for token in tokens):
        return None
    first, second = tokens
    if _is_year(first):  # also when both could be a year: the first one is
        year, sequence = first, second
    elif _is_year(second):
        year, sequence = second, first
    else:
        return None
    if not _is_sequence(sequence):
        return None
    return f"{year}/{int(sequence)}"


def parse_receipt_number(value: object) -> str | None:
    """An association receipt number (رقم الوصل) as ``YYYY/N``.

    The year is the four-digit part (1900-2100), in either position:
    ``2019/123``, ``123/2019``, ``2019-123``, ``١٢٣/٢٠١٩``.  When both parts
    could be a year the first one is taken as the year.  The sequence loses
    its leading zeros.
    """
    if is_blank(value):
        return None
    receipt = _receipt_from_tokens(_identifier_tokens(value))
    if receipt is None:
        raise fail("numéro de récépissé illisible", value)
    return receipt


def _rc_city(words: list[str]) -> str | None:
    key = "".join(words)
    if not key.isalpha():
        return None
    return _RC_CITY_ALIASES.get(key, key)


def _trade_register(value: object) -> str | None:
    """``RC FES 12345``, ``RC 12345 FES``, ``R.C. Fès 12345`` to ``RC FES 12345``.

    The city is given as a register code when it is one of the region's,
    otherwise as written (upper case, without accents or spaces).
    """
    text = strip_accents(clean(str(value))).upper()
    prefix = _RC_PREFIX_RE.match(text)
    if prefix is None:
        return None
    tokens = [t for t in _ID_SEPARATORS_RE.split(text[prefix.end() :]) if t]
    if len(tokens) < 2:
        return None
    if tokens[-1].isdigit():
        city, number = _rc_city(tokens[:-1]), tokens[-1]
    elif tokens[0].isdigit():
        city, number = _rc_city(tokens[1:]), tokens[0]
    else:
        return None
    if city is None or not number.isascii():
        return None
    return f"RC {city} {int(number)}"


def parse_org_identifier(value: object) -> tuple[str, str] | None:
    """An organisation identifier of unknown kind, as ``(kind, canonical)``.

    ``("register", "FES/2015/0123")`` when it reads as a cooperative register
    number (it names a city code), ``("rc", "RC FES 12345")`` for a trade
    register number, ``("receipt", "2019/123")`` for an association receipt.
    """
    if is_blank(value):
        return None
    tokens = _identifier_tokens(value)
    register = _register_from_tokens(tokens)
    if register is not None:
        return ("register", register)
    trade_register = _trade_register(value)
    if trade_register is not None:
        return ("rc", trade_register)
    receipt = _receipt_from_tokens(tokens)
    if receipt is not None:
        return ("receipt", receipt)
    raise fail("identifiant illisible (ni immatriculation, ni RC, ni récépissé)", value)
