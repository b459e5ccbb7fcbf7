"""The dbt unit tests (`unit_tests:` in the models' YAML: entity resolution step by step, on small
hand-written inputs) run here, against the warehouse the samples were loaded into: dbt needs the
upstream relations to exist to know the columns of the inputs. The nightly build excludes them
(`--exclude-resource-type unit_test` in orchestration/defs/transform/assets.py)."""

from __future__ import annotations

import json

from tests.dbt_cli import run_dbt

UNIT_TESTS = {
    "match_units_by_identifier",
    "match_keys_of_a_record",
    "match_candidates_by_name",
    "match_candidates_unit_in_another_commune",
    "match_components_and_attachment",
    "matches_identities_and_rules",
}


def test_every_dbt_unit_test_passes(star_schema_db, tmp_path):
    # a target of its own: the manifest the Dagster definitions read stays as the fixtures prepared it
    result = run_dbt("test", "--select", "test_type:unit", url=star_schema_db, artifacts=tmp_path)
    assert result.returncode == 0, result.stdout[-4000:]
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    statuses = {r["unique_id"].rsplit(".", 1)[-1]: r["status"] for r in results}
    assert statuses == dict.fromkeys(UNIT_TESTS, "pass")
    assert all(r["unique_id"].startswith("unit_test.") for r in results)
