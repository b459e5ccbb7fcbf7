"""One whole load, run through Dagster's asset graph, and the summary it prints."""

from __future__ import annotations

import contextlib
import shutil
import textwrap
from dataclasses import dataclass, field

import dagster as dg
import sqlalchemy as sa

from orchestration import recovery
from orchestration.alerts import alert
from orchestration.fingerprint import project_fingerprint
from orchestration.job_runs import execute_job
from orchestration.settings import Settings
from orchestration.warehouse import engine, ensure_warehouse, role_url
from orchestration.warehouse.publish import last_publication, published_counts

RUN_LOCK = "tadamon.run"
SHOWN_CHECKS = 10


@dataclass
class LoadSummary:
    success: bool
    files: dict[str, int] = field(default_factory=dict)
    rows_loaded: int = 0
    rows_set_aside: int = 0
    rejected_files: list[tuple[str, str]] = field(default_factory=list)
    checks_passed: int = 0
    checks_warned: list[str] = field(default_factory=list)  # failed checks of WARN severity: the load goes on
    checks_failed: list[str] = field(default_factory=list)  # failed checks of ERROR severity
    marts: dict[str, int] = field(default_factory=dict)
    failure: str | None = None
    rebuilt: bool = True
    recovered: list[str] = field(default_factory=list)  # dead runs found and marked failed first
    published: bool = False  # the publish step succeeded: a later failure (the bilan) left new marts


def _max_load_id(url: str) -> int:
    with engine(url).connect() as conn:
        return conn.exec_driver_sql("SELECT coalesce(max(load_id), 0) FROM audit.load_file").scalar()


def _console(log_level: str) -> dict:
    return {"loggers": {"console": {"config": {"log_level": log_level}}}}


def _run_config(log_level: str, rebuild: bool) -> dict:
    """The console's level, and for `--rebuild` a full build of the incremental models."""
    config = _console(log_level)
    if rebuild:
        config["ops"] = {"dbt_models": {"config": {"full_refresh": True}}}
    return config


def nothing_new(settings: Settings, url: str) -> bool:
    """No load and no change to the models or checks since the last publication, and no waiting file
    that would load: a night of duplicates and rejected files only records their receipts and checks
    freshness, the marts would come out the same."""
    last = last_publication(url)
    if last is None or last.project_fingerprint != project_fingerprint():
        return False
    with engine(url).connect() as conn:
        current = conn.exec_driver_sql(
            "SELECT max(load_id) FROM audit.load_file WHERE status IN ('loaded', 'superseded')"
        ).scalar()
        if last.last_load_id != current:
            return False
        waiting = sorted(p for p in settings.incoming_dir.glob("*/*") if p.is_file() and not p.name.startswith("."))
        return not any(_would_load(conn, path) for path in waiting)


def _would_load(conn, path) -> bool:
    """Whether the landing could load this waiting file: False only when it surely cannot, because
    its bytes were loaded before (a duplicate), no definition takes its name, it is a snapshot older
    than the one in force, or its reader rejects it whole (the landing's own rules and reader, so the
    same reasons). In doubt, True: the night rebuilds."""
    from orchestration.ingest.definitions import definition_for
    from orchestration.ingest.file_names import strip_copy_suffix
    from orchestration.ingest.periods import file_period, late_snapshot_refusal
    from orchestration.ingest.readers import FileRejected, open_delivery
    from orchestration.ingest.stored_files import file_sha256

    loaded = conn.execute(
        sa.text("SELECT 1 FROM audit.load_file WHERE sha256 = :s AND status = 'loaded'"), {"s": file_sha256(path)}
    ).first()
    if loaded:
        return False
    definition = definition_for(path.parent.name, strip_copy_suffix(path.name))
    if definition is None:  # a name of no definition, or a folder of no provider: rejected or not landed
        return False
    period = file_period(definition, path.name)
    if late_snapshot_refusal(conn.connection.dbapi_connection, definition, period):  # refused
        return False
    try:
        open_delivery(path, definition)
    except FileRejected:
        return False
    except Exception:  # noqa: BLE001 - the landing decides; in doubt the night rebuilds
        return True
    return True


