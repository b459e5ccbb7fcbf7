"""The operator's day (#15): a stable warehouse address, read-only commands that start nothing, sample
data only on request."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg2
import pytest

from orchestration.settings import PROJECT_ROOT
from orchestration.warehouse.embedded import EmbeddedWarehouse, WarehouseError, _free_port

TADAMON = str(Path(sys.executable).with_name("tadamon"))


def tadamon(*args, env, timeout=300):
    return subprocess.run([TADAMON, *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def _dsn(server: EmbeddedWarehouse) -> str:
    return server.url("postgres")


@pytest.fixture
def warehouse_dir():
    """A folder for an embedded server of the test's own, outside pytest's tmp_path: as root the
    server runs as another user, who must traverse the folders above (as in conftest.test_server)."""
    folder = Path(tempfile.mkdtemp(prefix="tadamon-test-ops-"))
    yield folder / "warehouse"
    EmbeddedWarehouse(folder / "warehouse").stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def server(warehouse_dir):
    return EmbeddedWarehouse(warehouse_dir)


def test_port_kept_across_stop_and_start_with_a_client_connected(server):
    server.start()
    port = server.credentials().port
    client = psycopg2.connect(_dsn(server))
    with client.cursor() as cur:
        cur.execute("select inet_server_port()")
        assert cur.fetchone()[0] == port
    probe = socket.create_connection(("127.0.0.1", port))  # a client still opening its session
    assert server.stop()
    # the server closed the probe's connection first: the server's end of it stays in TIME_WAIT
    assert probe.recv(100) == b""
    probe.close()
    client.close()
    server.start()
    assert server.credentials().port == port
    with psycopg2.connect(_dsn(server)) as again, again.cursor() as cur:
        cur.execute("select inet_server_port()")
        assert cur.fetchone()[0] == port


def test_a_port_taken_by_another_program_is_a_clear_error_and_the_port_can_be_chosen(server):
    server.start()
    port = server.credentials().port
    server.stop()
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        with pytest.raises(WarehouseError) as info:
            server.start()
        message = str(info.value)
        assert f"port {port} on 127.0.0.1" in message and "taken by another program" in message
        assert "TADAMON_WAREHOUSE_PORT" in message
        assert not server.is_running()
        assert server.credentials().port == port  # not moved behind the user's back
        chosen = _free_port()
        moved = EmbeddedWarehouse(server.root, port=chosen)
        moved.start()
    assert moved.credentials().port == chosen
    with psycopg2.connect(_dsn(moved)) as conn, conn.cursor() as cur:
        cur.execute("select inet_server_port()")
        assert cur.fetchone()[0] == chosen


def test_a_port_setting_that_is_no_port_is_refused(tmp_path):
    env = {**os.environ, "TADAMON_WAREHOUSE_DIR": str(tmp_path / "w"), "TADAMON_WAREHOUSE_PORT": "54x"}
    env.pop("TADAMON_WAREHOUSE_URL", None)
    result = tadamon("warehouse", "start", env=env)
    assert result.returncode == 2
    assert "TADAMON_WAREHOUSE_PORT='54x' is not a port number" in result.stderr
    assert not (tmp_path / "w").exists()


def test_read_only_commands_leave_a_stopped_warehouse_stopped(warehouse_dir, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("TADAMON_WAREHOUSE_URL", "TADAMON_WAREHOUSE_PORT")}
    env["TADAMON_WAREHOUSE_DIR"] = str(warehouse_dir)
    env["DAGSTER_HOME"] = str(tmp_path / "dagster_home")
    for args in (("status",), ("warehouse", "url")):
        result = tadamon(*args, env=env)
        assert result.returncode == 3, result.stderr
        assert "not created yet" in result.stderr and "`tadamon warehouse start`" in result.stderr
    assert not warehouse_dir.exists()

    server = EmbeddedWarehouse(warehouse_dir)
    try:
        assert tadamon("warehouse", "start", env=env).returncode == 0
        port = server.credentials().port
        assert tadamon("warehouse", "stop", env=env).returncode == 0
        status = tadamon("status", env=env)
        assert status.returncode == 3
        assert f"the warehouse is stopped (127.0.0.1:{port}" in status.stderr
        assert "`tadamon warehouse start` starts it" in status.stderr
        url = tadamon("warehouse", "url", "--role", "bi_reader", env=env)
        assert url.returncode == 3 and "stopped" in url.stderr
        assert url.stdout.strip().startswith("postgresql://bi_reader:") and f"@127.0.0.1:{port}/" in url.stdout
        state = tadamon("warehouse", "status", env=env)
        assert state.returncode == 3 and "stopped" in state.stdout and "tadamon warehouse start" in state.stdout
        assert not server.is_running()
        assert not (tmp_path / "dagster_home").exists()
    finally:
        server.stop()


def test_a_mistyped_data_folder_is_an_error_and_creates_nothing(tmp_path):
    mistyped = tmp_path / "mistyped" / "data"
    env = {
        **os.environ,
        "TADAMON_DATA_DIR": str(mistyped),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "TADAMON_WAREHOUSE_DIR": str(tmp_path / "warehouse"),
    }
    env.pop("TADAMON_WAREHOUSE_URL", None)
    for args in (("run",), ("ui", "--port", "1"), ("reload", "wilaya_jamiyat_202610.csv")):
        result = tadamon(*args, env=env)
        assert result.returncode == 2, result.stdout + result.stderr
        assert f"the data folder {mistyped} (TADAMON_DATA_DIR) does not exist" in result.stderr
        assert "tadamon init --samples" in result.stderr
    assert not (tmp_path / "mistyped").exists()
    assert not (tmp_path / "warehouse").exists() and not (tmp_path / "dagster_home").exists()


def test_init_creates_the_data_folder_and_copies_samples_only_when_asked(tmp_path):
    env = {**os.environ, "TADAMON_DATA_DIR": str(tmp_path / "empty"), "DAGSTER_HOME": str(tmp_path / "home")}
    assert tadamon("init", env=env).returncode == 0
    assert sorted(p.name for p in (tmp_path / "empty").iterdir()) == [
        "archive",
        "incoming",
        "logs",
        "quarantine",
        "receipts",
    ]
    assert not any((tmp_path / "empty" / "incoming").iterdir())
    env["TADAMON_DATA_DIR"] = str(tmp_path / "samples")
    result = tadamon("init", "--samples", env=env)
    assert result.returncode == 0 and "6 sample deliveries" in result.stdout
    delivered = sorted(
        p.relative_to(tmp_path / "samples" / "incoming").as_posix()
        for p in (tmp_path / "samples" / "incoming").glob("*/*")
    )
    shipped = sorted(f"{p.parent.parent.name}/{p.name}" for p in (PROJECT_ROOT / "sources").glob("*/samples/*"))
    assert delivered == shipped and len(shipped) == 6
    assert "class: WarehouseStorage" in (tmp_path / "home" / "dagster.yaml").read_text()


def test_importing_the_definitions_parses_nothing_and_creates_nothing(tmp_path):
    from orchestration.defs.transform.project import dbt_project

    manifest = dbt_project.manifest_path
    stat = manifest.stat()
    # a manifest older than the dbt files: a parse at import would rewrite it
    os.utime(manifest, ns=(stat.st_atime_ns, stat.st_mtime_ns - 86_400 * 10**9))
    aged = manifest.stat().st_mtime_ns
    env = {
        **os.environ,
        "TADAMON_WAREHOUSE_DIR": str(tmp_path / "w"),
        "TADAMON_DATA_DIR": str(tmp_path / "d"),
        "DAGSTER_HOME": str(tmp_path / "h"),
    }
    env.pop("TADAMON_WAREHOUSE_URL", None)
    try:
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                "from orchestration.definitions import defs; print(defs.resolve_job_def('nightly_load').name)",
            ],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        assert result.stdout.strip() == "nightly_load"
        assert manifest.stat().st_mtime_ns == aged
        assert list(tmp_path.iterdir()) == []
    finally:
        os.utime(manifest, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def test_the_plain_dagster_cli_works_from_the_project_root(warehouse):
    from sqlalchemy.engine import make_url

    from orchestration.instance import write_dagster_yaml
    from orchestration.warehouse import dagster_database, engine

    home = PROJECT_ROOT / ".dagster_home"  # the documented DAGSTER_HOME (Dagster wants it absolute)
    text = write_dagster_yaml(home).read_text()
    assert "postgresql://" not in text and "password" not in text.lower()
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    env.pop("TADAMON_DAGSTER_STORAGE_URL", None)
    dagster = str(Path(sys.executable).with_name("dagster"))
    validate = subprocess.run(
        [dagster, "definitions", "validate", "-w", "workspace.yaml"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = validate.stdout + validate.stderr
    assert validate.returncode == 0, output[-3000:]
    assert "All code locations passed validation" in output and "TADAMON_DAGSTER_STORAGE_URL" not in output
    info = subprocess.run(
        [dagster, "instance", "info"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert info.returncode == 0, info.stderr[-3000:]
    # dagster-postgres' storage on kept connections (orchestration/instance.py)
    for part in ("run_storage: PooledRunStorage", "event_log_storage: PooledEventLogStorage"):
        assert part in info.stdout, info.stdout[-2000:]
    url = os.environ["TADAMON_WAREHOUSE_URL"]
    with engine(url).connect() as conn:
        assert (
            conn.exec_driver_sql(
                "select count(*) from pg_database where datname = %(d)s",
                {"d": dagster_database(make_url(url).database)},
            ).scalar()
            == 1
        )


def test_dagster_on_a_stopped_warehouse_says_how_to_start_it(tmp_path):
    from orchestration.instance import write_dagster_yaml

    env = {k: v for k, v in os.environ.items() if k not in ("TADAMON_WAREHOUSE_URL", "TADAMON_DAGSTER_STORAGE_URL")}
    env["TADAMON_WAREHOUSE_DIR"] = str(tmp_path / "warehouse")
    env["DAGSTER_HOME"] = str(write_dagster_yaml(tmp_path / "dagster_home").parent)
    info = subprocess.run(
        [str(Path(sys.executable).with_name("dagster")), "instance", "info"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert info.returncode != 0
    assert "the warehouse, which is not running" in info.stderr and "tadamon warehouse start" in info.stderr
    assert not (tmp_path / "warehouse").exists()
