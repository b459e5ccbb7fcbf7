"""One sensor per provider folder: a new file in incoming/<provider>/ starts an ingestion run of that
provider's raw assets and everything downstream. The cursor holds the fingerprints already seen, so
a file never triggers twice."""

import hashlib
import json
import os

import dagster as dg

from orchestration.defs.ingestion.assets import raw_asset_key
from orchestration.ingest import limits
from orchestration.ingest.definitions import load_definitions
from orchestration.ingest.stored_files import file_sha256
from orchestration.settings import get_settings

SENSOR_INTERVAL_S = 60
CURSOR_LIMIT = 5000  # fingerprints remembered per provider


def provider_job(provider: str):
    keys = [raw_asset_key(d) for d in load_definitions() if d.provider == provider]
    return dg.define_asset_job(
        name=f"ingest_{provider}",
        # publication is one step for all marts: a partial rebuild still republishes them together
        selection=dg.AssetSelection.assets(*keys).downstream().required_multi_asset_neighbors(),
        description=f"Land new {provider} files, then rebuild and publish what depends on them.",
    )


def build_incoming_sensor(provider: str, job) -> dg.SensorDefinition:
    @dg.sensor(
        name=f"incoming_{provider}",
        job=job,
        minimum_interval_seconds=SENSOR_INTERVAL_S,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=f"Starts {job.name} when a new file arrives in incoming/{provider}/.",
    )
    def incoming(context: dg.SensorEvaluationContext):
        folder = get_settings().incoming_dir / provider
        seen: list[str] = json.loads(context.cursor) if context.cursor else []
        entries = sorted(folder.iterdir(), key=lambda p: os.fsencode(p.name)) if folder.is_dir() else []
        new = {}
        for path in entries:
            # an entry the landing refuses (a link, a FIFO, a hidden or poison name) is never opened
            # here; it still starts a run, which quarantines it with a receipt
            fingerprint = (
                file_sha256(path)
                if limits.refusal(path) is None
                else hashlib.sha256(os.fsencode(path.name)).hexdigest()
            )
            if fingerprint not in seen and fingerprint not in new:
                new[fingerprint] = limits.printable_name(path.name)
        if not new:
            return dg.SkipReason(f"no new file in {folder}")
        run_key = hashlib.sha256("".join(sorted(new)).encode()).hexdigest()[:16]
        context.update_cursor(json.dumps((seen + sorted(new))[-CURSOR_LIMIT:]))
        return dg.RunRequest(
            run_key=run_key, tags={"tadamon/provider": provider, "tadamon/files": ", ".join(sorted(new.values()))[:200]}
        )

    return incoming


def provider_jobs_and_sensors() -> tuple[list, list[dg.SensorDefinition]]:
    providers = sorted({d.provider for d in load_definitions()})
    jobs = [provider_job(p) for p in providers]
    return jobs, [build_incoming_sensor(p, j) for p, j in zip(providers, jobs)]
