"""Jobs: the whole nightly load, a night with nothing new (its landing and freshness checks only), and
the rebuild after a reload (everything but the landing)."""

import dagster as dg

from orchestration.defs.ingestion.assets import raw_asset_key
from orchestration.defs.ingestion.checks import freshness_check_keys
from orchestration.ingest.definitions import load_definitions

nightly_load = dg.define_asset_job(
    name="nightly_load",
    selection=dg.AssetSelection.all(),
    description="Ingest pending deliveries, build the dbt models, run the quality checks, publish the marts.",
)

QUIET_NIGHT_ASSETS = [raw_asset_key(d) for d in load_definitions()]
QUIET_NIGHT_CHECKS = freshness_check_keys()
_RAW = dg.AssetSelection.assets(*QUIET_NIGHT_ASSETS)

check_deliveries = dg.define_asset_job(
    name="check_deliveries",
    selection=_RAW.without_checks() | dg.AssetSelection.checks(*QUIET_NIGHT_CHECKS),
    description="A night with nothing new: look for deliveries and check the providers' freshness; "
    "the marts are already built from everything loaded.",
)

rebuild_marts = dg.define_asset_job(
    name="rebuild_marts",
    selection=dg.AssetSelection.all() - _RAW,
    description="Rebuild the dbt models, check and publish them from what the raw layer holds now.",
)
