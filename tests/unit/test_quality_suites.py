"""The GX project under expectations/gx/: in step with orchestration/quality/catalog.py, no secret in
it, every expectation with a severity; the raw suites' batch is the dbt macro's selection; the mart
suites leave the structural invariants to dbt; and the conversions from GX results to check results."""

from __future__ import annotations

import json
import re

import dagster as dg
import pytest
import yaml

from orchestration.defs.quality.checks import check_key, check_name, check_result, dagster_severity, quality_checks
from orchestration.ingest.definitions import load_definitions
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
from orchestration.quality.mart_suites import mart_suites
from orchestration.quality.project import CONNECTION_ENV, GX_DIR, batch_relation, expectation
from orchestration.quality.raw_rules import starter_suite
from orchestration.quality.raw_suites import HAND_WRITTEN
from orchestration.quality.rows_in_force import select_source_rows
from orchestration.settings import DBT_PROJECT_DIR

MARTS_YAML = DBT_PROJECT_DIR / "models" / "marts" / "_marts__models.yml"

RAW_SUITES = {
    "raw_ministere__register",
    "raw_ministere__mouazara",
    "raw_wilaya__associations",
    "raw_wilaya__indh_agr",
    "raw_chambre__adherents",
    "raw_chambre__formations",
}


# -- the files --------------------------------------------------------------------------------
def test_the_suites_of_a_layer_are_checks_of_one_step_each_with_its_own_result():
    suites = stored_suites()
    checks = quality_checks([dg.AssetKey(list(s.asset_key)) for s in suites])
    assert sorted(c.op.name for c in checks) == ["gx_marts_build", "gx_raw"]
    specs = {spec.key: spec for c in checks for spec in c.check_specs}
    assert set(specs) == {check_key(s) for s in suites}
    for suite in suites:
        assert specs[check_key(suite)].blocking is suite.has_critical
        assert suite.has_critical  # every suite blocks (at least its table is not empty)


def test_every_raw_table_has_a_suite_and_marts_suites_target_marts_build():
    names = {s.name for s in stored_suites()}
    assert names >= RAW_SUITES
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
        assert stored.batch_table == suite.batch_table
        asset = assets[suite.name]
        assert (asset["type"], asset["schema_name"], asset["table_name"]) == ("table", *batch_relation(suite))
        expected = [expectation(rule).configuration for rule in suite.rules]
        stored_json = json.loads((GX_DIR / "expectations" / f"{suite.name}.json").read_text())["expectations"]
        assert [e["type"] for e in stored_json] == [c.type for c in expected], suite.name
        for have, want in zip(stored_json, expected):
            assert have["kwargs"] == json.loads(json.dumps(dict(want.kwargs))), (suite.name, have["meta"])
            assert have["meta"] == want.meta
        # read back, a stored suite is the declared one (one Suite type, one Rule type)
        assert stored.rules == suite.rules, suite.name
        assert (stored.key_columns, stored.table, stored.new_loads_only) == (
            suite.key_columns,
            suite.table,
            suite.new_loads_only,
        )
        assert (GX_DIR / "validation_definitions" / f"{suite.name}.json").is_file()
        checkpoint = json.loads((GX_DIR / "checkpoints" / f"{suite.name}.json").read_text())
        assert checkpoint["result_format"]["result_format"] == "COMPLETE"
        assert checkpoint["actions"] == []  # the runner writes the Data Docs once for the suites it ran
    assert {p.stem for p in (GX_DIR / "expectations").glob("*.json")} == {s.name for s in all_suites()}


def test_no_password_in_the_project_files():
    config = yaml.safe_load((GX_DIR / "great_expectations.yml").read_text())
    assert config["fluent_datasources"]["warehouse"]["connection_string"] == "${" + CONNECTION_ENV + "}"
    for path in GX_DIR.rglob("*"):
        if path.is_file() and "uncommitted" not in path.parts and path.suffix in (".yml", ".json"):
            assert not re.search(r"postgres(ql)?(\+\w+)?://[^$\s\"]*:[^@\s\"]+@", path.read_text()), path


