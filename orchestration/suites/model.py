"""The one suite type: a `Suite` (the rows a GX suite judges and its `Rule`s), as declared in
orchestration/quality/ and as read back from the GX files (orchestration/suites/stored.py).

Every rule carries its severity ("critical" blocks what is downstream, "warning" is reported), a
stable rule name (`meta.rule`, the `expectation` column of audit.quality_result) and, for row
rules, a French finding template (`meta.finding`) used in the per-file receipts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

CRITICAL = "critical"
WARNING = "warning"
SEVERITIES = (CRITICAL, WARNING)


@dataclass(frozen=True)
class Rule:
    """One expectation: a GX expectation type, its arguments, severity and rule name."""

    rule: str
    severity: str
    description: str
    type: str  # GX expectation class name, e.g. "ExpectColumnValuesToNotBeNull"
    kwargs: dict[str, Any] = field(default_factory=dict)
    finding: str | None = None  # French template for receipts (row rules only)

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"{self.rule}: severity must be one of {SEVERITIES}")

    def meta(self) -> dict[str, Any]:
        meta: dict[str, Any] = {"severity": self.severity, "rule": self.rule}
        if self.finding:
            meta["finding"] = self.finding
        return meta

    @classmethod
    def from_stored(cls, expectation: dict) -> Rule:
        """A rule as GX stores it (`type` in snake case, `meta.rule`, `meta.severity`, `meta.finding`)."""
        meta = expectation.get("meta") or {}
        gx_type = "".join(part.capitalize() for part in str(expectation.get("type", "")).split("_"))
        return cls(
            meta.get("rule") or gx_type,
            expectation_severity(expectation),
            expectation.get("description") or "",
            gx_type,
            dict(expectation.get("kwargs") or {}),
            meta.get("finding"),
        )

    @property
    def stored_type(self) -> str:
        """The expectation type as GX stores it
        (ExpectColumnValuesToNotBeNull -> expect_column_values_to_not_be_null)."""
        return re.sub(r"(?<!^)([A-Z])", r"_\1", self.type).lower()


@dataclass(frozen=True)
class Suite:
    """A GX suite: the rows it judges (`query`, the batch) and its rules."""

    name: str  # GX suite name, also the Dagster check name's suffix (gx_<name>)
    asset_key: tuple[str, ...]  # the Dagster asset it checks
    table: str  # schema-qualified table the batch reads
    query: str  # the batch; empty when read from the files (GX keeps it with the data asset)
    key_columns: tuple[str, ...]
    rules: tuple[Rule, ...]
    new_loads_only: bool = False  # the batch: the rows in force of the loads not yet checked (quality/runner.py)
    sha256: str = ""  # of the stored suite file: a changed suite checks every load again
    batch_table: str = ""  # where the runner stages `query` before each run; GX reads the batch there

    @property
    def data_asset(self) -> str:
        return self.name

    @property
    def criticals(self) -> int:
        return sum(1 for r in self.rules if r.severity == CRITICAL)

    @property
    def has_critical(self) -> bool:
        return self.criticals > 0


def expectation_severity(expectation: dict) -> str:
    """The severity of a stored expectation: meta.severity, else GX's own field; critical by default."""
    severity = (expectation.get("meta") or {}).get("severity") or expectation.get("severity") or CRITICAL
    severity = str(getattr(severity, "value", severity)).lower()
    return severity if severity in SEVERITIES else CRITICAL
