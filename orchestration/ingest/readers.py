"""Readers: turn a delivered file into its data rows, whatever its format, as the provider wrote them.

Each reader finds the header (by the title of its first cell, not a fixed row), maps the provider's
titles to the definition's columns, and yields `(line, values, extras)` for every data row: `line`
says where the row is in the file (an Excel or CSV line number, or a JSON path), `values` maps
column names to the cells as delivered, `extras` holds columns the definition does not know.
"""

from __future__ import annotations

import codecs
import csv
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orchestration.ingest.definitions import SourceDefinition
from orchestration.ingest.rejections import line_label, record_label

HEADER_SEARCH_ROWS = 50
Row = tuple[str, dict[str, Any], dict[str, Any]]


class FileRejected(Exception):
    """The whole file cannot be loaded; the message says why, in words a provider understands."""


@dataclass
class OpenedFile:
    rows: Iterator[Row]
    encoding: str | None = None
    extra_columns: list[str] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)


def normalize_title(title: Any) -> str:
    text = unicodedata.normalize("NFC", str(title or ""))
    return re.sub(r"\s+", " ", text).strip().casefold()


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def map_header(definition: SourceDefinition, header: list[Any]) -> tuple[dict[str, int], dict[str, int], list[str]]:
    """Column name -> cell index, extra title -> cell index, missing column titles."""
    positions: dict[str, int] = {}
    for index, title in enumerate(header):
        key = normalize_title(title)
        if key and key not in positions:
            positions[key] = index
    mapped: dict[str, int] = {}
    for column in definition.columns:
        index = positions.pop(normalize_title(column.title), None)
        if index is not None:
            mapped[column.name] = index
    missing = [c.title for c in definition.columns if c.name not in mapped]
    required_missing = [c.title for c in definition.columns if c.required and c.name not in mapped]
    if required_missing:
        raise FileRejected(
            "colonne(s) obligatoire(s) absente(s) de l'en-tête : " + ", ".join(repr(t) for t in required_missing)
        )
    extras = {str(header[i]).strip(): i for i in positions.values()}
    return mapped, extras, missing


def header_not_found(definition: SourceDefinition, where: str) -> FileRejected:
    return FileRejected(f"en-tête introuvable {where}: aucune ligne ne commence par {definition.header_first_column!r}")


def find_header(
    definition: SourceDefinition, rows: Iterator[tuple[int, list[Any]]], where: str
) -> tuple[int, list[Any]]:
    """(line number, cells) of the header: the first row, among the first ones, whose first cell is
    the definition's `header_first_column`. Consumes `rows` up to the header."""
    wanted = normalize_title(definition.header_first_column)
    for seen, (number, cells) in enumerate(rows):
        if cells and normalize_title(cells[0]) == wanted:
            return number, cells
        if seen >= HEADER_SEARCH_ROWS:
            break
    raise header_not_found(definition, where)


def _tabular_rows(definition: SourceDefinition, rows: Iterator[tuple[int, list[Any]]], where: str) -> OpenedFile:
    """Shared by csv and xlsx: find the header, then yield the data rows under it."""
    _, header = find_header(definition, rows, where)
    mapped, extras, missing = map_header(definition, header)
    footer = definition.footer_first_column

    def data_rows() -> Iterator[Row]:
        for number, cells in rows:
            if all(_is_blank(c) for c in cells):
                continue
            first = cells[0] if cells else None
            if footer is not None and isinstance(first, str) and footer.search(first):
                continue
            width = len(cells)
            values = {name: (cells[i] if i < width else None) for name, i in mapped.items()}
            extra = {title: cells[i] for title, i in extras.items() if i < width and not _is_blank(cells[i])}
            yield line_label(number), values, extra

    return OpenedFile(rows=data_rows(), extra_columns=list(extras), missing_columns=missing)


# -- xlsx ----------------------------------------------------------------------------------------
# python-calamine (Rust) reads workbooks about ten times faster than openpyxl; it gives dates as
# date objects, numbers as floats and empty cells as ''.
def read_xlsx(path: Path, definition: SourceDefinition) -> OpenedFile:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as exc:
        raise FileRejected(f"classeur Excel illisible ou tronqué ({type(exc).__name__}: {exc})") from None
    names = [n for n in definition.sheets if n in workbook.sheet_names]
    names += [n for n in workbook.sheet_names if n not in names]
    wanted = normalize_title(definition.header_first_column)
    for name in names:
        try:
            sheet = workbook.get_sheet_by_name(name)
        except (CalamineError, ValueError) as exc:
            raise FileRejected(f"feuille {name!r} illisible ou tronquée ({type(exc).__name__}: {exc})") from None
        rows = list(zip(range(HEADER_SEARCH_ROWS), sheet.iter_rows()))
        if any(row and normalize_title(row[0]) == wanted for _, row in rows):
            return _tabular_rows(definition, _xlsx_rows(sheet), f"dans la feuille {name!r} ")
    raise FileRejected(
        f"en-tête introuvable : aucune feuille ({', '.join(workbook.sheet_names)}) n'a de ligne qui commence "
        f"par {definition.header_first_column!r}"
    )


