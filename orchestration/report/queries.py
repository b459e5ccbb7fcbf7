"""The report's figures as SQL: one file per figure in queries/, all reading the scope in
queries/_scope.sql (the as-of date, province and programme filters), run on the published marts."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

import sqlalchemy as sa

QUERIES_DIR = Path(__file__).with_name("queries")
ANNEX_DIR = QUERIES_DIR / "annex"
SCOPE_FILE = QUERIES_DIR / "_scope.sql"
FIGURE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


@dataclass(frozen=True)
class Scope:
    """What the report covers: None everywhere is the whole region, everything known."""

    as_of: dt.date | None = None
    province: str | None = None
    programme: str | None = None

    def params(self) -> dict:
        return {"as_of": self.as_of, "province": self.province, "programme": self.programme}


def _read(folder: Path, name: str) -> str:
    if not FIGURE_NAME.match(name):
        raise ValueError(f"not a figure name: {name!r}")
    return (folder / f"{name}.sql").read_text(encoding="utf-8").strip().rstrip(";")


@cache
def figure_sql(name: str) -> str:
    """The statement of a figure on the marts: the scope's relations, then the figure's own query."""
    scope = SCOPE_FILE.read_text(encoding="utf-8").strip()
    return f"with {scope},\nfigure as (\n{_read(QUERIES_DIR, name)}\n)\nselect * from figure"


@cache
def annex_sql(name: str) -> str:
    """The statement of an annex figure, on the load audit (only the as-of date applies: it is about the deliveries)."""
    return _read(ANNEX_DIR, name)


def query_names() -> list[str]:
    return sorted(p.stem for p in QUERIES_DIR.glob("*.sql") if not p.stem.startswith("_"))


def marts_read() -> list[str]:
    """The published marts the figures read (the report's upstream assets)."""
    text = SCOPE_FILE.read_text(encoding="utf-8") + "".join(
        p.read_text(encoding="utf-8") for p in QUERIES_DIR.glob("*.sql")
    )
    return sorted(set(re.findall(r"\bmarts\.([a-z_][a-z0-9_]*)", text)))


def plain(value):
    """A JSON-safe value that keeps the exact figure: numerics as their decimal text."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def run_figure(conn: sa.Connection, name: str, scope: Scope, annex: bool = False) -> tuple[list[str], list[dict]]:
    """Rows of a figure on the marts, or of an annex figure on the load audit (as of the scope's date)."""
    if annex:
        result = conn.execute(sa.text(annex_sql(name)), {"as_of": scope.as_of})
    else:
        result = conn.execute(sa.text(figure_sql(name)), scope.params())
    columns = list(result.keys())
    return columns, [dict(zip(columns, row)) for row in result]
