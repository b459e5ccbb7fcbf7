"""The dbt project's manifest (prepared by the project's own commands) and the environment its
profile reads the connection from. No dagster-dbt here: deciding that a night has nothing new must not
import it (two seconds); orchestration/defs/transform/project.py gives dagster-dbt the project."""

import atexit
import functools
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from sqlalchemy.engine import make_url

from orchestration.processes import process_alive
from orchestration.settings import DBT_PROJECT_DIR

MANIFEST_PATH = DBT_PROJECT_DIR / "target" / "manifest.json"  # where dbt parse writes it (DbtProject's manifest_path)

_SOURCES = ("models", "macros", "seeds", "tests", "snapshots", "dbt_project.yml", "profiles.yml")


@functools.cache
def built_table_statistics_target() -> int:
    """The statistics target of the tables a night builds (macros/analyze_built_table.sql) and lands:
    the dbt project's var `built_table_statistics_target`, read from dbt_project.yml."""
    import yaml

    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    return int(project["vars"]["built_table_statistics_target"])


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


PARSED_FOR = "parsed_for.json"  # in target/: the connection the kept parse state was made for (no password)


def _connection_of(url: str) -> str:
    """The connection settings dbt hashes into its parse state (no password): a build on another
    connection than the parse's parses everything again ("Unable to do partial parsing")."""
    env = dbt_environment(url)
    return json.dumps({k: v for k, v in sorted(env.items()) if k.startswith("TADAMON_DBT_") and "PASSWORD" not in k})


def _dbt_parse(target_path: Path | None = None) -> list[str]:
    command = [str(Path(sys.executable).with_name("dbt")), "parse", "--project-dir", str(DBT_PROJECT_DIR)]
    command += ["--profiles-dir", str(DBT_PROJECT_DIR), "--quiet"]
    if target_path is not None:
        command += ["--target-path", str(target_path)]
    return command


def _parse_env(url: str | None) -> dict[str, str]:
    return {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", **(dbt_environment(url) if url else {})}


def prepare_manifest(url: str | None = None, force: bool = False) -> Path:
    """Run `dbt parse` when the manifest is missing or older than the project's files, with the
    connection of the warehouse at `url` (the build's, so that the build need not parse again).

    A manifest parsed for another connection is kept: the models and tests it lists do not depend
    on the connection. Its parse state does (dbt hashes the connection into it): a parse for `url`
    starts in a process of its own (`adopt_early_parse` takes it before the build), on the second
    core while this one lands the files and runs the raw checks; without it the build parses again
    itself, and `keep_parse_state` keeps that parse for the next builds."""
    if force or manifest_is_stale():
        result = subprocess.run(_dbt_parse(), env=_parse_env(url), capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"dbt parse failed:\n{result.stdout}\n{result.stderr}")
        if url:
            _mark_parsed_for(url)
    elif url and _parsed_for() != _connection_of(url) and _connection_of(url) not in _early_parses:
        _start_early_parse(url)
    return MANIFEST_PATH


def _parsed_for() -> str | None:
    stamp = MANIFEST_PATH.parent / PARSED_FOR
    return stamp.read_text() if stamp.exists() else None


def _mark_parsed_for(url: str) -> None:
    (MANIFEST_PATH.parent / PARSED_FOR).write_text(_connection_of(url))


EARLY_PARSE_DEADLINE_S = 300
_early_parses: dict[str, tuple[subprocess.Popen, Path]] = {}  # by connection (_connection_of)


def _start_early_parse(url: str) -> None:
    target = MANIFEST_PATH.parent
    for old in target.glob(".early-parse-*"):  # left by a process that ended before its build
        if not process_alive(int(old.name.rsplit("-", 1)[-1])):
            shutil.rmtree(old, ignore_errors=True)
    folder = target / f".early-parse-{os.getpid()}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    with open(folder / "parse.log", "wb") as log:
        process = subprocess.Popen(
            _dbt_parse(target_path=folder), env=_parse_env(url), stdout=log, stderr=subprocess.STDOUT
        )
    if not _early_parses:
        atexit.register(cancel_early_parses)  # a command that builds nothing leaves no parse behind
    _early_parses[_connection_of(url)] = (process, folder)


def adopt_early_parse(url: str, deadline_s: float = EARLY_PARSE_DEADLINE_S) -> str | None:
    """Before a build: when this process started a parse for `url` (`prepare_manifest`), wait for it
    (at most `deadline_s`) and make its state the project's, so that the build parses nothing.
    Returns what happened, for the run's log; None when no parse was started."""
    started = _early_parses.pop(_connection_of(url), None)
    if started is None:
        return None
    process, folder = started
    try:
        code = process.wait(timeout=deadline_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        shutil.rmtree(folder, ignore_errors=True)
        return f"the parse started early did not end within {deadline_s:.0f} s; the build parses the project itself"
    try:
        if code != 0:
            return f"the parse started early failed (exit {code}, {folder / 'parse.log'}); the build parses itself"
        _adopt(folder)
        _mark_parsed_for(url)
        return "dbt's parse state for this warehouse, made while the files landed, is the build's"
    finally:
        if code == 0:
            shutil.rmtree(folder, ignore_errors=True)


def cancel_early_parses() -> None:
    """Stop the parses this process started and no build took (a night that ended before its build)."""
    while _early_parses:
        _, (process, folder) = _early_parses.popitem()
        process.kill()
        process.wait()
        shutil.rmtree(folder, ignore_errors=True)


PARSE_STATE = ("partial_parse.msgpack", "manifest.json")
KEPT_INVOCATIONS = 14  # dbt's folders of the latest builds (logs, compiled SQL, run results), a night each


def _adopt(folder: Path, newer_only: bool = False) -> None:
    """Make the parse state in `folder` the project's (target/)."""
    target = MANIFEST_PATH.parent
    for name in PARSE_STATE:
        made, kept = folder / name, target / name
        if made.exists() and not (newer_only and kept.exists() and made.stat().st_mtime <= kept.stat().st_mtime):
            staged = target / f".{name}.new"
            shutil.copyfile(made, staged)
            os.replace(staged, kept)  # readers see the old file or the new one, never half of one


def keep_parse_state(invocation_target: Path, url: str) -> None:
    """After a build in a target folder of its own (dagster-dbt gives each build one, seeded with a
    copy of target/partial_parse.msgpack): make the build's parse the project's when it parsed anew
    (another connection), so that the next build parses nothing; then forget the folders of all
    but the latest KEPT_INVOCATIONS builds, which would otherwise grow every night for years."""
    target = MANIFEST_PATH.parent
    if (invocation_target / PARSE_STATE[0]).exists():
        _adopt(invocation_target, newer_only=True)
        _mark_parsed_for(url)
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
