"""The loader's history rules (docs/history.md): a corrected re-send supersedes the earlier file of its
period, and a snapshot older than the one in force, for a period never loaded, is refused with a
receipt saying why."""

from __future__ import annotations

import shutil

import openpyxl
import sqlalchemy as sa

from orchestration.ingest.landing import Lander
from orchestration.warehouse import engine
from tests.conftest import SAMPLES

REGISTER = SAMPLES / "ministere" / "samples" / "REG_COOP_FM_20261031.xlsx"


def _statuses(url) -> list[tuple]:
    with engine(url).connect() as conn:
        return [
            tuple(r)
            for r in conn.exec_driver_sql("select file_name, period, status from audit.load_file order by load_id")
        ]


def test_correction_supersedes_and_late_snapshot_is_refused(warehouse, tmp_path):
    url = warehouse.warehouse_url
    lander = Lander(warehouse, url)
    incoming = warehouse.incoming_dir / "ministere"
    incoming.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(REGISTER, incoming / REGISTER.name)
    first = lander.land_file(incoming / REGISTER.name, "ministere")
    assert first.status == "loaded"

    # a corrected re-send: same period, different bytes (one status corrected), a second download's name
    book = openpyxl.load_workbook(REGISTER)
    sheet = book["Coopératives"]
    sheet.cell(6, 13).value = "En veille"
    corrected_name = "REG_COOP_FM_20261031 (1).xlsx"
    book.save(incoming / corrected_name)
    corrected = lander.land_file(incoming / corrected_name, "ministere")
    assert corrected.status == "loaded"
    assert corrected.supersedes == [f"{REGISTER.name} (chargement n° {first.load_id})"]
    receipt = (warehouse.receipts_dir / "ministere" / f"{corrected.sha256[:12]}_{corrected_name}.txt").read_text()
    assert f"Remplace, pour la même période : {REGISTER.name}" in receipt
    assert _statuses(url) == [(REGISTER.name, "20261031", "superseded"), (corrected_name, "20261031", "loaded")]
    assert (warehouse.archive_dir / "ministere" / f"{first.sha256[:12]}_{REGISTER.name}").is_file(), (
        "the earlier file stays archived"
    )

    # a snapshot dated before the one in force, for a period never loaded: refused, quarantined
    late_name = "REG_COOP_FM_20260930.xlsx"
    shutil.copyfile(REGISTER, incoming / late_name)
    book = openpyxl.load_workbook(incoming / late_name)
    book["Coopératives"].cell(6, 10).value = 7  # other bytes than any loaded file
    book.save(incoming / late_name)
    late = lander.land_file(incoming / late_name, "ministere")
    assert late.status == "rejected"
    assert late.error.startswith(
        f"instantané du 20260930, antérieur à celui en vigueur ({corrected_name}, période 20261031)"
    )
    assert (warehouse.quarantine_dir / "ministere" / f"{late.sha256[:12]}_{late_name}").is_file()
    assert not (incoming / late_name).exists()
    with engine(url).connect() as conn:
        assert (
            conn.execute(
                sa.text("select count(*) from raw.ministere__register where _file_name = :f"), {"f": late_name}
            ).scalar()
            == 0
        )
    # a correction of a period already loaded is taken whatever its age; a newer snapshot too
    newer_name = "REG_COOP_FM_20261130.xlsx"
    shutil.copyfile(warehouse.archive_dir / "ministere" / f"{first.sha256[:12]}_{REGISTER.name}", incoming / newer_name)
    book = openpyxl.load_workbook(incoming / newer_name)
    book["Coopératives"].cell(6, 10).value = 8
    book.save(incoming / newer_name)
    assert lander.land_file(incoming / newer_name, "ministere").status == "loaded"
    again = "REG_COOP_FM_20261031 (2).xlsx"
    shutil.copyfile(REGISTER, incoming / again)
    book = openpyxl.load_workbook(incoming / again)
    book["Coopératives"].cell(6, 10).value = 9
    book.save(incoming / again)
    assert lander.land_file(incoming / again, "ministere").status == "loaded"
    assert [s for s in _statuses(url) if s[1] == "20261031"] == [
        (REGISTER.name, "20261031", "superseded"),
        (corrected_name, "20261031", "superseded"),
        (again, "20261031", "loaded"),
    ]
