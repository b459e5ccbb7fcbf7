"""Tadamon's Dagster definitions: assembled here, defined in orchestration/defs/<concern>/."""

import dagster as dg

from orchestration.defs.ingestion.assets import landing_assets
from orchestration.defs.ops.jobs import nightly_load
from orchestration.defs.ops.schedules import nightly_schedule
from orchestration.defs.publish.assets import build_publish_asset
from orchestration.defs.resources import WarehouseResource
from orchestration.defs.transform.assets import dbt_models, dbt_resource

defs = dg.Definitions(
    assets=[*landing_assets(), dbt_models, build_publish_asset()],
    jobs=[nightly_load],
    schedules=[nightly_schedule],
    resources={"warehouse": WarehouseResource(), "dbt": dbt_resource()},
)
