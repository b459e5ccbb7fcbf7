"""The drop box's settings, from the environment (TADAMON_DROPBOX_*), with defaults for a council
server behind a reverse proxy."""

from __future__ import annotations

import os
from dataclasses import dataclass

MAX_FAILED_SIGN_INS = 10  # wrong passwords in a row that lock an account
MAX_FAILED_PER_ADDRESS = 50  # failed sign-ins from one address, any login, within a lock period
SESSION_MAX_HOURS = 12  # a session in use ends anyway this long after signing in


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise SystemExit(f"{name}={value!r}: a whole number is expected") from None
    if number <= 0:
        raise SystemExit(f"{name}={value!r}: a positive number is expected")
    return number


@dataclass(frozen=True)
class DropboxConfig:
    max_upload_bytes: int
    session_minutes: int
    lock_minutes: int
    pending_hours: int
    secure_cookies: bool

    @property
    def max_upload_mb(self) -> str:
        return megabytes(self.max_upload_bytes)


def megabytes(size: int) -> str:
    """As the pages say it: `100`, `1.5`."""
    return f"{size / (1 << 20):g}"


def get_config() -> DropboxConfig:
    return DropboxConfig(
        max_upload_bytes=_int("TADAMON_DROPBOX_MAX_MB", 100) << 20,
        session_minutes=_int("TADAMON_DROPBOX_SESSION_MINUTES", 60),
        lock_minutes=_int("TADAMON_DROPBOX_LOCK_MINUTES", 15),
        pending_hours=_int("TADAMON_DROPBOX_PENDING_HOURS", 24),
        secure_cookies=os.environ.get("TADAMON_DROPBOX_SECURE_COOKIES", "") == "1",
    )
