"""Raw suites of cumulative sources check the loads they have not checked: a bad row of the new load is
caught, the rows of loads already checked are not read again, and a blocking failure keeps every load
in the next check until it is fixed."""

from __future__ import annotations

import shutil

import sqlalchemy as sa

from orchestration.ingest.landing import Lander
from orchestration.quality import CRITICAL, run_suite
from orchestration.warehouse import engine
from tests.conftest import SAMPLES
from tests.integration.test_ingestion_columnar import INDH_HEADER, indh, write

SUITE = "raw_wilaya__indh_agr"
RULE = "indh_contribution_mad_present"


def _land(settings, path):
    outcome = Lander(settings, settings.warehouse_url).land_file(path, "wilaya")
    assert outcome.status == "loaded", outcome.error
    return outcome.load_id


def _critical(outcome, rule=RULE):
    failed = {o.expectation: o for o in outcome.critical_failures}
    return failed.get(rule)


def test_a_new_load_is_checked_alone_and_a_blocking_failure_rechecks_every_load(warehouse):
    url = warehouse.warehouse_url
    folder = warehouse.incoming_dir / "wilaya"
    folder.mkdir(parents=True)
    sample = shutil.copyfile(
        SAMPLES / "wilaya" / "samples" / "wilaya_indh_agr_202610.csv", folder / "wilaya_indh_agr_202610.csv"
    )
    first = _land(warehouse, sample)
    outcome = run_suite(url, SUITE, run_id="t-1")
    assert outcome.batch == f"every load ({first})" and not outcome.critical_failures

    # A row of the checked load goes bad behind the loader's back: a check that read it again would fail.
    with engine(url).begin() as conn:
        old_key = conn.execute(
            sa.text(
                "update raw.wilaya__indh_agr set indh_contribution_mad = null where ctid = "
                "(select min(ctid) from raw.wilaya__indh_agr) returning project_code"
            )
        ).scalar()

    quiet = run_suite(url, SUITE, run_id="t-2")  # nothing new: nothing read, nothing fails
    assert quiet.batch == "new loads (none)" and not quiet.critical_failures

    later = write(
        folder / "wilaya_indh_agr_202611.csv",
        [";".join(INDH_HEADER), indh("P-NEW-1"), indh("P-NEW-2", indh_share="")],
        "cp1256",
    )
    second = _land(warehouse, later)
    outcome = run_suite(url, SUITE, run_id="t-3")
    assert outcome.batch == f"new loads ({second})"
    failed = _critical(outcome)
    assert failed is not None and failed.severity == CRITICAL
    assert failed.failing_keys == ["P-NEW-2"]  # the new load's bad row, not the old load's
    assert failed.failing_row_count == 1

    # The failure blocks until it is fixed: the next check reads every load again, the old one too.
    again = run_suite(url, SUITE, run_id="t-4")
    assert again.batch == f"every load ({first}, {second})"
    assert sorted(_critical(again).failing_keys) == sorted(["P-NEW-2", old_key])


def test_a_late_older_period_reads_every_load(warehouse):
    url = warehouse.warehouse_url
    folder = warehouse.incoming_dir / "wilaya"
    folder.mkdir(parents=True)
    november = _land(
        warehouse, write(folder / "wilaya_indh_agr_202611.csv", [";".join(INDH_HEADER), indh("P-1")], "cp1256")
    )
    assert run_suite(url, SUITE, run_id="t-1").batch == f"every load ({november})"
    october = _land(
        warehouse,
        write(
            folder / "wilaya_indh_agr_202610.csv",
            [";".join(INDH_HEADER), indh("P-1", cost="1,00"), indh("P-2")],
            "cp1256",
        ),
    )
    # October's P-1 is not in force (November's is): only a check of every load ranks them right.
    outcome = run_suite(url, SUITE, run_id="t-2")
    assert outcome.batch == f"every load ({november}, {october})"
    assert not outcome.critical_failures


def test_a_corrected_resend_of_a_checked_period_reads_every_load(warehouse):
    url = warehouse.warehouse_url
    folder = warehouse.incoming_dir / "wilaya"
    folder.mkdir(parents=True)
    october = _land(
        warehouse,
        write(folder / "wilaya_indh_agr_202610.csv", [";".join(INDH_HEADER), indh("P-1"), indh("P-2")], "cp1256"),
    )
    november = _land(
        warehouse,
        write(
            folder / "wilaya_indh_agr_202611.csv",
            [";".join(INDH_HEADER), indh("P-1", cost="1,00"), indh("P-3")],
            "cp1256",
        ),
    )
    assert run_suite(url, SUITE, run_id="t-1").batch == f"every load ({october}, {november})"
    # November's corrected re-send supersedes it and no longer has P-1: October's P-1, outranked when it
    # was checked, is in force again, so every load is read
    corrected = _land(
        warehouse, write(folder / "wilaya_indh_agr_202611.csv", [";".join(INDH_HEADER), indh("P-3")], "cp1256")
    )
    assert run_suite(url, SUITE, run_id="t-2").batch == f"every load ({october}, {corrected})"
