"""Raw assets: one per provider file type, landed by one step per provider folder."""

from collections import defaultdict

import dagster as dg

from orchestration.defs import asset_keys
from orchestration.defs.ops.retries import retry_when_transient
from orchestration.defs.resources import WarehouseResource
from orchestration.ingest.definitions import SourceDefinition, load_definitions
from orchestration.ingest.landing import FileOutcome, Lander


def raw_asset_key(definition: SourceDefinition) -> dg.AssetKey:
    return asset_keys.raw(definition.table)


def _spec(definition: SourceDefinition) -> dg.AssetSpec:
    return dg.AssetSpec(
        key=raw_asset_key(definition),
        description=f"{definition.description}. Fichiers `{definition.file_pattern.pattern}` "
        f"({definition.format}, {definition.semantics}), table `{definition.qualified_table}`.",
        group_name=f"raw_{definition.provider}",
        kinds={"postgres", definition.format},
        metadata={
            "source_definition": str(definition.path),
            "expected_every_days": definition.expected_every_days,
            "key": list(definition.key),
        },
    )


def _metadata(outcomes: list[FileOutcome]) -> dict:
    return {
        "files_loaded": sum(o.status == "loaded" for o in outcomes),
        "files_duplicate": sum(o.status == "duplicate" for o in outcomes),
        "files_rejected": sum(o.status == "rejected" for o in outcomes),
        "rows_read": sum(o.rows_read for o in outcomes),
        "rows_loaded": sum(o.rows_loaded for o in outcomes),
        "rows_set_aside": sum(o.rows_rejected + o.rows_duplicate for o in outcomes),
        "receipts": dg.MetadataValue.json([o.receipt_path for o in outcomes]),
    }


def build_landing_asset(provider: str, definitions: list[SourceDefinition]) -> dg.AssetsDefinition:
    @dg.multi_asset(
        name=f"land_{provider}",
        specs=[_spec(d) for d in definitions],
        description=f"Land the files waiting in incoming/{provider}/: fingerprint, archive, COPY into raw.",
        pool="warehouse_raw",
    )
    def land(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        with retry_when_transient(context):
            lander = Lander(warehouse.settings(), warehouse.url())
            outcomes = lander.land_pending((provider,))
        for outcome in outcomes:
            message = f"{outcome.file_name}: {outcome.status}, {outcome.rows_loaded}/{outcome.rows_read} rows" + (
                f" — {outcome.error}" if outcome.error else ""
            )
            (context.log.warning if outcome.status == "rejected" else context.log.info)(message)
        by_source: dict[str | None, list[FileOutcome]] = defaultdict(list)
        for outcome in outcomes:
            by_source[outcome.source].append(outcome)
        for definition in definitions:
            yield dg.MaterializeResult(
                asset_key=raw_asset_key(definition), metadata=_metadata(by_source.get(definition.table, []))
            )

    return land


def landing_assets() -> list[dg.AssetsDefinition]:
    by_provider: dict[str, list[SourceDefinition]] = defaultdict(list)
    for definition in load_definitions():
        by_provider[definition.provider].append(definition)
    return [build_landing_asset(p, ds) for p, ds in sorted(by_provider.items())]
