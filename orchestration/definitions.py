"""Tadamon's Dagster definitions: assembled here, defined in orchestration/defs/<concern>/."""

import dagster as dg

from orchestration.defs.ingestion.assets import landing_assets
from orchestration.defs.ingestion.checks import freshness_checks
from orchestration.defs.ingestion.sensors import provider_jobs_and_sensors
from orchestration.defs.ops.alerts import alert_on_run_failure
from orchestration.defs.ops.jobs import check_deliveries, nightly_load, rebuild_marts
from orchestration.defs.ops.schedules import nightly_schedule
from orchestration.defs.publish.assets import build_publish_asset
from orchestration.defs.quality.checks import quality_checks
from orchestration.defs.report.assets import bilan
from orchestration.defs.resources import WarehouseResource, quality_worker
from orchestration.defs.transform.assets import dbt_models, dbt_resource

provider_jobs, incoming_sensors = provider_jobs_and_sensors()

defs = dg.Definitions(
    assets=[*landing_assets(), dbt_models, build_publish_asset(), bilan],
    asset_checks=[*freshness_checks(), *quality_checks()],
    jobs=[nightly_load, check_deliveries, rebuild_marts, *provider_jobs],
    schedules=[nightly_schedule],
    sensors=[*incoming_sensors, alert_on_run_failure],
    resources={"warehouse": WarehouseResource(), "dbt": dbt_resource(), "quality_worker": quality_worker},
)
