"""Run-failure alerts for the runs the daemon starts (schedule and sensors)."""

import dagster as dg

from orchestration.alerts import alert
from orchestration.settings import get_settings


@dg.run_failure_sensor(
    name="alert_on_run_failure",
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="A failed run writes data/logs/alerts.log and posts to TADAMON_ALERT_WEBHOOK when set.",
)
def alert_on_run_failure(context: dg.RunFailureSensorContext):
    failed_steps = [e.step_key for e in context.get_step_failure_events()]
    alert(
        get_settings(),
        title=f"run {context.dagster_run.job_name} failed",
        details=f"{context.failure_event.message} (steps: {', '.join(filter(None, failed_steps)) or 'n/a'})",
        where_to_look=f"Dagster UI, run {context.dagster_run.run_id}; `tadamon status`",
    )
