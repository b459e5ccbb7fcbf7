"""Freshness checks: a provider later than its definition's `expected_every_days` fails (warning).

One check `delivered_on_time` per raw table, all computed in one step (`delivered_on_time`) from one
reading of the load audit: a step per table read the same audit six times and paid Dagster's step
six times, on every night, the quiet ones included."""

import datetime as dt
from collections.abc import Iterator

import dagster as dg

from orchestration.defs.ingestion.assets import raw_asset_key
from orchestration.defs.resources import WarehouseResource
from orchestration.freshness import source_freshness
from orchestration.ingest.definitions import load_definitions

CHECK_NAME = "delivered_on_time"


def freshness_check_keys() -> list[dg.AssetCheckKey]:
    return [dg.AssetCheckKey(raw_asset_key(d), CHECK_NAME) for d in load_definitions()]


def freshness_checks() -> list[dg.AssetChecksDefinition]:
    definitions = {raw_asset_key(d): d for d in load_definitions()}

    @dg.multi_asset_check(
        name=CHECK_NAME,
        specs=[
            dg.AssetCheckSpec(
                CHECK_NAME,
                asset=key,
                description=f"{d.provider} delivers {d.table} at least every {d.expected_every_days} days.",
            )
            for key, d in definitions.items()
        ],
        can_subset=True,
    )
    def delivered_on_time(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[dg.AssetCheckResult]:
        now = dt.datetime.now(dt.UTC)
        statuses = {s.definition.table: s for s in source_freshness(warehouse.url())}
        for check_key in sorted(context.selected_asset_check_keys, key=lambda k: k.asset_key.to_user_string()):
            definition = definitions[check_key.asset_key]
            status = statuses[definition.table]
            yield dg.AssetCheckResult(
                asset_key=check_key.asset_key,
                check_name=CHECK_NAME,
                passed=not status.is_late(now),
                severity=dg.AssetCheckSeverity.WARN,
                description=status.describe(now),
                metadata={
                    "last_received": status.last_received.isoformat() if status.last_received else "never",
                    "expected_every_days": definition.expected_every_days,
                },
            )

    return [delivered_on_time]
