"""The quality gate end to end: a half-delivered register must not replace the full one."""

from __future__ import annotations

import json

import dagster as dg
import openpyxl
import sqlalchemy as sa

from orchestration.pipeline import run_load
from orchestration.warehouse import admin_url, engine
from tests.conftest import SAMPLES, deliver_samples

REGISTER = SAMPLES / "ministere" / "samples" / "REG_COOP_FM_20261031.xlsx"


def half_register(target):
    """The sample register with only the first half of its data rows, as a later snapshot."""
    workbook = openpyxl.load_workbook(REGISTER)
    sheet = workbook.active
    header_row = next(r[0].row for r in sheet.iter_rows() if r[0].value == "N° Immatriculation")
    last = sheet.max_row  # the total line
    data_rows = last - header_row - 1
    keep = data_rows // 2
    sheet.delete_rows(header_row + 1 + keep, data_rows - keep)
    workbook.save(target)


def counts(url):
    with engine(url).connect() as conn:
        return conn.execute(
            sa.text("select count(*), count(*) filter (where is_current) from marts.dim_organisation")
        ).one()


def test_half_register_fails_the_critical_volume_check_and_marts_stay(warehouse):
    url = admin_url(warehouse)
    deliver_samples(warehouse)
    with dg.DagsterInstance.ephemeral() as instance:
        first = run_load(warehouse, instance)
    assert first.success, first.failure
    # the planted business-rule breaks are warnings: they do not stop publication
    assert any("women" in f or "femmes" in f or "members" in f for f in first.checks_warned), first.checks_warned
    assert not first.checks_failed, first.checks_failed
    before = counts(url)
    assert before[0] > 800
    with engine(url).begin() as conn:
        conn.exec_driver_sql(
            "CREATE VIEW public.analyst_orgs AS SELECT organisation_type, count(*) AS n "
            "FROM marts.dim_organisation WHERE is_current GROUP BY 1"
        )
    view_before = dict(engine(url).connect().exec_driver_sql("select * from public.analyst_orgs").all())

    folder = warehouse.incoming_dir / "ministere"
    folder.mkdir(parents=True, exist_ok=True)
    half_register(folder / "REG_COOP_FM_20261130.xlsx")
    with dg.DagsterInstance.ephemeral() as instance:
        second = run_load(warehouse, instance)

    assert not second.success
    assert second.files == {"loaded": 1}
    assert any("raw/ministere__register" in f and "ERROR" in f.upper() for f in second.checks_failed), (
        second.checks_failed
    )
    assert counts(url) == before
    with engine(url).connect() as conn:
        assert dict(conn.exec_driver_sql("select * from public.analyst_orgs").all()) == view_before
        failed = conn.execute(
            sa.text(
                "select expectation, severity, observed_value from audit.quality_result "
                "where not success and severity = 'critical' and asset = 'raw/ministere__register'"
            )
        ).all()
    assert failed, "the critical volume expectation is recorded in audit.quality_result"
    alerts = (warehouse.logs_dir / "alerts.log").read_text(encoding="utf-8").splitlines()
    assert json.loads(alerts[-1])["title"] == "the load failed"

    # the ministry re-sends the full register for the same period: the correction supersedes the half
    # file, and the next night publishes (docs/history.md)
    workbook = openpyxl.load_workbook(REGISTER)
    workbook.active.cell(3, 1).value = "Arrêté au : 30/11/2026"
    workbook.save(folder / "REG_COOP_FM_20261130 (1).xlsx")
    with dg.DagsterInstance.ephemeral() as instance:
        third = run_load(warehouse, instance)
    assert third.success, third.failure
    with engine(url).connect() as conn:
        statuses = conn.exec_driver_sql(
            "select file_name, status from audit.load_file where source_name = 'ministere__register' order by load_id"
        ).all()
    assert [tuple(r) for r in statuses] == [
        ("REG_COOP_FM_20261031.xlsx", "loaded"),
        ("REG_COOP_FM_20261130.xlsx", "superseded"),
        ("REG_COOP_FM_20261130 (1).xlsx", "loaded"),
    ]
    assert counts(url)[1] == before[1], "the same organisations, each with one current version"