def run_load(
    settings: Settings, instance: dg.DagsterInstance, log_level: str = "WARNING", rebuild: bool = False, on_event=None
) -> LoadSummary:
    """Execute the nightly job in this process and summarise what it did. When nothing is new since
    the last publication (and `rebuild` is not asked), only the deliveries and their freshness are
    checked: the marts would come out the same."""
    url = ensure_warehouse(settings)
    before = _max_load_id(url)
    job = "nightly_load" if rebuild or not nothing_new(settings, url) else "check_deliveries"
    with engine(url).connect() as lock_conn:
        got = lock_conn.execute(sa.text("select pg_try_advisory_lock(hashtext(:k))"), {"k": RUN_LOCK}).scalar()
        if not got:
            return LoadSummary(success=False, failure="another load is running on this warehouse; try again later")
        try:
            with recovery.watched_run(instance) as watch:
                result = execute_job(
                    instance,
                    job,
                    run_config=_run_config(log_level, rebuild),
                    tags=recovery.run_tags(),
                    on_event=on_event,
                )
        except Exception as exc:
            if not recovery.database_lost(exc):
                raise
            return _database_lost(settings, exc)
        finally:
            with contextlib.suppress(Exception):  # a lost server has released the lock already
                lock_conn.execute(sa.text("select pg_advisory_unlock(hashtext(:k))"), {"k": RUN_LOCK})
                lock_conn.commit()
    summary = LoadSummary(
        success=result.success and not watch.failure,
        rebuilt=job == "nightly_load",
        recovered=[r.describe() for r in watch.recovered],
    )
    _summarise_files(url, before, summary)
    for evaluation in result.get_asset_check_evaluations():
        if evaluation.passed:
            summary.checks_passed += 1
        else:
            detail = f": {evaluation.description[:300]}" if evaluation.description else ""
            failed = (
                summary.checks_warned if evaluation.severity == dg.AssetCheckSeverity.WARN else summary.checks_failed
            )
            failed.append(
                f"{evaluation.asset_key.to_user_string()} {evaluation.check_name} ({evaluation.severity.value}){detail}"
            )
    summary.published = any(e.is_step_success and e.step_key == "publish_marts" for e in result.all_events)
    if watch.failure:
        summary.failure = watch.failure
    elif not result.success:
        failures = [e for e in result.all_events if e.is_step_failure]
        summary.failure = (
            "; ".join(
                f"{e.step_key}: {e.step_failure_data.error.message.strip() if e.step_failure_data.error else 'failed'}"
                for e in failures
            )
            or "the run failed"
        )
    summary.marts = published_counts(url)
    if not summary.success:
        # runs the daemon starts are reported by the run-failure sensor; this one runs in-process
        alert(
            settings,
            title="the load failed",
            details=summary.failure or "",
            where_to_look="`tadamon status`, the Dagster UI (`tadamon ui`), data/receipts/",
        )
    return summary


def _database_lost(settings: Settings, exc: BaseException) -> LoadSummary:
    summary = LoadSummary(success=False, failure=recovery.describe_lost(exc))
    alert(
        settings,
        title="the load failed: database lost",
        details=summary.failure,
        where_to_look="the PostgreSQL server's log; `tadamon warehouse status`; then `tadamon run` again",
    )
    return summary


def _summarise_files(url: str, after_load_id: int, summary: LoadSummary) -> None:
    with engine(url).connect() as conn:
        rows = conn.execute(
            sa.text(
                """select status, count(*), coalesce(sum(rows_loaded), 0),
                          coalesce(sum(rows_rejected + rows_duplicate), 0)
                   from audit.load_file where load_id > :after group by status"""
            ),
            {"after": after_load_id},
        ).all()
        for status, files, loaded, set_aside in rows:
            summary.files[status] = files
            summary.rows_loaded += loaded
            summary.rows_set_aside += set_aside
        summary.rejected_files = [
            (f"{r[0]}/{r[1]}", r[2])
            for r in conn.execute(
                sa.text(
                    "select provider, file_name, error from audit.load_file "
                    "where load_id > :after and status = 'rejected' order by load_id"
                ),
                {"after": after_load_id},
            )
        ]