def test_every_expectation_has_a_severity_and_rule_name():
    for path in sorted((GX_DIR / "expectations").glob("*.json")):
        suite = stored_suite(path.stem)
        rules = set()
        for exp in json.loads(path.read_text())["expectations"]:
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
        return {r.rule: r.severity for r in stored_suite(name).rules}

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
        outcome.outcomes.append(
            ExpectationOutcome(
                "raw_x", "raw/x", f"rule{i}", "t", severity, False, failing_row_count=2, failing_keys=["K1", "K2"]
            )
        )
    return outcome


@pytest.mark.parametrize(
    "failures, passed, severity",
    [
        ((), True, None),
        ((WARNING,), False, dg.AssetCheckSeverity.WARN),
        ((WARNING, CRITICAL), False, dg.AssetCheckSeverity.ERROR),
    ],
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
        "expectation_config": {
            "type": "unexpected_rows_expectation",
            "kwargs": {"unexpected_rows_query": "select ... from {batch}"},
            "meta": {"severity": "warning", "rule": "women_not_above_members"},
        },
        "result": {
            "observed_value": 1,
            "details": {
                "unexpected_rows": [
                    {"line": "ligne 12", "key": "BLM/2014/0002", "members_women": 48, "members_total": 31}
                ]
            },
        },
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
        "expectation_config": {
            "type": "expect_column_values_to_be_unique",
            "kwargs": {"column": "register_number"},
            "meta": {"severity": "critical", "rule": "register_number_unique"},
        },
        "result": {
            "element_count": 400,
            "unexpected_count": 2,
            "unexpected_index_list": [{"register_number": "FES/2015/0123"}, {"register_number": "FES/2015/0123"}],
        },
        "exception_info": {"raised_exception": False},
    }
    out = convert_result(result, suite)
    assert out.severity == CRITICAL and out.failing_row_count == 2 and out.failing_keys == ["FES/2015/0123"]
    assert out.observed_value == "2 / 400"
    broken = {
        **result,
        "success": True,
        "result": {},
        "exception_info": {"raised_exception": True, "exception_message": "relation does not exist"},
    }
    out = convert_result(broken, suite)
    assert out.success is False and "relation" in out.details["exception"]


# -- one truth per rule ------------------------------------------------------------------------
def test_raw_batches_are_the_dbt_macro_selection():
    """The rows in force are selected by dbt_project/macros/select_source_rows.sql, for dbt and GX."""
    macro = (DBT_PROJECT_DIR / "macros" / "select_source_rows.sql").read_text()
    assert "latest_file" in macro and "loads" in macro
    register = next(s for s in all_suites() if s.name == "raw_ministere__register")
    rendered = " ".join(
        select_source_rows(
            "ministere__register", "latest_file", ["register_number"], ["_period", "register_number"]
        ).split()
    )
    assert "from audit.load_file where source_name = 'ministere__register' and status = 'loaded'" in rendered
    assert rendered.endswith("where file_rank = 1")
    assert "from raw.ministere__register as delivered" in register.query
    assert register.query.endswith("where file_rank = 1 ) as rows_in_force")
    indh = next(s for s in all_suites() if s.name == "raw_wilaya__indh_agr")
    assert indh.new_loads_only
    assert (
        "and load_id in (select load_id from audit.raw_check_load where suite = 'raw_wilaya__indh_agr' and not checked)"
    ) in indh.query
    assert indh.query.endswith("where key_rank = 1 ) as rows_in_force")
    for suite in all_suites():
        assert "select_source_rows" not in suite.query and "{{" not in suite.query


