"""The warning-level findings on the rows of one loaded file, in French, for its receipt.

The rules are the row rules (UnexpectedRowsExpectation with a `meta.finding` template) of the raw
table's GX suite, read from expectations/gx/ (suites/stored.py): the same SQL the checks run, with `{batch}` set to
the rows of that one load instead of the file in force. Plain SQL, no GX import: it is fast enough
to run for every file the loader lands.
"""

from __future__ import annotations

import datetime as dt
import decimal
import logging
import re
import string

import psycopg2

from orchestration.suites.model import WARNING
from orchestration.suites.stored import suite_for_table
from orchestration.warehouse import engine
from orchestration.warehouse.schemas import RAW

log = logging.getLogger(__name__)
_JOIN = re.compile(r"\bJOIN\b", re.IGNORECASE)
_SAFE_TABLE = re.compile(rf"^{RAW}\.[a-z][a-z0-9_]*$")


def _fr(value) -> str:
    """A value as a French reader expects it: 45 000,00 ; 03/12/2024 ; — for nothing."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, decimal.Decimal):
        if value == value.to_integral_value():
            return f"{int(value):,}".replace(",", " ")
        return f"{value:,.2f}".replace(",", " ").replace(".", ",")
    if isinstance(value, float):
        return _fr(decimal.Decimal(str(value)))
    if isinstance(value, int):
        return f"{value:,}".replace(",", " ") if abs(value) >= 10000 else str(value)
    if isinstance(value, dt.datetime):
        return f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    return str(value)


class _Lenient(dict):
    def __missing__(self, key):
        return "—"


def _line_number(line: str | None) -> int:
    digits = re.sub(r"\D", "", line or "")
    return int(digits) if digits else 0


def findings_for_load(url: str, load_id: int) -> list[str]:
    """French one-line findings for the warning-level rules the rows of one loaded file break, e.g.
    "ligne 12 (BLM/2014/0002) : femmes (48) > adhérents (31)", in line order. Empty when the load
    is unknown, not loaded, or its source has no suite."""
    raw_conn = engine(url).raw_connection()
    try:
        with raw_conn.cursor() as cursor:
            cursor.execute(
                "select source_name from audit.load_file where load_id = %s and status = 'loaded'", (load_id,)
            )
            found = cursor.fetchone()
            return findings_for_rows(cursor, f"{RAW}.{found[0]}", load_id) if found and found[0] else []
    finally:
        raw_conn.rollback()
        raw_conn.close()


def findings_for_rows(cursor, table: str, load_id: int) -> list[str]:
    """findings_for_load with a DB-API cursor, on the rows of `load_id` in `table`. The loader runs it
    inside the load's own transaction, before commit: rows are read there at half the cost (their
    visibility needs no commit-status lookup and no hint bits are written). A rule whose query fails
    is logged and skipped (savepoint): a defect of a warning rule never costs a load. One round trip a
    rule: its savepoint goes with it, the previous rule's is released with the next, the last one with
    the transaction."""
    suite = suite_for_table(table)
    if suite is None or not _SAFE_TABLE.match(suite.table):
        return []
    found: list[tuple[int, int, str]] = []
    savepoint = "SAVEPOINT tadamon_finding; "
    for order, rule in enumerate(suite.rules):
        query = rule.kwargs.get("unexpected_rows_query")
        if not query or not rule.finding or rule.severity != WARNING:
            continue
        rows_of_load = f"(select * from {suite.table} where _load_id = {int(load_id)})"
        batch = rows_of_load if _JOIN.search(query) else f"{rows_of_load} AS subselect"
        try:
            cursor.execute(savepoint + query.format(batch=batch))  # no parameters: psycopg2 leaves % and : alone
            names = [column[0] for column in cursor.description]
            rows = [dict(zip(names, row)) for row in cursor.fetchall()]
        except psycopg2.Error:
            cursor.execute("ROLLBACK TO SAVEPOINT tadamon_finding")
            log.exception("%s: the warning rule %s could not be evaluated", table, rule.rule)
            continue
        finally:
            savepoint = "RELEASE SAVEPOINT tadamon_finding; SAVEPOINT tadamon_finding; "
        for row in rows:
            values = _Lenient({k: _fr(v) for k, v in row.items()})
            text = string.Formatter().vformat(rule.finding, (), values)
            line = row.get("line")
            prefix = f"{line} ({row.get('key')})" if line else f"({row.get('key')})"
            found.append((_line_number(line), order, f"{prefix} : {text}"))
    return [text for _, _, text in sorted(found)]
