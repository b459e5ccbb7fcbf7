"""Receiving a file and putting it where deliveries arrive.

An upload is read as a stream and written to a folder of its own under `data/dropbox/pending/`; the
size limit is enforced while reading, and the CSRF token must come before the file (browsers send the
fields of a form in order), so no byte is written for a forged post. Once confirmed, the file enters
`data/incoming/<provider>/` as a hard link made in one system call: the loader and the sensors never
see a half-written file, and a name already there is never replaced (the file gets `name (1).ext`,
the name of a second download, which the loader reads as the same kind of file)."""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import tempfile
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from orchestration.dropbox.config import megabytes
from orchestration.ingest.file_names import strip_copy_suffix

FIELD_LIMIT = 4096  # bytes of a form field that is not the file, or of a part's headers
MAX_FIELDS = 10
MAX_NAME_BYTES = 200
DRAIN_FACTOR = 4  # an oversized upload is read (and discarded) up to this many times the limit,
# so that the browser gets the message instead of a reset connection


class UploadRefused(Exception):
    """An upload that is not accepted; `key` names the message shown (orchestration/dropbox/i18n.py)."""

    def __init__(self, key: str, status: int = 400, **params):
        super().__init__(key)
        self.key, self.status, self.params = key, status, params


@dataclass
class Upload:
    folder: Path  # the upload's own folder under pending/
    file_name: str | None = None  # sanitised
    raw_name: str | None = None
    size: int = 0
    sha256: str = ""
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return self.folder / self.file_name


def sanitise_name(raw: str) -> str | None:
    """The last path component, without control characters, hidden-file dots or unusual signs."""
    name = unicodedata.normalize("NFC", raw.replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(
        ch if ch.isalnum() or ch in "._-() " else "_" for ch in name if not unicodedata.category(ch).startswith("C")
    )
    name = re.sub(r"\s+", " ", name).strip(" .")
    stem, dot, suffix = name.rpartition(".")
    while len(name.encode()) > MAX_NAME_BYTES and stem:
        stem = stem[:-1]
        name = f"{stem}{dot}{suffix}"
    return name if name and len(name.encode()) <= MAX_NAME_BYTES else None


def new_upload_folder(pending_dir: Path) -> Path:
    pending_dir.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="upload-", dir=pending_dir))


