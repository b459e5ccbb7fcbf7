"""The decision that a night has nothing new: duplicates and rejected files alone do not rebuild."""

from __future__ import annotations

import shutil

import sqlalchemy as sa

from orchestration.fingerprint import project_fingerprint
from orchestration.ingest.landing import Lander
from orchestration.pipeline import nothing_new
from orchestration.warehouse import engine
from tests.conftest import SAMPLES, deliver_samples
from tests.integration.test_ingestion import register_row, write_register


def _published(settings) -> None:
    """The samples landed and a publication recorded of everything loaded, as after a night."""
    url = settings.warehouse_url
    deliver_samples(settings)
    outcomes = Lander(settings, url).land_pending()
    assert {o.status for o in outcomes} == {"loaded"}, [(o.file_name, o.status, o.error) for o in outcomes]
    with engine(url).begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO audit.publication (last_load_id, project_fingerprint, row_counts) "
                "SELECT max(load_id), :f, '{}' FROM audit.load_file WHERE status IN ('loaded', 'superseded')"
            ),
            {"f": project_fingerprint()},
        )


def test_only_duplicates_and_rejected_files_waiting_is_nothing_new(warehouse):
    _published(warehouse)
    assert nothing_new(warehouse, warehouse.warehouse_url)
    incoming = warehouse.incoming_dir
    sample = sorted((SAMPLES / "wilaya" / "samples").glob("*.csv"))[0]
    shutil.copyfile(sample, incoming / "wilaya" / f"copie de {sample.name}")  # a name of no definition
    (incoming / "chambre").mkdir(exist_ok=True)
    (incoming / "chambre" / "chambre_adherents_20261201.json").write_text('{"adherents": [', encoding="utf-8")
    (incoming / "ministere" / "REG_COOP_FM_20261201.xlsx").write_bytes(b"PK\x03\x04 truncated")
    shutil.copyfile(sample, incoming / "wilaya" / sample.name)  # bytes loaded before: a duplicate
    write_register(incoming / "ministere" / "REG_COOP_FM_20260930.xlsx", [register_row()])  # older than in force
    (incoming / "elsewhere").mkdir()
    (incoming / "elsewhere" / "notes.txt").write_text("no provider of that name", encoding="utf-8")
    assert nothing_new(warehouse, warehouse.warehouse_url)


def test_a_file_that_would_load_is_new(warehouse):
    _published(warehouse)
    sample = sorted((SAMPLES / "wilaya" / "samples").glob("*.csv"))[0]
    changed = sample.read_bytes() + sample.read_bytes()[-200:]  # other bytes under the same name
    (warehouse.incoming_dir / "wilaya" / sample.name).write_bytes(changed)
    assert not nothing_new(warehouse, warehouse.warehouse_url)


def test_a_new_load_or_no_publication_is_new(warehouse):
    assert not nothing_new(warehouse, warehouse.warehouse_url)  # never published
    _published(warehouse)
    with engine(warehouse.warehouse_url).begin() as conn:
        conn.execute(sa.text("UPDATE audit.publication SET last_load_id = last_load_id - 1"))
    assert not nothing_new(warehouse, warehouse.warehouse_url)


def test_the_nightly_schedule_runs_the_whole_load_or_its_quiet_night_part(warehouse):
    import dagster as dg

    from orchestration.defs.ops.jobs import QUIET_NIGHT_ASSETS, QUIET_NIGHT_CHECKS
    from orchestration.defs.ops.schedules import nightly_schedule

    context = dg.build_schedule_context()
    whole = nightly_schedule(context)  # never published: the whole load
    assert whole.asset_selection is None and whole.asset_check_keys is None
    assert whole.tags["tadamon/night"] == "load"
    _published(warehouse)
    quiet = nightly_schedule(context)
    assert sorted(quiet.asset_selection) == sorted(QUIET_NIGHT_ASSETS) and len(QUIET_NIGHT_ASSETS) == 6
    assert sorted(quiet.asset_check_keys) == sorted(QUIET_NIGHT_CHECKS)
    assert quiet.tags["tadamon/night"] == "nothing new"


def test_the_schedule_runs_the_whole_load_when_the_warehouse_cannot_be_read(warehouse, monkeypatch):
    import dagster as dg

    from orchestration.defs.ops.schedules import nightly_schedule

    _published(warehouse)
    monkeypatch.setenv("TADAMON_WAREHOUSE_URL", "postgresql://nobody@127.0.0.1:1/nothing")
    request = nightly_schedule(dg.build_schedule_context())
    assert request.asset_selection is None and request.tags["tadamon/night"] == "load"
