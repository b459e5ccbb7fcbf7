"""The dbt project's manifest (prepared by the project's own commands) and the environment its
profile reads the connection from. No dagster-dbt here: deciding that a night has nothing new must not
import it (two seconds); orchestration/defs/transform/project.py gives dagster-dbt the project."""

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy.engine import make_url

from orchestration.settings import DBT_PROJECT_DIR

MANIFEST_PATH = DBT_PROJECT_DIR / "target" / "manifest.json"  # where dbt parse writes it (DbtProject's manifest_path)

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


PROFILE_STAMP = "tadamon_profile.json"  # in dbt's target/: the connection the manifest was parsed for


def _profile_of(env: dict[str, str]) -> str:
    """The connection settings dbt hashes into its partial-parse state (no password): a build on
    another connection than the parse's reparses everything and says "Unable to do partial parsing"."""
    return json.dumps({k: v for k, v in sorted(env.items()) if k.startswith("TADAMON_DBT_") and "PASSWORD" not in k})


def manifest_is_stale(url: str | None = None) -> bool:
    manifest = MANIFEST_PATH
    if not manifest.exists() or manifest.stat().st_mtime < _newest_source_mtime(DBT_PROJECT_DIR):
        return True
    if url is None:
        return False
    stamp = manifest.with_name(PROFILE_STAMP)
    return not stamp.exists() or stamp.read_text() != _profile_of(dbt_environment(url))


def prepare_manifest(url: str | None = None, force: bool = False) -> Path:
    """Run `dbt parse` when the manifest is missing or older than the project's files, or was parsed
    for another connection than the warehouse at `url` (the one the build will use)."""
    if force or manifest_is_stale(url):
        dbt = Path(sys.executable).with_name("dbt")
        env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", **(dbt_environment(url) if url else {})}
        result = subprocess.run(
            [
                str(dbt),
                "parse",
                "--project-dir",
                str(DBT_PROJECT_DIR),
                "--profiles-dir",
                str(DBT_PROJECT_DIR),
                "--quiet",
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise RuntimeError(f"dbt parse failed:\n{result.stdout}\n{result.stderr}")
        if url:
            MANIFEST_PATH.with_name(PROFILE_STAMP).write_text(_profile_of(dbt_environment(url)))
    return MANIFEST_PATH


def parsed_manifest() -> Path:
    """The manifest the dbt assets are built from, read as it is: importing the definitions runs
    nothing. The project's commands and the test fixtures prepare it (`prepare_manifest`)."""
    manifest = MANIFEST_PATH
    if not manifest.exists():
        raise FileNotFoundError(
            f"the dbt manifest {manifest} is missing: run `.venv/bin/tadamon init` (or any tadamon command "
            f"that loads, e.g. `tadamon run`) to prepare it, then load the definitions again"
        )
    return manifest


_read: dict[Path, tuple[int, dict]] = {}


def load_manifest() -> dict:
    """The manifest the definitions are built from, as a dict: read once, and again only when a
    command prepared it anew (a source added, a model changed)."""
    path = parsed_manifest()
    stamp = path.stat().st_mtime_ns
    if path not in _read or _read[path][0] != stamp:
        _read[path] = (stamp, json.loads(path.read_text(encoding="utf-8")))
    return _read[path][1]
