"""The text of the files `tadamon source new` writes: the source definition, the dbt staging model
and its YAML, and the test that loads the sample."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import yaml

from orchestration.ingest.definitions import SourceDefinition
from orchestration.ingest.rows import table_columns
from orchestration.scaffold.proposal import ProposedColumn
from orchestration.scaffold.sample import SampleTable


def scalar(value) -> str:
    """A YAML scalar, quoted only when it needs to be."""
    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10**6)
    return text.removesuffix("\n...\n").removesuffix("\n")


def quoted(text: str) -> str:
    """Single-quoted YAML (backslashes kept as written), as the project writes patterns; a tab or
    other control character needs double quotes."""
    if any(ord(c) < 32 for c in text):
        return '"' + text.encode("unicode_escape").decode("ascii").replace('"', '\\"') + '"'
    return "'" + text.replace("'", "''") + "'"


class _Dumper(yaml.SafeDumper):
    """Lists indented under their key, as in the project's dbt YAML."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def flow(mapping: dict) -> str:
    """A one-line YAML mapping, as in the project's definitions: {name: x, title: Y, type: text}."""
    return yaml.safe_dump(mapping, allow_unicode=True, default_flow_style=True, width=10**6, sort_keys=False).strip()


def _comment(text: str) -> str:
    return " ".join(str(text).split())


def jinja_safe(text) -> str:
    """Text that dbt renders as Jinja (a model's comment, YAML descriptions) with its braces made
    inert: a provider's title or a file name can never open `{{`, `{%` or `{#`, nor close a comment."""
    return _comment(text).replace("{", "\uff5b").replace("}", "\uff5d").replace("#", "\uff03")


def file_pattern(sample_name: str) -> tuple[str, bool]:
    """The sample's name as a regular expression, its date part (6 or 8 digits: 202611, 20261101)
    as the named group `period`; (pattern, has_period)."""
    match = None
    for candidate in re.finditer(r"(?<!\d)(\d{8}|\d{6})(?!\d)", sample_name):
        digits = candidate.group(1)
        if digits[:2] in ("19", "20") and 1 <= int(digits[4:6]) <= 12:
            match = candidate
    if match is None:
        return re.escape(sample_name), False
    return (
        re.escape(sample_name[: match.start()]) + r"(?P<period>\d{6,8})" + re.escape(sample_name[match.end() :])
    ), True


# -- the source definition -----------------------------------------------------------------------
def definition_yaml(
    provider: str,
    kind: str,
    table: SampleTable,
    columns: list[ProposedColumn],
    key: list[str],
    key_reason: str,
    sample_name: str,
    pattern: str,
    has_period: bool,
) -> str:
    fmt = table.format
    detected = [fmt]
    if table.encoding and fmt == "csv":
        detected.append(f"encoding {table.encoding}")
    if table.delimiter:
        detected.append(f"separator {table.delimiter!r}")
    if table.sheet:
        detected.append(f"sheet {table.sheet!r}")
    if table.header_line:
        detected.append(f"header on line {table.header_line}")
    if table.records:
        detected.append(f"records under {table.records!r}")
    detected.append(f"{table.row_count} data rows")
    lines = [
        f"# {provider} — {kind}: drafted by `tadamon source new {provider} {kind} --sample {_comment(sample_name)}`",
        f"# on {dt.date.today():%d/%m/%Y} from the sample kept in samples/{_comment(sample_name)}.",
        f"# Detected: {', '.join(detected)}.",
        "# Review the names, types, key, personal columns and description (lines marked REVIEW), then run",
        f"# `tadamon source check {provider} <file>` on a delivery. Docs: docs/adding-a-source.md",
    ]
    for note in table.notes:
        lines.append(f"# Note: {_comment(note)}")
    lines += [
        f"provider: {provider}",
        f"name: {kind}",
        f"description: {scalar(f'{provider} — {kind} (à décrire)')}    # REVIEW: shown in Dagster and in the receipts",
        f"file_pattern: {quoted(pattern)}"
        + ("" if has_period else "    # REVIEW: no date in the sample's name, so no delivery period"),
        f"format: {fmt}",
    ]
    if fmt == "xlsx":
        lines.append(f"sheets: [{scalar(table.sheet)}]")
    if fmt == "csv":
        lines.append(f"delimiter: {quoted(table.delimiter)}")
        lines.append(f"encodings: [utf-8-sig, cp1256]    # tried in this order; the sample is {table.encoding}")
    if fmt == "json":
        lines.append(f"records: {scalar(table.records)}")
    if fmt in ("csv", "xlsx"):
        lines.append(f"header_first_column: {scalar(table.header_first_column)}")
    if table.footer_first_column:
        lines.append(f"footer_first_column: {quoted(table.footer_first_column)}    # a total line, not data")
    lines += [
        "semantics: snapshot    # REVIEW: snapshot (each file is complete, the latest replaces the earlier) "
        "or cumulative (the latest delivery of each key wins)",
        "expected_every_days: 35    # REVIEW: how often the provider delivers; later than that is late",
        f"key: [{', '.join(key)}]    # {_comment(key_reason)}",
        "columns:",
    ]
    locator = "path" if fmt == "json" else "title"
    for column in columns:
        title = f"{column.label} (Arabic title)" if column.arabic_title else column.label
        if column.personal:
            seen = "personal data: values not shown; it never leaves the raw layer"
        elif column.examples:
            seen = "e.g. " + ", ".join(repr(e) for e in column.examples)
        else:
            seen = "empty in the sample"
        lines.append(f"  # {_comment(title)} — {column.type}: {_comment(column.reason)}; {_comment(seen)}")
        entry: dict = {"name": column.name, locator: column.label, "type": column.type}
        if column.name in key:
            entry["required"] = True
        if column.personal:
            entry["personal"] = True
        if column.arabic_title:
            entry["description"] = column.label
        lines.append(f"  - {flow(entry)}")
    return "\n".join(lines) + "\n"


