"""Run the GX suites of `expectations/gx/` against the warehouse, turn GX's results into plain
outcomes (severity, offending keys), and keep them in `audit.quality_result`.

No Dagster here: orchestration/defs/quality/checks.py wraps these functions as asset checks.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from orchestration.quality.project import CONNECTION_ENV, DOCS_SITE, GX_DIR, MAX_KEYS
from orchestration.quality.retention import KEEP_RUNS, prune_validations
from orchestration.quality.rows_in_force import batch_query, batch_table
from orchestration.suites.model import CRITICAL, WARNING, Suite, expectation_severity
from orchestration.suites.stored import stored_suite, stored_suites
from orchestration.warehouse import engine, sqlalchemy_url
from orchestration.warehouse.schemas import RAW

log = logging.getLogger(__name__)

KEYS_IN_METADATA = 20
ROWS_IN_DETAILS = 20


# -- outcomes ----------------------------------------------------------------------------------
@dataclass
class ExpectationOutcome:
    suite: str
    asset: str
    expectation: str  # the rule name (meta.rule)
    expectation_type: str
    severity: str
    success: bool
    description: str | None = None
    observed_value: str | None = None
    failing_row_count: int | None = None
    failing_keys: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class SuiteOutcome:
    suite: str
    asset: str
    run_id: str
    outcomes: list[ExpectationOutcome] = field(default_factory=list)
    seconds: float = 0.0
    skipped: str | None = None  # why the suite did not run (no table yet)
    data_docs: str | None = None
    batch: str | None = None  # for a suite of new loads: which loads it read (prepare_batch)

    @property
    def critical_failures(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success and o.severity == CRITICAL]

    @property
    def warning_failures(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success and o.severity == WARNING]

    @property
    def passed(self) -> bool:
        """True when no expectation failed at all."""
        return all(o.success for o in self.outcomes)

    @property
    def worst_failed_severity(self) -> str | None:
        if self.critical_failures:
            return CRITICAL
        if self.warning_failures:
            return WARNING
        return None


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _key_of(row: dict, key_columns: tuple[str, ...]) -> str:
    if "key" in row:
        return str(row["key"])
    values = [row.get(c) for c in key_columns if c in row]
    return " / ".join(str(v) for v in values) if values else json.dumps(_json_safe(row), ensure_ascii=False)


def convert_result(result: Any, suite: Suite, asset: str | None = None) -> ExpectationOutcome:
    """One GX ExpectationValidationResult (object or its dict) as an ExpectationOutcome."""
    data = result.to_json_dict() if hasattr(result, "to_json_dict") else dict(result)
    config = data.get("expectation_config") or {}
    meta = config.get("meta") or {}
    kwargs = config.get("kwargs") or {}
    exp_type = config.get("type") or config.get("expectation_type") or "unknown"
    res = data.get("result") or {}
    exception = data.get("exception_info") or {}
    raised = bool(exception.get("raised_exception")) if isinstance(exception, dict) else False
    if not raised and isinstance(exception, dict):  # GX keys exception_info by metric id at times
        for value in exception.values():
            if isinstance(value, dict) and value.get("raised_exception"):
                raised, exception = True, value
                break

    rule = meta.get("rule") or (f"{exp_type}:{kwargs['column']}" if kwargs.get("column") else exp_type)
    success = bool(data.get("success")) and not raised
    failing_count: int | None = None
    keys: list[str] = []
    rows: list[dict] = []
    if exp_type == "unexpected_rows_expectation":
        failing_count = res.get("observed_value")
        rows = list((res.get("details") or {}).get("unexpected_rows") or [])
        keys = [_key_of(r, suite.key_columns) for r in rows]
        observed = failing_count
    elif "unexpected_count" in res:
        failing_count = res.get("unexpected_count")
        index_list = res.get("unexpected_index_list") or []
        rows = [r for r in index_list if isinstance(r, dict)]
        keys = [_key_of(r, suite.key_columns) for r in rows]
        if not keys:  # GX gives no index list for some expectations (compound columns): the values
            keys = [
                _key_of(v, suite.key_columns) if isinstance(v, dict) else str(v)
                for v in (res.get("partial_unexpected_list") or [])
            ]
        observed = f"{failing_count} / {res.get('element_count')}"
    else:
        observed = res.get("observed_value")
        if not success and observed is not None:
            failing_count = None
    if failing_count is None and exp_type == "unexpected_rows_expectation":
        failing_count = 0
    details: dict[str, Any] = {"type": exp_type, "kwargs": _json_safe(kwargs)}
    if config.get("description"):
        details["description"] = config["description"]
    if rows:
        details["rows"] = _json_safe(rows[:ROWS_IN_DETAILS])
    if raised:
        details["exception"] = str(exception.get("exception_message") or "")[:2000]
    return ExpectationOutcome(
        suite=suite.name,
        asset=asset or "/".join(suite.asset_key),
        expectation=rule,
        expectation_type=exp_type,
        severity=expectation_severity(config),
        success=success,
        description=config.get("description"),
        observed_value=None if observed is None else str(_json_safe(observed)),
        failing_row_count=None if failing_count is None else int(failing_count),
        failing_keys=list(dict.fromkeys(keys))[:MAX_KEYS],
        details=details,
    )


# -- running -----------------------------------------------------------------------------------
_CONTEXT_LOCK = threading.Lock()
_CONTEXTS: dict[str, Any] = {}
_LOADED_AHEAD: list[Any] = []


def connection_string(url: str) -> str:
    return sqlalchemy_url(url).render_as_string(hide_password=False)


def _context(url: str):
    """One GX context per warehouse URL and process; GX reads the connection string from the
    environment (${TADAMON_GX_CONNECTION_STRING}) when it first connects."""
    from orchestration.quality.project import get_context

    with _CONTEXT_LOCK:
        os.environ[CONNECTION_ENV] = connection_string(url)
        if url not in _CONTEXTS:
            _CONTEXTS[url] = _LOADED_AHEAD.pop() if _LOADED_AHEAD else get_context()
        return _CONTEXTS[url]


def load_ahead() -> None:
    """Import GX and load the project's context before the first suite is asked for (a worker does
    this while the run lands its files: worker.py); the first URL's `_context` takes it. A context
    that has not connected yet is no warehouse's."""
    from orchestration.quality.project import get_context

    with _CONTEXT_LOCK:
        if not _CONTEXTS and not _LOADED_AHEAD:
            _LOADED_AHEAD.append(get_context())


