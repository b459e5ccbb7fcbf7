"""Runs launched by the command line as runs of the code location's jobs: created with the job's
remote origin (the location of workspace.yaml), so Dagster's UI lists them on the job's page and on
the Overview timeline, as it does for the daemon's runs; executed in this process, one step at a time.

`JobDefinition.execute_in_process` would give the run an ephemeral origin of its own, outside every
code location.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import dagster as dg
from dagster._core.definitions.reconstruct import ReconstructableRepository
from dagster._core.execution.api import execute_run_iterator
from dagster._core.remote_origin import RemoteJobOrigin, RemoteRepositoryOrigin
from dagster._core.workspace.load_target import WorkspaceFileTarget

from orchestration.settings import PROJECT_ROOT

WORKSPACE_FILE = PROJECT_ROOT / "workspace.yaml"
DEFINITIONS_ATTRIBUTE = "defs"
# jobs executed from a module of their own, lighter than the code location's (its docstring says why)
EXECUTED_FROM = {"check_deliveries": "orchestration.delivery_check_definitions"}
IN_PROCESS = {"execution": {"config": {"in_process": {}}}}


def code_location_origin():
    """The code location workspace.yaml declares (the one `dagster dev` and `tadamon ui` load)."""
    origins = WorkspaceFileTarget(paths=[str(WORKSPACE_FILE)]).create_origins()
    if len(origins) != 1:
        raise RuntimeError(f"{WORKSPACE_FILE} must declare one code location, not {len(origins)}")
    return origins[0]


@dataclass
class JobRunResult:
    """What the command line reads of a finished run (the names of Dagster's execution results)."""

    run_id: str
    success: bool
    all_events: list[dg.DagsterEvent] = field(default_factory=list)

    def get_asset_check_evaluations(self) -> list[dg.AssetCheckEvaluation]:
        return [
            e.event_specific_data
            for e in self.all_events
            if e.event_type_value == dg.DagsterEventType.ASSET_CHECK_EVALUATION.value
        ]


def execute_job(
    instance: dg.DagsterInstance,
    job_name: str,
    run_config: Mapping | None = None,
    tags: Mapping[str, str] | None = None,
    on_event: Callable[[dg.DagsterEvent], None] | None = None,
) -> JobRunResult:
    """Create a run of the job `job_name` of the code location and execute it here, handing each
    event to `on_event` as it happens (the command line's progress lines)."""
    origin = code_location_origin()
    target = origin.loadable_target_origin
    repository = ReconstructableRepository.for_module(
        EXECUTED_FROM.get(job_name, target.module_name),
        DEFINITIONS_ATTRIBUTE,
        working_directory=target.working_directory or str(PROJECT_ROOT),
    )
    recon_job = repository.get_reconstructable_job(job_name)
    job_def = recon_job.get_definition()
    remote_origin = RemoteJobOrigin(
        repository_origin=RemoteRepositoryOrigin(
            code_location_origin=origin, repository_name=repository.get_definition().name
        ),
        job_name=job_name,
    )
    run = instance.create_run_for_job(
        job_def,
        run_config={**(run_config or {}), **IN_PROCESS},
        tags={**(tags or {})},
        remote_job_origin=remote_origin,
        job_code_origin=recon_job.get_python_origin(),
    )
    result = JobRunResult(run_id=run.run_id, success=False)
    for event in execute_run_iterator(recon_job, run, instance):
        result.all_events.append(event)
        if on_event is not None:
            on_event(event)
    finished = instance.get_run_by_id(run.run_id)
    result.success = finished is not None and finished.is_success
    return result
