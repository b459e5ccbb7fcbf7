"""A fingerprint of what the marts are built and checked with: the dbt project's files and the GX
suites. When neither it nor the loaded deliveries changed since the last publication, a night's
rebuild would publish the same marts again, and the load skips it."""

from __future__ import annotations

import hashlib
from pathlib import Path

from orchestration.settings import DBT_PROJECT_DIR, EXPECTATIONS_DIR

_INPUTS = (
    DBT_PROJECT_DIR / "models",
    DBT_PROJECT_DIR / "macros",
    DBT_PROJECT_DIR / "seeds",
    DBT_PROJECT_DIR / "tests",
    DBT_PROJECT_DIR / "dbt_project.yml",
    EXPECTATIONS_DIR / "gx" / "expectations",
    EXPECTATIONS_DIR / "gx" / "validation_definitions",
    EXPECTATIONS_DIR / "gx" / "checkpoints",
)


def project_fingerprint(inputs: tuple[Path, ...] = _INPUTS) -> str:
    digest = hashlib.sha256()
    for root in inputs:
        files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
        for file in files:
            if file.exists():
                digest.update(str(file.relative_to(root.parent)).encode())
                digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()
