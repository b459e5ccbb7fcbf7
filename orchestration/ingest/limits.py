"""What a delivery must be before any reader opens it: a regular file (not a link, a folder or a
FIFO), a visible name in UTF-8 of sane length, a size within bounds, no NUL byte in a text file.
Each refusal is a reason in French, for the receipt; the entry is quarantined, never followed."""

from __future__ import annotations

import os
import stat
from pathlib import Path

MAX_NAME_BYTES = 200  # leaves room for the `<sha256[:12]>_` prefix and suffixes within 255 bytes
MAX_FILE_BYTES = int(os.environ.get("TADAMON_MAX_FILE_BYTES") or 2 << 30)
TEXT_FORMATS = (".csv", ".json", ".txt")
SCAN_BYTES = 1 << 20


def printable_name(name: str) -> str:
    """The name as it can be written to a receipt and the database: undecodable bytes escaped."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def stored_name(sha256: str, name: str) -> str:
    """`<sha256[:12]>_<name>` for the archive, the quarantine and the receipts, cut to fit a file
    system's 255 bytes (the extension kept)."""
    name = printable_name(name)
    encoded = name.encode("utf-8")
    if len(encoded) > MAX_NAME_BYTES:
        stem, dot, ext = name.rpartition(".")
        ext = f".{ext}" if dot and len(ext) <= 10 else ""
        name = encoded[: MAX_NAME_BYTES - len(ext.encode()) - 1].decode("utf-8", "ignore") + "…" + ext
    return f"{sha256[:12]}_{name}"


def _nul_at(path: Path) -> int | None:
    with open(path, "rb") as handle:
        offset = 0
        while chunk := handle.read(SCAN_BYTES):
            at = chunk.find(b"\0")
            if at >= 0:
                return offset + at
            offset += len(chunk)
    return None


def refusal(path: Path) -> str | None:
    """Why `path` cannot be landed as a delivery, or None."""
    name = path.name
    try:
        info = path.lstat()
    except OSError as exc:
        return f"entrée illisible ({exc.strerror})"
    if stat.S_ISLNK(info.st_mode):
        return "lien symbolique refusé : déposez le fichier lui-même"
    if not stat.S_ISREG(info.st_mode):
        kind = "dossier" if stat.S_ISDIR(info.st_mode) else "fichier spécial (tube, socket ou périphérique)"
        return f"{kind} refusé : seuls des fichiers ordinaires sont acceptés"
    try:
        encoded = name.encode("utf-8")
    except UnicodeEncodeError:
        return "nom de fichier illisible (octets hors UTF-8) : renommez le fichier"
    if name.startswith("."):
        return "nom de fichier caché (commence par un point) : renommez le fichier"
    if len(encoded) > MAX_NAME_BYTES:
        return f"nom de fichier trop long ({len(encoded)} octets, au plus {MAX_NAME_BYTES})"
    if any(ord(c) < 32 for c in name):
        return "nom de fichier avec des caractères de contrôle : renommez le fichier"
    if info.st_size == 0:
        return "fichier vide"
    if info.st_size > MAX_FILE_BYTES:
        return f"fichier trop volumineux ({info.st_size} octets, au plus {MAX_FILE_BYTES})"
    if path.suffix.lower() in TEXT_FORMATS:
        at = _nul_at(path)
        if at is not None:
            return f"octet NUL à la position {at} : ce n'est pas un fichier texte valide"
    return None
