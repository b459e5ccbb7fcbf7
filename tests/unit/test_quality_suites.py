"""The GX project under expectations/gx/: in step with orchestration/quality/catalog.py, no secret in
it, every expectation with a severity; and the conversions from GX results to check results."""

from __future__ import annotations

import json
import re

import dagster as dg
import pytest
import yaml

from orchestration.defs.quality.checks import check_name, check_result, dagster_severity
from orchestration.quality import (
    CRITICAL,
    WARNING,
    ExpectationOutcome,
    SuiteOutcome,
    convert_result,
    expectation_severity,
    stored_suite,
    stored_suites,
)
from orchestration.quality.catalog import all_suites
from orchestration.quality.project import CONNECTION_ENV, GX_DIR, expectation

RAW_SUITES = {
    "raw_ministere__register", "raw_ministere__mouazara", "raw_wilaya__associations", "raw_wilaya__indh_agr",
    "raw_chambre__adherents", "raw_chambre__formations",
}


# -- the files --------------------------------------------------------------------------------
def test_every_raw_table_has_a_suite_and_marts_suites_target_marts_build():
    names = {s.name for s in stored_suites()}
    assert RAW_SUITES <= names
    for suite in stored_suites():
        assert suite.asset_key[0] in ("raw", "marts_build")
        assert re.fullmatch(r"[A-Za-z0-9_]+", check_name(suite.name))


def test_files_are_in_step_with_the_catalog():
    """Editing catalog.py without `python -m orchestration.quality` fails here."""
    config = yaml.safe_load((GX_DIR / "great_expectations.yml").read_text())
    assets = config["fluent_datasources"]["warehouse"]["assets"]
    for suite in all_suites():
        stored = stored_suite(suite.name)
        assert stored.asset_key == suite.asset_key
        assert " ".join(assets[suite.name]["query"].split()) == " ".join(suite.query.split())
        expected = [expectation(rule).configuration for rule in suite.rules]
        got = stored.expectations
        assert [e["type"] for e in got] == [c.type for c in expected], suite.name
        for have, want in zip(got, expected):
            assert have["kwargs"] == json.loads(json.dumps(dict(want.kwargs))), (suite.name, have["meta"])
            assert have["meta"] == want.meta
        assert (GX_DIR / "validation_definitions" / f"{suite.name}.json").is_file()
        checkpoint = json.loads((GX_DIR / "checkpoints" / f"{suite.name}.json").read_text())
        assert checkpoint["result_format"]["result_format"] == "COMPLETE"
    assert {p.stem for p in (GX_DIR / "expectations").glob("*.json")} == {s.name for s in all_suites()}


def test_no_password_in_the_project_files():
    config = yaml.safe_load((GX_DIR / "great_expectations.yml").read_text())
    assert config["fluent_datasources"]["warehouse"]["connection_string"] == "${" + CONNECTION_ENV + "}"
    for path in GX_DIR.rglob("*"):
        if path.is_file() and "uncommitted" not in path.parts and path.suffix in (".yml", ".json"):
            assert not re.search(r"postgres(ql)?(\+\w+)?://[^$\s\"]*:[^@\s\"]+@", path.read_text()), path


def test_every_expectation_has_a_severity_and_rule_name():
    for suite in stored_suites():
        rules = set()
        for exp in suite.expectations:
            meta = exp["meta"]
            assert meta["severity"] in (CRITICAL, WARNING), (suite.name, exp)
            assert exp["severity"] == meta["severity"]
            assert meta["rule"] not in rules, (suite.name, meta["rule"])
            rules.add(meta["rule"])
            query = exp["kwargs"].get("unexpected_rows_query")
            if query:
                assert "{batch}" in query and " as key" in query, (suite.name, meta["rule"])
                assert not re.search(r"\bjoin\b", query, re.I), "GX stops aliasing {batch} in a query with JOIN"
                if meta.get("finding") and meta["severity"] == WARNING:
                    assert " as line" in query or suite.asset_key[0] != "raw"