# -- dbt -----------------------------------------------------------------------------------------
def model_name(definition: SourceDefinition) -> str:
    return f"stg_{definition.provider}__{definition.name}"


def staging_columns(definition: SourceDefinition) -> list[str]:
    """The raw table's columns staging may read: everything but personal columns (and lineage)."""
    return [name for name, _, column in table_columns(definition) if not column.personal]


def staging_sql(definition: SourceDefinition, sample_name: str) -> str:
    columns = staging_columns(definition)
    personal = [c.name for c in definition.columns if c.personal]
    var = f"{definition.name}_columns"
    listed = ",\n    ".join(", ".join(repr(c) for c in columns[i : i + 6]) for i in range(0, len(columns), 6))
    cte = "latest_snapshot" if definition.semantics == "snapshot" else "latest_deliveries"
    header = [
        f"{{#- {jinja_safe(definition.description)}: drafted by `tadamon source new` from {jinja_safe(sample_name)}.",
        "    "
        + (
            "The latest loaded snapshot: one row per key."
            if definition.semantics == "snapshot"
            else "The latest delivery of each key wins: one row per key."
        ),
    ]
    if personal:
        header.append(f"    Personal columns ({', '.join(personal)}) stay in the raw layer: never list them here.")
    header[-1] += " -#}"
    select: list[str] = []
    by_name = {c.name: c for c in definition.columns}
    for name in columns:
        column = by_name.get(name)
        if column is not None and column.type == "text" and name not in definition.key:
            select.append(f"nullif(trim({name}), '') as {name}")
        elif column is not None and column.type == "text":
            select.append(f"trim({name}) as {name}")
        else:
            select.append(name)
    # the lineage columns every staging model ends with (macros/source_lineage.sql)
    select.append(
        "{{ source_lineage_columns("
        + ("" if definition.semantics == "snapshot" else "with_snapshot_date=false")
        + ") }}"
    )
    keys = ", ".join(repr(k) for k in definition.key)
    body = [
        *header,
        f"{{%- set {var} = [",
        f"    {listed}] -%}}",
        "",
        f"with {cte} as (",
        f"    {{{{ raw_rows('{definition.table}', '{definition.semantics}', [{keys}], {var}) }}}}",
        ")",
        "",
        "select",
        ",\n".join(f"    {s}" for s in select),
        f"from {cte}",
    ]
    return "\n".join(body) + "\n"


def _column_doc(column) -> str:
    where = column.title or column.path
    kind = {
        "amount": "amount in dirhams",
        "date": "date",
        "int": "whole number",
        "bool": "yes/no",
        "province": "HCP code of the province",
        "ice": "ICE (15 digits)",
        "register_number": "cooperative register number (canonical writing)",
        "receipt_number": "association receipt number (YYYY/N)",
        "org_identifier": "organisation identifier (register, receipt or trade register number)",
        "json": "JSON as delivered",
        "text": "text",
    }[column.type]
    return f"{where!s}: {kind}."


