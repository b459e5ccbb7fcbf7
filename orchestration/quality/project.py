"""The file-backed Great Expectations project under `expectations/gx/`.

`build_project()` writes, from `catalog.py` (the one declaration of the suites): the `warehouse`
Postgres data source (its connection string is `${TADAMON_GX_CONNECTION_STRING}`, substituted by GX
from the environment at run time, so no password is ever in a file), one table data asset + batch
definition per suite (the table its batch is in: `batch_relation`), the suites, one validation
definition and one checkpoint per suite.
Regenerate after changing the catalog:

    .venv/bin/python -m orchestration.quality

`add_suites()` writes some suites into the project and leaves the others alone (`tadamon source
new` adds the starter suite of the source it drafts, which the catalog declares from then on).
Building needs no database (GX's connection test is skipped); running does (see runner.py).
"""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

from orchestration.quality.catalog import all_suites
from orchestration.quality.rules import Rule, Suite
from orchestration.settings import EXPECTATIONS_DIR, SOURCES_DIR

PROJECT_ROOT = EXPECTATIONS_DIR
GX_DIR = EXPECTATIONS_DIR / "gx"
CONNECTION_ENV = "TADAMON_GX_CONNECTION_STRING"
DATASOURCE = "warehouse"
BATCH_DEFINITION = "rows_in_force"
DOCS_SITE = "local_site"
MAX_KEYS = 200  # offending rows GX returns per expectation

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


def get_context(project_root: Path = PROJECT_ROOT):
    """The file context (reads <project_root>/gx/great_expectations.yml; connects to nothing)."""
    import great_expectations as gx

    return gx.get_context(mode="file", project_root_dir=str(project_root))


def result_format(suite: Suite) -> dict[str, Any]:
    return {
        "result_format": "COMPLETE",
        "unexpected_index_column_names": list(suite.key_columns),
        "partial_unexpected_count": 20,
        "include_unexpected_rows": False,
    }


def expectation(rule: Rule):
    import great_expectations.expectations as gxe

    cls = getattr(gxe, rule.type)
    return cls(**rule.kwargs, meta=rule.meta(), severity=rule.severity, description=rule.description)


@contextmanager
def _offline():
    """Add data sources and assets without GX's connection tests: the files must be buildable without
    a server (and the tables of the batches exist only once loaded or built)."""
    from great_expectations.datasource.fluent import PostgresDatasource
    from great_expectations.datasource.fluent.sql_datasource import TableAsset

    previous = os.environ.get(CONNECTION_ENV)
    os.environ[CONNECTION_ENV] = "postgresql+psycopg2://build@127.0.0.1:5432/build"
    try:
        with (
            mock.patch.object(PostgresDatasource, "test_connection", lambda self, *a, **k: None),
            mock.patch.object(TableAsset, "test_connection", lambda self, *a, **k: None),
        ):
            yield
    finally:
        if previous is None:
            os.environ.pop(CONNECTION_ENV, None)
        else:
            os.environ[CONNECTION_ENV] = previous


def _configure(context) -> None:
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    context.variables.analytics_enabled = False
    context.variables.save()


def build_project(
    suites: list[Suite] | None = None, project_root: Path = PROJECT_ROOT, sources_dir: Path = SOURCES_DIR
) -> Path:
    """(Re)write every data asset, suite, validation definition and checkpoint from the catalog (the
    sources of `sources_dir`): what is in the files is exactly the catalog."""
    suites = suites if suites is not None else all_suites(sources_dir)
    gx_dir = project_root / "gx"
    project_root.mkdir(parents=True, exist_ok=True)
    _configure(get_context(project_root))
    for folder in ("expectations", "validation_definitions", "checkpoints"):
        for path in (gx_dir / folder).glob("*.json"):
            path.unlink()
    context = get_context(project_root)
    with _offline():
        try:
            context.data_sources.delete(DATASOURCE)
        except Exception:  # not there yet
            pass
        source = context.data_sources.add_postgres(name=DATASOURCE, connection_string="${" + CONNECTION_ENV + "}")
        for suite in suites:
            _write_suite(context, source, suite)
    return gx_dir


def add_suites(suites: list[Suite], project_root: Path = PROJECT_ROOT, replace: bool = False) -> list[Path]:
    """Write `suites` into the GX project under `project_root/gx/` (created when missing), leaving the
    other suites alone; with `replace`, a suite of the same name is replaced. Needs no database."""
    gx_dir = project_root / "gx"
    if not (gx_dir / "great_expectations.yml").is_file():
        build_project([], project_root)
    context = get_context(project_root)
    written: list[Path] = []
    with _offline():
        source = context.data_sources.get(DATASOURCE)
        for suite in suites:
            if replace:
                _remove_suite(context, source, suite)
            _write_suite(context, source, suite)
            written += suite_files(suite.name, project_root)
    return written + [gx_dir / "great_expectations.yml"]


def suite_files(name: str, project_root: Path = PROJECT_ROOT) -> list[Path]:
    """The files of one suite: the suite, its validation definition, its checkpoint."""
    gx_dir = project_root / "gx"
    return [gx_dir / folder / f"{name}.json" for folder in ("expectations", "validation_definitions", "checkpoints")]


def batch_relation(suite: Suite) -> tuple[str, str]:
    """(schema, table) GX's data asset of a suite reads: the table a raw suite's batch is staged in, or
    the mart. A table asset, not a query asset: GX learns a query's columns by running it whole and
    fetching every row (the whole mart, into the client's memory); a table's from the catalog."""
    schema, _, table = (suite.batch_table or suite.table).partition(".")
    return schema, table


def _write_suite(context, source, suite: Suite) -> None:
    """One suite's data asset + batch definition, suite, validation definition and checkpoint."""
    import great_expectations as gx

    schema, table = batch_relation(suite)
    asset = source.add_table_asset(name=suite.data_asset, table_name=table, schema_name=schema)
    batch = asset.add_batch_definition_whole_table(BATCH_DEFINITION)
    gx_suite = context.suites.add(
        gx.ExpectationSuite(
            name=suite.name,
            meta={
                "asset_key": "/".join(suite.asset_key),
                "table": suite.table,
                "key_columns": list(suite.key_columns),
                **({"new_loads_only": True} if suite.new_loads_only else {}),
                **({"batch_table": suite.batch_table} if suite.batch_table else {}),
            },
        )
    )
    for rule in suite.rules:
        gx_suite.add_expectation(expectation(rule))
    validation = context.validation_definitions.add(
        gx.ValidationDefinition(name=suite.name, data=batch, suite=gx_suite)
    )
    # no UpdateDataDocsAction: the runner writes the Data Docs once for all the suites it ran
    # (runner.update_data_docs), not once per checkpoint
    context.checkpoints.add(
        gx.Checkpoint(
            name=suite.name, validation_definitions=[validation], actions=[], result_format=result_format(suite)
        )
    )


def _remove_suite(context, source, suite: Suite) -> None:
    for remove in (context.checkpoints.delete, context.validation_definitions.delete, context.suites.delete):
        try:
            remove(suite.name)
        except Exception:  # not there
            pass
    try:
        source.delete_asset(suite.data_asset)
    except Exception:  # not there
        pass


def clean_uncommitted() -> None:
    """Remove the validation results and the Data Docs site (git-ignored run artefacts)."""
    shutil.rmtree(GX_DIR / "uncommitted", ignore_errors=True)
