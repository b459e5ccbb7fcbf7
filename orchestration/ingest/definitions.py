"""Source definitions: the YAML files under `sources/<provider>/`, validated when loaded.

A definition names identifiers that end up in SQL (table and column names), so every name is checked
against a safe pattern here, once; errors name the file, the line and the fix.
"""

from __future__ import annotations

import codecs
import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from orchestration.ingest.file_names import example_file_name
from orchestration.settings import SOURCES_DIR

SAFE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
FORMATS = ("xlsx", "csv", "json")
SEMANTICS = ("snapshot", "cumulative")
COLUMN_TYPES = (
    "text",
    "int",
    "amount",
    "date",
    "bool",
    "ice",
    "register_number",
    "receipt_number",
    "org_identifier",
    "province",
    "json",
)
# Columns every raw table carries; a definition may not reuse these names.
LINEAGE_COLUMNS = ("_load_id", "_file_sha256", "_file_name", "_line", "_period", "_loaded_at", "_extra")
TOP_LEVEL_KEYS = {
    "provider",
    "name",
    "description",
    "file_pattern",
    "format",
    "sheets",
    "delimiter",
    "encodings",
    "records",
    "header_first_column",
    "footer_first_column",
    "semantics",
    "expected_every_days",
    "key",
    "columns",
}
COLUMN_KEYS = {"name", "title", "path", "type", "required", "personal", "description"}
# Words PostgreSQL reserves (reserved, and reserved except as a function or type name): the loader
# writes column names unquoted, so none of these can be a column name.
RESERVED_WORDS = frozenset(
    """
    all analyse analyze and any array as asc asymmetric authorization binary both case cast check collate
    collation column concurrently constraint create cross current_catalog current_date current_role
    current_schema current_time current_timestamp current_user default deferrable desc distinct do else end
    except false fetch for foreign freeze from full grant group having ilike in initially inner intersect
    into is isnull join lateral leading left like limit localtime localtimestamp natural not notnull null
    offset on only or order outer overlaps placing primary references returning right select session_user
    similar some symmetric system_user table tablesample then to trailing true union unique user using
    variadic verbose when where window with
""".split()
)
# PostgreSQL truncates identifiers at 63 bytes; the loader adds `__load` to the table name for its index.
MAX_TABLE_NAME = 63 - len("__load")
# Common names for the column types, to suggest the right one.
TYPE_ALIASES = {
    "string": "text",
    "str": "text",
    "varchar": "text",
    "integer": "int",
    "bigint": "int",
    "number": "amount",
    "numeric": "amount",
    "decimal": "amount",
    "float": "amount",
    "money": "amount",
    "montant": "amount",
    "boolean": "bool",
    "datetime": "date",
    "timestamp": "date",
    "jsonb": "json",
}
# What to write when a required key is missing.
REQUIRED_KEY_HINTS = {
    "provider": "the provider's folder name, e.g. provider: anapec",
    "name": "the file kind, e.g. name: insertions (the raw table is raw.<provider>__<name>)",
    "file_pattern": (
        r"a regular expression on the file name, e.g. file_pattern: 'anapec_insertions_(?P<period>\d{6})\.csv'"
    ),
    "format": "format: xlsx, csv or json",
    "semantics": "semantics: snapshot (the latest file replaces the earlier ones) or cumulative",
    "key": "the columns that identify a row, e.g. key: [project_code]",
    "columns": "the list of columns, each {name: ..., title: ... (or path: ...), type: ...}",
}


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

    @property
    def file_name_example(self) -> str:
        """The file name the pattern expects, as people read it (`MOUAZARA_FM_AAAAMMJJ.xlsx`)."""
        return example_file_name(self.file_pattern)


def _line_of(node: yaml.Node | None) -> int:
    return node.start_mark.line + 1 if node is not None else 1


def _node_for(mapping: yaml.MappingNode, key: str) -> yaml.Node | None:
    for key_node, value_node in mapping.value:
        if key_node.value == key:
            return value_node
    return None


