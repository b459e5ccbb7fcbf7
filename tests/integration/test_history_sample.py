"""The second month of the samples: the project's sample deliveries, then next month's cooperative
register built here from the sample (five cooperatives struck off, two renamed, two dissolved). The
load publishes, the marts show each change, and nothing that did not change moved (docs/history.md)."""

from __future__ import annotations

import datetime as dt
import re

import dagster as dg
import openpyxl
import pytest
import sqlalchemy as sa

from orchestration.pipeline import run_load
from orchestration.warehouse import engine
from tests.conftest import SAMPLES, deliver_samples

pytestmark = pytest.mark.slow

SAMPLE_REGISTER = SAMPLES / "ministere" / "samples" / "REG_COOP_FM_20261031.xlsx"
NEXT_NAME = "REG_COOP_FM_20261130.xlsx"
NEXT_DATE = dt.date(2026, 11, 30)
CANONICAL = re.compile(r"^[A-Z]{3}/\d{4}/\d{4}$")


def _next_month_register(target) -> dict[str, list[str]]:
    """Write next month's register from the sample; returns the register numbers of each change."""
    book = openpyxl.load_workbook(SAMPLE_REGISTER)
    sheet = book["Coopératives"]
    header_row = next(r for r in range(1, 20) if sheet.cell(r, 1).value == "N° Immatriculation")
    titles = [c.value for c in sheet[header_row]]
    column = {title: i + 1 for i, title in enumerate(titles)}
    rows = [r for r in range(header_row + 1, sheet.max_row + 1) if sheet.cell(r, 1).value not in (None, "Total")]
    numbers = [sheet.cell(r, 1).value for r in rows]
    plain = [
        r
        for r in rows
        if CANONICAL.match(str(sheet.cell(r, 1).value))
        and numbers.count(sheet.cell(r, 1).value) == 1
        and sheet.cell(r, column["Situation"]).value == "Active"
    ]
    struck, renamed, dissolved = plain[20:25], plain[40:42], plain[60:62]
    changes = {
        "struck_off": [sheet.cell(r, 1).value for r in struck],
        "renamed": [sheet.cell(r, 1).value for r in renamed],
        "dissolved": [sheet.cell(r, 1).value for r in dissolved],
    }
    for i, r in enumerate(renamed):
        sheet.cell(r, column["Dénomination"]).value = f"Coopérative Nouveau Nom Numéro {i + 1}"
    for r in dissolved:
        sheet.cell(r, column["Situation"]).value = "Dissoute"
    for r in sorted(struck, reverse=True):
        sheet.delete_rows(r)
    sheet.cell(3, 1).value = f"Arrêté au : {NEXT_DATE:%d/%m/%Y}"
    total_row = next(r for r in range(header_row, sheet.max_row + 1) if sheet.cell(r, 1).value == "Total")
    sheet.cell(total_row, 3).value = f"{total_row - header_row - 1} coopératives"
    target.parent.mkdir(parents=True, exist_ok=True)
    book.save(target)
    return changes


def _versions(conn, register_number: str) -> list[dict]:
    return [
        dict(r._mapping)
        for r in conn.execute(
            sa.text(
                """select organisation_id, organisation_key, name_fr, status, in_register, version_reason,
                  changed_columns, version_source_file, valid_from, valid_to, is_current
           from marts.dim_organisation where register_number = :n order by valid_from"""
            ),
            {"n": register_number},
        )
    ]


def _in_register_on(conn, day: dt.date) -> int:
    return conn.execute(
        sa.text(
            """select count(*) from marts.dim_organisation
           where organisation_type = 'cooperative' and in_register
             and valid_from <= :d and (valid_to is null or valid_to > :d)"""
        ),
        {"d": day},
    ).scalar()


def test_sample_then_next_month_register(warehouse):
    url = warehouse.warehouse_url
    deliver_samples(warehouse)
    with dg.DagsterInstance.ephemeral() as instance:
        first = run_load(warehouse, instance)
    assert first.success, first.failure
    with engine(url).connect() as conn:
        ids_before = dict(
            conn.exec_driver_sql(
                "select register_number, organisation_id from marts.dim_organisation where register_number is not null"
            ).all()
        )
        keys_before = dict(conn.exec_driver_sql("select project_ref, project_key from marts.dim_project").all())
        in_register_before = _in_register_on(conn, NEXT_DATE)

    changes = _next_month_register(warehouse.incoming_dir / "ministere" / NEXT_NAME)
    with dg.DagsterInstance.ephemeral() as instance:
        second = run_load(warehouse, instance)
    assert second.success, second.failure
    assert second.files == {"loaded": 1}

    with engine(url).connect() as conn:
        for number in changes["struck_off"]:
            before, after = _versions(conn, number)
            assert before["valid_to"] == NEXT_DATE and before["in_register"] and before["status"] == "active"
            assert after["is_current"] and not after["in_register"] and after["status"] == "struck_off"
            assert (after["version_reason"], after["valid_from"], after["version_source_file"]) == (
                "struck_off",
                NEXT_DATE,
                NEXT_NAME,
            )
            assert after["name_fr"] == before["name_fr"], "a struck-off version keeps the last known attributes"
        for i, number in enumerate(changes["renamed"]):
            before, after = _versions(conn, number)
            assert after["name_fr"] == f"Coopérative Nouveau Nom Numéro {i + 1}" != before["name_fr"]
            assert after["version_reason"] == "changed" and after["changed_columns"] == "name_fr"
            assert after["organisation_id"] == before["organisation_id"]
        for number in changes["dissolved"]:
            before, after = _versions(conn, number)
            assert (before["status"], after["status"], after["changed_columns"]) == ("active", "dissolved", "status")
            assert after["in_register"], "a dissolved cooperative is still in the register"
        changed = set(changes["struck_off"] + changes["renamed"] + changes["dissolved"])
        unchanged = conn.execute(
            sa.text(
                """select count(*) from marts.dim_organisation
               where register_number is not null and not (register_number = any(:changed))
                 and version_number > 1"""
            ),
            {"changed": list(changed)},
        ).scalar()
        assert unchanged == 0, "an unchanged cooperative has no new version"
        assert _in_register_on(conn, NEXT_DATE - dt.timedelta(days=1)) == in_register_before
        assert _in_register_on(conn, NEXT_DATE) == in_register_before - 5
        ids_after = dict(
            conn.exec_driver_sql(
                "select register_number, organisation_id from marts.dim_organisation where register_number is not null"
            ).all()
        )
        assert ids_after == ids_before, "organisation_id never changes"
        assert dict(conn.exec_driver_sql("select project_ref, project_key from marts.dim_project").all()) == keys_before
        one_current = conn.exec_driver_sql(
            "select count(distinct organisation_id) = count(*) filter (where is_current) from marts.dim_organisation"
        ).scalar()
        assert one_current
        load = conn.execute(
            sa.text(
                "select status, rows_read, rows_loaded, rows_rejected, rows_duplicate from audit.load_file "
                "where file_name = :f"
            ),
            {"f": NEXT_NAME},
        ).one()
        assert load.status == "loaded" and load.rows_read == load.rows_loaded + load.rows_rejected + load.rows_duplicate
        assert load.rows_read == 402 - 5