def _xlsx_rows(sheet) -> Iterator[tuple[int, list[Any]]]:
    """Rows with their Excel row numbers (the sheet's used range may start below row 1)."""
    first_row = sheet.start[0] + 1 if sheet.start else 1
    for offset, row in enumerate(sheet.iter_rows()):
        yield first_row + offset, row


def formulas_without_values(path: Path, definition: SourceDefinition) -> dict[str, int]:
    """Formula cells saved without their computed value (a workbook written by a program, never
    opened in Excel), by column title, under the header: they read as empty cells."""
    import zipfile
    from xml.etree.ElementTree import iterparse

    from python_calamine import CalamineWorkbook

    if not _may_hold_formulas(path):
        return {}
    workbook = CalamineWorkbook.from_path(str(path))
    wanted = normalize_title(definition.header_first_column)
    for index, name in enumerate(workbook.sheet_names):
        sheet = workbook.get_sheet_by_name(name)
        for _, cells in zip(range(HEADER_SEARCH_ROWS), _xlsx_rows(sheet)):
            if cells[1] and normalize_title(cells[1][0]) == wanted:
                header_row, header = cells
                break
        else:
            continue
        first_col = sheet.start[1] if sheet.start else 0
        titles = {first_col + i: str(t).strip() for i, t in enumerate(header) if not _is_blank(t)}
        counts: dict[str, int] = {}
        with zipfile.ZipFile(path) as archive:
            member = _sheet_member(archive, index)
            if member is None:
                return {}
            with archive.open(member) as handle:
                for _, element in iterparse(handle):
                    if element.tag.endswith("}c"):
                        formula = next((c for c in element if c.tag.endswith("}f")), None)
                        value = next((c for c in element if c.tag.endswith("}v")), None)
                        if formula is not None and (value is None or not (value.text or "").strip()):
                            column, row = _cell_ref(element.get("r", ""))
                            if row > header_row:
                                title = titles.get(column, f"colonne {column + 1}")
                                counts[title] = counts.get(title, 0) + 1
                        element.clear()
        return counts
    return {}


# A formula element: `<f>`, `<f t="shared" .../>`, or with a namespace prefix (`<x:f>`). Text is escaped
# in the XML (`&lt;`), so `<f` is always a tag; another tag (`<filterMode>`) or a text `:f ` only costs
# the full scan, never a formula missed.
_PREFIXED_FORMULA_TAG = re.compile(rb":f[\s/>]")


def _may_hold_formulas(path: Path) -> bool:
    """Whether a sheet of the workbook may hold a formula: a scan of its bytes, a hundred times faster
    than reading its cells (most workbooks have none)."""
    import zipfile

    with zipfile.ZipFile(path) as archive:
        for index in range(len(_workbook_sheets(archive))):
            member = _sheet_member(archive, index)
            try:
                data = archive.read(member) if member else b""
            except KeyError:
                return True  # a sheet the workbook names but does not hold: the full scan says what it can
            if b"<f" in data or _PREFIXED_FORMULA_TAG.search(data):
                return True
    return False


def _workbook_sheets(archive) -> list:
    from xml.etree.ElementTree import fromstring

    book = fromstring(archive.read("xl/workbook.xml"))
    return [e for e in book.iter() if e.tag.endswith("}sheet")]


def _sheet_member(archive, index: int) -> str | None:
    """The XML part of the workbook's sheet number `index` (in the workbook's order)."""
    import posixpath
    from xml.etree.ElementTree import fromstring

    sheets = _workbook_sheets(archive)
    rels = fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {e.get("Id"): e.get("Target") for e in rels}
    if index >= len(sheets):
        return None
    rid = next((v for k, v in sheets[index].attrib.items() if k.endswith("}id")), None)
    target = targets.get(rid)
    if not target:
        return None
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))


