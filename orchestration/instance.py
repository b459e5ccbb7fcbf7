"""Dagster's own instance (runs, events, schedules) lives in the warehouse server, in a database of
its own, so run history survives a machine move. DAGSTER_HOME (.dagster_home/ by default) holds a
dagster.yaml with no secret in it: its storage class finds the server from the project's settings
when Dagster loads the instance, so the plain Dagster CLI (`dagster dev`, `dagster definitions
validate`) works from the project root as `tadamon` does."""

from __future__ import annotations

import os
from pathlib import Path

from dagster_postgres import DagsterPostgresStorage
from sqlalchemy.engine import make_url

from orchestration.settings import Settings, get_settings
from orchestration.warehouse import (
    WarehouseError,
    _create_database_if_missing,
    admin_url,
    dagster_database,
    embedded,
    make_private,
)

STORAGE_URL_ENV = "TADAMON_DAGSTER_STORAGE_URL"  # optional: a storage URL of its own (the bench)

DAGSTER_YAML = """\
# Written by tadamon. Dagster's storage is the warehouse server (database <warehouse database>_dagster),
# found from the TADAMON_* settings when Dagster loads the instance: nothing secret in this file.
storage:
  custom:
    module: orchestration.instance
    class: WarehouseStorage
    config: {}
# one run at a time, and one step at a time per pool: two loads never write the same tables at once
concurrency:
  runs:
    max_concurrent_runs: 1
  pools:
    default_limit: 1
telemetry:
  enabled: false
"""


def dagster_storage_url(warehouse_url: str) -> str:
    url = make_url(warehouse_url)
    # dagster-postgres hands the URL to SQLAlchemy, whose plain postgresql:// means psycopg 3
    return url.set(drivername="postgresql+psycopg2", database=dagster_database(url.database)).render_as_string(
        hide_password=False
    )


def storage_url(settings: Settings) -> str:
    """The Dagster database's URL; never starts the warehouse (a stopped one is an error saying how
    to start it)."""
    if os.environ.get(STORAGE_URL_ENV):
        return os.environ[STORAGE_URL_ENV]
    if not settings.warehouse_url and not embedded(settings).is_running():
        raise WarehouseError(
            f"Dagster's storage is in the warehouse, which is not running ({settings.warehouse_dir}): "
            f"start it with `.venv/bin/tadamon warehouse start`"
        )
    return dagster_storage_url(admin_url(settings, start=False))


class WarehouseStorage(DagsterPostgresStorage):
    """dagster-postgres' storage, on the warehouse server the project's settings name."""

    @classmethod
    def config_type(cls):
        return {}

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        url = storage_url(get_settings())
        _create_database_if_missing(make_url(url))
        return cls(postgres_url=url, inst_data=inst_data)


def write_dagster_yaml(home: Path) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists() or config.read_text() != DAGSTER_YAML:
        config.write_text(DAGSTER_YAML)
    return config


def prepare_dagster_home(settings: Settings, warehouse_url: str) -> Path:
    storage = dagster_storage_url(warehouse_url)
    _create_database_if_missing(make_url(storage))
    make_private(make_url(storage))
    home = settings.dagster_home
    write_dagster_yaml(home)
    os.environ["DAGSTER_HOME"] = str(home)
    return home
