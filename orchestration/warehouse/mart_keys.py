"""The foreign keys of the marts, as the dbt model contracts declare them (`constraints: - type:
foreign_key` in models/marts/_marts__models.yml): the publication step declares the same keys in
`marts`, so BI tools find the joins by themselves."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

SAFE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_LAST_IDENTIFIER = re.compile(r'"?([A-Za-z0-9_]+)"?\s*$')


@dataclass(frozen=True)
class ForeignKey:
    table: str
    columns: tuple[str, ...]
    to_table: str
    to_columns: tuple[str, ...]

    @property
    def name(self) -> str:
        return f"{self.table}_{'_'.join(self.columns)}_fkey"[:63]


def _table_of(relation: str, model: str) -> str:
    """dim_project from '"tadamon"."marts_build"."dim_project"' (the manifest resolves ref())."""
    found = _LAST_IDENTIFIER.search(relation or "")
    if not found or not SAFE_NAME.match(found.group(1)):
        raise ValueError(f"foreign key of {model}: cannot read the referenced table from {relation!r}")
    return found.group(1)


def foreign_keys(manifest: Mapping[str, Any], tables: list[str]) -> list[ForeignKey]:
    """Every foreign key that a model of `tables` declares in its contract (column or model level)."""
    keys = []
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or node["name"] not in tables:
            continue
        declared = [((column,), c) for column, spec in node.get("columns", {}).items()
                    for c in spec.get("constraints", [])]
        declared += [(tuple(c.get("columns") or ()), c) for c in node.get("constraints", [])]
        for columns, constraint in declared:
            if constraint.get("type") != "foreign_key":
                continue
            key = ForeignKey(node["name"], columns, _table_of(constraint.get("to"), node["name"]),
                             tuple(constraint.get("to_columns") or ()))
            names = (key.table, key.to_table, *key.columns, *key.to_columns)
            if not key.columns or len(key.columns) != len(key.to_columns) or not all(map(SAFE_NAME.match, names)):
                raise ValueError(f"foreign key of {node['name']} is not one the publication can declare: {constraint}")
            keys.append(key)
    return sorted(keys, key=lambda k: (k.table, k.columns))
