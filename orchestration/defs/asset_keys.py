"""Every asset key of the code location, built in one place: an asset stands for a warehouse table
and its key is [schema, table]; seeds, dbt's other layers and the report have their own prefix."""

import dagster as dg

from orchestration.warehouse import schemas

SEEDS = "seeds"
REPORT = "report"


def raw(table: str) -> dg.AssetKey:
    """A provider file type's landing table, raw.<provider>__<name>."""
    return dg.AssetKey([schemas.RAW, table])


def built_mart(name: str) -> dg.AssetKey:
    """A mart as dbt builds it in marts_build, before its checks."""
    return dg.AssetKey([schemas.BUILD, name])


def published_mart(name: str) -> dg.AssetKey:
    """A mart as BI users read it in marts, after publication."""
    return dg.AssetKey([schemas.PUBLISHED, name])


def source(source_name: str, table: str) -> dg.AssetKey:
    """A dbt source: its schema and table, so raw.<provider>__<name> is the landing asset of that file."""
    return dg.AssetKey([source_name, table])


def seed(name: str) -> dg.AssetKey:
    return dg.AssetKey([SEEDS, name])


def model(layer: str | None, name: str) -> dg.AssetKey:
    """A dbt model of staging or intermediate (its layer's name), or of a folder outside the layers."""
    return dg.AssetKey([layer or "models", name])


BILAN = dg.AssetKey([REPORT, "bilan"])
