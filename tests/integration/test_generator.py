"""The synthetic delivery generator: deterministic, growing with the scale, and every file it writes
loads with the project's own loader, the planted bad rows set aside and nothing lost."""

from __future__ import annotations

import codecs
import hashlib
import json
import shutil
from pathlib import Path

import openpyxl
import pytest

from orchestration.bench.generate import generate
from orchestration.bench.generate.scales import resolve_scale
from orchestration.ingest.landing import Lander
from orchestration.ingest.parsers.identifiers import ice_is_valid
from orchestration.ingest.parsers.provinces import parse_province
from orchestration.warehouse import engine


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _cells(path: Path) -> list[tuple]:
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        return [(ws.title, row) for ws in workbook.worksheets for row in ws.iter_rows(values_only=True)]
    finally:
        workbook.close()


@pytest.fixture(scope="module")
def sample_delivery(tmp_path_factory):
    folder = tmp_path_factory.mktemp("generated")
    return generate(folder / "a", "sample", seed=7)


def test_same_seed_same_files(sample_delivery, tmp_path):
    again = generate(tmp_path / "b", "sample", seed=7)
    assert [f.path for f in again.files] == [f.path for f in sample_delivery.files]
    for first, second in zip(sample_delivery.files, again.files):
        a, b = sample_delivery.out / first.path, again.out / second.path
        if first.format == "xlsx":
            assert _cells(a) == _cells(b), first.path
        else:
            assert a.read_bytes() == b.read_bytes(), first.path
    assert (sample_delivery.out / "truth.json").read_bytes() == (again.out / "truth.json").read_bytes()
    other = generate(tmp_path / "c", "sample", seed=8)
    assert any(_digest(sample_delivery.out / f.path) != _digest(other.out / f.path) for f in other.files)


def test_files_look_like_the_contract(sample_delivery):
    out = sample_delivery.out
    names = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert names == sorted(
        [
            "chambre/chambre_adherents_20261101.json",
            "chambre/chambre_formations_20261101.json",
            "ministere/MOUAZARA_FM_20261031.xlsx",
            "ministere/REG_COOP_FM_20261031.xlsx",
            "truth.json",
            "wilaya/wilaya_indh_agr_202610.csv",
            "wilaya/wilaya_jamiyat_202610.csv",
        ]
    )
    # the register: title block, header found by its first cell, a total line last
    workbook = openpyxl.load_workbook(out / "ministere/REG_COOP_FM_20261031.xlsx")
    sheet = workbook.worksheets[0]
    assert sheet.title in ("Coopératives", "Feuil1")
    assert sheet.merged_cells.ranges
    rows = list(sheet.iter_rows(values_only=True))
    header_at = next(i for i, r in enumerate(rows) if r[0] == "N° Immatriculation")
    assert header_at >= 4
    assert rows[-1][0] == "Total" and rows[-1][2] == f"{sample_delivery.file('register').data_rows} coopératives"
    data = rows[header_at + 1 : -1]
    assert len(data) == sample_delivery.file("register").data_rows
    assert any(isinstance(r[1], int) for r in data), "some ICE cells are numbers"
    assert any(isinstance(r[11], str) and "\u00a0" in r[11] for r in data)
    assert {parse_province(r[7]) for r in data if r[7]} >= {"03.231", "03.061"}
    # the wilaya: `;`, CRLF, Arabic headers, an encoding the loader must detect
    for f in ("associations", "indh_agr"):
        truth = sample_delivery.file(f)
        raw = (out / truth.path).read_bytes()
        assert raw.count(b"\r\n") == truth.data_rows + 1 and b"\n" not in raw.replace(b"\r\n", b"")
        if truth.encoding == "cp1256":
            assert not raw.startswith(codecs.BOM_UTF8)
            text = raw.decode("cp1256")
        else:
            assert raw.startswith(codecs.BOM_UTF8)
            text = raw.decode("utf-8-sig")
        assert text.split("\r\n")[0].split(";")[0] in ("رقم الوصل النهائي", "رمز المشروع")
    # the chamber: JSON structures
    members = json.loads((out / "chambre/chambre_adherents_20261101.json").read_text(encoding="utf-8"))
    assert set(members) == {"export_date", "region", "adherents"}
    assert {m["type"] for m in members["adherents"]} == {"cooperative", "association", "entreprise_artisanale"}
    sessions = json.loads((out / "chambre/chambre_formations_20261101.json").read_text(encoding="utf-8"))
    first = sessions["sessions"][0]
    assert first["id_session"] == "S-2026-0001" and len(first["participants"]) == 250
    assert sum(len(s["participants"]) for s in sessions["sessions"]) == sample_delivery.participations
    # valid ICEs except the planted ones
    bad_ice = {v["record"] for v in sample_delivery.rule_violations if v["why"].startswith("ICE")}
    for m in members["adherents"]:
        if m["ice"] and m["id_adherent"] not in bad_ice and m["id_adherent"]:
            assert ice_is_valid(m["ice"]), m


