"""The suites of expectations/gx/expectations/, read as JSON (no GX import, no connection)."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from orchestration.settings import EXPECTATIONS_DIR
from orchestration.suites.model import Rule, Suite

SUITES_DIR = EXPECTATIONS_DIR / "gx" / "expectations"


def read_suite(path: Path) -> Suite:
    text = path.read_bytes()
    data = json.loads(text)
    meta = data.get("meta") or {}
    return Suite(
        name=data["name"],
        asset_key=tuple(meta["asset_key"].split("/")),
        table=meta["table"],
        query="",
        key_columns=tuple(meta.get("key_columns") or ()),
        rules=tuple(Rule.from_stored(e) for e in data.get("expectations") or ()),
        new_loads_only=bool(meta.get("new_loads_only")),
        batch_table=meta.get("batch_table") or "",
        sha256=hashlib.sha256(text).hexdigest(),
    )


def stored_suites(suites_dir: Path = SUITES_DIR) -> list[Suite]:
    """The suites in the GX project's files, by name."""
    return [read_suite(p) for p in sorted(suites_dir.glob("*.json"))]


def stored_suite(name: str, suites_dir: Path = SUITES_DIR) -> Suite:
    path = suites_dir / f"{name}.json"
    if not path.is_file():
        raise KeyError(f"no GX suite {name!r} in {suites_dir}")
    return read_suite(path)


@cache
def suite_for_table(table: str) -> Suite | None:
    """The stored suite whose batch reads `table` (cached for the process: the loader asks per file)."""
    return next((s for s in stored_suites() if s.table == table), None)
