"""The nightly schedule: 02:00 in Morocco, on by default."""

import dagster as dg

from orchestration.defs.ops.jobs import nightly_load

NIGHTLY_CRON = "0 2 * * *"
TIMEZONE = "Africa/Casablanca"

nightly_schedule = dg.ScheduleDefinition(
    name="nightly_load_0200",
    job=nightly_load,
    cron_schedule=NIGHTLY_CRON,
    execution_timezone=TIMEZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every night at 02:00 Africa/Casablanca: the whole load.",
)
