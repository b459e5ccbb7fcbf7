"""The venv's dbt run on a dbt project by the tests, as the nightly build runs it (dbt_environment)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from orchestration.dbt_manifest import dbt_environment
from orchestration.settings import DBT_PROJECT_DIR


def run_dbt(
    *args: str,
    url: str | None = None,
    project_dir: Path = DBT_PROJECT_DIR,
    artifacts: Path | None = None,
    timeout: float = 600,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess:
    """`dbt <args>` on `project_dir`, connected to the warehouse at `url` (the profile's defaults
    without one). `artifacts`: a folder for its target and logs, so that the project's manifest stays
    as the fixtures prepared it."""
    command = [str(Path(sys.executable).with_name("dbt")), *args]
    command += ["--project-dir", str(project_dir), "--profiles-dir", str(project_dir)]
    if artifacts is not None:
        command += ["--target-path", str(artifacts / "target"), "--log-path", str(artifacts / "logs")]
    return subprocess.run(
        command,
        env={**os.environ, **(dbt_environment(url) if url else {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        check=False,
    )
