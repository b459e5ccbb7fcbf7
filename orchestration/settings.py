"""Configuration, read from the environment (TADAMON_*) with defaults that suit a fresh clone."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
SOURCES_DIR = PROJECT_ROOT / "sources"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
REFERENCE_DIR = DBT_PROJECT_DIR / "seeds" / "reference"


class SettingsError(ValueError):
    """A setting that cannot be used as it is; the message names it and the fix."""


def _path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    path = Path(value) if value else default
    return path if path.is_absolute() else (PROJECT_ROOT / path)


def _port(name: str) -> int | None:
    value = os.environ.get(name, "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise SettingsError(f"{name}={value!r} is not a port number (e.g. {name}=54320)")
    return int(value)


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    warehouse_dir: Path
    warehouse_port: int | None
    warehouse_url: str | None
    database: str
    alert_webhook: str | None
    dagster_home: Path
    report_port: int = 3001  # the quality report's http server, beside the Dagster UI (`tadamon ui`)

    @property
    def incoming_dir(self) -> Path:
        return self.data_dir / "incoming"

    @property
    def archive_dir(self) -> Path:
        return self.data_dir / "archive"

    @property
    def quarantine_dir(self) -> Path:
        return self.data_dir / "quarantine"

    @property
    def receipts_dir(self) -> Path:
        return self.data_dir / "receipts"

    @property
    def logs_dir(self) -> Path:
        return self.data_dir / "logs"


def get_settings() -> Settings:
    return Settings(
        data_dir=_path("TADAMON_DATA_DIR", PROJECT_ROOT / "data"),
        warehouse_dir=_path("TADAMON_WAREHOUSE_DIR", PROJECT_ROOT / ".warehouse"),
        warehouse_port=_port("TADAMON_WAREHOUSE_PORT"),
        warehouse_url=os.environ.get("TADAMON_WAREHOUSE_URL") or None,
        database=os.environ.get("TADAMON_DATABASE", "tadamon"),
        alert_webhook=os.environ.get("TADAMON_ALERT_WEBHOOK") or None,
        dagster_home=_path("DAGSTER_HOME", PROJECT_ROOT / ".dagster_home"),
        report_port=_port("TADAMON_REPORT_PORT") or 3001,
    )