def test_every_source_has_one_suite_hand_written_or_starter():
    definitions = load_definitions()
    raw = [s for s in all_suites() if s.asset_key[0] == "raw"]
    assert sorted(s.name for s in raw) == sorted(f"raw_{d.table}" for d in definitions)
    assert set(HAND_WRITTEN) <= {d.table for d in definitions}
    formations = next(d for d in definitions if d.table == "chambre__formations")
    starter = starter_suite(formations)  # a cumulative source: its batch is the loads not yet checked
    assert starter.new_loads_only and [r.rule for r in starter.rules][:3] == [
        "not_empty",
        "session_id_present",
        "session_id_unique",
    ]
    assert starter.rules[0].type == "UnexpectedRowsExpectation"


def test_mart_suites_leave_structural_invariants_to_dbt():
    """Keys, required columns, relationships and accepted values are dbt tests (models/marts/); the
    mart suites keep the council's rules only."""
    for suite in mart_suites():
        structural = {
            r.rule
            for r in suite.rules
            if r.type
            in ("ExpectColumnValuesToNotBeNull", "ExpectColumnValuesToBeUnique", "ExpectCompoundColumnsToBeUnique")
            or re.fullmatch(r"\w+_in_dim_\w+", r.rule)
            or (
                r.type == "ExpectColumnValuesToBeInSet"
                and not r.rule.endswith("_in_region")
                and r.rule != "region_code_is_fes_meknes"
            )
        }
        assert structural == set(), suite.name


def test_the_structural_rules_gx_used_to_keep_are_blocking_dbt_tests():
    """The structural rules the mart suites held until dbt covered them: blocking in dbt, a column's
    non-null as its contract's constraint (the build fails on a null) or a dbt test at error level."""
    models = {m["name"]: m for m in yaml.safe_load(MARTS_YAML.read_text(encoding="utf-8"))["models"]}

    def blocking(tests: list) -> list:
        return [t for t in tests if not (isinstance(t, dict) and "warn" in json.dumps(t))]

    for model, column in [
        ("dim_programme", "name_fr"),
        ("dim_axis", "name_fr"),
        ("dim_institution", "name_fr"),
        ("dim_indicator", "name_fr"),
        ("dim_session", "session_type"),
        ("fct_funding", "programme_key"),
        ("fct_funding", "axis_key"),
        ("fct_participation", "date_key"),
        ("fct_participation", "geography_key"),
    ]:
        spec = next(c for c in models[model]["columns"] if c["name"] == column)
        constrained = {"type": "not_null"} in spec.get("constraints", [])
        assert constrained or "not_null" in blocking(spec.get("data_tests", [])), (model, column)
        assert models[model]["config"]["contract"]["enforced"], model
    for model, columns in [
        ("dim_organisation", ["organisation_id", "version_number"]),
        ("dim_project", ["source_system", "project_ref"]),
        ("dim_geography", ["province_code", "commune_name_fr"]),
    ]:
        combos = [
            t["unique_combination_of_columns"]["arguments"]["combination_of_columns"]
            for t in blocking(models[model].get("data_tests", []))
            if "unique_combination_of_columns" in t
        ]
        assert columns in combos, model


def test_raw_suites_read_their_batch_staged_once_and_mart_suites_their_table():
    """A raw suite's expectations read the table its rows in force are staged in (runner.stage_batch),
    not the ranking query each; a mart suite reads the mart. Both as GX table assets (a query asset
    fetches every row of its query to learn the columns)."""
    for suite in all_suites():
        if suite.asset_key[0] == "raw":
            assert suite.batch_table == f"quality_batch.{suite.name}"
            assert batch_relation(suite) == ("quality_batch", suite.name)
            assert "as rows_in_force" in suite.query  # what is staged
            definition = next(d for d in load_definitions() if d.qualified_table == suite.table)
            personal = [c.name for c in definition.columns if c.personal]
            assert not [c for c in personal if re.search(rf"\b{c}\b", suite.query)], suite.name
        else:
            assert suite.batch_table == ""
            assert suite.query == f"select * from {suite.table}"  # the whole mart
            assert batch_relation(suite) == tuple(suite.table.split("."))
