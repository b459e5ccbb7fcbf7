"""The Dagster side: definitions, schedule, sensors, retries, the UI."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import psycopg2
import pytest
import requests

from orchestration.defs.ingestion.assets import landing_assets
from orchestration.defs.ingestion.sensors import build_incoming_sensor, provider_job
from orchestration.defs.ops import retries
from orchestration.defs.resources import WarehouseResource
from orchestration.settings import PROJECT_ROOT
from tests.integration.test_ingestion import register_row, write_register

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def defs():
    from orchestration.dbt_manifest import prepare_manifest

    prepare_manifest()
    from orchestration.definitions import defs

    return defs


def test_nightly_schedule_runs_the_nightly_job_at_two_in_casablanca(defs):
    schedule = defs.get_schedule_def("nightly_load_0200")
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.execution_timezone == "Africa/Casablanca"
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    assert schedule.job_name == "nightly_load"


def test_a_sensor_per_provider_folder_and_a_failure_alert(defs):
    names = {s.name for s in defs.sensors}
    assert {"incoming_ministere", "incoming_wilaya", "incoming_chambre", "alert_on_run_failure"} <= names
    for provider in ("ministere", "wilaya", "chambre"):
        assert defs.get_sensor_def(f"incoming_{provider}").default_status == dg.DefaultSensorStatus.RUNNING


def test_asset_graph_shape(defs):
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    for table in (
        "ministere__register",
        "ministere__mouazara",
        "wilaya__associations",
        "wilaya__indh_agr",
        "chambre__adherents",
        "chambre__formations",
    ):
        assert f"raw/{table}" in keys
        assert graph.get(dg.AssetKey(["raw", table])).group_name.startswith("raw_")
    staging = [k for k in graph.get_all_asset_keys() if k.path[0] == "staging"]
    assert staging, "dbt staging models are assets"
    for key in staging:
        parents = {p.path[0] for p in graph.get(key).parent_keys}
        assert parents & {"raw", "staging", "seeds", "audit"}, key
    published = [k for k in graph.get_all_asset_keys() if k.path[0] == "marts"]
    for key in published:
        assert graph.get(key).parent_keys == {dg.AssetKey(["marts_build", key.path[1]])}
    # the freshness checks are declared on every raw asset
    check_keys = {c.asset_key.to_user_string() for c in graph.asset_check_keys if c.name == "delivered_on_time"}
    assert check_keys == {
        f"raw/{t}"
        for t in (
            "ministere__register",
            "ministere__mouazara",
            "wilaya__associations",
            "wilaya__indh_agr",
            "chambre__adherents",
            "chambre__formations",
        )
    }


def test_a_quiet_night_runs_the_code_locations_check_deliveries_job_from_lighter_definitions(defs):
    import sys

    from orchestration.delivery_check_definitions import defs as light
    from orchestration.job_runs import EXECUTED_FROM

    assert EXECUTED_FROM == {"check_deliveries": "orchestration.delivery_check_definitions"}

    from dagster._core.execution.api import create_execution_plan

    def selected(definitions):
        job = definitions.resolve_job_def("check_deliveries")
        return job.asset_layer.selected_asset_keys, sorted(create_execution_plan(job).step_keys_to_execute)

    assets, steps = selected(light)
    assert (assets, steps) == selected(defs)
    # the nightly schedule's quiet night: the same steps, as a part of the nightly job
    from orchestration.defs.ops.jobs import QUIET_NIGHT_ASSETS, QUIET_NIGHT_CHECKS

    part = defs.resolve_job_def("nightly_load").get_subset(
        asset_selection=set(QUIET_NIGHT_ASSETS), asset_check_selection=set(QUIET_NIGHT_CHECKS)
    )
    assert sorted(create_execution_plan(part).step_keys_to_execute) == steps
    assert len(assets) == 6
    assert len(assets) == 6 and len(QUIET_NIGHT_CHECKS) == 6
    # the landing of each provider and the six freshness checks, in one step
    assert steps == ["delivered_on_time", "land_chambre", "land_ministere", "land_wilaya"], steps
    # what makes it light: a child interpreter that loads it never imports dagster-dbt
    probe = "import sys, orchestration.delivery_check_definitions; print('dagster_dbt' in sys.modules)"
    loaded = subprocess.run([sys.executable, "-c", probe], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert loaded.stdout.strip() == "False", loaded.stderr[-2000:]


def test_the_dbt_version_given_to_dagster_dbt_is_the_executables(defs):
    from orchestration.defs.transform.assets import dbt_resource

    printed = subprocess.run([str(BIN / "dbt"), "--version"], capture_output=True, text=True, timeout=120).stdout
    given = dbt_resource()._cli_version  # noqa: SLF001 - what dagster-dbt would have asked `dbt --version`
    assert re.search(r"installed: (\d+\.\d+\.\d+)", printed).group(1) == str(given)


def test_no_dbt_adapter_is_opened_in_dagsters_process(defs):
    """The override stands in for a method dagster-dbt still calls before a build (an upgrade that
    renamed it would bring back the adapter's second of loading without this test failing)."""
    from dagster_dbt import DbtCliResource

    from orchestration.defs.transform.assets import dbt_resource

    assert callable(getattr(DbtCliResource, "_initialize_dbt_core_adapter", None))
    assert dbt_resource()._initialize_dbt_core_adapter(["build"]) is None  # noqa: SLF001


def test_definitions_validate_on_the_workspace(defs):
    result = subprocess.run(
        [str(BIN / "dagster"), "definitions", "validate", "-w", "workspace.yaml"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_sensor_requests_one_run_per_new_file_and_never_twice(tmp_path, monkeypatch):
    monkeypatch.setenv("TADAMON_DATA_DIR", str(tmp_path / "data"))
    sensor = build_incoming_sensor("ministere", provider_job("ministere"))
    first = sensor.evaluate_tick(dg.build_sensor_context())
    assert first.run_requests == [] and first.skip_message
    folder = tmp_path / "data" / "incoming" / "ministere"
    folder.mkdir(parents=True)
    write_register(folder / "REG_COOP_FM_20261130.xlsx", [register_row()])
    second = sensor.evaluate_tick(dg.build_sensor_context(cursor=first.cursor))
    assert len(second.run_requests) == 1
    assert second.run_requests[0].tags["tadamon/files"] == "REG_COOP_FM_20261130.xlsx"
    third = sensor.evaluate_tick(dg.build_sensor_context(cursor=second.cursor))
    assert third.run_requests == []
    # the same bytes under another name are not new either
    (folder / "REG_COOP_FM_20261130 (1).xlsx").write_bytes((folder / "REG_COOP_FM_20261130.xlsx").read_bytes())
    fourth = sensor.evaluate_tick(dg.build_sensor_context(cursor=third.cursor))
    assert fourth.run_requests == []
    assert len(json.loads(fourth.cursor)) == 1


class FlakyWarehouse(WarehouseResource):
    """Unreachable on the first call, then the real warehouse."""

    calls: int = 0

    def url(self) -> str:
        FlakyWarehouse.calls += 1
        if FlakyWarehouse.calls == 1:
            raise psycopg2.OperationalError("could not connect to server: Connection refused")
        return super().url()


def _land_ministere():
    return next(a for a in landing_assets() if a.op.name == "land_ministere")


def test_unreachable_warehouse_is_retried_and_the_run_succeeds(warehouse, monkeypatch):
    monkeypatch.setattr(retries, "BASE_DELAY_S", 0)
    FlakyWarehouse.calls = 0
    (warehouse.incoming_dir / "ministere").mkdir(parents=True)
    write_register(warehouse.incoming_dir / "ministere" / "REG_COOP_FM_20261130.xlsx", [register_row()])
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize([_land_ministere()], resources={"warehouse": FlakyWarehouse()}, instance=instance)
        assert result.success
        retries_seen = [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_UP_FOR_RETRY]
    assert len(retries_seen) == 1 and FlakyWarehouse.calls == 2
    mat = result.asset_materializations_for_node("land_ministere")
    register = next(m for m in mat if m.asset_key == dg.AssetKey(["raw", "ministere__register"]))
    assert register.metadata["rows_loaded"].value == 1


def test_a_bad_file_is_not_retried(warehouse, monkeypatch):
    monkeypatch.setattr(retries, "BASE_DELAY_S", 0)
    folder = warehouse.incoming_dir / "ministere"
    folder.mkdir(parents=True)
    (folder / "REG_COOP_FM_20261130.xlsx").write_bytes(b"PK\x03\x04 truncated")
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize([_land_ministere()], resources={"warehouse": WarehouseResource()}, instance=instance)
    assert result.success
    assert not [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_UP_FOR_RETRY]
    register = next(
        m
        for m in result.asset_materializations_for_node("land_ministere")
        if m.asset_key == dg.AssetKey(["raw", "ministere__register"])
    )
    assert register.metadata["files_rejected"].value == 1


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_tadamon_ui_serves_the_asset_graph(defs, warehouse):
    port, report_port = _free_port(), _free_port()
    process = subprocess.Popen(
        [str(BIN / "tadamon"), "ui", "--port", str(port)],
        cwd=PROJECT_ROOT,
        env={**os.environ, "TADAMON_REPORT_PORT": str(report_port)},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,  # `dagster dev` runs the webserver and the daemon as children
    )
    query = {"query": "{ assetNodes { assetKey { path } } }"}
    try:
        first_line = process.stdout.readline()
        assert f"http://127.0.0.1:{port}" in first_line
        # beside it, the quality report over http (the checks' metadata link to it)
        report = f"http://127.0.0.1:{report_port}/quality_report/index.html"
        assert process.stdout.readline().strip() == f"Quality report on {report}"
        page = requests.get(report, timeout=30)
        assert page.status_code == 200 and "rapport qualité" in page.text
        deadline = time.monotonic() + 240
        nodes = None
        while time.monotonic() < deadline:
            assert process.poll() is None, "tadamon ui exited"
            try:
                response = requests.post(f"http://127.0.0.1:{port}/graphql", json=query, timeout=5)
                data = response.json().get("data") or {}
                if data.get("assetNodes"):
                    nodes = data["assetNodes"]
                    break
            except (requests.ConnectionError, ValueError):
                pass
            time.sleep(0.5)
        assert nodes, "the UI did not serve the asset graph in time"
        paths = {"/".join(n["assetKey"]["path"]) for n in nodes}
        assert "raw/ministere__register" in paths and "marts/dim_organisation" in paths
        assert any(p.startswith("staging/") for p in paths)
        # Dagster's own storage is the warehouse server: a database of its own
        import sqlalchemy as sa

        from orchestration.warehouse import engine

        with engine(os.environ["TADAMON_WAREHOUSE_URL"]).connect() as conn:
            name = conn.exec_driver_sql("select current_database()").scalar()
            assert (
                conn.execute(sa.text("select 1 from pg_database where datname = :n"), {"n": f"{name}_dagster"}).scalar()
                == 1
            )
    finally:
        process.terminate()  # tadamon ui passes it on to dagster dev as an interrupt
        try:
            process.wait(timeout=60)
        finally:
            try:  # code servers left behind wait for a heartbeat timeout: end them now
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def test_status_report_names_late_providers_and_the_next_run(star_schema_db, monkeypatch):
    import datetime as dt

    import sqlalchemy as sa

    from orchestration.status import next_nightly_run, status_report
    from orchestration.warehouse import engine

    monkeypatch.setenv("TADAMON_WAREHOUSE_URL", star_schema_db)
    with engine(star_schema_db).begin() as conn:  # the chamber's last delivery, made 90 days old
        conn.execute(
            sa.text("update audit.load_file set received_at = now() - interval '90 days' where provider = 'chambre'")
        )
    try:
        with dg.DagsterInstance.ephemeral() as instance:
            report = status_report(star_schema_db, instance)
    finally:
        with engine(star_schema_db).begin() as conn:
            conn.execute(sa.text("update audit.load_file set received_at = loaded_at where provider = 'chambre'"))
    late = report.split("Late providers:")[1].split("Next scheduled run:")[0]
    assert "chambre__adherents" in late and "chambre__formations" in late and "ministere" not in late
    assert "Latest deliveries:" in report and "REG_COOP_FM_20261031.xlsx: loaded" in report
    assert "Next scheduled run:" in report and "Africa/Casablanca" in report
    now = dt.datetime(2026, 11, 29, 1, 30, tzinfo=dt.UTC)  # 02:30 in Casablanca (UTC+1)
    assert next_nightly_run(now).isoformat().startswith("2026-11-30T02:00")