def model_entry(definition: SourceDefinition) -> dict:
    by_name = {c.name: c for c in definition.columns}
    columns = []
    for name in staging_columns(definition):
        column = by_name.get(name)
        if column is None:  # <name>_raw, <name>_kind
            base = by_name[name.rsplit("_", 1)[0]]
            doc = (
                f"{base.title or base.path}: the cell as delivered."
                if name.endswith("_raw")
                else f"Kind of {base.name}: register, receipt or rc."
            )
            columns.append({"name": name, "description": jinja_safe(doc)})
            continue
        entry: dict = {"name": name, "description": jinja_safe(column.description or _column_doc(column))}
        if len(definition.key) == 1 and name in definition.key:
            entry["data_tests"] = ["not_null", "unique"]
        elif name in definition.key:
            entry["data_tests"] = ["not_null"]
        columns.append(entry)
    model: dict = {
        "name": model_name(definition),
        "description": jinja_safe(
            f"{definition.description} — staging of raw.{definition.table} "
            f"({definition.semantics}); one row per {', '.join(definition.key)}."
        ),
    }
    if len(definition.key) > 1:
        expression = " || '|' || ".join(f"{k}::text" for k in definition.key)
        model["data_tests"] = [{"unique": {"column_name": f"({expression})"}}]
    model["columns"] = columns
    return model


def source_table_entry(definition: SourceDefinition) -> dict:
    personal = [c.name for c in definition.columns if c.personal]
    description = (
        f"{definition.description} ({definition.file_pattern.pattern}), {definition.semantics}; "
        f"key {', '.join(definition.key)}."
    )
    if personal:
        description += f" Holds personal columns ({', '.join(personal)}) that dbt never selects."
    return {"name": definition.table, "description": jinja_safe(description)}


def dump_yaml(data) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=110, default_flow_style=False)


def sources_yaml(definition: SourceDefinition) -> str:
    return dump_yaml(
        {
            "version": 2,
            "sources": [
                {
                    "name": "raw",
                    "schema": "raw",
                    "description": (
                        "Raw layer written by the Python loader; one table per source definition in sources/."
                    ),
                    "tables": [source_table_entry(definition)],
                }
            ],
        }
    )


def models_yaml(definition: SourceDefinition) -> str:
    return dump_yaml({"version": 2, "models": [model_entry(definition)]})


# -- the test that loads the sample --------------------------------------------------------------
def test_module(definition: SourceDefinition, sample_name: str, sources_ref: str, expected: dict) -> str:
    provider, table = definition.provider, definition.table
    return f'''"""The {table} sample loads as `tadamon source new` read it (generated; adapt freely).

The sample is SAMPLE below; the counts are what the scaffold read in it."""

from __future__ import annotations

import shutil
from pathlib import Path

import sqlalchemy as sa

from orchestration.ingest.landing import Lander
from orchestration.warehouse import admin_url, engine

SOURCES_DIR = {sources_ref}
SAMPLE = SOURCES_DIR / {provider!r} / "samples" / {sample_name!r}
ROWS_READ = {expected["rows_read"]}
ROWS_LOADED = {expected["rows_loaded"]}
ROWS_SET_ASIDE = {expected["rows_rejected"] + expected["rows_duplicate"]}


def test_{table}_sample_loads(warehouse):
    incoming = warehouse.incoming_dir / "{provider}"
    incoming.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SAMPLE, incoming / SAMPLE.name)

    outcome = Lander(warehouse, admin_url(warehouse), sources_dir=SOURCES_DIR).land_file(
        incoming / SAMPLE.name, "{provider}")

    assert outcome.status == "loaded", outcome.error
    assert outcome.source == "{table}"
    assert outcome.rows_read == ROWS_READ
    assert outcome.rows_loaded == ROWS_LOADED
    assert outcome.rows_read == outcome.rows_loaded + outcome.rows_rejected + outcome.rows_duplicate
    assert outcome.rows_rejected + outcome.rows_duplicate == ROWS_SET_ASIDE
    with engine(admin_url(warehouse)).connect() as conn:
        count = conn.execute(sa.text("select count(*) from {definition.qualified_table}")).scalar()
    assert count == ROWS_LOADED
'''


def sources_reference(sources_dir: Path, tests_dir: Path) -> str:
    """How the generated test names the sources folder: relative to itself when it can."""
    sources_dir, tests_dir = sources_dir.resolve(), tests_dir.resolve()
    if sources_dir == tests_dir.parent / "sources":
        return 'Path(__file__).resolve().parents[2] / "sources"'
    return f"Path({str(sources_dir)!r})"
