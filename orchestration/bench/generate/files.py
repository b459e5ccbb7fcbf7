"""The file formats as the providers write them: deterministic workbooks (fixed zip dates and
document properties), CSV in a given encoding, JSON exports; and the planting of odd rows."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import re
import zipfile
from pathlib import Path

import openpyxl

from orchestration.bench.generate.scales import FIXED_ZIP_TIME
from orchestration.bench.generate.writings import S_BAD


# -- writers ---------------------------------------------------------------------------------------
def write_xlsx(path: Path, sheet_name: str, title_rows: list[str], header: list[str], rows, merge_to: str) -> int:
    """A workbook as the ministry exports it, written in openpyxl's streaming mode, then made
    byte-stable: fixed document dates and zip times, and the merged title rows added."""
    workbook = openpyxl.Workbook(write_only=True)
    fixed = dt.datetime(*FIXED_ZIP_TIME)
    workbook.properties.created = fixed
    workbook.properties.creator = "openpyxl"
    sheet = workbook.create_sheet(sheet_name)
    width = len(header)
    for title in title_rows:
        sheet.append([title] + [None] * (width - 1) if title is not None else [None] * width)
    sheet.append(header)
    count = 0
    for row in rows:
        sheet.append(row)
        count += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    merges = [f"A{i}:{merge_to}{i}" for i, t in enumerate(title_rows, start=1) if t is not None]
    _stabilise_xlsx(buffer.getvalue(), path, merges)
    return count


def _stabilise_xlsx(data: bytes, path: Path, merges: list[str]) -> None:
    stamp = dt.datetime(*FIXED_ZIP_TIME).strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            content = zin.read(item.filename)
            if item.filename == "docProps/core.xml":
                text = content.decode()
                text = re.sub(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms)", rf"\g<1>{stamp}\g<2>", text)
                content = text.encode()
            elif item.filename.startswith("xl/worksheets/sheet") and merges:
                tail = content.rfind(b"</sheetData>")
                cells = "".join(f'<mergeCell ref="{m}"/>' for m in merges)
                block = f'<mergeCells count="{len(merges)}">{cells}</mergeCells>'.encode()
                if tail >= 0:
                    end = tail + len(b"</sheetData>")
                    content = content[:end] + block + content[end:]
            info = zipfile.ZipInfo(item.filename, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            zout.writestr(info, content, compresslevel=6)


def write_csv(path: Path, header: list[str], rows, encoding: str) -> int:
    count = 0
    errors = "replace" if encoding == "cp1256" else "strict"  # cp1256 writes what it cannot hold as `?`
    with open(path, "w", encoding=encoding, errors=errors, newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
            count += 1
    return count


def write_json(path: Path, document: dict) -> None:
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")


# -- the files -------------------------------------------------------------------------------------
class Plant:
    """Spreads a few planted rows (bad rows, duplicates, violations) over a file."""

    def __init__(self, seed: int, salt: int, n_rows: int):
        self.rng = random.Random(hash((seed, S_BAD, salt)))
        self.count = max(1, n_rows // 2000)

    def positions(self, n_rows: int, k: int | None = None) -> set[int]:
        k = self.count if k is None else k
        return set(self.rng.sample(range(n_rows), min(k, n_rows)))