def format_summary(summary: LoadSummary, settings: Settings) -> str:
    lines = ["", "Tadamon — résumé du chargement / load summary", "-" * 48]
    lines += [f"Recovered: {line}" for line in summary.recovered]
    files = summary.files
    lines.append(
        f"Files: {files.get('loaded', 0)} loaded, {files.get('duplicate', 0)} duplicate, "
        f"{files.get('rejected', 0)} rejected"
    )
    lines.append(
        f"Rows: {summary.rows_loaded} loaded, {summary.rows_set_aside} set aside "
        f"(see audit.rejected_row and {settings.receipts_dir})"
    )
    for name, error in summary.rejected_files:
        lines.append(f"  rejected file {name}: {error}")
    if not summary.rebuilt:
        lines.append(
            "Nothing new since the last publication: the marts are unchanged "
            "(`tadamon run --rebuild` rebuilds them anyway)."
        )
    warned, failed = len(summary.checks_warned), len(summary.checks_failed)
    lines.append(
        f"Checks: {summary.checks_passed} passed, {warned} warning{'s' * (warned != 1)}, "
        f"{failed} error{'s' * (failed != 1)}"
    )
    listed = [("error", c) for c in summary.checks_failed] + [("warning", c) for c in summary.checks_warned]
    for kind, check in listed[:SHOWN_CHECKS]:
        lines.append(f"  {kind}: {check}")
    if len(listed) > SHOWN_CHECKS:
        lines.append(f"  ... and {len(listed) - SHOWN_CHECKS} more (`tadamon status`, the quality report)")
    from orchestration.quality.report import report_index, report_url

    lines.append(f"Quality report: {report_index()} (with `tadamon ui`: {report_url(settings)})")
    latest = settings.data_dir / "reports" / "latest"
    if (latest / "bilan_fr.pdf").exists():
        lines.append(f"Bilan (results report, French and Arabic): {latest}/bilan_fr.pdf, bilan_ar.pdf (and .html)")
    lines += textwrap.wrap(
        "Marts (rows): " + ", ".join(f"{name} {count}" for name, count in summary.marts.items()),
        width=110,
        subsequent_indent="  ",
    )
    if summary.failure:
        lines.append(f"FAILED: {summary.failure}")
        lines.append(
            "The marts were published before the failure: BI users read this night's marts."
            if summary.published
            else "The marts BI users read were left as they were."
        )
    try:
        bi_url = role_url("bi_reader", settings)
        masked = sa.engine.make_url(bi_url).render_as_string(hide_password=True)
    except Exception:  # an external server without TADAMON_BI_READER_PASSWORD
        masked = "(set TADAMON_BI_READER_PASSWORD)"
    lines += [
        f"BI tools (Metabase, Superset, Power BI), schema `marts`: {masked}",
        "  URLs with passwords: .venv/bin/tadamon warehouse url --role bi_reader (or bi_analyst, who may"
        " create views in `analyst`); data dictionary: .venv/bin/tadamon docs",
    ]
    return "\n".join(lines)


class ReloadError(RuntimeError):
    pass


def find_delivery(url: str, ref: str):
    """The archived delivery a sha256 (or its first characters) or a file name designates."""
    with engine(url).connect() as conn:
        rows = conn.execute(
            sa.text(
                """select distinct on (sha256) load_id, provider, file_name, sha256, status, stored_path
                   from audit.load_file
                   where status in ('loaded', 'superseded', 'rejected')
                     and (sha256 like :prefix or file_name = :name)
                   order by sha256, load_id desc"""
            ),
            {"prefix": f"{ref.lower()}%" if len(ref) >= 6 else "-", "name": ref},
        ).all()
    if not rows:
        raise ReloadError(
            f"no archived delivery matches {ref!r} (give a file name or at least 6 characters of its sha256)"
        )
    if len(rows) > 1:
        listing = "\n".join(f"  {r.sha256[:12]} {r.provider}/{r.file_name} ({r.status})" for r in rows)
        raise ReloadError(f"{ref!r} matches several deliveries; give its sha256:\n{listing}")
    return rows[0]


def reload_delivery(
    settings: Settings, ref: str, instance: dg.DagsterInstance, log_level: str = "WARNING", on_event=None
):
    """Load an archived delivery again in place of its earlier load, then rebuild and publish."""
    from pathlib import Path

    from orchestration.ingest.landing import Lander

    url = ensure_warehouse(settings)
    row = find_delivery(url, ref)
    stored = Path(row.stored_path or "")
    if not stored.is_file():
        raise ReloadError(f"the archived bytes of {row.file_name} are missing: {row.stored_path}")
    lander = Lander(settings, url)
    if row.status == "rejected":
        target = settings.incoming_dir / row.provider / row.file_name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(stored, target)
        outcome = lander.land_file(target, row.provider)
    else:
        outcome = lander.land_file(stored, row.provider, reload=True, file_name=row.file_name)
    result = execute_job(instance, "rebuild_marts", run_config=_console(log_level), on_event=on_event)
    return outcome, result.success
