"""Jobs: the whole nightly load, and ingestion alone (what the file sensors start)."""

from __future__ import annotations

import dagster as dg

nightly_load = dg.define_asset_job(
    name="nightly_load",
    selection=dg.AssetSelection.all(),
    description="Ingest pending deliveries, build the dbt models, run the quality checks, publish the marts.",
)