def _suggest(word: object, choices) -> str:
    if not isinstance(word, str):
        return ""
    alias = TYPE_ALIASES.get(word.lower()) if choices is COLUMN_TYPES else None
    close = [alias] if alias else difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _duplicate_key(node: yaml.Node) -> tuple[str, yaml.Node, yaml.Node] | None:
    """The first key written twice in a mapping, anywhere in the document (YAML keeps the last
    silently): (key, first node, second node)."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = getattr(key_node, "value", None)
            if isinstance(key, str):
                if key in seen:
                    return key, seen[key], key_node
                seen[key] = key_node
            found = _duplicate_key(value_node)
            if found:
                return found
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            found = _duplicate_key(item)
            if found:
                return found
    return None


def _parsed_yaml(text: str) -> tuple[yaml.Node, object]:
    """The YAML text's node tree (for line numbers) and its data: by libyaml when PyYAML has it (ten times
    faster: the first landing of a run reads every definition), else, or for a text it refuses, by
    PyYAML's own parser, whose error messages the definition errors quote."""
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is not None:
        try:
            return yaml.compose(text, Loader=loader), yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
        except yaml.YAMLError:
            pass
    return yaml.compose(text), yaml.safe_load(text)


def parse_definition(text: str, path: Path) -> SourceDefinition:
    """Validate one definition's YAML text; `path` is only used in error messages."""

    def fail(node: yaml.Node | None, message: str) -> DefinitionError:
        return DefinitionError(f"{path}:{_line_of(node)}: {message}")

    try:
        root, data = _parsed_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = " ".join(filter(None, (getattr(exc, "context", None), getattr(exc, "problem", None)))) or str(exc)
        raise DefinitionError(
            f"{where}: not valid YAML: {' '.join(problem.split())} (column "
            f"{mark.column + 1 if mark is not None else '?'}); check the quotes and brackets"
        ) from None
    if not isinstance(data, dict) or not isinstance(root, yaml.MappingNode):
        raise DefinitionError(f"{path}:1: a source definition is a mapping (provider:, name:, columns: ...)")
    duplicate = _duplicate_key(root)
    if duplicate:
        key, first, second = duplicate
        raise fail(second, f"key {key!r} is written twice (first on line {_line_of(first)}); keep one")

    for key in data:
        if key not in TOP_LEVEL_KEYS:
            raise fail(
                _node_for(root, key),
                f"unknown key {key!r}{_suggest(key, TOP_LEVEL_KEYS)}; allowed: {', '.join(sorted(TOP_LEVEL_KEYS))}",
            )
    for key in ("provider", "name", "file_pattern", "format", "semantics", "key", "columns"):
        if key not in data:
            raise fail(root, f"missing required key {key!r}: add {REQUIRED_KEY_HINTS[key]}")

    for key in ("provider", "name"):
        if not isinstance(data[key], str) or not SAFE_NAME.match(data[key]):
            raise fail(
                _node_for(root, key),
                f"{key} {data[key]!r} is not a safe name: use lower-case "
                "letters, digits and _ (starting with a letter, at most 41 characters)",
            )
    table = f"{data['provider']}__{data['name']}"
    if len(table) > MAX_TABLE_NAME:
        raise fail(
            _node_for(root, "name"),
            f"the table name {table!r} is longer than {MAX_TABLE_NAME} "
            "characters (PostgreSQL would cut it); shorten name or provider",
        )
    if data["format"] not in FORMATS:
        raise fail(_node_for(root, "format"), f"unknown format {data['format']!r}; use one of {', '.join(FORMATS)}")
    if data["semantics"] not in SEMANTICS:
        raise fail(
            _node_for(root, "semantics"), f"unknown semantics {data['semantics']!r}; use one of {', '.join(SEMANTICS)}"
        )
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
    for key in ("description", "records", "header_first_column"):
        if data.get(key) is not None and not isinstance(data[key], (str, int, float)):
            raise fail(_node_for(root, key), f"{key} must be a single value (text), not a list or a mapping")
    if "delimiter" in data and (not isinstance(data["delimiter"], str) or len(data["delimiter"]) != 1):
        raise fail(
            _node_for(root, "delimiter"),
            f"delimiter {data['delimiter']!r} must be one character, e.g. delimiter: ';' (a tab is written \"\\t\")",
        )
    for key in ("sheets", "encodings"):
        value = data.get(key)
        if value is not None and (not isinstance(value, list) or not all(isinstance(v, str) for v in value)):
            raise fail(
                _node_for(root, key),
                f"{key} must be a list of names, e.g. {key}: [{'Feuil1' if key == 'sheets' else 'utf-8-sig, cp1256'}]",
            )
    for encoding in data.get("encodings") or ():
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise fail(
                _node_for(root, "encodings"), f"unknown encoding {encoding!r}; use e.g. utf-8-sig, cp1256"
            ) from None

    columns_node = _node_for(root, "columns")
    if not isinstance(data["columns"], list) or not data["columns"]:
        raise fail(columns_node, "columns must be a non-empty list")
    columns: list[Column] = []
    seen: dict[str, int] = {}
    locations: dict[str, int] = {}
    for index, raw in enumerate(data["columns"]):
        node = columns_node.value[index] if isinstance(columns_node, yaml.SequenceNode) else columns_node

        def at(key: str, node: yaml.Node = node) -> yaml.Node:
            found = _node_for(node, key) if isinstance(node, yaml.MappingNode) else None
            return found if found is not None else node

        if not isinstance(raw, dict):
            raise fail(node, "each column is a mapping with name, type and title (or path)")
        for key in raw:
            if key not in COLUMN_KEYS:
                raise fail(
                    at(key),
                    f"unknown column key {key!r}{_suggest(key, COLUMN_KEYS)}; "
                    f"allowed: {', '.join(sorted(COLUMN_KEYS))}",
                )
        name = raw.get("name")
        if not isinstance(name, str) or not SAFE_NAME.match(name) or name.endswith("_raw"):
            raise fail(
                at("name"),
                f"column name {name!r} is not a safe name: use lower-case letters, digits "
                "and _ (starting with a letter, at most 41 characters, not ending in _raw)",
            )
        if name in RESERVED_WORDS:
            raise fail(at("name"), f"column name {name!r} is a word reserved by SQL; rename it, e.g. {name}_value")
        if name in seen:
            raise fail(at("name"), f"duplicate column {name!r} (first defined on line {seen[name]}); rename one")
        seen[name] = _line_of(node)
        ctype = raw.get("type")
        if ctype not in COLUMN_TYPES:
            raise fail(
                at("type"),
                f"column {name!r}: unknown type {ctype!r}{_suggest(ctype, COLUMN_TYPES)}; "
                f"use one of {', '.join(COLUMN_TYPES)}",
            )
        locator = "path" if data["format"] == "json" else "title"
        if raw.get(locator) is None or not str(raw.get(locator)).strip():
            raise fail(node, f"column {name!r} needs a {locator} (where to find it in a {data['format']} file)")
        where = str(raw[locator]).strip().casefold()
        if where in locations:
            raise fail(
                at(locator),
                f"column {name!r}: {locator} {raw[locator]!r} is already read by the column "
                f"on line {locations[where]}; a {locator} maps to one column",
            )
        locations[where] = _line_of(node)
        for flag in ("required", "personal"):
            if flag in raw and not isinstance(raw[flag], bool):
                raise fail(at(flag), f"column {name!r}: {flag} must be true or false, not {raw[flag]!r}")
        columns.append(
            Column(
                name=name,
                type=ctype,
                title=raw.get("title"),
                path=raw.get("path"),
                required=bool(raw.get("required", False)),
                personal=bool(raw.get("personal", False)),
                description=raw.get("description"),
            )
        )

    key = data["key"]
    key_node = _node_for(root, "key")
    if isinstance(key, str):
        key = [key]
    if not isinstance(key, list) or not key:
        raise fail(key_node, "key must list at least one column")
    for k in key:
        if k not in seen:
            raise fail(key_node, f"key column {k!r} is not among the columns; add it or fix the key")
    if len(set(key)) != len(key):
        raise fail(key_node, "key names a column twice; list each key column once")
    derived = {f"{c.name}_kind": c.name for c in columns if c.type == "org_identifier"}
    for column in columns:
        if column.name in derived:
            raise fail(
                columns_node.value[[c.name for c in columns].index(column.name)],
                f"column {column.name!r} clashes with the identifier kind the loader stores for "
                f"column {derived[column.name]!r}; rename it",
            )

    expected = data.get("expected_every_days", 35)
    if not isinstance(expected, int) or expected < 1:
        raise fail(_node_for(root, "expected_every_days"), "expected_every_days must be a positive whole number")

    return SourceDefinition(
        provider=data["provider"],
        name=data["name"],
        description=str(data.get("description") or f"{data['provider']} {data['name']}"),
        file_pattern=pattern,
        format=data["format"],
        semantics=data["semantics"],
        key=tuple(key),
        columns=tuple(columns),
        expected_every_days=expected,
        sheets=tuple(data.get("sheets") or ()),
        delimiter=str(data.get("delimiter", ";")),
        encodings=tuple(data.get("encodings") or ("utf-8-sig", "cp1256")),
        records=data.get("records"),
        header_first_column=data.get("header_first_column"),
        footer_first_column=footer,
        path=path,
    )


def load_definition(path: Path) -> SourceDefinition:
    definition = parse_definition(path.read_text(encoding="utf-8"), path)
    if path.parent.name != definition.provider:
        raise DefinitionError(
            f"{path}:1: provider {definition.provider!r} does not match its folder "
            f"{path.parent.name!r}; move the file to sources/{definition.provider}/"
        )
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
