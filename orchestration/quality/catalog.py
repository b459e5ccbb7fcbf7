"""The one declaration of the quality suites, turned into the Great Expectations project under
`expectations/gx/` by `python -m orchestration.quality` (project.py; the JSON/YAML files there are
what runs, and what reviewers read next to these modules): one suite per source of sources/
(raw_suites.py: hand-written, or the starter suite of a source `tadamon source new` drafted) and one
per mart of `marts_build` (mart_suites.py).
"""

from __future__ import annotations

from pathlib import Path

from orchestration.ingest.definitions import load_definitions
from orchestration.quality.mart_suites import mart_suites
from orchestration.quality.raw_suites import raw_suites
from orchestration.quality.rules import Suite
from orchestration.settings import SOURCES_DIR


def all_suites(sources_dir: Path = SOURCES_DIR) -> list[Suite]:
    """Every suite: the raw tables of the definitions in `sources_dir`, then the marts."""
    return raw_suites(load_definitions(sources_dir)) + mart_suites()
