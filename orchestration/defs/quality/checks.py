"""Great Expectations suites as Dagster asset checks: one check `gx_<suite>` per suite of
expectations/gx/, on the raw table or the mart it judges, with its own result.

The checks of one layer (the raw tables, the marts of marts_build) run in one step, `gx_<schema>`:
the suites one after the other in the run's quality worker (a process started with the run, which
loads GX meanwhile: orchestration/quality/worker.py), then the quality report written once for all
of them (and the GX Data Docs, by the worker). A step per suite paid Dagster's step, the Data Docs
build and the report each time, more than most suites cost themselves. Every step downstream of
these tables already waits for all of them (dbt reads every raw table, the publication every mart),
so one step blocks what a step per suite blocked.

A suite with critical expectations gives a blocking check: when a critical expectation fails the
check fails with ERROR severity, the step fails once every suite of it has run, and nothing
downstream runs (a failed marts_build check skips the publication, so BI users keep the last good
marts). Only warnings failed: WARN severity, the load goes on. Every run is written to
audit.quality_result and updates the GX Data Docs (the latest runs of each suite:
orchestration/quality/retention.py).
"""

from collections.abc import Iterable, Iterator

import dagster as dg

from orchestration.defs import asset_keys
from orchestration.defs.ops.retries import retry_when_transient
from orchestration.defs.resources import WarehouseResource
from orchestration.quality import (
    CRITICAL,
    WARNING,
    Suite,
    SuiteOutcome,
    data_docs_index,
    stored_suites,
)
from orchestration.quality.report import report_index, report_url, write_report
from orchestration.quality.worker import QualityWorker
from orchestration.settings import get_settings

SEVERITY = {CRITICAL: dg.AssetCheckSeverity.ERROR, WARNING: dg.AssetCheckSeverity.WARN}
KEYS_SHOWN = 20


def dagster_severity(severity: str) -> dg.AssetCheckSeverity:
    """critical -> ERROR (blocking), warning -> WARN."""
    return SEVERITY[severity]


def check_name(suite_name: str) -> str:
    return f"gx_{suite_name}"


def check_key(suite: Suite) -> dg.AssetCheckKey:
    return dg.AssetCheckKey(dg.AssetKey(list(suite.asset_key)), check_name(suite.name))


def check_result(outcome: SuiteOutcome) -> dg.AssetCheckResult:
    """A suite run as the check's result: failed when any expectation failed, with the severity of
    the worst failure; metadata for people reading it in the Dagster UI."""
    worst = outcome.worst_failed_severity
    failed = [o for o in outcome.outcomes if not o.success]
    failed.sort(key=lambda o: (o.severity != CRITICAL, o.expectation))
    metadata: dict[str, object] = {
        "suite": outcome.suite,
        "expectations": len(outcome.outcomes),
        "passed": sum(o.success for o in outcome.outcomes),
        "failed_critical": len(outcome.critical_failures),
        "failed_warning": len(outcome.warning_failures),
        "seconds": round(outcome.seconds, 2),
        "failed_expectations": dg.MetadataValue.json(
            [
                {
                    "expectation": o.expectation,
                    "severity": o.severity,
                    "description": o.description,
                    "observed_value": o.observed_value,
                    "failing_row_count": o.failing_row_count,
                    "offending_keys": o.failing_keys[:KEYS_SHOWN],
                    **({"error": o.details["exception"]} if o.details.get("exception") else {}),
                }
                for o in failed
            ]
        ),
        "offending_keys": dg.MetadataValue.json(
            {o.expectation: o.failing_keys[:KEYS_SHOWN] for o in failed if o.failing_keys}
        ),
    }
    docs = outcome.data_docs or str(data_docs_index())
    metadata["data_docs"] = dg.MetadataValue.path(docs)
    # the offline report, over http while `tadamon ui` runs (a file:// link cannot be opened from the UI)
    metadata["quality_report"] = dg.MetadataValue.path(str(report_index()))
    metadata["quality_report_url"] = dg.MetadataValue.url(report_url(get_settings(), outcome.suite))
    if outcome.skipped:
        metadata["skipped"] = outcome.skipped
    if outcome.batch:
        metadata["batch"] = outcome.batch
    if failed:
        description = f"{len(failed)} expectation(s) failed: " + ", ".join(
            f"{o.expectation} ({o.severity})" for o in failed[:10]
        )
    elif outcome.skipped:
        description = outcome.skipped
    else:
        description = f"{len(outcome.outcomes)} expectations passed"
    return dg.AssetCheckResult(
        asset_key=dg.AssetKey(outcome.asset.split("/")),
        check_name=check_name(outcome.suite),
        passed=worst is None,
        severity=dagster_severity(worst or WARNING),
        metadata=metadata,
        description=description,
    )


def suite_spec(suite: Suite) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        name=check_name(suite.name),
        asset=dg.AssetKey(list(suite.asset_key)),
        blocking=suite.has_critical,
        description=(
            f"Great Expectations suite `{suite.name}` ({len(suite.rules)} expectations, "
            f"{suite.criticals} critical) on {suite.table}; see expectations/gx/."
        ),
        metadata={"suite_file": f"expectations/gx/expectations/{suite.name}.json"},
    )


def build_layer_checks(schema: str, suites: list[Suite]) -> dg.AssetChecksDefinition:
    """The checks of the suites of one layer, run in one step (any subset of them: a provider's job,
    a check run from the UI)."""

    @dg.multi_asset_check(
        specs=[suite_spec(s) for s in suites],
        name=f"gx_{schema}",
        description=f"The Great Expectations suites of {schema}, one check each.",
        can_subset=True,
    )
    def _gx_checks(
        context: dg.AssetCheckExecutionContext,
        warehouse: WarehouseResource,
        quality_worker: dg.ResourceParam[QualityWorker],
    ) -> Iterator[dg.AssetCheckResult]:
        with retry_when_transient(context.op_execution_context):
            url = warehouse.url()
        selected = context.selected_asset_check_keys
        names = [s.name for s in suites if check_key(s) in selected]
        try:
            for outcome in quality_worker.run(url, names, run_id=context.run.run_id):
                result = check_result(outcome)
                log = context.log.warning if not result.passed else context.log.info
                log(f"{outcome.suite}: {result.description} ({outcome.seconds:.1f}s)")
                yield result
        finally:
            write_report(url)

    return _gx_checks


def _known_asset_keys() -> "set[dg.AssetKey]":
    """The raw tables the landing assets declare and the marts dbt builds, as asset keys."""
    from orchestration.dbt_manifest import load_manifest
    from orchestration.defs.transform.layers import mart_names
    from orchestration.defs.transform.project import dbt_project
    from orchestration.ingest.definitions import load_definitions

    keys = {asset_keys.raw(d.table) for d in load_definitions()}
    if dbt_project.manifest_path.exists():
        keys |= {asset_keys.built_mart(n) for n in mart_names(load_manifest())}
    return keys


def quality_checks(asset_keys: Iterable[dg.AssetKey] | None = None) -> list[dg.AssetChecksDefinition]:
    """One check per GX suite whose asset is in the code location (all raw tables, and the marts in
    the dbt manifest), in one step per layer; pass `asset_keys` to choose them yourself."""
    known = set(asset_keys) if asset_keys is not None else _known_asset_keys()
    layers: dict[str, list[Suite]] = {}
    for suite in stored_suites():
        if dg.AssetKey(list(suite.asset_key)) in known:
            layers.setdefault(suite.asset_key[0], []).append(suite)
    return [build_layer_checks(schema, suites) for schema, suites in layers.items()]
