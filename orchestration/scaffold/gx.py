"""The Great Expectations suite of a new source. The catalog declares it from the source's
definition under sources/ (orchestration/quality/raw_suites.py: a source without a hand-written
suite gets the starter suite), so `python -m orchestration.quality` keeps it; this writes it into
the GX project at once, through the project's own writer (orchestration/quality/project.py), so
the Dagster check `gx_raw_<table>` runs without a regeneration.
"""

from __future__ import annotations

from pathlib import Path

from orchestration.ingest.definitions import SourceDefinition
from orchestration.quality import project
from orchestration.quality.raw_rules import suite_name
from orchestration.quality.raw_suites import suite_for
from orchestration.settings import EXPECTATIONS_DIR


def gx_project_files(definition: SourceDefinition, expectations_dir: Path = EXPECTATIONS_DIR) -> list[Path]:
    """The suite, validation definition and checkpoint files of the source's suite."""
    return project.suite_files(suite_name(definition.table), expectations_dir)


def add_suite(
    definition: SourceDefinition, expectations_dir: Path = EXPECTATIONS_DIR, replace: bool = False
) -> list[Path]:
    """Write the source's suite (as the catalog declares it) into the GX project; needs no database."""
    return project.add_suites([suite_for(definition)], expectations_dir, replace=replace)
