"""The files the loader handles on disk: a delivery's fingerprint, its owner-only copy in the archive or
the quarantine, and the spools of rows written for COPY."""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
import tempfile
from pathlib import Path

SPOOL_BYTES = 32 << 20


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes: what makes two deliveries the same file."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def private_folder(folder: Path) -> Path:
    """Archive and quarantine hold personal data (CIN numbers, phones): owner only."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(folder, 0o700)
    return folder


def private_copy(path: Path, folder: Path, name: str) -> Path:
    """A copy of the file, owner only, with its times, as `folder/name`."""
    target = private_folder(folder) / name
    shutil.copyfile(path, target, follow_symlinks=False)
    os.chmod(target, 0o600)
    stat = path.stat()
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    return target


class Spool:
    """Rows written as CSV for COPY, in memory up to a size, then on disk: memory stays flat."""

    def __init__(self) -> None:
        self.buffer = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, mode="w+", newline="", encoding="utf-8")
        self.writer = csv.writer(self.buffer)

    def write(self, row: list) -> None:
        self.writer.writerow(row)

    def rewind(self):
        self.buffer.seek(0)
        return self.buffer
