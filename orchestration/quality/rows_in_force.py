"""The batch of a raw table's GX suite: its rows in force, selected by the very dbt macro the
staging models use (dbt_project/macros/select_source_rows.sql), rendered here with jinja2 so the
rule is written once.

A snapshot source's suite judges every line of its latest loaded file (`latest_file`: a key repeated
in the file must show); a cumulative source's suite judges the latest delivery of each key among
the loads of its batch (audit.raw_check_load, which the runner fills before each run: every load,
or only those not yet checked when that gives the same rows in force; see runner.prepare_batch).
"""

from __future__ import annotations

from functools import lru_cache

import jinja2

from orchestration.ingest.definitions import SourceDefinition
from orchestration.ingest.rows import table_columns
from orchestration.quality.rules import squash
from orchestration.settings import DBT_PROJECT_DIR
from orchestration.warehouse.schemas import QUALITY_BATCH, RAW

MACRO_FILE = DBT_PROJECT_DIR / "macros" / "select_source_rows.sql"
LINEAGE = ("_load_id", "_file_name", "_line", "_period")


class _CompilerError(Exception):
    pass


class _Exceptions:
    """dbt's `exceptions` namespace, as far as the macro uses it."""

    @staticmethod
    def raise_compiler_error(message: str):
        raise _CompilerError(message)


@lru_cache(maxsize=1)
def _macro():
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined)
    environment.globals.update(source=lambda schema, table: f"{schema}.{table}", exceptions=_Exceptions)
    return environment.from_string(MACRO_FILE.read_text(encoding="utf-8")).module.select_source_rows


def select_source_rows(
    table: str, semantics: str, key_columns: list[str], columns: list[str], loads: str | None = None
) -> str:
    """The macro's SQL for raw.<table> (what dbt compiles `select_source_rows(source('raw', table), ...)` to)."""
    return str(_macro()(f"{RAW}.{table}", table, semantics, key_columns, columns, loads))


def raw_columns(definition: SourceDefinition) -> list[str]:
    """Lineage and non-personal columns of a raw table (personal columns are never read)."""
    return [*LINEAGE, *(name for name, _, column in table_columns(definition) if not column.personal)]


def batch_query(definition: SourceDefinition, suite_name: str) -> str:
    """The rows a raw suite judges: the latest file (snapshot) or the latest delivery of each key
    among the suite's loads (cumulative)."""
    columns = raw_columns(definition)
    lineage_from_macro = set(LINEAGE) - {"_period"}  # the macro always selects these
    if definition.semantics == "snapshot":
        semantics, loads = "latest_file", None
    else:
        semantics = "cumulative"
        loads = f"select load_id from audit.raw_check_load where suite = '{suite_name}' and not checked"
    inner = select_source_rows(
        definition.table, semantics, list(definition.key), [c for c in columns if c not in lineage_from_macro], loads
    )
    return squash(f"select {', '.join(columns)} from ({inner}) as rows_in_force")


def batch_table(suite_name: str) -> str:
    """Where the runner stages a raw suite's batch before each run (GX's data asset reads it): the
    rows in force are computed once, not once per expectation."""
    return f"{QUALITY_BATCH}.{suite_name}"


def new_loads_only(definition: SourceDefinition) -> bool:
    """A cumulative source's suite reads the loads it has not checked yet (runner.prepare_batch)."""
    return definition.semantics != "snapshot"
