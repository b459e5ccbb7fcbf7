"""Freshness checks: a provider later than its definition's `expected_every_days` fails (warning)."""

import datetime as dt

import dagster as dg

from orchestration.defs.ingestion.assets import raw_asset_key
from orchestration.defs.resources import WarehouseResource
from orchestration.freshness import source_freshness
from orchestration.ingest.definitions import SourceDefinition, load_definitions


def build_freshness_check(definition: SourceDefinition) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=raw_asset_key(definition),
        name="delivered_on_time",
        description=f"{definition.provider} delivers {definition.table} at least every "
        f"{definition.expected_every_days} days.",
    )
    def delivered_on_time(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        now = dt.datetime.now(dt.UTC)
        status = next(f for f in source_freshness(warehouse.url()) if f.definition.table == definition.table)
        return dg.AssetCheckResult(
            passed=not status.is_late(now),
            severity=dg.AssetCheckSeverity.WARN,
            description=status.describe(now),
            metadata={
                "last_received": status.last_received.isoformat() if status.last_received else "never",
                "expected_every_days": definition.expected_every_days,
            },
        )

    return delivered_on_time


def freshness_checks() -> list[dg.AssetChecksDefinition]:
    return [build_freshness_check(d) for d in load_definitions()]
