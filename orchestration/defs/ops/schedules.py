"""The nightly schedule: 02:00 in Morocco, on by default. A night with nothing new since the last
publication (pipeline.nothing_new, the rule `tadamon run` follows) runs only the landing and the
providers' freshness checks of the nightly job: the marts would come out the same."""

import logging

import dagster as dg

from orchestration.defs.ops.jobs import QUIET_NIGHT_ASSETS, QUIET_NIGHT_CHECKS, nightly_load
from orchestration.settings import get_settings

NIGHTLY_CRON = "0 2 * * *"
TIMEZONE = "Africa/Casablanca"

log = logging.getLogger(__name__)


def night_request() -> dg.RunRequest:
    """The whole load, or its quiet-night part when nothing is new; in doubt (the warehouse cannot be
    read), the whole load, whose run then says what is wrong."""
    from orchestration.pipeline import nothing_new
    from orchestration.warehouse import ensure_warehouse

    settings = get_settings()
    try:
        quiet = nothing_new(settings, ensure_warehouse(settings))
    except Exception as exc:  # noqa: BLE001 - the run reports the failure; the schedule must not
        log.warning("could not tell whether anything is new (%s): the whole load runs", exc)
        quiet = False
    if not quiet:
        return dg.RunRequest(tags={"tadamon/night": "load"})
    return dg.RunRequest(
        asset_selection=QUIET_NIGHT_ASSETS,
        asset_check_keys=QUIET_NIGHT_CHECKS,
        tags={"tadamon/night": "nothing new"},
    )


@dg.schedule(
    name="nightly_load_0200",
    job=nightly_load,
    cron_schedule=NIGHTLY_CRON,
    execution_timezone=TIMEZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every night at 02:00 Africa/Casablanca: the whole load, or, when nothing is new since the "
    "last publication, its landing and the providers' freshness checks.",
)
def nightly_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    return night_request()
