"""Source definitions: the YAML files under `sources/<provider>/`, validated when loaded.

A definition names identifiers that end up in SQL (table and column names), so every name is checked
against a safe pattern here, once; errors name the file, the line and the fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from orchestration.settings import SOURCES_DIR

SAFE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
FORMATS = ("xlsx", "csv", "json")
SEMANTICS = ("snapshot", "cumulative")
COLUMN_TYPES = (
    "text", "int", "amount", "date", "bool", "ice",
    "register_number", "receipt_number", "org_identifier", "province", "json",
)
# Columns every raw table carries; a definition may not reuse these names.
LINEAGE_COLUMNS = ("_load_id", "_file_sha256", "_file_name", "_line", "_period", "_loaded_at", "_extra")
TOP_LEVEL_KEYS = {
    "provider", "name", "description", "file_pattern", "format", "sheets", "delimiter", "encodings",
    "records", "header_first_column", "footer_first_column", "semantics", "expected_every_days",
    "key", "columns",
}
COLUMN_KEYS = {"name", "title", "path", "type", "required", "personal", "description"}


class DefinitionError(ValueError):
    """A source definition that cannot be used, with where and how to fix it."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    title: str | None = None
    path: str | None = None
    required: bool = False
    personal: bool = False
    description: str | None = None

    @property
    def keeps_raw_text(self) -> bool:
        return self.type not in ("text", "json")


@dataclass(frozen=True)
class SourceDefinition:
    provider: str
    name: str
    description: str
    file_pattern: re.Pattern
    format: str
    semantics: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    expected_every_days: int = 35
    sheets: tuple[str, ...] = ()
    delimiter: str = ";"
    encodings: tuple[str, ...] = ("utf-8-sig", "cp1256")
    records: str | None = None
    header_first_column: str | None = None
    footer_first_column: re.Pattern | None = None
    path: Path | None = field(default=None, compare=False)

    @property
    def table(self) -> str:
        return f"{self.provider}__{self.name}"

    @property
    def qualified_table(self) -> str:
        return f"raw.{self.table}"

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def matches(self, file_name: str) -> re.Match | None:
        return self.file_pattern.fullmatch(file_name)


def _line_of(node: yaml.Node | None) -> int:
    return node.start_mark.line + 1 if node is not None else 1


def _node_for(mapping: yaml.MappingNode, key: str) -> yaml.Node | None:
    for key_node, value_node in mapping.value:
        if key_node.value == key:
            return value_node
    return None


