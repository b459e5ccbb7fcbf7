"""Dagster's own instance (runs, events, schedules) lives in the warehouse server, in a database of
its own, so run history survives a machine move. DAGSTER_HOME is managed here."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import make_url

from orchestration.settings import Settings
from orchestration.warehouse import _create_database_if_missing, dagster_database, make_private

DAGSTER_YAML = """\
# Written by tadamon: Dagster's storage is the warehouse server (database {database}).
storage:
  postgres:
    postgres_url:
      env: TADAMON_DAGSTER_STORAGE_URL
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


def prepare_dagster_home(settings: Settings, warehouse_url: str) -> Path:
    storage = dagster_storage_url(warehouse_url)
    _create_database_if_missing(make_url(storage))
    make_private(make_url(storage))
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    content = DAGSTER_YAML.format(database=make_url(storage).database)
    config = home / "dagster.yaml"
    if not config.exists() or config.read_text() != content:
        config.write_text(content)
    os.environ["DAGSTER_HOME"] = str(home)
    os.environ["TADAMON_DAGSTER_STORAGE_URL"] = storage
    return home
