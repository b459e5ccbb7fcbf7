"""The raw-table suites on the sample deliveries (real PostgreSQL): the planted business-rule
violations fail WARNING expectations with their keys; a half-delivered register fails the CRITICAL
volume expectation; results land in audit.quality_result; the receipts' findings."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import sqlalchemy as sa

from orchestration.ingest.landing import Lander
from orchestration.quality import (
    CRITICAL,
    WARNING,
    data_docs_index,
    findings_for_load,
    run_suite,
    run_suites,
    stored_suites,
)
from orchestration.warehouse import engine
from tests.conftest import SAMPLES, deliver_samples

RAW = [s.name for s in stored_suites() if s.asset_key[0] == "raw"]
REGISTER_SAMPLE = SAMPLES / "ministere" / "samples" / "REG_COOP_FM_20261031.xlsx"


def _land(settings) -> str:
    url = settings.warehouse_url
    Lander(settings, url).land_pending()
    return url


def _outcome(outcomes, suite, rule):
    suite_outcome = next(o for o in outcomes if o.suite == suite)
    return next(o for o in suite_outcome.outcomes if o.expectation == rule)


def half_register(target: Path, name: str = "REG_COOP_FM_20261130.xlsx") -> Path:
    """The sample register with the title rows, the header and the first half of its data rows."""
    workbook = openpyxl.load_workbook(REGISTER_SAMPLE)
    sheet = workbook.active
    header = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == "N° Immatriculation")
    total = next(
        r for r in range(header + 1, sheet.max_row + 1) if str(sheet.cell(r, 1).value or "").strip().startswith("Total")
    )
    data_rows = total - header - 1
    keep = data_rows // 2
    sheet.delete_rows(header + 1 + keep, data_rows - keep)
    target.mkdir(parents=True, exist_ok=True)
    workbook.save(target / name)
    return target / name


def test_sample_violations_fail_warning_expectations_with_their_keys(warehouse):
    deliver_samples(warehouse)
    url = _land(warehouse)
    outcomes = run_suites(url, RAW, run_id="test-run-1")
    # the Data Docs, written once for the run: a page for each suite's result, each in the index
    index = data_docs_index().read_text(encoding="utf-8")
    pages = data_docs_index().parent / "validations"
    for suite in RAW:
        assert len(list((pages / suite / "test-run-1").glob("*/*.html"))) == 1, suite
        assert f"validations/{suite}/test-run-1/" in index, suite

    women = _outcome(outcomes, "raw_ministere__register", "women_not_above_members")
    assert (women.severity, women.success) == (WARNING, False)
    assert "BLM/2014/0002" in women.failing_keys
    paid = _outcome(outcomes, "raw_ministere__mouazara", "disbursed_not_above_grant")
    assert (paid.severity, paid.success) == (WARNING, False)
    assert "MZ-2022-FM-0002-X" in paid.failing_keys
    # the samples break no critical rule: the load publishes
    assert [(o.suite, c.expectation) for o in outcomes for c in o.critical_failures] == []
    assert all(o.skipped is None for o in outcomes)

    with engine(url).connect() as conn:
        rows = (
            conn.execute(
                sa.text(
                    "select suite, expectation, severity, success, failing_row_count, failing_keys, observed_value "
                    "from audit.quality_result where run_id = 'test-run-1'"
                )
            )
            .mappings()
            .all()
        )
    assert len(rows) == sum(len(o.outcomes) for o in outcomes)
    row = next(r for r in rows if r["expectation"] == "women_not_above_members")
    assert row["severity"] == WARNING and row["success"] is False and row["failing_row_count"] == 1
    assert row["failing_keys"] == ["BLM/2014/0002"]
    assert {r["severity"] for r in rows} == {CRITICAL, WARNING}


def test_findings_for_load_name_the_rows_of_one_file(warehouse):
    deliver_samples(warehouse, providers=("ministere",))
    url = _land(warehouse)
    with engine(url).connect() as conn:
        loads = dict(
            conn.execute(sa.text("select source_name, load_id from audit.load_file where status = 'loaded'")).all()
        )
    register = findings_for_load(url, loads["ministere__register"])
    assert any(f.startswith("ligne ") and "(BLM/2014/0002) : femmes (59) > adhérents (54)" in f for f in register)
    mouazara = findings_for_load(url, loads["ministere__mouazara"])
    assert any("(MZ-2022-FM-0002-X) : décaissé" in f for f in mouazara)
    assert findings_for_load(url, 999999) == []


def test_a_warning_rule_that_fails_is_skipped_and_the_file_still_loads(warehouse, monkeypatch, caplog):
    # the loader evaluates the warning rules inside the load's transaction: a broken rule must not cost it
    import dataclasses

    from orchestration.suites import findings
    from orchestration.suites.model import Rule

    real = findings.suite_for_table

    def with_a_broken_rule(table):
        suite = real(table)
        if suite is None or table != "raw.ministere__register":
            return suite
        broken = Rule(
            "broken_rule",
            WARNING,
            "",
            "UnexpectedRowsExpectation",
            {"unexpected_rows_query": "select no_such_column from {batch}"},
            finding="jamais",
        )
        return dataclasses.replace(suite, rules=(broken, *suite.rules))

    monkeypatch.setattr(findings, "suite_for_table", with_a_broken_rule)
    deliver_samples(warehouse, providers=("ministere",))
    outcomes = Lander(warehouse, warehouse.warehouse_url).land_pending()
    register = next(o for o in outcomes if o.source == "ministere__register")
    assert register.status == "loaded" and register.rows_loaded > 0
    assert any("(BLM/2014/0002) : femmes (59) > adhérents (54)" in f for f in register.findings)
    assert not any("jamais" in f for f in register.findings)
    assert "raw.ministere__register: the warning rule broken_rule could not be evaluated" in caplog.text


def test_half_register_after_the_full_one_fails_the_critical_volume_check(warehouse):
    deliver_samples(warehouse, providers=("ministere",))
    url = _land(warehouse)
    first = run_suite(url, "raw_ministere__register", run_id="full")
    assert _outcome([first], "raw_ministere__register", "volume_not_dropping").success

    half_register(warehouse.incoming_dir / "ministere")
    outcomes = Lander(warehouse, url).land_pending(("ministere",))
    assert [o.status for o in outcomes] == ["loaded"] and outcomes[0].rows_loaded < 250

    second = run_suite(url, "raw_ministere__register", run_id="half")
    volume = _outcome([second], "raw_ministere__register", "volume_not_dropping")
    assert (volume.severity, volume.success) == (CRITICAL, False)
    assert volume.failing_keys == ["REG_COOP_FM_20261130.xlsx"]
    assert second.worst_failed_severity == CRITICAL
    with engine(url).connect() as conn:
        success = conn.execute(
            sa.text(
                "select success from audit.quality_result where run_id = 'half' and expectation = 'volume_not_dropping'"
            )
        ).scalar()
    assert success is False