def dispose_contexts() -> None:
    with _CONTEXT_LOCK:
        for context in _CONTEXTS.values():
            try:
                for source in context.data_sources.all().values():
                    engine_ = getattr(source, "_cached_engine", None) or getattr(source, "_engine", None)
                    if engine_ is not None:
                        engine_.dispose()
            except Exception:  # best effort
                pass
        _CONTEXTS.clear()
        _LOADED_AHEAD.clear()


def data_docs_index() -> Path:
    """The GX Data Docs site (static HTML) that every run of suites updates (`update_data_docs`)."""
    return GX_DIR / "uncommitted" / "data_docs" / DOCS_SITE / "index.html"


def _table_exists(url: str, table: str) -> bool:
    with engine(url).connect() as conn:
        return conn.execute(sa.text("select to_regclass(:t) is not null"), {"t": table}).scalar()


def new_run_id() -> str:
    return f"manual-{dt.datetime.now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"


def run_suite(url: str, suite_name: str, run_id: str | None = None, record: bool = True) -> SuiteOutcome:
    """Run one suite (`run_suites` of one)."""
    return run_suites(url, [suite_name], run_id=run_id, record=record)[0]


def run_suites(
    url: str, suite_names: list[str] | None = None, run_id: str | None = None, record: bool = True
) -> list[SuiteOutcome]:
    """Run the suites (all of them by default) and update the Data Docs; see `iter_suites`."""
    return list(iter_suites(url, suite_names, run_id=run_id, record=record))


