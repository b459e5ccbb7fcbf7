"""Where the warehouse is and how to reach it: the embedded server by default, or the server in
TADAMON_WAREHOUSE_URL."""

from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

from orchestration.settings import Settings, get_settings
from orchestration.warehouse.embedded import EmbeddedWarehouse, WarehouseError

BOOTSTRAP_SQL = Path(__file__).with_name("bootstrap.sql")
ROLES = ("admin", "bi_reader", "bi_analyst")
#: the login roles BI users connect as, and the variable holding each one's password on a server of your own
BI_ROLES = {"bi_reader": "TADAMON_BI_READER_PASSWORD", "bi_analyst": "TADAMON_BI_ANALYST_PASSWORD"}
DUPLICATE_DATABASE, UNIQUE_VIOLATION = "42P04", "23505"

__all__ = ["WarehouseError", "embedded", "admin_url", "role_url", "ensure_warehouse", "engine", "dispose_engines"]


def embedded(settings: Settings | None = None) -> EmbeddedWarehouse:
    settings = settings or get_settings()
    return EmbeddedWarehouse(settings.warehouse_dir, port=settings.warehouse_port)


def admin_url(settings: Settings | None = None, start: bool = True) -> str:
    """The URL the pipeline connects with; starts the embedded server when it is the warehouse."""
    settings = settings or get_settings()
    if settings.warehouse_url:
        return settings.warehouse_url
    server = embedded(settings)
    if start:
        server.start()
    return server.url(settings.database)


def role_url(role: str, settings: Settings | None = None) -> str:
    settings = settings or get_settings()
    url = make_url(admin_url(settings, start=False))
    if role == "admin":
        return url.render_as_string(hide_password=False)
    if role not in BI_ROLES:
        raise ValueError(f"unknown role {role!r}: choose one of {', '.join(ROLES)}")
    return url.set(username=role, password=role_password(role, settings)).render_as_string(hide_password=False)


def role_password(role: str, settings: Settings) -> str:
    if settings.warehouse_url:
        password = os.environ.get(BI_ROLES[role])
        if not password:
            raise WarehouseError(f"set {BI_ROLES[role]} to give the {role} role a password")
        return password
    creds = embedded(settings).credentials()
    return creds.bi_reader_password if role == "bi_reader" else creds.bi_analyst_password


def bi_reader_password(settings: Settings) -> str:
    return role_password("bi_reader", settings)


def sqlalchemy_url(url: str | URL) -> URL:
    """SQLAlchemy 2.1 maps plain postgresql:// to psycopg 3; the project ships psycopg2."""
    return make_url(url).set(drivername="postgresql+psycopg2")


def create_database(conn: sa.Connection, name: str) -> None:
    """CREATE DATABASE `name`, its text compared byte by byte (collation C) when the server's locales
    are the C library's, with the server's character classes.

    Why: the marts' keys are text (md5 surrogate keys, codes), sorted, grouped, joined and indexed by
    every night's models and by BI queries. Under a C library collation PostgreSQL calls strcoll for
    each comparison and cannot abbreviate keys; under C it compares bytes (a third less time to index
    the national fct_outcome). The order is the same as the embedded server's C.UTF-8 (code points,
    which is UTF-8's byte order), and lower(), upper() and regular expressions on Arabic or French
    follow LC_CTYPE, which is kept."""
    quoted = conn.dialect.identifier_preparer.quote(name)
    libc_only = "" if conn.dialect.server_version_info < (15,) else " and datlocprovider = 'c'"  # before 15, libc
    template = conn.execute(
        sa.text(f"select datctype from pg_database where datname = 'template1'{libc_only}")
    ).scalar()
    if template is None:  # ICU or built-in locales: the server's own choice stands
        conn.execute(sa.text(f"CREATE DATABASE {quoted}"))
        return
    conn.execute(
        sa.text(f"CREATE DATABASE {quoted} TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE :ctype"), {"ctype": template}
    )


def _create_database_if_missing(url: URL) -> None:
    maintenance = sqlalchemy_url(url).set(database="postgres")
    eng = sa.create_engine(maintenance, isolation_level="AUTOCOMMIT")
    try:
        with eng.connect() as conn:
            exists = conn.execute(
                sa.text("select 1 from pg_database where datname = :name"), {"name": url.database}
            ).scalar()
            if not exists:
                try:
                    create_database(conn, url.database)
                except sa.exc.DBAPIError as exc:
                    # two first runs at once: the other one created it between the check and here
                    if getattr(exc.orig, "pgcode", None) not in (DUPLICATE_DATABASE, UNIQUE_VIOLATION):
                        raise
    finally:
        eng.dispose()


def make_private(url: URL) -> None:
    """Only the owner (and superusers) may connect to a database, such as Dagster's: bi_reader reads
    the warehouse database and nothing else."""
    eng = sa.create_engine(sqlalchemy_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with eng.connect() as conn:
            quoted = eng.dialect.identifier_preparer.quote(url.database)
            conn.exec_driver_sql(f"REVOKE CONNECT, TEMPORARY ON DATABASE {quoted} FROM PUBLIC")
    finally:
        eng.dispose()


def dagster_database(database: str) -> str:
    """The database beside a warehouse database that holds its Dagster runs and events."""
    return f"{database}_dagster"


def drop_database(admin: str, database: str) -> None:
    """Drop a warehouse database and its Dagster database, ending their sessions (tests, the bench)."""
    dispose_engines()
    eng = sa.create_engine(sqlalchemy_url(admin).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with eng.connect() as conn:
            for name in (database, dagster_database(database)):
                quoted = eng.dialect.identifier_preparer.quote(name)
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
    finally:
        eng.dispose()


def ensure_warehouse(settings: Settings | None = None) -> str:
    """Start the warehouse if needed, create its database, schemas, roles and audit tables."""
    settings = settings or get_settings()
    url = admin_url(settings)
    _create_database_if_missing(make_url(url))
    with engine(url).begin() as conn:
        # one bootstrap at a time: two processes creating the same role would collide
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(hashtext('tadamon.bootstrap'))")
        conn.exec_driver_sql(BOOTSTRAP_SQL.read_text())
        for role in BI_ROLES:
            password = _password_or_none(role, settings)
            if password:
                conn.exec_driver_sql(f"ALTER ROLE {role} PASSWORD %(pw)s", {"pw": password})
    return url


def _password_or_none(role: str, settings: Settings) -> str | None:
    try:
        return role_password(role, settings)
    except WarehouseError:
        return None


_ENGINES: dict[str, sa.Engine] = {}


def engine(url: str) -> sa.Engine:
    """One pooled engine per URL for the life of the process."""
    if url not in _ENGINES:
        _ENGINES[url] = sa.create_engine(sqlalchemy_url(url), pool_pre_ping=True)
    return _ENGINES[url]


def dispose_engines() -> None:
    for eng in _ENGINES.values():
        eng.dispose()
    _ENGINES.clear()
