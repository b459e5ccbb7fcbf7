"""The GX suites as Dagster asset checks, executed by Dagster with the real landing assets: the
sample load passes with WARN findings; a half-delivered register after the full one fails the
blocking check with ERROR severity and what is downstream does not run; results in audit.quality_result.
The suites of a layer run in one step, each with its own result: a job that selects some of them
runs only those, and a suite that cannot run fails the step without keeping the others from running."""

from __future__ import annotations

import dagster as dg
import sqlalchemy as sa

from orchestration.defs.ingestion.assets import landing_assets
from orchestration.defs.quality.checks import quality_checks
from orchestration.defs.resources import WarehouseResource, quality_worker
from orchestration.warehouse import engine
from tests.conftest import deliver_samples
from tests.integration.test_quality_raw import half_register

REGISTER = dg.AssetKey(["raw", "ministere__register"])
MOUAZARA = dg.AssetKey(["raw", "ministere__mouazara"])
RAN: list[str] = []


@dg.asset(deps=[REGISTER], group_name="test")
def downstream_of_register() -> None:
    """Stands for staging/marts/publication: must not run after a blocking check failed."""
    RAN.append("ran")


def _run(providers=("ministere",), selection: dg.AssetSelection | None = None):
    checks = quality_checks([dg.AssetKey(["raw", f"ministere__{n}"]) for n in ("register", "mouazara")])
    assert [c.op.name for c in checks] == ["gx_raw"]  # one step for the suites of a layer
    jobs = [dg.define_asset_job("chosen", selection=selection)] if selection is not None else []
    defs = dg.Definitions(
        assets=[a for a in landing_assets() if a.op.name.endswith(providers)] + [downstream_of_register],
        asset_checks=checks,
        jobs=jobs,
        resources={"warehouse": WarehouseResource(), "quality_worker": quality_worker},
    )
    job = defs.resolve_job_def("chosen") if jobs else defs.resolve_implicit_global_asset_job_def()
    with dg.DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(instance=instance, raise_on_error=False)
    return result, {e.check_name: e for e in result.get_asset_check_evaluations()}


def _suites_recorded(url, run_id) -> set[str]:
    with engine(url).connect() as conn:
        return set(
            conn.execute(sa.text("select distinct suite from audit.quality_result where run_id = :r"), {"r": run_id})
            .scalars()
            .all()
        )


def test_checks_on_the_samples_warn_and_let_the_load_go_on(warehouse):
    deliver_samples(warehouse, providers=("ministere",))
    RAN.clear()
    result, evaluations = _run()
    assert result.success
    register = evaluations["gx_raw_ministere__register"]
    assert register.passed is False and register.severity == dg.AssetCheckSeverity.WARN
    failed = register.metadata["failed_expectations"].value
    women = next(f for f in failed if f["expectation"] == "women_not_above_members")
    assert women["severity"] == "warning" and "BLM/2014/0002" in women["offending_keys"]
    assert register.metadata["data_docs"].value.endswith("index.html")
    mouazara = evaluations["gx_raw_ministere__mouazara"]
    assert mouazara.severity == dg.AssetCheckSeverity.WARN
    assert "MZ-2022-FM-0002-X" in mouazara.metadata["offending_keys"].value["disbursed_not_above_grant"]
    assert RAN == ["ran"]

    with engine(warehouse.warehouse_url).connect() as conn:
        rows = conn.execute(sa.text("select distinct run_id, suite from audit.quality_result")).all()
    assert {r.run_id for r in rows} == {result.run_id}
    assert {r.suite for r in rows} == {"raw_ministere__register", "raw_ministere__mouazara"}


def test_half_register_fails_the_blocking_check_and_stops_downstream(warehouse):
    deliver_samples(warehouse, providers=("ministere",))
    first, _ = _run()
    assert first.success
    half_register(warehouse.incoming_dir / "ministere")
    RAN.clear()
    result, evaluations = _run()
    register = evaluations["gx_raw_ministere__register"]
    assert register.passed is False and register.severity == dg.AssetCheckSeverity.ERROR
    assert register.metadata["offending_keys"].value["volume_not_dropping"] == ["REG_COOP_FM_20261130.xlsx"]
    assert not result.success
    assert RAN == []  # blocked
    with engine(warehouse.warehouse_url).connect() as conn:
        row = conn.execute(
            sa.text(
                "select severity, success, failing_keys from audit.quality_result "
                "where run_id = :r and suite = 'raw_ministere__register' and expectation = 'volume_not_dropping'"
            ),
            {"r": result.run_id},
        ).one()
    assert (row.severity, row.success, row.failing_keys) == ("critical", False, ["REG_COOP_FM_20261130.xlsx"])


def test_a_job_that_selects_one_suite_of_the_layer_runs_only_that_one(warehouse):
    deliver_samples(warehouse, providers=("ministere",))
    RAN.clear()
    landed = dg.AssetSelection.assets(REGISTER, MOUAZARA).without_checks()  # one step lands both
    chosen = dg.AssetSelection.checks(dg.AssetCheckKey(REGISTER, "gx_raw_ministere__register"))
    result, evaluations = _run(selection=landed | chosen | dg.AssetSelection.assets(downstream_of_register))
    assert result.success
    assert set(evaluations) == {"gx_raw_ministere__register"}
    assert _suites_recorded(warehouse.warehouse_url, result.run_id) == {"raw_ministere__register"}
    assert RAN == ["ran"]


def test_a_suite_that_cannot_run_fails_the_step_after_the_others_ran(warehouse):
    deliver_samples(warehouse, providers=("ministere",))
    first, _ = _run()
    assert first.success
    # Mouazara's batch can no longer be staged (a real SQL error); the register's suite still runs
    with engine(warehouse.warehouse_url).begin() as conn:
        conn.exec_driver_sql("ALTER TABLE raw.ministere__mouazara RENAME COLUMN edition TO edition_renamed")
    RAN.clear()
    result, evaluations = _run()
    assert not result.success
    assert set(evaluations) == {"gx_raw_ministere__register"}
    assert evaluations["gx_raw_ministere__register"].severity == dg.AssetCheckSeverity.WARN
    assert _suites_recorded(warehouse.warehouse_url, result.run_id) == {"raw_ministere__register"}
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert failure.step_key == "gx_raw"
    error, messages = failure.step_failure_data.error, []
    while error is not None:
        messages.append(error.message)
        error = error.cause
    assert any(m.startswith("RuntimeError: 1 suite(s) could not run: raw_ministere__mouazara") for m in messages)
    assert RAN == []  # the step failed: nothing downstream of its tables runs