def iter_suites(
    url: str,
    suite_names: list[str] | None = None,
    run_id: str | None = None,
    record: bool = True,
    pages: list[Any] | None = None,
) -> Iterator[SuiteOutcome]:
    """Run the suites' checkpoints on the warehouse at `url`, one after the other, giving each outcome as
    soon as it is known, its results already written to audit.quality_result (unless `record` is False).

    The Data Docs get the pages of all these results in one build, after the last suite: a build per
    suite cost more than the suite itself (GX compiles its page templates again at every build and
    copies its static files). With `pages` (a list), the caller builds them (`update_data_docs`): the
    pages are added to it. A suite that raises does not keep the next ones from running; the first
    error is raised once they have run and the Data Docs are written."""
    run_id = run_id or new_run_id()
    names = suite_names if suite_names is not None else [s.name for s in stored_suites()]
    built_here = pages is None
    pages = [] if pages is None else pages
    errors: list[tuple[str, Exception]] = []
    try:
        for name in names:
            try:
                outcome, validated = _run_checkpoint(url, name, run_id)
                if record:
                    record_outcome(url, outcome)
            except Exception as exc:  # the other suites still run; raised below
                log.exception("suite %s could not run", name)
                errors.append((name, exc))
                continue
            pages += validated
            yield outcome
    finally:
        if pages and built_here:
            update_data_docs(url, pages)
    if errors:
        listed = "; ".join(f"{name}: {type(exc).__name__}: {exc}" for name, exc in errors)
        raise RuntimeError(f"{len(errors)} suite(s) could not run: {listed}"[:2000]) from errors[0][1]


def _run_checkpoint(url: str, suite_name: str, run_id: str) -> tuple[SuiteOutcome, list[Any]]:
    """One suite's checkpoint: its outcome, and the GX identifiers of the Data Docs pages to write."""
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

    suite = stored_suite(suite_name)
    outcome = SuiteOutcome(suite=suite.name, asset="/".join(suite.asset_key), run_id=run_id)
    started = time.perf_counter()
    if not _table_exists(url, suite.table):
        outcome.skipped = f"{suite.table} n'existe pas encore (aucun fichier chargé)"
        outcome.seconds = time.perf_counter() - started
        return outcome, []
    if suite.new_loads_only:
        outcome.batch = prepare_batch(url, suite)
    if suite.batch_table:
        stage_batch(url, suite)
    context = _context(url)
    with _CONTEXT_LOCK:
        prune_validations(suite.name, keep=KEEP_RUNS - 1)  # this run makes KEEP_RUNS
        os.environ[CONNECTION_ENV] = connection_string(url)
        checkpoint = context.checkpoints.get(suite.name)
        result = checkpoint.run(run_id=RunIdentifier(run_name=run_id, run_time=dt.datetime.now(dt.UTC)))
    pages: list[Any] = []
    for identifier, validation in result.run_results.items():
        pages += [identifier, ExpectationSuiteIdentifier(name=validation.suite_name)]
        for expectation_result in validation.results:
            outcome.outcomes.append(convert_result(expectation_result, suite, outcome.asset))
    if suite.new_loads_only:
        settle_batch(url, suite, clean=bool(outcome.outcomes) and not outcome.critical_failures)
    outcome.data_docs = str(data_docs_index())
    outcome.seconds = time.perf_counter() - started
    return outcome, pages


def update_data_docs(url: str, pages: list[Any]) -> None:
    """Write the Data Docs pages of these results and of their suites, then the site's index (which
    lists the runs retention.py keeps)."""
    context = _context(url)
    with _CONTEXT_LOCK:
        context.build_data_docs(site_names=[DOCS_SITE], resource_identifiers=pages, build_index=True)


