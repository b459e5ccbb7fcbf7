"""What a night with nothing new runs its `check_deliveries` job from: the landing assets and the
providers' freshness checks, the very objects orchestration/definitions.py assembles with the rest.

Loading the whole code location imports dagster-dbt and builds the dbt assets and their checks, about
three seconds of a night that only records the receipts of duplicates and refused files and checks
freshness. The run is still a run of the code location's `check_deliveries` job (job_runs gives it the
location's origin), listed on that job's page; a test pins that both give the job the same assets and
checks."""

import dagster as dg

from orchestration.defs.ingestion.assets import landing_assets
from orchestration.defs.ingestion.checks import freshness_checks
from orchestration.defs.ops.jobs import check_deliveries
from orchestration.defs.resources import WarehouseResource

defs = dg.Definitions(
    assets=landing_assets(),
    asset_checks=freshness_checks(),
    jobs=[check_deliveries],
    resources={"warehouse": WarehouseResource()},
)
