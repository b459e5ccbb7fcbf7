"""The fast path's parsing of a column of cells: polars expressions for the common writings (`2019/123`,
`15/06/2016`, `1 250 000,00 DH`, ...), and the reference Python parser (`parsers/`) once per distinct
text for what they leave, so values, errors and messages are the row-by-row loader's."""

from __future__ import annotations

import polars as pl

from orchestration.ingest.definitions import Column
from orchestration.ingest.parsers import PARSERS
from orchestration.ingest.parsers.cells import ParseError
from orchestration.ingest.parsers.identifiers import REGISTER_CITY_CODES
from orchestration.ingest.rejections import cell_reason, column_label
from orchestration.ingest.rows import raw_text

# Python's str.isspace() set is Unicode White_Space (polars' \s) plus the four separators U+001C-U+001F.
SPACE = r"\s\x{1c}-\x{1f}"
# A cell whose first or last character is a space other than U+0020 or a format character is left to
# Python: its strip() and polars' could disagree on such edges.
ODD_EDGE = rf"^[{SPACE}\p{{Cf}}]|[{SPACE}\p{{Cf}}]$"
# A register number's city code in any case, ASCII letters only (Python's upper() and polars' agree on
# them), and the separators parsers.identifiers splits on that mean the same in both regex engines
# (Python's \s holds U+001C-U+001F, polars' does not: such cells go to Python).
_CITY = "|".join("".join(f"[{c}{c.lower()}]" for c in code) for code in sorted(REGISTER_CITY_CODES))
_SEPARATORS = r"[ /\\_.\-]+"


def fast_parts(text, column_type: str) -> dict:
    """The first of two steps of fast_value: the pieces a value is read from, by kind (`d`: a date written ISO,
    `a`: an amount without its currency, `x`: receipt parts, `y`: register parts). Each is computed once
    into a column: an eager polars frame evaluates an expression again wherever it is used."""
    digits = r"[0-9]"
    if column_type == "date":  # 15/06/2016 or 2016-06-15, as 2016-06-15 (checked in fast_value)
        dmy = text.str.contains(rf"^{digits}{{2}}/{digits}{{2}}/{digits}{{4}}$")
        ymd = text.str.contains(rf"^{digits}{{4}}-{digits}{{2}}-{digits}{{2}}$")
        iso = pl.concat_str(text.str.slice(6, 4), pl.lit("-"), text.str.slice(3, 2), pl.lit("-"), text.str.slice(0, 2))
        return {"d": pl.when(dmy).then(iso).when(ymd).then(text)}
    if column_type == "amount":
        return {"a": text.str.replace(r"(?i)[ \x{a0}\x{202f}]*(dhs?|mad)\.?$", "")}
    receipt = {"x": text.str.extract_groups(r"^([0-9]{1,6})/([0-9]{1,6})$")}
    register = {"y": _register_parts(text)}
    if column_type == "receipt_number":
        return receipt
    if column_type == "register_number":
        return register
    if column_type == "org_identifier":
        return receipt | register
    return {}


def _register_parts(text):
    """City, year and sequence (fields 1, 2, 3) of `FES/2015/0123`, `fes 2015 123`, `123-2015-FES`..."""
    city_first = text.str.extract_groups(rf"^({_CITY}){_SEPARATORS}([0-9]{{4}}){_SEPARATORS}([0-9]{{1,6}})$")
    city_last = text.str.extract_groups(rf"^([0-9]{{1,6}}){_SEPARATORS}([0-9]{{4}}){_SEPARATORS}({_CITY})$")
    first, last = city_first.struct.field, city_last.struct.field
    return pl.struct(
        pl.coalesce(first("1"), last("3")).str.to_uppercase().alias("1"),
        pl.coalesce(first("2"), last("2")).alias("2"),
        pl.coalesce(first("3"), last("1")).alias("3"),
    )