def parse_definition(text: str, path: Path) -> SourceDefinition:
    """Validate one definition's YAML text; `path` is only used in error messages."""

    def fail(node: yaml.Node | None, message: str) -> DefinitionError:
        return DefinitionError(f"{path}:{_line_of(node)}: {message}")

    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DefinitionError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict) or not isinstance(root, yaml.MappingNode):
        raise DefinitionError(f"{path}:1: a source definition is a mapping (provider:, name:, columns: ...)")

    for key in data:
        if key not in TOP_LEVEL_KEYS:
            raise fail(_node_for(root, key), f"unknown key {key!r}; allowed: {', '.join(sorted(TOP_LEVEL_KEYS))}")
    for key in ("provider", "name", "file_pattern", "format", "semantics", "key", "columns"):
        if key not in data:
            raise fail(root, f"missing required key {key!r}")

    for key in ("provider", "name"):
        if not isinstance(data[key], str) or not SAFE_NAME.match(data[key]):
            raise fail(_node_for(root, key), f"{key} {data[key]!r} is not a safe name: use lower-case "
                       "letters, digits and _ (starting with a letter, at most 41 characters)")
    if data["format"] not in FORMATS:
        raise fail(_node_for(root, "format"), f"unknown format {data['format']!r}; use one of {', '.join(FORMATS)}")
    if data["semantics"] not in SEMANTICS:
        raise fail(_node_for(root, "semantics"),
                   f"unknown semantics {data['semantics']!r}; use one of {', '.join(SEMANTICS)}")
    try:
        pattern = re.compile(str(data["file_pattern"]), re.IGNORECASE)
    except re.error as exc:
        raise fail(_node_for(root, "file_pattern"), f"file_pattern is not a regular expression: {exc}") from None
    footer = None
    if data.get("footer_first_column"):
        try:
            footer = re.compile(str(data["footer_first_column"]), re.IGNORECASE)
        except re.error as exc:
            raise fail(_node_for(root, "footer_first_column"), f"not a regular expression: {exc}") from None
    if data["format"] == "json" and not data.get("records"):
        raise fail(root, "a json source needs records: the key of its list of records")
    if data["format"] in ("csv", "xlsx") and not data.get("header_first_column"):
        raise fail(root, "a csv or xlsx source needs header_first_column: the title of the header's first cell")

    columns_node = _node_for(root, "columns")
    if not isinstance(data["columns"], list) or not data["columns"]:
        raise fail(columns_node, "columns must be a non-empty list")
    columns: list[Column] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(data["columns"]):
        node = columns_node.value[index] if isinstance(columns_node, yaml.SequenceNode) else columns_node
        if not isinstance(raw, dict):
            raise fail(node, "each column is a mapping with name, type and title (or path)")
        for key in raw:
            if key not in COLUMN_KEYS:
                raise fail(node, f"unknown column key {key!r}; allowed: {', '.join(sorted(COLUMN_KEYS))}")
        name = raw.get("name")
        if not isinstance(name, str) or not SAFE_NAME.match(name) or name.endswith("_raw"):
            raise fail(node, f"column name {name!r} is not a safe name: use lower-case letters, digits "
                       "and _ (starting with a letter, not ending in _raw)")
        if name in seen:
            raise fail(node, f"duplicate column {name!r} (first defined on line {seen[name]}); rename one")
        seen[name] = _line_of(node)
        ctype = raw.get("type")
        if ctype not in COLUMN_TYPES:
            raise fail(node, f"column {name!r}: unknown type {ctype!r}; use one of {', '.join(COLUMN_TYPES)}")
        locator = "path" if data["format"] == "json" else "title"
        if not raw.get(locator):
            raise fail(node, f"column {name!r} needs a {locator} (where to find it in a {data['format']} file)")
        columns.append(Column(
            name=name, type=ctype, title=raw.get("title"), path=raw.get("path"),
            required=bool(raw.get("required", False)), personal=bool(raw.get("personal", False)),
            description=raw.get("description"),
        ))

    key = data["key"]
    key_node = _node_for(root, "key")
    if isinstance(key, str):
        key = [key]
    if not isinstance(key, list) or not key:
        raise fail(key_node, "key must list at least one column")
    for k in key:
        if k not in seen:
            raise fail(key_node, f"key column {k!r} is not among the columns; add it or fix the key")

    expected = data.get("expected_every_days", 35)
    if not isinstance(expected, int) or expected < 1:
        raise fail(_node_for(root, "expected_every_days"), "expected_every_days must be a positive whole number")

    return SourceDefinition(
        provider=data["provider"], name=data["name"],
        description=str(data.get("description") or f"{data['provider']} {data['name']}"),
        file_pattern=pattern, format=data["format"], semantics=data["semantics"],
        key=tuple(key), columns=tuple(columns), expected_every_days=expected,
        sheets=tuple(data.get("sheets") or ()), delimiter=str(data.get("delimiter", ";")),
        encodings=tuple(data.get("encodings") or ("utf-8-sig", "cp1256")),
        records=data.get("records"), header_first_column=data.get("header_first_column"),
        footer_first_column=footer, path=path,
    )


def load_definition(path: Path) -> SourceDefinition:
    definition = parse_definition(path.read_text(encoding="utf-8"), path)
    if path.parent.name != definition.provider:
        raise DefinitionError(f"{path}:1: provider {definition.provider!r} does not match its folder "
                              f"{path.parent.name!r}; move the file to sources/{definition.provider}/")
    return definition


@lru_cache(maxsize=4)
def load_definitions(sources_dir: Path = SOURCES_DIR) -> tuple[SourceDefinition, ...]:
    definitions = tuple(load_definition(p) for p in sorted(sources_dir.glob("*/*.yml")))
    tables: dict[str, Path] = {}
    for d in definitions:
        if d.table in tables:
            raise DefinitionError(f"{d.path}:1: {d.table} is already defined in {tables[d.table]}")
        tables[d.table] = d.path
    return definitions


def providers(sources_dir: Path = SOURCES_DIR) -> tuple[str, ...]:
    return tuple(sorted({d.provider for d in load_definitions(sources_dir)}))


def definition_for(provider: str, file_name: str, sources_dir: Path = SOURCES_DIR) -> SourceDefinition | None:
    for d in load_definitions(sources_dir):
        if d.provider == provider and d.matches(file_name):
            return d
    return None
