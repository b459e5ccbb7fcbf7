"""The starter Great Expectations suite of a new source, in the project's GX set-up
(orchestration/quality/: rules written with catalog.py's helpers, files under expectations/gx/).

`starter_suite(definition)` is the catalog `Suite` of a raw table that has no hand-written suite: at
least one row, the key present and unique, provinces in the region, no negative amount or count,
and for a snapshot the volume rule. `add_to_gx_project(suite, expectations_dir)` writes its data
asset, suite, validation definition and checkpoint into the existing GX project (the same objects
`orchestration.quality.project.build_project` writes), so the Dagster check `gx_raw_<table>` runs
at once. `starter_suites()` gives the suites of every definition without one, for catalog.py.
"""

from __future__ import annotations

import json
from pathlib import Path

from orchestration.ingest.definitions import SourceDefinition, load_definitions
from orchestration.settings import EXPECTATIONS_DIR, SOURCES_DIR


def suite_name(definition: SourceDefinition) -> str:
    return f"raw_{definition.table}"


def batch_query(definition: SourceDefinition) -> str:
    """The rows in force, selected as the hand-written suites select them. The definition may not be
    in the project's sources folder yet, so its columns are given rather than looked up."""
    from orchestration.quality import catalog

    columns = catalog.raw_columns(definition)
    if definition.semantics == "snapshot":
        return catalog.snapshot_query(definition.table, columns)
    return catalog.cumulative_query(definition.table, list(definition.key), columns)


def starter_suite(definition: SourceDefinition):
    from orchestration.quality import catalog

    rules = [catalog.row_count_at_least()]
    if definition.semantics == "snapshot":
        rules.append(catalog.volume_rule(definition.table))
    rules += [catalog.not_null(k) for k in definition.key]
    if len(definition.key) == 1:
        rules.append(catalog.unique(definition.key[0]))
    else:
        rules.append(catalog.compound_unique(list(definition.key)))
    for column in definition.columns:
        if column.personal:
            continue
        if column.type == "province":
            rules.append(catalog.province_in_region(column.name))
        elif column.type in ("amount", "int"):
            rules.append(catalog.not_negative(column.name))
    return catalog.Suite(
        suite_name(definition), ("raw", definition.table), definition.qualified_table, batch_query(definition),
        tuple(definition.key), tuple(rules),
    )


def starter_suites(sources_dir: Path = SOURCES_DIR, exclude: set[str] | frozenset[str] = frozenset()):
    """Starter suites of the definitions whose raw table has no suite in `exclude` (suite names)."""
    return [starter_suite(d) for d in load_definitions(sources_dir) if suite_name(d) not in exclude]


def suite_path(definition: SourceDefinition, expectations_dir: Path = EXPECTATIONS_DIR) -> Path:
    return expectations_dir / "gx" / "expectations" / f"{suite_name(definition)}.json"


def gx_project_files(definition: SourceDefinition, expectations_dir: Path = EXPECTATIONS_DIR) -> list[Path]:
    gx_dir = expectations_dir / "gx"
    name = suite_name(definition)
    return [gx_dir / "expectations" / f"{name}.json", gx_dir / "validation_definitions" / f"{name}.json",
            gx_dir / "checkpoints" / f"{name}.json"]


def add_to_gx_project(suite, expectations_dir: Path = EXPECTATIONS_DIR, replace: bool = False) -> list[Path]:
    """Write one suite (data asset, suite, validation definition, checkpoint) into the GX project under
    `expectations_dir/gx/`, leaving the other suites alone. Needs no database."""
    import great_expectations as gx
    from great_expectations.checkpoint import UpdateDataDocsAction

    from orchestration.quality import project

    gx_dir = expectations_dir / "gx"
    if not (gx_dir / "great_expectations.yml").is_file():
        raise FileNotFoundError(f"no GX project in {gx_dir} (python -m orchestration.quality.project creates it)")
    context = gx.get_context(mode="file", project_root_dir=str(expectations_dir))
    with project._offline():
        source = context.data_sources.get(project.DATASOURCE)
        if replace:
            for remove in (context.checkpoints.delete, context.validation_definitions.delete, context.suites.delete):
                try:
                    remove(suite.name)
                except Exception:  # not there
                    pass
            try:
                source.delete_asset(suite.data_asset)
            except Exception:  # not there
                pass
        asset = source.add_query_asset(name=suite.data_asset, query=suite.query)
        batch = asset.add_batch_definition_whole_table(project.BATCH_DEFINITION)
        gx_suite = context.suites.add(gx.ExpectationSuite(
            name=suite.name,
            meta={"asset_key": "/".join(suite.asset_key), "table": suite.table, "key_columns": list(suite.key_columns)},
        ))
        for rule in suite.rules:
            gx_suite.add_expectation(project.expectation(rule))
        validation = context.validation_definitions.add(
            gx.ValidationDefinition(name=suite.name, data=batch, suite=gx_suite))
        context.checkpoints.add(gx.Checkpoint(
            name=suite.name,
            validation_definitions=[validation],
            actions=[UpdateDataDocsAction(name="update_data_docs", site_names=[project.DOCS_SITE])],
            result_format=project.result_format(suite),
        ))
    return [gx_dir / "expectations" / f"{suite.name}.json", gx_dir / "validation_definitions" / f"{suite.name}.json",
            gx_dir / "checkpoints" / f"{suite.name}.json", gx_dir / "great_expectations.yml"]


def write_suite_json(suite, path: Path) -> Path:
    """Fallback when there is no GX project yet: the suite alone, in GX 1.x's stored format."""
    import uuid

    data = {
        "name": suite.name,
        "id": str(uuid.uuid4()),
        "meta": {"asset_key": "/".join(suite.asset_key), "table": suite.table, "key_columns": list(suite.key_columns),
                 "query": suite.query},
        "notes": None,
        "expectations": [
            {"id": str(uuid.uuid4()), "type": _snake(rule.type), "kwargs": rule.kwargs, "meta": rule.meta(),
             "severity": rule.severity, "description": rule.description}
            for rule in suite.rules
        ],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def _snake(class_name: str) -> str:
    import re

    return re.sub(r"(?<!^)([A-Z])", r"_\1", class_name).lower()
