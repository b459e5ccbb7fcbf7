"""The morning summary: last run of each asset, failed checks, late providers, next scheduled run."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import dagster as dg
import sqlalchemy as sa

from orchestration.defs.ops.schedules import TIMEZONE
from orchestration.freshness import source_freshness
from orchestration.warehouse import engine


def next_nightly_run(now: dt.datetime, hour: int = 2) -> dt.datetime:
    local = now.astimezone(ZoneInfo(TIMEZONE))
    candidate = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if candidate <= local:
        candidate += dt.timedelta(days=1)
    return candidate


def status_report(url: str, instance: dg.DagsterInstance) -> str:
    from orchestration.definitions import defs

    now = dt.datetime.now(dt.UTC)
    lines = ["Tadamon status", "=" * 14, "", "Last materialisation of each asset:"]
    for key in sorted(defs.resolve_asset_graph().materializable_asset_keys, key=lambda k: k.to_user_string()):
        event = instance.get_latest_materialization_event(key)
        when = dt.datetime.fromtimestamp(event.timestamp, dt.UTC).strftime("%Y-%m-%d %H:%M UTC") if event else "never"
        lines.append(f"  {key.to_user_string():<55} {when}")

    from orchestration import recovery

    lines += ["", "Runs in progress:"]
    lines += [f"  {line}" for line in recovery.runs_in_progress(instance)] or ["  none"]
    recovered = recovery.recently_recovered(instance)
    if recovered:
        lines += ["", "Runs marked failed after their process died:"]
        lines += [f"  {line}" for line in recovered]

    lines += ["", "Failed checks of the latest quality run:"]
    with engine(url).connect() as conn:
        failed = conn.execute(
            sa.text(
                """select asset, expectation, severity, failing_row_count from audit.quality_result
               where run_id = (select run_id from audit.quality_result order by checked_at desc limit 1)
                 and not success order by severity, asset"""
            )
        ).all()
        last_files = conn.execute(
            sa.text(
                "select provider, file_name, status, loaded_at, error from audit.load_file"
                " order by load_id desc limit 10"
            )
        ).all()
    lines += [f"  [{r.severity}] {r.asset}: {r.expectation} ({r.failing_row_count or 0} rows)" for r in failed] or [
        "  none"
    ]

    lines += ["", "Latest deliveries:"]
    lines += [
        f"  {r.loaded_at:%Y-%m-%d %H:%M} {r.provider}/{r.file_name}: {r.status}" + (f" — {r.error}" if r.error else "")
        for r in last_files
    ] or ["  none yet"]

    late = [f for f in source_freshness(url) if f.is_late(now)]
    lines += ["", "Late providers:"]
    lines += [f"  {f.describe(now)}" for f in late] or ["  none"]
    lines += ["", f"Next scheduled run: {next_nightly_run(now):%Y-%m-%d %H:%M} {TIMEZONE}"]
    return "\n".join(lines)