def discard(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def purge_pending(pending_dir: Path, older_than_s: float) -> None:
    """Uploads never confirmed nor cancelled go after a while."""
    if not pending_dir.is_dir():
        return
    limit = time.time() - older_than_s
    for folder in pending_dir.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < limit:
            discard(folder)


async def receive_upload(request: Request, folder: Path, limit: int, csrf_ok: Callable[[str], bool]) -> Upload:
    """Read a multipart form with one file into `folder`. Raises UploadRefused; the caller discards
    the folder then, and on ClientDisconnect."""
    content_type, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise UploadRefused("upload_not_a_form")
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > DRAIN_FACTOR * limit:
        raise _too_large(limit)

    upload = Upload(folder)
    state = _PartState()
    digest = hashlib.sha256()

    def on_part_begin():
        state.reset()

    def on_header_field(data, start, end):
        state.header_field += data[start:end]

    def on_header_value(data, start, end):
        state.header_value += data[start:end]
        if len(state.header_field) + len(state.header_value) > FIELD_LIMIT:
            raise UploadRefused("upload_not_a_form")

    def on_header_end():
        state.headers[bytes(state.header_field).lower()] = bytes(state.header_value)
        state.header_field, state.header_value = bytearray(), bytearray()

    def on_headers_finished():
        _, disposition = parse_options_header(state.headers.get(b"content-disposition", b""))
        state.name = disposition.get(b"name", b"").decode("utf-8", "replace")
        filename = disposition.get(b"filename")
        if filename is None:
            return
        if not csrf_ok(upload.fields.get("csrf", "")):
            raise UploadRefused("csrf", 403)
        if upload.file_name is not None or state.name != "file":
            raise UploadRefused("upload_one_file")
        upload.raw_name = filename.decode("utf-8", "replace")
        upload.file_name = sanitise_name(upload.raw_name)
        if upload.file_name is None:
            raise UploadRefused("upload_bad_name" if upload.raw_name else "upload_no_file")
        state.file = open(upload.path, "xb")

    def on_part_data(data, start, end):
        if state.file is None:
            state.value += data[start:end]
            if len(state.value) > FIELD_LIMIT:
                raise UploadRefused("upload_not_a_form")
            return
        upload.size += end - start
        if upload.size > limit:
            state.too_large = True
            if not state.file.closed:
                state.file.close()
                upload.path.unlink(missing_ok=True)
            return
        state.file.write(data[start:end])
        digest.update(data[start:end])

    def on_part_end():
        if state.file is not None:
            if not state.file.closed:
                state.file.flush()
                os.fsync(state.file.fileno())
                state.file.close()
            state.file = None
        elif state.name:
            upload.fields[state.name] = bytes(state.value).decode("utf-8", "replace")
            if len(upload.fields) > MAX_FIELDS:
                raise UploadRefused("upload_not_a_form")

    def on_end():
        state.complete = True

    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": on_part_begin,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
            "on_end": on_end,
        },
    )
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > DRAIN_FACTOR * limit:
                raise _too_large(limit)
            await run_in_threadpool(parser.write, chunk)  # it writes the file: off the event loop
        parser.finalize()
    finally:
        if state.file is not None and not state.file.closed:
            state.file.close()
    if state.too_large:
        raise _too_large(limit)
    if not state.complete:  # the body stopped before the form's closing boundary: a truncated file
        raise UploadRefused("upload_incomplete")
    if upload.file_name is None:
        if not csrf_ok(upload.fields.get("csrf", "")):
            raise UploadRefused("csrf", 403)
        raise UploadRefused("upload_no_file")
    if upload.size == 0:
        raise UploadRefused("upload_empty")
    upload.sha256 = digest.hexdigest()
    return upload


def _too_large(limit: int) -> UploadRefused:
    return UploadRefused("upload_too_large", 413, limit_mb=megabytes(limit))


class _PartState:
    def __init__(self):
        self.file = None
        self.too_large = False
        self.complete = False
        self.reset()

    def reset(self):
        self.headers: dict[bytes, bytes] = {}
        self.header_field, self.header_value, self.value = bytearray(), bytearray(), bytearray()
        self.name = ""


def place_in_incoming(staged: Path, folder: Path) -> str:
    """Link `staged` into `folder` under its name, or `name (n).ext` when that name is taken; returns
    the name given. The link appears whole or not at all, and never replaces a file."""
    folder.mkdir(parents=True, exist_ok=True)
    base = Path(strip_copy_suffix(staged.name))
    for n in range(1000):
        name = staged.name if n == 0 else f"{base.stem} ({n}){base.suffix}"
        try:
            _link_or_copy(staged, folder, name)
        except FileExistsError:
            continue
        staged.unlink()
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        return name
    raise RuntimeError(f"{folder}: a thousand files named like {staged.name} already wait there")


def _link_or_copy(staged: Path, folder: Path, name: str) -> None:
    try:
        os.link(staged, folder / name)
        return
    except OSError as exc:
        if exc.errno not in (errno.EXDEV, errno.EPERM, errno.ENOTSUP, errno.EMLINK):
            raise
    # pending/ on another file system: a copy written whole beside the provider's folder (in incoming/
    # itself, which neither the loader nor the sensors read), then linked under its name
    hidden = folder.parent / f".dropbox-{os.getpid()}-{staged.stat().st_ino}.part"
    shutil.copyfile(staged, hidden)
    with open(hidden, "rb") as handle:
        os.fsync(handle.fileno())
    try:
        os.link(hidden, folder / name)
    finally:
        hidden.unlink(missing_ok=True)
