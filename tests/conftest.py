"""Test fixtures: a real PostgreSQL for the whole session, a database per test that needs one.

By default the session starts its own embedded PostgreSQL in a temporary folder and removes it at
the end; with TADAMON_TEST_WAREHOUSE_URL it uses that server instead, in databases of its own that it
drops at the end. Nothing is left behind either way.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from orchestration.datadir import create_data_dir
from orchestration.settings import get_settings
from orchestration.warehouse import create_database, drop_database, ensure_warehouse, sqlalchemy_url
from orchestration.warehouse.embedded import EmbeddedWarehouse

SHARED = Path(__file__).resolve().parents[2] / "shared"
SAMPLES = Path(__file__).resolve().parents[1] / "sources"
TADAMON_ROLES = ("tadamon_loader", "tadamon_transformer", "bi_reader", "bi_analyst")


class TestServer:
    """Creates and drops databases on the session's server."""

    def __init__(self, admin_url: str):
        self.admin_url = admin_url
        self.created: list[str] = []

    def _admin(self) -> sa.Engine:
        return sa.create_engine(sqlalchemy_url(self.admin_url).set(database="postgres"), isolation_level="AUTOCOMMIT")

    def new_database(self, prefix: str = "tadamon_test") -> str:
        name = f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}"
        eng = self._admin()
        with eng.connect() as conn:
            create_database(conn, name)
        eng.dispose()
        self.created.append(name)
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def drop_database(self, url: str) -> None:
        name = make_url(url).database
        drop_database(self.admin_url, name)
        if name in self.created:
            self.created.remove(name)

    def roles_present(self) -> set[str]:
        eng = self._admin()
        with eng.connect() as conn:
            rows = (
                conn.execute(
                    sa.text("select rolname from pg_roles where rolname = any(:r)"), {"r": list(TADAMON_ROLES)}
                )
                .scalars()
                .all()
            )
        eng.dispose()
        return set(rows)

    def drop_roles(self, roles: set[str]) -> None:
        eng = self._admin()
        with eng.connect() as conn:
            for role in roles:
                conn.exec_driver_sql(f'DROP ROLE IF EXISTS "{role}"')
        eng.dispose()


@pytest.fixture(scope="session", autouse=True)
def dbt_manifest():
    """The dbt manifest the definitions read (importing them parses nothing)."""
    from orchestration.dbt_manifest import prepare_manifest

    return prepare_manifest()


@pytest.fixture(scope="session")
def test_server():
    external = os.environ.get("TADAMON_TEST_WAREHOUSE_URL")
    folder = None
    server = None
    if external:
        admin_url = external
    else:
        folder = Path(tempfile.mkdtemp(prefix="tadamon-test-warehouse-"))
        server = EmbeddedWarehouse(folder)
        server.start()
        admin_url = server.url("postgres")
    test_server = TestServer(admin_url)
    roles_before = test_server.roles_present()
    os.environ["TADAMON_BI_READER_PASSWORD"] = secrets.token_urlsafe(12)
    os.environ["TADAMON_BI_ANALYST_PASSWORD"] = secrets.token_urlsafe(12)
    try:
        yield test_server
    finally:
        for name in list(test_server.created):
            test_server.drop_database(make_url(admin_url).set(database=name).render_as_string(hide_password=False))
        if external:
            test_server.drop_roles(test_server.roles_present() - roles_before)
        if server is not None:
            server.stop()
            shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def warehouse(test_server, tmp_path, monkeypatch):
    """A fresh, bootstrapped database and data folder for one test; returns the Settings."""
    url = test_server.new_database()
    monkeypatch.setenv("TADAMON_WAREHOUSE_URL", url)
    monkeypatch.setenv("TADAMON_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    settings = get_settings()
    create_data_dir(settings)
    ensure_warehouse(settings)
    yield settings
    test_server.drop_database(url)


def deliver_samples(settings, providers=("ministere", "wilaya", "chambre")) -> None:
    """Put the project's own sample deliveries into the incoming folders."""
    for provider in providers:
        target = settings.incoming_dir / provider
        target.mkdir(parents=True, exist_ok=True)
        for sample in sorted((SAMPLES / provider / "samples").iterdir()):
            shutil.copyfile(sample, target / sample.name)


@pytest.fixture(scope="session")
def star_schema_db(test_server, tmp_path_factory):
    """A database where the samples went through the whole load (Dagster job: ingest, dbt, checks,
    publish). Shared by the tests that only read it."""
    import dagster as dg

    from orchestration.dbt_manifest import prepare_manifest
    from orchestration.pipeline import run_load

    url = test_server.new_database("tadamon_star")
    folder = tmp_path_factory.mktemp("star")
    mp = pytest.MonkeyPatch()
    mp.setenv("TADAMON_WAREHOUSE_URL", url)
    mp.setenv("TADAMON_DATA_DIR", str(folder / "data"))
    settings = get_settings()
    prepare_manifest()
    deliver_samples(settings)
    with dg.DagsterInstance.ephemeral() as instance:
        summary = run_load(settings, instance)
    mp.undo()
    assert summary.success, summary.failure
    yield url


def served_url(process, what: str, seconds: float = 120) -> str:
    """The first http:// URL a serving child prints on its standard output, within a deadline."""
    import re
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        assert line or process.poll() is None, process.stderr.read()
        found = re.search(r"http://\S+", line)
        if found:
            return found.group(0)
    raise AssertionError(f"{what} printed no URL within {seconds:.0f} s")
