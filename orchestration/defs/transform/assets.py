"""dbt models as Dagster assets: staging, intermediate and the marts' build, grouped by layer and
provider. dbt tests show as asset checks."""

import importlib.metadata
import os
import sys
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets
from packaging import version

from orchestration.dbt_manifest import adopt_early_parse, dbt_environment, keep_parse_state, parsed_manifest
from orchestration.defs import asset_keys
from orchestration.defs.ops.retries import retry_when_transient
from orchestration.defs.resources import WarehouseResource
from orchestration.defs.transform.full_refresh import full_refresh_reason
from orchestration.defs.transform.layers import layer_of
from orchestration.defs.transform.project import dbt_project
from orchestration.warehouse import schemas


class TadamonTranslator(DagsterDbtTranslator):
    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        resource_type = dbt_resource_props["resource_type"]
        if resource_type == "source":
            return asset_keys.source(dbt_resource_props["source_name"], dbt_resource_props["name"])
        if resource_type == "seed":
            return asset_keys.seed(dbt_resource_props["name"])
        layer, name = layer_of(dbt_resource_props), dbt_resource_props["name"]
        return asset_keys.built_mart(name) if layer == "marts" else asset_keys.model(layer, name)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "seeds"
        layer = layer_of(dbt_resource_props)
        fqn = dbt_resource_props.get("fqn", [])
        if layer == "staging" and len(fqn) > 3:
            return f"staging_{fqn[2]}"
        return schemas.BUILD if layer == "marts" else layer


class DbtBuildConfig(dg.Config):
    full_refresh: bool = False  # rebuild the incremental models from every load (`tadamon run --rebuild`)


@dbt_assets(
    manifest=parsed_manifest(),
    project=dbt_project,
    dagster_dbt_translator=TadamonTranslator(),
    pool="warehouse_transform",
)
def dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource, config: DbtBuildConfig
):
    with retry_when_transient(context):
        url = warehouse.url()
        why = full_refresh_reason(url, asked=config.full_refresh)
    os.environ.update(dbt_environment(url))
    # dbt's unit tests check the SQL, not the night's data: `make test` runs them
    # (tests/integration/test_dbt_unit_tests.py), the nightly build does not
    args = ["build", "--exclude-resource-type", "unit_test"]
    if why:
        context.log.info(f"full rebuild of the incremental models: {why}")
        args.append("--full-refresh")
    ready = adopt_early_parse(url)
    if ready:
        context.log.info(ready)
    invocation = dbt.cli(args, context=context)
    try:
        yield from invocation.stream()
    finally:
        keep_parse_state(invocation.target_path, url)


class VenvDbtCliResource(DbtCliResource):
    """dagster-dbt starts `dbt --version` (two seconds of imports) before every build to learn the
    version of the executable; the executable is this venv's dbt, so it is the dbt-core installed here."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):
        """None: dagster-dbt opens a dbt adapter in this process before every build (dbt's profile,
        project and adapter loaded again, 0.5 to 1 s) only to fetch row counts and column metadata
        on request, which these assets never make. dbt's own process has its adapter."""
        return None


def dbt_resource() -> DbtCliResource:
    # the venv's dbt, whether or not the venv is on PATH
    return VenvDbtCliResource(project_dir=dbt_project, dbt_executable=str(Path(sys.executable).with_name("dbt")))
