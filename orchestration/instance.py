"""Dagster's own instance (runs, events, schedules) lives in the warehouse server, in a database of
its own, so run history survives a machine move. DAGSTER_HOME (.dagster_home/ by default) holds a
dagster.yaml with no secret in it: its storage class finds the server from the project's settings
when Dagster loads the instance, so the plain Dagster CLI (`dagster dev`, `dagster definitions
validate`) works from the project root as `tadamon` does."""

from __future__ import annotations

import os
from pathlib import Path

from dagster_postgres import (
    DagsterPostgresStorage,
    PostgresEventLogStorage,
    PostgresRunStorage,
    PostgresScheduleStorage,
)
from dagster_postgres.utils import create_pg_engine
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


# A connection kept for reuse is dropped after this long, so a long `tadamon ui` holds few
STORAGE_POOL_RECYCLE_S = 300


def pooled_storage_engine(url: str):
    """dagster-postgres opens a new connection for every event it stores (a NullPool): with scram
    authentication that was a fifth of a region night (thousands of events, about 10 ms each). One
    connection per thread is kept instead, checked before each use so a restarted server is noticed."""
    return create_pg_engine(
        url,
        None,
        isolation_level="AUTOCOMMIT",
        pool_size=1,
        max_overflow=8,
        pool_recycle=STORAGE_POOL_RECYCLE_S,
        pool_pre_ping=True,
    )


class _Pooled:
    """A part of dagster-postgres' storage on a pooled engine (`_engine` is where each part of
    dagster-postgres 0.29 connects from, the attribute its own optimize_for_webserver replaces),
    closed with the instance."""

    def __init__(self, postgres_url: str, should_autocreate_tables: bool = True):
        super().__init__(postgres_url, should_autocreate_tables)
        self._engine.dispose()
        self._engine = pooled_storage_engine(postgres_url)

    def dispose(self) -> None:
        super().dispose()
        self._engine.dispose()


class PooledRunStorage(_Pooled, PostgresRunStorage):
    pass


class PooledEventLogStorage(_Pooled, PostgresEventLogStorage):
    """dagster-postgres asks the catalog whether a table exists for every event it stores (asset
    tags, asset checks): a connection and a query each time, a second of a region night. The tables
    are created with the storage and never dropped while it runs, so a table found stays found."""

    def __init__(self, postgres_url: str, should_autocreate_tables: bool = True):
        super().__init__(postgres_url, should_autocreate_tables)
        self._tables_found: set[str] = set()

    def has_table(self, table_name: str) -> bool:
        if table_name not in self._tables_found:
            if not super().has_table(table_name):
                return False
            self._tables_found.add(table_name)
        return True


class PooledScheduleStorage(_Pooled, PostgresScheduleStorage):
    pass


class WarehouseStorage(DagsterPostgresStorage):
    """dagster-postgres' storage, on the warehouse server the project's settings name, its three
    parts on pooled connections."""

    def __init__(self, postgres_url: str, inst_data=None):
        # what DagsterPostgresStorage.__init__ does, with the pooled parts
        self.postgres_url = postgres_url
        self.should_autocreate_tables = True
        self._inst_data = inst_data
        self._run_storage = PooledRunStorage(postgres_url)
        self._event_log_storage = PooledEventLogStorage(postgres_url)
        self._schedule_storage = PooledScheduleStorage(postgres_url)
        super(DagsterPostgresStorage, self).__init__()

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
