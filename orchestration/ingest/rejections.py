"""The words of a set-aside row, for both ingestion paths: where the row is, and why it is rejected or
counted as a duplicate. The row-by-row loader (`rows.py`) forms them with the functions, the fast path
(`columnar/`) with the polars expressions beside them, from the same texts: a receipt says the same
whichever path loaded the file (the tests compare the two, message for message).

A cell's own error (`montant négatif : '-15000'`) is the parser's (`parsers/`); this module names the
column it is in and joins a row's reasons."""

from __future__ import annotations

from orchestration.ingest.definitions import Column

DUPLICATE_REASON = "ligne en double : identique à une ligne précédente, chargée une seule fois"
REASON_SEPARATOR = "; "  # between the reasons of one row
KEY_SEPARATOR = ", "  # between the values of a key in a reason
_LINE = "ligne "
_MISSING_KEY = "clé manquante"
_SAME_KEY = ("même clé (", ") que la ", ", avec d'autres valeurs")


# -- where a row is --------------------------------------------------------------------------------
def line_label(number: int) -> str:
    """A row of a CSV file or a sheet, by the line number a person sees: `ligne 12`."""
    return f"{_LINE}{number}"


def record_label(records: str, index: int) -> str:
    """A record of a JSON export, by its path: `$.adherents[3]`."""
    return f"$.{records}[{index}]"


def line_label_expr(numbers):
    """`line_label` of a polars expression of line numbers."""
    import polars as pl

    return pl.concat_str(pl.lit(_LINE), numbers.cast(pl.String))


# -- why -------------------------------------------------------------------------------------------
def column_label(column: Column) -> str:
    """How a column is named to the provider in a reason: its title, or its JSON path."""
    return column.title or column.path or column.name


def cell_reason(label: str, error: object) -> str:
    """A cell its parser cannot read: `Montant (DH) : montant négatif : '-15000'`."""
    return f"{label} : {error}"


def missing_key_reason(label: str) -> str:
    """A key cell left empty."""
    return cell_reason(label, _MISSING_KEY)


def key_conflict_reason(key: tuple, first_line: str) -> str:
    """A row whose key an earlier row (`first_line`) already has, with other values."""
    before, between, after = _SAME_KEY
    return f"{before}{KEY_SEPARATOR.join(map(str, key))}{between}{first_line}{after}"


def key_conflict_expr(key_columns: list, first_line):
    """`key_conflict_reason` of polars expressions: the key columns (as text) and the first row's line."""
    import polars as pl

    before, between, after = _SAME_KEY
    key_text = pl.concat_str(key_columns, separator=KEY_SEPARATOR)
    return pl.concat_str(pl.lit(before), key_text, pl.lit(between), first_line, pl.lit(after))


def row_reason(reasons: list[str]) -> str:
    """A row's reasons, in column order, as one."""
    return REASON_SEPARATOR.join(reasons)


def row_reason_expr(reasons: list):
    """`row_reason` of polars expressions, null where a row has none."""
    import polars as pl

    return pl.concat_str(reasons, separator=REASON_SEPARATOR, ignore_nulls=True)
