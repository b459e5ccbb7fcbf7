"""The fast path of workbooks and JSON exports loads what the row-by-row loader loads: the same raw rows,
the same rows set aside with the same reasons, the same accounting; files it does not serve, and a
defect of its own, go row by row."""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
from pathlib import Path

import pytest

from orchestration.bench.generate import generate
from orchestration.ingest import columnar
from orchestration.ingest.columnar.cells import ColumnarCells
from orchestration.ingest.definitions import definition_for
from orchestration.ingest.landing import Lander
from orchestration.warehouse import admin_url
from tests.conftest import SAMPLES
from tests.integration.test_ingestion import REGISTER_HEADER, incoming, query, register_row, write_register
from tests.integration.test_ingestion_columnar import assert_same, land_and_dump


def member(number: int, **fields) -> dict:
    record = {
        "id_adherent": f"CA-FM-{number:06d}",
        "type": "cooperative",
        "raison_sociale": f"Coop {number}",
        "raison_sociale_ar": "تعاونية",
        "num_immatriculation": "FES/2015/0123",
        "ice": "001689701119297",
        "metier": "tissage",
        "province": "Fès",
        "commune": "Fès",
        "date_adhesion": "2022-04-15",
        "effectif": {"hommes": 10, "femmes": 8},
        "contact": {"telephone": "0600000000", "email": None},
        "actif": True,
    }
    record.update(fields)
    return record


def edge_workbook(path: Path) -> Path:
    rows = [
        register_row("FES/2015/0001"),
        register_row("FES/2015/0002", ice=1689701119297, members=20.0),
        register_row("fes 2015 3", province="إقليم إفران"),
        register_row("FES/2015/0001"),  # a duplicate line
        register_row("FES/2015/0001", name="Autre"),  # same key, other values
        register_row("FES/2015/0004", members=-3),
        register_row("FES/2015/0005", members=2.5),
        register_row(None),
        [None] * len(REGISTER_HEADER),
        register_row("FES/2015/0006", women=" "),
        register_row("FES/2015/0007", province="Rabat"),
        register_row("FES/2015/0008", ice="12"),
        register_row("FES/2015/0009", members=True),
        register_row(" "),  # a first cell of spaces, the others filled: a row (a copy of the one without key)
        [" ", None, "\u00a0"] + [None] * (len(REGISTER_HEADER) - 3),  # only spaces: a blank row
    ]
    rows[2][6] = dt.datetime(2015, 1, 14)  # a date cell; others are text
    rows[9][11] = 10000.004  # an amount as a number
    rows[11][6] = 42000  # a date as an Excel serial
    write_register(path, rows)
    return path


def edge_export(path: Path) -> Path:
    records = [
        member(1),
        member(2, effectif={"hommes": "12", "femmes": 3.0}, ice=1689701119297, actif="oui"),
        member(1),
        member(1, raison_sociale="Autre"),
        member(3, province="Marrakech"),
        member(4, id_adherent=None),
        member(5, effectif=None, contact={"telephone": None}),
        member(6, date_adhesion="15/04/2022", actif=0),
        member(7, num_immatriculation="2019/12", effectif={"hommes": -1}),
        member(8, raison_sociale="  Coop  8 "),
        member(9, ice=["001689701119297"]),
    ]
    text = json.dumps({"export_date": "2026-11-01", "region": "Fès-Meknès", "adherents": records}, ensure_ascii=False)
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))  # with a BOM
    return path


def test_edge_cases_load_the_same_by_both_paths(test_server, tmp_path, monkeypatch):
    (tmp_path / "delivery" / "ministere").mkdir(parents=True)
    (tmp_path / "delivery" / "chambre").mkdir(parents=True)
    files = [
        edge_workbook(tmp_path / "delivery" / "ministere" / "REG_COOP_FM_20261130.xlsx"),
        edge_export(tmp_path / "delivery" / "chambre" / "chambre_adherents_20261130.json"),
    ]
    fast = land_and_dump(test_server, tmp_path, monkeypatch, files, fast=True)
    rows = land_and_dump(test_server, tmp_path, monkeypatch, files, fast=False)
    assert fast["fast path used"] == fast["fast path completed"] == [True, True]
    assert_same(fast, rows)
    accounting = {f.file_name: f for f in fast["files"]}
    register = accounting["REG_COOP_FM_20261130.xlsx"]
    assert (register.rows_read, register.rows_loaded, register.rows_rejected, register.rows_duplicate) == (13, 5, 6, 2)
    members = accounting["chambre_adherents_20261130.json"]
    assert (members.rows_read, members.rows_loaded, members.rows_rejected, members.rows_duplicate) == (11, 5, 5, 1)
    reasons = {r.line: r.reason for r in fast["rejected"] if r.file_name.endswith(".json")}
    assert reasons["$.adherents[3]"] == "même clé (CA-FM-000001) que la $.adherents[0], avec d'autres valeurs"
    assert reasons["$.adherents[8]"].endswith("effectif.hommes : nombre négatif : '-1'")
    loaded = {r.member_id: r for r in fast["chambre__adherents"]}
    assert loaded["CA-FM-000002"].members_men == 12 and loaded["CA-FM-000002"].ice == "001689701119297"
    assert loaded["CA-FM-000008"].name_fr == "Coop  8"