def fast_value(text, parts: dict, column_type: str):
    """The parsed value of the common writings, as the text COPY reads; null when the cell is left to
    the Python parser. `text` is the cell (a text cell without its spaces), `parts` the columns of
    fast_parts. No writing read here starts or ends with a space or a format character: such cells
    go to Python."""
    digits = r"[0-9]"
    if column_type == "text":
        return text
    if column_type == "int":
        return pl.when(text.str.contains(rf"^{digits}{{1,15}}$")).then(text.cast(pl.Int64).cast(pl.String))
    if column_type == "date":
        iso = parts["d"]
        date = iso.str.to_date("%Y-%m-%d", strict=False)
        return pl.when(date.dt.year() >= 1).then(iso)  # a real day; Python has no year 0
    if column_type == "amount":
        bare = parts["a"]
        grouped = rf"{digits}{{1,3}}(?:[ \x{{a0}}\x{{202f}}\x{{2009}}]{digits}{{3}}){{1,4}}"
        plain = rf"{digits}{{1,15}}"
        number = rf"^(?:{plain}|{grouped})(?:[.,]{digits}{{1,2}})?$"
        return pl.when(bare.str.contains(number)).then(
            bare.str.replace_all(r"[ \x{a0}\x{202f}\x{2009}]", "").str.replace(",", ".", literal=True)
        )
    if column_type == "ice":
        return pl.when(text.str.contains(rf"^{digits}{{1,15}}$") & text.str.contains("[1-9]")).then(text.str.zfill(15))
    if column_type == "receipt_number":
        return _receipt(parts["x"])
    if column_type == "register_number":
        return _register(parts["y"])
    if column_type == "org_identifier":  # the kind follows from the shape: see fast_kind
        return pl.coalesce(_register(parts["y"]), _receipt(parts["x"]))
    return None  # province, bool: few distinct writings, each parsed once in Python


def fast_kind(parts: dict):
    """The kind parsers.parse_org_identifier gives the two shapes fast_value reads."""
    return (
        pl.when(_register(parts["y"]).is_not_null())
        .then(pl.lit("register"))
        .when(_receipt(parts["x"]).is_not_null())
        .then(pl.lit("receipt"))
    )


def _year_ok(year):
    return year.cast(pl.Int32, strict=False).is_between(1900, 2100)


def _receipt(parts):
    """`2019/123` or `123/2019`: a year and a sequence; the first part is the year when it can be one."""
    first, second = parts.struct.field("1"), parts.struct.field("2")
    first_is_year = (first.str.len_bytes() == 4) & _year_ok(first)  # digits only: bytes are characters
    second_is_year = (second.str.len_bytes() == 4) & _year_ok(second)
    year = pl.when(first_is_year).then(first).when(second_is_year).then(second)
    seq = pl.when(first_is_year).then(second).when(second_is_year).then(first).cast(pl.Int64, strict=False)
    return pl.when(year.is_not_null() & (seq > 0)).then(pl.concat_str(year, pl.lit("/"), seq.cast(pl.String)))


def _register(parts):
    """`FES/2015/0123` with a region city code, in capitals."""
    city, year = parts.struct.field("1"), parts.struct.field("2")
    seq = parts.struct.field("3").cast(pl.Int64, strict=False)
    return pl.when(_year_ok(year) & (seq > 0)).then(
        pl.concat_str(city, pl.lit("/"), year, pl.lit("/"), seq.cast(pl.String).str.zfill(4))
    )


def python_values(column: Column, texts: list[str]) -> tuple[list, list, list, list]:
    """The reference parser on each distinct text: value as COPY text, kind, error message, raw text."""
    parse = PARSERS[column.type]
    label = column_label(column)
    values, kinds, errors, raws = [], [], [], []
    for text in texts:
        raws.append(raw_text(text))
        try:
            parsed = parse(text)
        except ParseError as exc:
            values.append(None), kinds.append(None), errors.append(cell_reason(label, exc))
            continue
        kind = None
        if column.type == "org_identifier" and parsed is not None:
            kind, parsed = parsed
        values.append(None if parsed is None else str(parsed)), kinds.append(kind), errors.append(None)
    return values, kinds, errors, raws
