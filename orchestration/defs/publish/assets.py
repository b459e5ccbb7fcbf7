"""Publication: the marts BI users read change only once the new build's blocking checks passed."""

import dagster as dg

from orchestration.dbt_manifest import load_manifest
from orchestration.defs import asset_keys
from orchestration.defs.ops.retries import retry_when_transient
from orchestration.defs.resources import WarehouseResource
from orchestration.defs.transform.layers import mart_names
from orchestration.fingerprint import project_fingerprint
from orchestration.warehouse.mart_keys import foreign_keys
from orchestration.warehouse.publish import publish


def build_publish_asset() -> dg.AssetsDefinition:
    manifest = load_manifest()
    names = mart_names(manifest)
    keys = foreign_keys(manifest, names)
    specs = [
        dg.AssetSpec(
            key=asset_keys.published_mart(name),
            deps=[asset_keys.built_mart(name)],
            group_name="marts",
            description=f"marts.{name}: what BI users read; refreshed atomically from marts_build.{name}.",
            kinds={"postgres"},
        )
        for name in names
    ]

    @dg.multi_asset(
        name="publish_marts",
        specs=specs,
        description="Copy every mart from marts_build into marts in one transaction (views on marts survive).",
        pool="warehouse_transform",
    )
    def publish_marts(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        written: dict[str, tuple[int, int]] = {}
        with retry_when_transient(context):
            counts = publish(
                warehouse.url(), names, fingerprint=project_fingerprint(), foreign_keys=keys, written=written
            )
        for name in names:
            deleted, inserted = written[name]
            yield dg.MaterializeResult(
                asset_key=asset_keys.published_mart(name),
                metadata={"rows": counts[name], "rows_deleted": deleted, "rows_inserted": inserted},
            )

    return publish_marts
