"""Asset keys are built in one module (orchestration/defs/asset_keys.py): no other module of the
code location types a key's prefix out."""

import re
from pathlib import Path

import dagster as dg

from orchestration.defs import asset_keys

ORCHESTRATION = Path(__file__).resolve().parents[2] / "orchestration"


def test_no_module_but_asset_keys_builds_a_key_by_hand():
    builders = [
        f"{path.relative_to(ORCHESTRATION.parent)}:{number}"
        for path in ORCHESTRATION.rglob("*.py")
        if path.name != "asset_keys.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"AssetKey\(\s*\[", line)
    ]
    assert builders == []


def test_a_key_is_the_schema_and_table_it_stands_for():
    assert asset_keys.raw("ministere__register") == dg.AssetKey(["raw", "ministere__register"])
    assert asset_keys.built_mart("dim_project") == dg.AssetKey(["marts_build", "dim_project"])
    assert asset_keys.published_mart("dim_project") == dg.AssetKey(["marts", "dim_project"])
    assert asset_keys.model(None, "x") == dg.AssetKey(["models", "x"])