def test_samples_and_generated_deliveries_load_the_same_by_both_paths(test_server, tmp_path, monkeypatch):
    delivery = generate(tmp_path / "generated", "sample", seed=5)
    files = []
    for provider in ("ministere", "chambre"):  # the provider is the folder's name
        (tmp_path / "samples" / provider).mkdir(parents=True)
        for sample in sorted((SAMPLES / provider / "samples").iterdir()):
            files.append(Path(shutil.copyfile(sample, tmp_path / "samples" / provider / sample.name)))
    files += sorted((delivery.out / "ministere").glob("*.xlsx")) + sorted((delivery.out / "chambre").glob("*.json"))
    # the samples and the generated files share names: each set in a database of its own
    for chosen in (files[:4], files[4:]):
        assert len(chosen) == 4
        fast = land_and_dump(test_server, tmp_path, monkeypatch, chosen, fast=True)
        rows = land_and_dump(test_server, tmp_path, monkeypatch, chosen, fast=False)
        assert fast["fast path used"] == fast["fast path completed"] == [True] * 4
        assert_same(fast, rows)
        assert sum(f.rows_loaded for f in fast["files"]) > 400


def test_files_the_fast_path_does_not_serve_go_row_by_row(warehouse, caplog):
    folder = incoming(warehouse, "chambre")
    path = folder / "chambre_adherents_20261130.json"
    path.write_text(json.dumps({"adherents": [member(1, nouveau="x")]}), encoding="utf-8")
    assert columnar.plan(path, definition_for("chambre", path.name)) == (None, "fields the definition does not know")
    with caplog.at_level(logging.INFO, logger="orchestration.ingest.landing"):
        outcome = Lander(warehouse, admin_url(warehouse)).land_file(path, "chambre")
    assert (outcome.status, outcome.rows_loaded, outcome.extra_columns) == ("loaded", 1, ["nouveau"])
    assert "row-by-row loader (fields the definition does not know)" in caplog.text
    # read in the reader's thread once the load had begun: rolled back, loaded row by row under the same number
    assert query(warehouse, "select load_id, status from audit.load_file") == [(outcome.load_id, "loaded")]
    assert query(warehouse, "select count(*) from raw.chambre__adherents")[0][0] == 1
    nan = folder / "chambre_adherents_20261201.json"
    nan.write_text(
        '{"adherents": [{"id_adherent": "CA-FM-000002", "type": "cooperative", "raison_sociale": "C", '
        '"province": "Fès", "effectif": {"hommes": NaN}}]}',
        encoding="utf-8",
    )
    assert columnar.plan(nan, definition_for("chambre", nan.name)) == (None, "JSON orjson does not read")
    outcome = Lander(warehouse, admin_url(warehouse)).land_file(nan, "chambre")
    assert (outcome.status, outcome.rows_loaded) == ("loaded", 1)  # NaN read by the json module: no number
    deep = folder / "chambre_adherents_20261215.json"  # nested deeper than the json module may follow
    deep.write_text(
        json.dumps({"adherents": [member(3)]}).replace('"actif": true', '"actif": ' + "[" * 600 + "]" * 600),
        encoding="utf-8",
    )
    assert columnar.plan(deep, definition_for("chambre", deep.name)) == (None, "deeply nested JSON")


@pytest.mark.parametrize("kind", ["xlsx", "json"])
def test_a_defect_of_the_fast_path_falls_back_to_the_row_loader(warehouse, monkeypatch, caplog, tmp_path, kind):
    if kind == "xlsx":
        provider, path = "ministere", incoming(warehouse, "ministere") / "REG_COOP_FM_20261130.xlsx"
        write_register(path, [register_row("FES/2015/0001"), register_row("FES/2015/0002"), register_row(None)])
    else:
        provider, path = "chambre", incoming(warehouse, "chambre") / "chambre_adherents_20261130.json"
        path.write_text(json.dumps({"adherents": [member(1), member(2), member(3, id_adherent=None)]}), "utf-8")

    def broken(self, frame):
        raise RuntimeError("a bug in an expression")

    monkeypatch.setattr(ColumnarCells, "_parse", broken)
    outcome = Lander(warehouse, admin_url(warehouse)).land_file(path, provider)
    assert (outcome.status, outcome.rows_read, outcome.rows_loaded, outcome.rows_rejected) == ("loaded", 3, 2, 1)
    assert f"the fast {kind.upper()} path failed; loading row by row" in caplog.text
    assert query(warehouse, "select count(*) from audit.load_file")[0][0] == 1


def test_an_empty_export_and_a_workbook_without_rows_load_the_same_by_both_paths(test_server, tmp_path, monkeypatch):
    (tmp_path / "delivery" / "ministere").mkdir(parents=True)
    (tmp_path / "delivery" / "chambre").mkdir(parents=True)
    export = tmp_path / "delivery" / "chambre" / "chambre_adherents_20261130.json"
    export.write_text(json.dumps({"export_date": "2026-11-30", "adherents": []}), encoding="utf-8")
    files = [write_register(tmp_path / "delivery" / "ministere" / "REG_COOP_FM_20261130.xlsx", []), export]
    fast = land_and_dump(test_server, tmp_path, monkeypatch, files, fast=True)
    rows = land_and_dump(test_server, tmp_path, monkeypatch, files, fast=False)
    assert fast["fast path used"] == fast["fast path completed"] == [True, True]
    assert_same(fast, rows)
    assert [f.rows_read for f in fast["files"]] == [0, 0]  # the status is the landing's to say, alike
