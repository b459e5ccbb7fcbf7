"""How many runs of a suite the GX project keeps on disk. Every check run adds a validation result
(uncommitted/validations/) and its Data Docs page (uncommitted/data_docs/); GX rebuilds the site's
index from all of them at every run, so without a bound each night's checks cost more than the
last one's (a year of nights: thousands of pages). The full history of every expectation is in
audit.quality_result; the Data Docs show the latest runs."""

from __future__ import annotations

import shutil
from pathlib import Path

from orchestration.quality.project import DOCS_SITE, GX_DIR

KEEP_RUNS = 7  # per suite: a week of nights (the index GX rebuilds at each run reads them all)


def _run_folders(root: Path) -> list[Path]:
    """<root>/<run name>/<run time>/ folders of one suite, oldest first (GX names run times
    YYYYMMDDTHHMMSS.ffffffZ, so the name sorts by time)."""
    if not root.is_dir():
        return []
    return sorted((p for p in root.glob("*/*") if p.is_dir()), key=lambda p: (p.name, p.parent.name))


def prune_validations(suite_name: str, keep: int = KEEP_RUNS, gx_dir: Path = GX_DIR) -> int:
    """Remove all but the newest `keep` runs of a suite, results and their pages; how many went."""
    results = gx_dir / "uncommitted" / "validations" / suite_name
    pages = gx_dir / "uncommitted" / "data_docs" / DOCS_SITE / "validations" / suite_name
    old = _run_folders(results)[:-keep] if keep > 0 else _run_folders(results)
    for folder in old:
        relative = folder.relative_to(results)
        for tree in (folder, pages / relative):
            shutil.rmtree(tree, ignore_errors=True)
            parent = tree.parent
            if parent.is_dir() and not any(parent.iterdir()):
                parent.rmdir()
    return len(old)
