"""The data folder: its layout, and the sample deliveries that start it only when asked (or for the
quick start, in the default ./data of a fresh clone). A mistyped TADAMON_DATA_DIR must never be
created and filled with synthetic data that would then load as real."""

from __future__ import annotations

import shutil

from orchestration.settings import PROJECT_ROOT, SOURCES_DIR, Settings, SettingsError

FOLDERS = ("incoming", "archive", "quarantine", "receipts", "logs")
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"


def _samples():
    return sorted(p for p in SOURCES_DIR.glob("*/samples/*") if p.is_file())


def create_data_dir(settings: Settings, samples: bool = False) -> int:
    """Create the data folder's layout; with `samples`, put the project's sample deliveries into
    incoming/. Returns the number of sample files copied."""
    for folder in FOLDERS:
        (settings.data_dir / folder).mkdir(parents=True, exist_ok=True)
    copied = 0
    for sample in _samples() if samples else []:
        target = settings.incoming_dir / sample.parent.parent.name
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(sample, target / sample.name)
        copied += 1
    return copied


def prepare_data_dir(settings: Settings) -> bool:
    """Check the data folder exists. The default ./data is created with the samples on first use (the
    quick start, returns True); any other missing folder is an error naming it and the fix."""
    if settings.data_dir.is_dir():
        return False
    if settings.data_dir.exists():
        raise SettingsError(f"the data folder {settings.data_dir} is not a folder: fix TADAMON_DATA_DIR")
    if settings.data_dir == DEFAULT_DATA_DIR:
        create_data_dir(settings, samples=True)
        return True
    require_data_dir(settings)
    return False


def require_data_dir(settings: Settings) -> None:
    """The data folder must exist (commands that read what earlier loads left there)."""
    if not settings.data_dir.is_dir():
        raise SettingsError(
            f"the data folder {settings.data_dir} (TADAMON_DATA_DIR) does not exist: fix TADAMON_DATA_DIR, "
            f"or create it with `tadamon init` (empty) or `tadamon init --samples` (with the sample deliveries)"
        )
