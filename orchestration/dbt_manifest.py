"""The dbt project's manifest (prepared by the project's own commands) and the environment its
profile reads the connection from. No dagster-dbt here: deciding that a night has nothing new must not
import it (two seconds); orchestration/defs/transform/project.py gives dagster-dbt the project."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from sqlalchemy.engine import make_url

from orchestration.settings import DBT_PROJECT_DIR

MANIFEST_PATH = DBT_PROJECT_DIR / "target" / "manifest.json"  # where dbt parse writes it (DbtProject's manifest_path)

_SOURCES = ("models", "macros", "seeds", "tests", "snapshots", "dbt_project.yml", "profiles.yml")


def dbt_environment(url: str) -> dict[str, str]:
    """The environment dbt runs with: TADAMON_DBT_* for profiles.yml, from a warehouse URL, and dbt's
    own settings."""
    parsed = make_url(url)
    return {
        "TADAMON_DBT_HOST": parsed.host or "127.0.0.1",
        "TADAMON_DBT_PORT": str(parsed.port or 5432),
        "TADAMON_DBT_USER": parsed.username or "",
        "TADAMON_DBT_PASSWORD": parsed.password or "",
        "TADAMON_DBT_DATABASE": parsed.database or "",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        # dbt.log at debug level writes every statement of every node (6 MB a region night): a sixth
        # of dbt's own CPU. Info keeps each node's start, result and errors; the SQL is in target/run/.
        "DBT_LOG_LEVEL_FILE": "info",
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
    manifest = MANIFEST_PATH
    return not manifest.exists() or manifest.stat().st_mtime < _newest_source_mtime(DBT_PROJECT_DIR)


def prepare_manifest(url: str | None = None, force: bool = False) -> Path:
    """Run `dbt parse` when the manifest is missing or older than the project's files, with the
    connection of the warehouse at `url` (the build's, so that the build need not parse again).

    A manifest parsed for another connection is kept: the models and tests it lists do not depend
    on the connection. The build sees the change and parses again itself, a few seconds, where a
    `dbt parse` of its own costs a whole dbt start as well; `keep_parse_state` then makes the build's
    parse the project's, for the next builds on that connection."""
    if force or manifest_is_stale():
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
    return MANIFEST_PATH


PARSE_STATE = ("partial_parse.msgpack", "manifest.json")
KEPT_INVOCATIONS = 14  # dbt's folders of the latest builds (logs, compiled SQL, run results), a night each


def keep_parse_state(invocation_target: Path) -> None:
    """After a build in a target folder of its own (dagster-dbt gives each build one, seeded with a
    copy of target/partial_parse.msgpack): make the build's parse the project's when it parsed anew
    (another connection), so that the next build parses nothing; then forget the folders of all
    but the latest KEPT_INVOCATIONS builds, which would otherwise grow every night for years."""
    target = MANIFEST_PATH.parent
    for name in PARSE_STATE:
        built, kept = invocation_target / name, target / name
        if built.exists() and (not kept.exists() or built.stat().st_mtime > kept.stat().st_mtime):
            staged = target / f".{name}.new"
            shutil.copyfile(built, staged)
            os.replace(staged, kept)  # readers see the old file or the new one, never half of one
    builds = sorted(
        (p for p in target.iterdir() if p.is_dir() and any((p / n).exists() for n in ("run_results.json", "dbt.log"))),
        key=lambda p: p.stat().st_mtime,
    )
    for old in builds[:-KEPT_INVOCATIONS]:
        shutil.rmtree(old, ignore_errors=True)


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