# -- suites of new loads ---------------------------------------------------------------------------
# A cumulative source's rows in force are the latest delivery of each key over every load: checking them
# all each night re-reads every raw row. The rules of these suites judge each row on its own, so once a
# run found no critical failure, the next one needs only the rows in force of the loads it has not
# checked: audit.raw_check_load lists them, and the suite's batch query reads only those. Every load is
# read again when that could give other rows in force or let a blocking failure go: the previous run
# failed a critical rule (or did not finish), the suite changed, a checked load was superseded since,
# or a load not yet checked comes before a checked one (an older period delivered late).
def prepare_batch(url: str, suite: Suite) -> str:
    """Fill the suite's batch in audit.raw_check_load; says which loads it holds."""
    source = suite.table.removeprefix(f"{RAW}.")
    with engine(url).begin() as conn:
        params = {"suite": suite.name, "source": source, "sha": suite.sha256}
        conn.execute(sa.text("delete from audit.raw_check_load where suite = :suite and not checked"), params)
        # a checked load superseded since (a corrected re-send, a reload) can bring back into force rows
        # that were outranked when it was checked: every load is read again
        replaced = conn.execute(
            sa.text(
                """select count(*) from audit.raw_check_load c where suite = :suite
               and not exists (select 1 from audit.load_file f where f.load_id = c.load_id and f.status = 'loaded')"""
            ),
            params,
        ).scalar()
        loads = conn.execute(
            sa.text(
                """select f.load_id, coalesce(f.period, '') as period, c.suite_sha
               from audit.load_file f
               left join audit.raw_check_load c on c.suite = :suite and c.load_id = f.load_id
               where f.source_name = :source and f.status = 'loaded' order by f.load_id"""
            ),
            params,
        ).all()
        checked = [(r.period, r.load_id) for r in loads if r.suite_sha is not None]
        pending = [(r.period, r.load_id) for r in loads if r.suite_sha is None]
        incremental = (
            checked
            and not replaced
            and all(r.suite_sha == suite.sha256 for r in loads if r.suite_sha is not None)
            and (not pending or min(pending) > max(checked))
        )
        if not incremental:
            conn.execute(sa.text("delete from audit.raw_check_load where suite = :suite"), params)
            pending = [(r.period, r.load_id) for r in loads]
        if pending:
            conn.execute(
                sa.text("insert into audit.raw_check_load (suite, load_id, suite_sha) values (:suite, :load_id, :sha)"),
                [{**params, "load_id": load_id} for _, load_id in pending],
            )
    ids = ", ".join(str(load_id) for _, load_id in pending) or "none"
    return f"new loads ({ids})" if incremental else f"every load ({ids})"


def stage_batch(url: str, suite: Suite) -> None:
    """Stage a raw suite's batch (its rows in force, rows_in_force.batch_query) in its table: GX's
    expectations then read a table instead of ranking the raw rows again each. The table stays
    until the next run: the rows the last check judged."""
    from orchestration.ingest.definitions import load_definitions

    definition = next((d for d in load_definitions() if d.qualified_table == suite.table), None)
    if definition is None or batch_table(suite.name) != suite.batch_table:
        raise ValueError(f"suite {suite.name}: no source definition stages {suite.batch_table}")
    with engine(url).begin() as conn:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {suite.batch_table}")
        conn.exec_driver_sql(f"CREATE UNLOGGED TABLE {suite.batch_table} AS {batch_query(definition, suite.name)}")


def settle_batch(url: str, suite: Suite, clean: bool) -> None:
    """After the run: its loads are checked when no critical rule failed; otherwise every load is read
    again next time, so that a blocking failure blocks until it is fixed."""
    with engine(url).begin() as conn:
        if clean:
            conn.execute(
                sa.text("update audit.raw_check_load set checked = true where suite = :s and not checked"),
                {"s": suite.name},
            )
        else:
            conn.execute(sa.text("delete from audit.raw_check_load where suite = :s"), {"s": suite.name})


def record_outcome(url: str, outcome: SuiteOutcome) -> int:
    """One audit.quality_result row per expectation of the suite run."""
    if not outcome.outcomes:
        return 0
    rows = [
        {
            "run_id": outcome.run_id,
            "asset": o.asset,
            "suite": o.suite,
            "expectation": o.expectation,
            "severity": o.severity,
            "success": o.success,
            "observed_value": o.observed_value,
            "failing_row_count": o.failing_row_count,
            "failing_keys": json.dumps(o.failing_keys, ensure_ascii=False),
            "details": json.dumps(_json_safe({**o.details, "description": o.description}), ensure_ascii=False),
        }
        for o in outcome.outcomes
    ]
    with engine(url).begin() as conn:
        conn.execute(
            sa.text(
                """insert into audit.quality_result (run_id, asset, suite, expectation, severity, success,
                       observed_value, failing_row_count, failing_keys, details)
                   values (:run_id, :asset, :suite, :expectation, :severity, :success, :observed_value,
                           :failing_row_count, cast(:failing_keys as jsonb), cast(:details as jsonb))"""
            ),
            rows,
        )
    return len(rows)
