"""Poison files: each is quarantined with a receipt that says why, and the provider's good files
of the same night still load."""

from __future__ import annotations

import json
import os
import stat

import sqlalchemy as sa

from orchestration.ingest.landing import Lander
from orchestration.warehouse import admin_url, engine
from tests.conftest import deliver_samples
from tests.faults.poison import WILAYA_HEADER, deliver_poison, wilaya_row


def recorded(settings):
    with engine(admin_url(settings)).connect() as conn:
        return {
            (r.provider, r.file_name): r
            for r in conn.execute(
                sa.text("select provider, file_name, status, error, stored_path, rows_loaded from audit.load_file")
            )
        }


def test_every_poison_file_is_quarantined_with_a_receipt_and_the_good_files_load(warehouse, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("CIN AB123456")
    secret.chmod(0o600)
    deliver_samples(warehouse, ("wilaya", "chambre"))
    expected = deliver_poison(warehouse.incoming_dir, secret)

    outcomes = Lander(warehouse, admin_url(warehouse)).land_pending()

    rows = recorded(warehouse)
    good = {k: r for k, r in rows.items() if k not in expected}
    assert {k[1] for k in good} == {
        "wilaya_jamiyat_202610.csv",
        "wilaya_indh_agr_202610.csv",
        "chambre_adherents_20261101.json",
        "chambre_formations_20261101.json",
    }
    assert good and all(r.status == "loaded" and r.rows_loaded > 0 for r in good.values()), good
    for key, reason in expected.items():
        row = rows.get(key)
        assert row is not None, f"{key} has no record: {sorted(rows)}"
        assert row.status == "rejected" and reason in row.error, (key, row.error)
        outcome = next(o for o in outcomes if (o.provider, o.file_name) == key)
        receipt = open(outcome.receipt_path, encoding="utf-8").read()
        assert "Statut : rejeté, conservé en quarantaine" in receipt and reason in receipt
        assert json.loads(open(outcome.receipt_path[:-4] + ".json", encoding="utf-8").read())["status"] == "rejected"
    for provider in ("wilaya", "chambre"):
        assert os.listdir(warehouse.incoming_dir / provider) == [], "every entry leaves incoming/"
    # the link itself was quarantined, not the file it points to
    link_row = rows[("wilaya", "wilaya_jamiyat_202604.csv")]
    assert os.path.islink(link_row.stored_path)
    assert "CIN" not in "".join(
        open(p, errors="ignore").read()
        for p in (warehouse.quarantine_dir / "wilaya").iterdir()
        if not os.path.islink(p) and stat.S_ISREG(os.lstat(p).st_mode)
    )


def test_archive_and_quarantine_are_private(warehouse):
    deliver_samples(warehouse, ("wilaya",))
    (warehouse.incoming_dir / "wilaya" / "inconnu.csv").write_text("a;b\n")
    Lander(warehouse, admin_url(warehouse)).land_pending()
    for folder in (warehouse.archive_dir, warehouse.quarantine_dir):
        for path in [folder / "wilaya", *(folder / "wilaya").iterdir()]:
            mode = stat.S_IMODE(path.stat().st_mode)
            assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))


def test_header_only_and_all_rows_set_aside_are_not_called_loaded(warehouse):
    folder = warehouse.incoming_dir / "wilaya"
    folder.mkdir(parents=True)
    (folder / "wilaya_jamiyat_202611.csv").write_text(WILAYA_HEADER + "\r\n", encoding="utf-8")
    (folder / "wilaya_jamiyat_202612.csv").write_text(
        WILAYA_HEADER + "\r\n" + wilaya_row("not a receipt", "") + "\r\n", encoding="utf-8"
    )
    outcomes = {o.file_name: o for o in Lander(warehouse, admin_url(warehouse)).land_pending()}
    for name in outcomes:
        receipt = open(outcomes[name].receipt_path, encoding="utf-8").read()
        status_line = next(line for line in receipt.splitlines() if line.startswith("Statut :"))
        assert "chargé" not in status_line, (name, status_line)
    assert "vide" in open(outcomes["wilaya_jamiyat_202611.csv"].receipt_path, encoding="utf-8").read()


def test_an_unexpected_error_in_one_file_spares_the_others(warehouse, monkeypatch):
    from orchestration.ingest import landing

    deliver_samples(warehouse, ("wilaya",))
    real = landing.Lander.land_file

    def flaky(self, path, provider, **kwargs):
        if "indh" in path.name:
            raise ValueError("a bug of the loader")
        return real(self, path, provider, **kwargs)

    monkeypatch.setattr(landing.Lander, "land_file", flaky)
    outcomes = {o.file_name: o for o in Lander(warehouse, admin_url(warehouse)).land_pending()}
    assert outcomes["wilaya_jamiyat_202610.csv"].status == "loaded"
    [bad] = [o for name, o in outcomes.items() if "indh" in name]
    assert bad.status == "rejected" and "ValueError" in bad.error and "a bug of the loader" in bad.error