def test_required_rules_are_there():
    def rules(name):
        return {e["meta"]["rule"]: e["meta"]["severity"] for e in stored_suite(name).expectations}

    register = rules("raw_ministere__register")
    assert register["women_not_above_members"] == WARNING
    assert register["volume_not_dropping"] == CRITICAL
    assert register["register_number_unique"] == CRITICAL
    assert register["ice_valid"] == WARNING
    mouazara = rules("raw_ministere__mouazara")
    assert mouazara["disbursed_not_above_grant"] == WARNING
    assert mouazara["grant_within_edition_cap"] == WARNING
    assert rules("raw_wilaya__indh_agr")["indh_share_within_rule"] == WARNING
    for name in ("raw_wilaya__associations", "raw_chambre__adherents"):
        assert rules(name)["volume_not_dropping"] == CRITICAL


# -- severity mapping and result conversion ---------------------------------------------------
def test_severity_mapping():
    assert dagster_severity(CRITICAL) == dg.AssetCheckSeverity.ERROR
    assert dagster_severity(WARNING) == dg.AssetCheckSeverity.WARN
    assert expectation_severity({"meta": {"severity": "warning"}, "severity": "critical"}) == WARNING
    assert expectation_severity({"meta": {}, "severity": "warning"}) == WARNING
    assert expectation_severity({}) == CRITICAL


def _outcome(*failures: str) -> SuiteOutcome:
    outcome = SuiteOutcome(suite="raw_x", asset="raw/x", run_id="r1", data_docs="/tmp/docs/index.html")
    outcome.outcomes.append(ExpectationOutcome("raw_x", "raw/x", "ok_rule", "t", CRITICAL, True))
    for i, severity in enumerate(failures):
        outcome.outcomes.append(ExpectationOutcome("raw_x", "raw/x", f"rule{i}", "t", severity, False,
                                                   failing_row_count=2, failing_keys=["K1", "K2"]))
    return outcome


@pytest.mark.parametrize(
    "failures, passed, severity",
    [((), True, None), ((WARNING,), False, dg.AssetCheckSeverity.WARN),
     ((WARNING, CRITICAL), False, dg.AssetCheckSeverity.ERROR)],
)
def test_check_result(failures, passed, severity):
    result = check_result(_outcome(*failures))
    assert result.passed is passed
    if severity:
        assert result.severity == severity
    assert result.metadata["failed_critical"].value == failures.count(CRITICAL)
    assert result.metadata["failed_warning"].value == failures.count(WARNING)
    assert result.metadata["data_docs"].value == "/tmp/docs/index.html"
    if failures:
        failed = result.metadata["failed_expectations"].value
        assert failed[0]["severity"] == (CRITICAL if CRITICAL in failures else WARNING)
        assert failed[0]["offending_keys"] == ["K1", "K2"]


def test_convert_unexpected_rows_result():
    suite = stored_suite("raw_ministere__register")
    result = {
        "success": False,
        "expectation_config": {"type": "unexpected_rows_expectation",
                               "kwargs": {"unexpected_rows_query": "select ... from {batch}"},
                               "meta": {"severity": "warning", "rule": "women_not_above_members"}},
        "result": {"observed_value": 1, "details": {"unexpected_rows": [
            {"line": "ligne 12", "key": "BLM/2014/0002", "members_women": 48, "members_total": 31}]}},
        "exception_info": {"raised_exception": False},
    }
    out = convert_result(result, suite)
    assert (out.expectation, out.severity, out.success) == ("women_not_above_members", WARNING, False)
    assert out.failing_row_count == 1 and out.failing_keys == ["BLM/2014/0002"]
    assert out.details["rows"][0]["members_women"] == 48


def test_convert_column_map_result_and_exception():
    suite = stored_suite("raw_ministere__register")
    result = {
        "success": False,
        "expectation_config": {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "register_number"},
                               "meta": {"severity": "critical", "rule": "register_number_unique"}},
        "result": {"element_count": 400, "unexpected_count": 2,
                   "unexpected_index_list": [{"register_number": "FES/2015/0123"}, {"register_number": "FES/2015/0123"}]},
        "exception_info": {"raised_exception": False},
    }
    out = convert_result(result, suite)
    assert out.severity == CRITICAL and out.failing_row_count == 2 and out.failing_keys == ["FES/2015/0123"]
    assert out.observed_value == "2 / 400"
    broken = {**result, "success": True, "result": {},
              "exception_info": {"raised_exception": True, "exception_message": "relation does not exist"}}
    out = convert_result(broken, suite)
    assert out.success is False and "relation" in out.details["exception"]
