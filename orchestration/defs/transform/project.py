"""The dbt project: where it is, its manifest (prepared by the project's own commands), and the
environment its profile reads the connection from."""

import os
import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtProject
from sqlalchemy.engine import make_url

from orchestration.settings import DBT_PROJECT_DIR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)

_SOURCES = ("models", "macros", "seeds", "tests", "snapshots", "dbt_project.yml", "profiles.yml")


def dbt_environment(url: str) -> dict[str, str]:
    """TADAMON_DBT_* variables for profiles.yml, from a warehouse URL."""
    parsed = make_url(url)
    return {
        "TADAMON_DBT_HOST": parsed.host or "127.0.0.1",
        "TADAMON_DBT_PORT": str(parsed.port or 5432),
        "TADAMON_DBT_USER": parsed.username or "",
        "TADAMON_DBT_PASSWORD": parsed.password or "",
        "TADAMON_DBT_DATABASE": parsed.database or "",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


def _newest_source_mtime(project_dir: Path) -> float:
    newest = 0.0
    for name in _SOURCES:
        path = project_dir / name
        files = path.rglob("*") if path.is_dir() else [path]
        for file in files:
            if file.is_file():
                newest = max(newest, file.stat().st_mtime)
    return newest


def manifest_is_stale() -> bool:
    manifest = dbt_project.manifest_path
    return not manifest.exists() or manifest.stat().st_mtime < _newest_source_mtime(DBT_PROJECT_DIR)


def prepare_manifest(force: bool = False) -> Path:
    """Run `dbt parse` when the manifest is missing or older than the project's files."""
    if force or manifest_is_stale():
        dbt = Path(sys.executable).with_name("dbt")
        env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
        result = subprocess.run(
            [str(dbt), "parse", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
             "--quiet"],
            env=env, capture_output=True, text=True,
        )
        if result.returncode != 0:
            raise RuntimeError(f"dbt parse failed:\n{result.stdout}\n{result.stderr}")
    return dbt_project.manifest_path