def test_formula_cells_without_values_are_flagged_per_column(warehouse):
    from tests.integration.test_ingestion import register_row, write_register

    folder = warehouse.incoming_dir / "ministere"
    folder.mkdir(parents=True)
    rows = [register_row(f"FES/2015/000{i}") for i in range(1, 4)]
    for row in rows[:2]:
        row[11] = "=10000*2"  # Capital (DH): a formula saved by a program, with no computed value
    write_register(folder / "REG_COOP_FM_20261130.xlsx", rows)
    [outcome] = Lander(warehouse, admin_url(warehouse)).land_pending()
    assert outcome.status == "loaded" and outcome.uncomputed == {"Capital (DH)": 2}
    receipt = open(outcome.receipt_path, encoding="utf-8").read()
    assert "Statut : intégré avec réserves" in receipt
    assert "Colonne 'Capital (DH)' : 2 cellule(s) calculée(s)" in receipt


def test_the_scan_for_formulas_sees_every_writing_of_a_formula_element(tmp_path):
    import zipfile

    from orchestration.ingest.readers import _may_hold_formulas
    from tests.integration.test_ingestion import register_row, write_register

    plain = write_register(tmp_path / "plain.xlsx", [register_row("FES/2015/0001")])
    assert not _may_hold_formulas(plain)  # its styles have <font> and <fill>: only the sheets are scanned
    for name, formula in [("shared.xlsx", '<f t="shared" si="0"/>'), ("prefixed.xlsx", "<x:f>10000*2</x:f>")]:
        with zipfile.ZipFile(plain) as source, zipfile.ZipFile(tmp_path / name, "w") as target:
            for info in source.infolist():
                data = source.read(info)
                if info.filename.startswith("xl/worksheets/"):
                    data = data.replace(
                        b"</sheetData>", f'<row r="99"><c r="L99">{formula}</c></row></sheetData>'.encode()
                    )
                target.writestr(info, data)
        assert _may_hold_formulas(tmp_path / name), name


def test_same_bytes_under_two_names_take_the_later_period(warehouse):
    from tests.integration.test_ingestion import assoc_row, write_associations

    folder = warehouse.incoming_dir / "wilaya"
    folder.mkdir(parents=True)
    write_associations(folder / "wilaya_jamiyat_202609.csv", [assoc_row()])
    (folder / "wilaya_jamiyat_202611.csv").write_bytes((folder / "wilaya_jamiyat_202609.csv").read_bytes())
    outcomes = {o.file_name: o for o in Lander(warehouse, admin_url(warehouse)).land_pending()}
    assert outcomes["wilaya_jamiyat_202611.csv"].status == "loaded"
    assert outcomes["wilaya_jamiyat_202611.csv"].period == "202611"
    assert outcomes["wilaya_jamiyat_202609.csv"].status == "duplicate"
    assert "wilaya_jamiyat_202611.csv" in outcomes["wilaya_jamiyat_202609.csv"].error


def test_a_loaded_file_left_in_incoming_is_not_its_own_duplicate(warehouse):
    import shutil

    from tests.integration.test_ingestion import assoc_row, write_associations

    folder = warehouse.incoming_dir / "wilaya"
    folder.mkdir(parents=True)
    path = write_associations(folder / "wilaya_jamiyat_202609.csv", [assoc_row()])
    kept = warehouse.data_dir / "kept.csv"
    shutil.copyfile(path, kept)
    [first] = Lander(warehouse, admin_url(warehouse)).land_pending()
    shutil.copyfile(kept, path)  # the process stopped after its commit, before removing the file
    [again] = Lander(warehouse, admin_url(warehouse)).land_pending()
    assert again.status == "loaded" and again.load_id == first.load_id
    assert not path.exists()
    assert [r.status for r in recorded(warehouse).values()] == ["loaded"]


def test_the_sensor_never_opens_a_fifo_and_sees_poison_entries(tmp_path, monkeypatch):
    import dagster as dg

    from orchestration.defs.ingestion.sensors import build_incoming_sensor, provider_job

    monkeypatch.setenv("TADAMON_DATA_DIR", str(tmp_path / "data"))
    folder = tmp_path / "data" / "incoming" / "chambre"
    folder.mkdir(parents=True)
    os.mkfifo(folder / "chambre_adherents_20261101.json")  # opening it would block the sensor for ever
    (folder / ".chambre_adherents_20261102.json").write_text("{}")
    sensor = build_incoming_sensor("chambre", provider_job("chambre"))
    tick = sensor.evaluate_tick(dg.build_sensor_context())
    assert len(tick.run_requests) == 1
    assert ".chambre_adherents_20261102.json" in tick.run_requests[0].tags["tadamon/files"]


def test_a_table_locked_by_another_load_is_waited_for_up_to_a_deadline(warehouse, monkeypatch):
    import psycopg2
    import pytest

    from tests.integration.test_ingestion import assoc_row, write_associations

    monkeypatch.setenv("TADAMON_LOCK_WAIT_SECONDS", "1")
    folder = warehouse.incoming_dir / "wilaya"
    folder.mkdir(parents=True)
    path = write_associations(folder / "wilaya_jamiyat_202609.csv", [assoc_row()])
    with engine(admin_url(warehouse)).connect() as other:
        other.execute(sa.text("select pg_advisory_lock(hashtext('raw.wilaya__associations'))"))
        with pytest.raises(psycopg2.OperationalError, match="lock timeout"):
            Lander(warehouse, admin_url(warehouse)).land_pending()
        other.execute(sa.text("select pg_advisory_unlock_all()"))
    assert path.exists()
    [outcome] = Lander(warehouse, admin_url(warehouse)).land_pending()
    assert outcome.status == "loaded"