def _cell_ref(ref: str) -> tuple[int, int]:
    letters = "".join(c for c in ref if c.isalpha())
    digits = "".join(c for c in ref if c.isdigit())
    column = 0
    for letter in letters.upper():
        column = column * 26 + ord(letter) - 64
    return column - 1, int(digits or 0)


# -- csv -----------------------------------------------------------------------------------------
def _decodes_every_byte(encoding: str) -> bool:
    try:
        bytes(range(256)).decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(path: Path, candidates: tuple[str, ...]) -> str:
    """The first candidate that decodes the whole file; checked in a streaming pass (not needed for a
    code page such as Windows-1256 that gives a character for every byte)."""
    for encoding in candidates:
        if _decodes_every_byte(encoding):
            return encoding
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        try:
            with open(path, "rb") as handle:
                while chunk := handle.read(1 << 20):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise FileRejected(f"encodage non reconnu : le fichier n'est ni en {' ni en '.join(candidates)}")


def read_csv(path: Path, definition: SourceDefinition) -> OpenedFile:
    encoding = detect_encoding(path, definition.encodings)
    handle = open(path, encoding=encoding, newline="")
    reader = csv.reader(handle, delimiter=definition.delimiter)

    def numbered() -> Iterator[tuple[int, list[Any]]]:
        try:
            for cells in reader:
                yield reader.line_num, cells
        except csv.Error as exc:
            raise FileRejected(f"CSV illisible à la ligne {reader.line_num} : {exc}") from None
        finally:
            handle.close()

    opened = _tabular_rows(definition, numbered(), "")
    opened.encoding = reported_encoding(path, encoding)
    return opened


def reported_encoding(path: Path, encoding: str) -> str:
    """The encoding as a receipt names it: UTF-8 read with utf-8-sig is reported with or without BOM."""
    return "utf-8" if encoding in ("utf-8", "utf-8-sig") and not _has_bom(path) else encoding


def _has_bom(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(3) == codecs.BOM_UTF8


# -- json ----------------------------------------------------------------------------------------
def record_value(record: dict, dotted: str) -> tuple[bool, Any]:
    """(whether the record has it, the value) at a dotted path of a JSON record: `effectif.hommes`."""
    value: Any = record
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return False, None
        value = value[part]
    return True, value


def read_json(path: Path, definition: SourceDefinition) -> OpenedFile:
    try:
        with open(path, encoding="utf-8-sig") as handle:
            document = json.load(handle)
    except UnicodeDecodeError as exc:
        raise FileRejected(f"JSON illisible : le fichier n'est pas en UTF-8 ({exc})") from None
    except json.JSONDecodeError as exc:
        raise FileRejected(f"JSON illisible ou tronqué, ligne {exc.lineno} colonne {exc.colno} : {exc.msg}") from None
    except RecursionError:
        raise FileRejected(
            "JSON imbriqué trop profondément (des milliers de niveaux) : ce n'est pas un export de la chambre"
        ) from None
    records = document.get(definition.records) if isinstance(document, dict) else None
    if not isinstance(records, list):
        raise FileRejected(f"JSON sans la liste {definition.records!r} attendue")
    top_keys = {c.path.split(".")[0] for c in definition.columns}
    present = {
        c.name
        for c in definition.columns
        if any(record_value(r, c.path)[0] for r in records[:50] if isinstance(r, dict))
    }
    required_missing = [c.path for c in definition.columns if c.required and c.name not in present]
    if records and required_missing:
        raise FileRejected("champ(s) obligatoire(s) absent(s) des enregistrements : " + ", ".join(required_missing))
    extra_names = sorted({k for r in records if isinstance(r, dict) for k in r if k not in top_keys})

    def data_rows() -> Iterator[Row]:
        for index, record in enumerate(records):
            line = record_label(definition.records, index)
            if not isinstance(record, dict):
                yield line, {}, {"valeur": record}
                continue
            values = {c.name: record_value(record, c.path)[1] for c in definition.columns}
            extra = {k: v for k, v in record.items() if k not in top_keys}
            yield line, values, extra

    missing = [c.path for c in definition.columns if c.name not in present]
    return OpenedFile(
        rows=data_rows(), encoding="utf-8", extra_columns=extra_names, missing_columns=missing if records else []
    )


READERS = {"xlsx": read_xlsx, "csv": read_csv, "json": read_json}


def open_delivery(path: Path, definition: SourceDefinition) -> OpenedFile:
    return READERS[definition.format](path, definition)