def test_scale_grows_counts(sample_delivery, tmp_path):
    assert resolve_scale("region")[1:] == (6200, 24000)
    assert resolve_scale("nation")[1:] == (65000, 265000)
    assert sum(resolve_scale("sample")[1:]) == 900
    smaller = generate(tmp_path / "small", 1000, seed=7)
    bigger = generate(tmp_path / "big", 3000, seed=7)
    assert bigger.organisations["total"] == pytest.approx(3000, abs=15)
    for small, large in zip(smaller.files, bigger.files):
        ratio = large.data_rows / small.data_rows
        assert 2.6 < ratio < 3.4, (small.path, small.data_rows, large.data_rows)
    assert 2.2 < bigger.participations / smaller.participations < 3.8


def test_next_delivery_adds_and_changes_a_little(sample_delivery, tmp_path):
    nxt = generate(tmp_path / "next", "sample", seed=7, delivery=1)
    assert [f.file for f in nxt.files] == [
        "REG_COOP_FM_20261130.xlsx",
        "MOUAZARA_FM_20261130.xlsx",
        "wilaya_jamiyat_202611.csv",
        "wilaya_indh_agr_202611.csv",
        "chambre_adherents_20261201.json",
        "chambre_formations_20261201.json",
    ]
    for before, after in zip(sample_delivery.files, nxt.files):
        # the registers and Mouazara also lose what is struck off or dropped (1-3 % a month)
        assert before.data_rows * 0.97 - 2 <= after.data_rows <= before.data_rows * 1.1 + 5, after.path


def _land(settings, delivery) -> dict[str, object]:
    for provider in ("ministere", "wilaya", "chambre"):
        target = settings.incoming_dir / provider
        target.mkdir(parents=True, exist_ok=True)
        for path in (delivery.out / provider).iterdir():
            shutil.copyfile(path, target / path.name)
    outcomes = Lander(settings, settings.warehouse_url).land_pending()
    return {o.file_name: o for o in outcomes}


@pytest.mark.parametrize("seed, delivery", [(7, 0), (7, 1), (2, 1), (1, 0)])
def test_every_generated_file_loads(warehouse, tmp_path, seed, delivery):
    """Seeds chosen to cover both CSV encodings, the `Feuil1` sheet and the ministry's added column."""
    sample_delivery = generate(tmp_path / "gen", "sample", seed=seed, delivery=delivery)
    outcomes = _land(warehouse, sample_delivery)
    assert len(outcomes) == len(sample_delivery.files)
    for truth in sample_delivery.files:
        outcome = outcomes[truth.file]
        assert outcome.status == "loaded", (truth.file, outcome.error)
        assert outcome.extra_columns == [], truth.file
        assert outcome.rows_read == truth.data_rows, truth.file
        assert outcome.rows_read == outcome.rows_loaded + outcome.rows_rejected + outcome.rows_duplicate
        reasons = [reason for _, kind, reason in outcome.set_aside if kind == "rejected"]
        assert outcome.rows_rejected == truth.rejected, (truth.file, reasons)
        assert outcome.rows_duplicate == truth.duplicates, truth.file
        if truth.encoding:
            assert outcome.encoding == truth.encoding
    with engine(warehouse.warehouse_url).connect() as conn:
        rejected = conn.exec_driver_sql(
            "select file_name, count(*) from audit.rejected_row where kind = 'rejected' group by 1"
        ).all()
        loaded_keys = set(conn.exec_driver_sql("select project_ref from raw.ministere__mouazara").scalars())
        registers = set(conn.exec_driver_sql("select register_number from raw.ministere__register").scalars())
    assert dict(rejected) == {f.file: f.rejected for f in sample_delivery.files if f.rejected}
    bad_refs = {b["record"] for b in sample_delivery.bad_rows if b["file"] == "mouazara"}
    assert not bad_refs & loaded_keys
    violating = {v["record"] for v in sample_delivery.rule_violations if v["file"] == "register"}
    assert violating <= registers, "rule violations load; the quality checks report them"


def test_months_of_history_are_deterministic_and_hold_every_case(tmp_path):
    from orchestration.bench.generate.nights import generate_history

    truth = generate_history(tmp_path / "a", 300, seed=5, months=4)
    again = generate_history(tmp_path / "b", 300, seed=5, months=4)
    assert truth == again
    for night in truth["nights"]:
        for f in night["files"]:
            assert (tmp_path / "a" / night["folder"] / f["path"]).read_bytes() == (
                tmp_path / "b" / night["folder"] / f["path"]
            ).read_bytes(), f["path"]
    files = [f for night in truth["nights"] for f in night["files"]]
    assert [f["path"] for f in files if f["status"] == "rejected"] == ["ministere/MOUAZARA_FM_20261130.xlsx"]
    assert [f["supersedes"] for f in files if f["supersedes"]] == ["ministere/REG_COOP_FM_20261231.xlsx"]
    events = {
        name for night in truth["nights"] for name, numbers in night["expected"]["register_events"].items() if numbers
    }
    assert events == {"struck_off", "returned", "renamed", "status_changed", "members_changed"}
    last = truth["nights"][-1]["expected"]
    coops = [on["cooperatives_in_register"] for on in last["on"].values()]
    # 1-3 % struck off a month, new cooperatives registered: the register moves a little each month
    assert all(abs(b - a) <= 0.04 * a + 2 for a, b in zip(coops, coops[1:])), coops
    assert last["mouazara_dropped_now"], "a Mouazara project dropped from a later snapshot"
