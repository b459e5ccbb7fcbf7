"""Resources shared by the asset definitions: the warehouse connection."""

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
