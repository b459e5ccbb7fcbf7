"""The foreign keys of the marts: every blocking `relationships` test of a mart's column that points
at the primary key of another mart (models/marts/_marts__models.yml). The publication step declares
them in `marts`, so BI tools find the joins by themselves.

Why tests and not the contracts' `foreign_key` constraints: dbt-postgres writes those into the
CREATE TABLE of marts_build, and two facts built at the same time then take SHARE ROW EXCLUSIVE
locks on the same dimensions in different orders: PostgreSQL detected the deadlock on a generated
world of 3,000 organisations (tests/integration/test_bi.py). The relationships tests check the same
rule in marts_build without a lock, and `marts` enforces it at every publication."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SAFE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_REF = re.compile(r"""^\s*ref\(\s*['"]([A-Za-z0-9_]+)['"]\s*\)\s*$""")


@dataclass(frozen=True)
class ForeignKey:
    table: str
    columns: tuple[str, ...]
    to_table: str
    to_columns: tuple[str, ...]

    @property
    def name(self) -> str:
        return f"{self.table}_{'_'.join(self.columns)}_fkey"[:63]


def primary_keys(manifest: Mapping[str, Any]) -> dict[str, str]:
    """model name -> its primary-key column, from the contracts' primary_key constraints."""
    keys = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model":
            continue
        for column, spec in node.get("columns", {}).items():
            if any(c.get("type") == "primary_key" for c in spec.get("constraints", [])):
                keys[node["name"]] = column
    return keys


def foreign_keys(manifest: Mapping[str, Any], tables: list[str]) -> list[ForeignKey]:
    """The foreign keys between `tables`, one per blocking relationships test to a primary key."""
    models = {node_id: node["name"] for node_id, node in manifest["nodes"].items() if node["resource_type"] == "model"}
    pks = primary_keys(manifest)
    keys = set()
    for node in manifest["nodes"].values():
        test = node.get("test_metadata") or {}
        if node["resource_type"] != "test" or test.get("name") != "relationships":
            continue
        if str(node.get("config", {}).get("severity", "")).upper() != "ERROR":
            continue
        table = models.get(node.get("attached_node") or "")
        kwargs = test.get("kwargs", {})
        target = _REF.match(str(kwargs.get("to", "")))
        column, field = kwargs.get("column_name"), kwargs.get("field")
        if table not in tables or not target or target.group(1) not in tables:
            continue
        if pks.get(target.group(1)) != field:
            continue  # a relationship to a column that is not a primary key (organisation_id) is not a key
        if not all(SAFE_NAME.match(str(n)) for n in (table, column, target.group(1), field)):
            raise ValueError(f"relationships test {node['name']} names a column the publication cannot declare")
        keys.add(ForeignKey(table, (column,), target.group(1), (field,)))
    return sorted(keys, key=lambda k: (k.table, k.columns))
