"""Fault injection: `tadamon run` killed at chosen points, then run again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from orchestration.settings import PROJECT_ROOT
from orchestration.warehouse import dagster_database, engine

TADAMON = str(Path(sys.executable).with_name("tadamon"))
RUN_DEADLINE_S = 420


def poll(predicate, deadline_s: float, what: str, interval_s: float = 0.02):
    """Poll until `predicate()` gives a true value (returned), or fail naming `what`."""
    end = time.monotonic() + deadline_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"{what}: not seen within {deadline_s:.0f}s")
        time.sleep(interval_s)


class Runs:
    """`tadamon run` as a user runs it, on a database and data folder of its own."""

    def __init__(self, url: str | None, tmp_path: Path, extra_env: dict | None = None):
        """`url` None: the embedded warehouse of TADAMON_WAREHOUSE_DIR (set `use_url` once it runs)."""
        self.env = {
            **os.environ,
            "TADAMON_DATA_DIR": str(tmp_path / "data"),
            "DAGSTER_HOME": str(tmp_path / "dagster_home"),
            **(extra_env or {}),
        }
        self.env.pop("TADAMON_WAREHOUSE_URL", None)
        if url:
            self.env["TADAMON_WAREHOUSE_URL"] = url
            self.use_url(url)

    def use_url(self, url: str) -> None:
        self.url = url
        self.dagster_url = (
            make_url(url).set(database=dagster_database(make_url(url).database)).render_as_string(hide_password=False)
        )

    def start(self, *args) -> subprocess.Popen:
        return subprocess.Popen(
            [TADAMON, "run", *args],
            cwd=PROJECT_ROOT,
            env=self.env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def run(self, *args, timeout=RUN_DEADLINE_S) -> subprocess.CompletedProcess:
        try:
            return subprocess.run(
                [TADAMON, "run", *args], cwd=PROJECT_ROOT, env=self.env, capture_output=True, text=True, timeout=timeout
            )
        except subprocess.TimeoutExpired as exc:  # what the run was doing when it was stopped
            output = "".join(
                part.decode(errors="replace") if isinstance(part, bytes) else part
                for part in (exc.stdout, exc.stderr)
                if part
            )
            raise AssertionError(
                f"`tadamon run {' '.join(args)}` did not end within {timeout}s:\n{output[-6000:]}"
            ) from exc

    def status(self) -> subprocess.CompletedProcess:
        return subprocess.run(
            [TADAMON, "status"], cwd=PROJECT_ROOT, env=self.env, capture_output=True, text=True, timeout=300
        )

    def dagster(self, sql: str):
        try:
            with engine(self.dagster_url).connect() as conn:
                return conn.execute(sa.text(sql)).all()
        except sa.exc.DBAPIError:  # not created yet
            return []

    def kill_when(self, process: subprocess.Popen, sql: str, what: str, deadline_s: float = 300) -> None:
        """SIGKILL the run (its whole process group) as soon as `sql` on the Dagster database returns
        a row."""

        def seen():
            if process.poll() is not None:
                raise AssertionError(f"the run ended before {what}: {process.stdout.read()[-3000:]}")
            return self.dagster(sql)

        poll(seen, deadline_s, what)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
        process.stdout.close()

    def marts(self) -> dict[str, list]:
        return marts_rows(self.url)


def marts_rows(url: str) -> dict[str, list]:
    """Every row of every published mart, sorted: two warehouses built from the same deliveries
    compare equal."""
    with engine(url).connect() as conn:
        tables = (
            conn.exec_driver_sql(
                "select table_name from information_schema.tables where table_schema = 'marts' "
                "and table_type = 'BASE TABLE' order by 1"
            )
            .scalars()
            .all()
        )
        return {
            t: sorted((tuple(r) for r in conn.exec_driver_sql(f'select * from marts."{t}"')), key=repr) for t in tables
        }
