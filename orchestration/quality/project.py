"""The file-backed Great Expectations project under `expectations/gx/`.

`build_project()` writes, from `catalog.py`: the `warehouse` Postgres data source (its connection
string is `${TADAMON_GX_CONNECTION_STRING}`, substituted by GX from the environment at run time, so
no password is ever in a file), one query data asset + batch definition per suite, the suites, one
validation definition and one checkpoint per suite. Regenerate after changing the catalog:

    .venv/bin/python -m orchestration.quality

Building needs no database (GX's connection test is skipped); running does (see runner.py).
"""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

from orchestration.quality.catalog import Rule, Suite, all_suites
from orchestration.settings import EXPECTATIONS_DIR

PROJECT_ROOT = EXPECTATIONS_DIR
GX_DIR = EXPECTATIONS_DIR / "gx"
CONNECTION_ENV = "TADAMON_GX_CONNECTION_STRING"
DATASOURCE = "warehouse"
BATCH_DEFINITION = "rows_in_force"
DOCS_SITE = "local_site"
MAX_KEYS = 200  # offending rows GX returns per expectation

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


def get_context():
    """The file context (reads expectations/gx/great_expectations.yml; connects to nothing)."""
    import great_expectations as gx

    return gx.get_context(mode="file", project_root_dir=str(PROJECT_ROOT))


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
    """Add data sources without GX's connection test: the files must be buildable without a server."""
    from great_expectations.datasource.fluent import PostgresDatasource

    previous = os.environ.get(CONNECTION_ENV)
    os.environ[CONNECTION_ENV] = "postgresql+psycopg2://build@127.0.0.1:5432/build"
    try:
        with mock.patch.object(PostgresDatasource, "test_connection", lambda self, *a, **k: None):
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


def build_project(suites: list[Suite] | None = None) -> Path:
    """(Re)write every data asset, suite, validation definition and checkpoint from the catalog."""
    import great_expectations as gx
    from great_expectations.checkpoint import UpdateDataDocsAction

    suites = suites if suites is not None else all_suites()
    GX_DIR.parent.mkdir(parents=True, exist_ok=True)
    context = get_context()
    _configure(context)
    # start from clean stores: what is in the files is exactly the catalog
    for folder in ("expectations", "validation_definitions", "checkpoints"):
        for path in (GX_DIR / folder).glob("*.json"):
            path.unlink()
    context = get_context()
    with _offline():
        try:
            context.data_sources.delete(DATASOURCE)
        except Exception:  # not there yet
            pass
        source = context.data_sources.add_postgres(name=DATASOURCE, connection_string="${" + CONNECTION_ENV + "}")
        for suite in suites:
            asset = source.add_query_asset(name=suite.data_asset, query=suite.query)
            batch = asset.add_batch_definition_whole_table(BATCH_DEFINITION)
            gx_suite = context.suites.add(gx.ExpectationSuite(
                name=suite.name,
                meta={"asset_key": "/".join(suite.asset_key), "table": suite.table,
                      "key_columns": list(suite.key_columns),
                      **({"new_loads_only": True} if suite.new_loads_only else {})},
            ))
            for rule in suite.rules:
                gx_suite.add_expectation(expectation(rule))
            validation = context.validation_definitions.add(
                gx.ValidationDefinition(name=suite.name, data=batch, suite=gx_suite))
            context.checkpoints.add(gx.Checkpoint(
                name=suite.name,
                validation_definitions=[validation],
                actions=[UpdateDataDocsAction(name="update_data_docs", site_names=[DOCS_SITE])],
                result_format=result_format(suite),
            ))
    return GX_DIR


def clean_uncommitted() -> None:
    """Remove the validation results and the Data Docs site (git-ignored run artefacts)."""
    shutil.rmtree(GX_DIR / "uncommitted", ignore_errors=True)

