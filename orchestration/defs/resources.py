"""Resources shared by the asset definitions: the warehouse connection, the quality checks' worker."""

from collections.abc import Iterator

import dagster as dg

from orchestration.settings import Settings, get_settings
from orchestration.warehouse import ensure_warehouse


class WarehouseResource(dg.ConfigurableResource):
    """The warehouse the load writes to; settings come from the environment (TADAMON_*)."""

    def settings(self) -> Settings:
        return get_settings()

    def url(self) -> str:
        """Starts the embedded server if it is the warehouse, and bootstraps schemas and roles."""
        return ensure_warehouse(self.settings())


@dg.resource(description="The process that runs the Great Expectations suites of the run (quality/worker.py).")
def quality_worker(_init_context) -> Iterator:
    """Started when the run starts, so that it loads GX while the files land; stopped when the run ends."""
    from orchestration.quality.worker import QualityWorker

    started = QualityWorker()
    try:
        yield started
    finally:
        started.stop()
