"""`tadamon source new <provider> <kind> --sample <file>`: from one sample delivery, the first draft of
everything a new source needs, each file validated before anything is written."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from orchestration.ingest.definitions import DefinitionError, SourceDefinition, parse_definition
from orchestration.ingest.file_names import strip_copy_suffix
from orchestration.scaffold import gx, render
from orchestration.scaffold.check import CheckReport, check_file, provider_definitions
from orchestration.scaffold.naming import check_identifier, check_sample_name, check_table_name
from orchestration.scaffold.proposal import ProposedColumn, propose_columns, propose_key
from orchestration.scaffold.sample import SampleError, SampleTable, read_sample
from orchestration.settings import DBT_PROJECT_DIR, EXPECTATIONS_DIR, PROJECT_ROOT, SOURCES_DIR


class ScaffoldError(ValueError):
    """The scaffold cannot proceed; the message says why and what to do."""


@dataclass
class ScaffoldResult:
    provider: str
    kind: str
    definition: SourceDefinition
    written: dict[str, Path]  # what -> path (created or updated)
    sample: SampleTable
    columns: list[ProposedColumn]
    check: CheckReport  # the sample read with the new definition
    next_steps: str
    notes: list[str] = field(default_factory=list)

    def format(self) -> str:
        lines = [
            f"New source {self.definition.table} drafted from {self.sample.path.name} "
            f"({self.sample.format}, {self.sample.row_count} rows, {len(self.columns)} columns)."
        ]
        lines.append("")
        lines.append("Columns (name ← title or path: type):")
        for column in self.columns:
            flags = [f for f, on in (("key", column.name in self.definition.key), ("personal", column.personal)) if on]
            lines.append(
                f"  {column.name:<32} ← {column.label}: {column.type}" + (f"  [{', '.join(flags)}]" if flags else "")
            )
        lines.append("")
        lines.append("Files written:")
        root = _common_root(list(self.written.values()))
        for what, path in self.written.items():
            lines.append(f"  {what:<22} {_shown(path, root)}")
        if self.notes:
            lines.append("")
            lines.append("To look at:")
            lines += [f"  - {note}" for note in self.notes]
        lines.append("")
        lines.append(self.next_steps)
        return "\n".join(lines) + "\n"


def _common_root(paths: list[Path]) -> Path | None:
    return PROJECT_ROOT if all(p.resolve().is_relative_to(PROJECT_ROOT) for p in paths) else None


def _shown(path: Path, root: Path | None) -> str:
    return str(path.resolve().relative_to(root)) if root else str(path)


def new_source(
    provider: str,
    kind: str,
    sample: Path,
    *,
    sources_dir: Path = SOURCES_DIR,
    dbt_dir: Path = DBT_PROJECT_DIR,
    expectations_dir: Path = EXPECTATIONS_DIR,
    tests_dir: Path = PROJECT_ROOT / "tests",
    force: bool = False,
) -> ScaffoldResult:
    """Draft a new source from `sample`: its definition (sources/<provider>/<kind>.yml, the sample
    copied beside it), the dbt staging model and YAML, the GX starter suite and a test that loads
    the sample. Refuses to overwrite an existing file unless `force`."""
    sample, sources_dir, dbt_dir = Path(sample), Path(sources_dir), Path(dbt_dir)
    expectations_dir, tests_dir = Path(expectations_dir), Path(tests_dir)
    try:
        check_identifier("provider", provider)
        check_identifier("file kind", kind)
        check_table_name(provider, kind)
    except ValueError as exc:
        raise ScaffoldError(str(exc)) from None
    if not sample.is_file():
        raise ScaffoldError(f"sample file not found: {sample}")
    sample_name = strip_copy_suffix(sample.name)
    try:
        check_sample_name(sample_name)
    except ValueError as exc:
        raise ScaffoldError(str(exc)) from None
    table_name = f"{provider}__{kind}"

    # -- read and propose ------------------------------------------------------------------------
    try:
        table = read_sample(sample)
    except SampleError as exc:
        raise ScaffoldError(f"{sample}: {exc}") from None
    columns = propose_columns(table)
    key, key_reason = propose_key(table, columns)
    pattern, has_period = render.file_pattern(sample_name)

    # -- the definition, validated as the loader will ---------------------------------------------
    definition_path = sources_dir / provider / f"{kind}.yml"
    text = render.definition_yaml(provider, kind, table, columns, key, key_reason, sample_name, pattern, has_period)
    try:
        definition = parse_definition(text, definition_path)
    except DefinitionError as exc:  # a bug of the scaffold, not of the sample
        raise ScaffoldError(f"the drafted definition does not validate ({exc}); please report it") from None

    # -- what else is there ------------------------------------------------------------------------
    try:
        others = [d for d in provider_definitions(provider, sources_dir) if d.name != kind]
    except DefinitionError as exc:
        raise ScaffoldError(f"an existing definition of {provider} does not load: {exc}") from None
    for other in others:
        if other.matches(sample_name):
            raise ScaffoldError(
                f"{sample_name} already matches {other.path} ({other.table}): a file can belong "
                "to one source only; name the new kind's files differently or edit that definition"
            )
    model = render.model_name(definition)
    staging_dir = dbt_dir / "models" / "staging" / provider
    paths = {
        "definition": definition_path,
        "sample": sources_dir / provider / "samples" / sample_name,
        "staging model": staging_dir / f"{model}.sql",
        "test": tests_dir / "integration" / f"test_source_{table_name}.py",
    }
    sources_yml = staging_dir / f"_{provider}__sources.yml"
    models_yml = staging_dir / f"_{provider}__models.yml"
    existing = [p for what, p in paths.items() if p.exists() and not (what == "sample" and _same(p, sample))]
    if sources_yml.exists() and _has_entry(sources_yml, "sources", table_name):
        existing.append(sources_yml)
    if models_yml.exists() and _has_entry(models_yml, "models", model):
        existing.append(models_yml)
    gx_files = gx.gx_project_files(definition, expectations_dir)
    existing += [p for p in gx_files if p.exists()]
    if existing and not force:
        raise ScaffoldError(
            "these files exist already; nothing was written (use --force to replace them):\n"
            + "\n".join(f"  {p}" for p in existing)
        )

    # -- write ---------------------------------------------------------------------------------------
    written: dict[str, Path] = {}
    notes = list(table.notes)
    paths["definition"].parent.mkdir(parents=True, exist_ok=True)
    paths["definition"].write_text(text, encoding="utf-8")
    written["definition"] = paths["definition"]
    paths["sample"].parent.mkdir(parents=True, exist_ok=True)
    if not _same(paths["sample"], sample):
        shutil.copyfile(sample, paths["sample"])
    written["sample"] = paths["sample"]

    report = check_file(provider, paths["sample"], sources_dir=sources_dir, definition=definition)
    if not report.ok:
        raise ScaffoldError(f"the sample does not load with the drafted definition: {report.error}")
    if report.set_aside:
        notes.append(
            f"{len(report.set_aside)} row(s) of the sample would be set aside: "
            + "; ".join(f"{line}: {reason}" for line, _, reason in report.set_aside[:5])
        )
    if "NO COLUMN IS UNIQUE" in key_reason:
        notes.append(f"no unique key in the sample: {key[0]} is a placeholder; set the real key in the definition")
    for column in columns:
        if column.personal:
            notes.append(
                f"{column.name} ({column.label}) looks like personal data: personal: true, kept out of staging"
            )
        if column.arabic_title:
            notes.append(f"{column.name} has an Arabic title ({column.label}): give it a meaningful name")

    paths["staging model"].parent.mkdir(parents=True, exist_ok=True)
    paths["staging model"].write_text(render.staging_sql(definition, sample_name), encoding="utf-8")
    written["staging model"] = paths["staging model"]
    written["dbt sources"] = _add_entry(
        sources_yml, "sources", render.source_table_entry(definition), render.sources_yaml(definition), force
    )
    written["dbt models"] = _add_entry(
        models_yml, "models", render.model_entry(definition), render.models_yaml(definition), force
    )

    gx.add_suite(definition, expectations_dir, replace=force)
    written["GX suite"] = gx_files[0]
    written["GX checkpoint"] = gx_files[2]

    paths["test"].parent.mkdir(parents=True, exist_ok=True)
    expected = {
        "rows_read": report.rows_read,
        "rows_loaded": report.rows_loaded,
        "rows_rejected": report.rows_rejected,
        "rows_duplicate": report.rows_duplicate,
    }
    paths["test"].write_text(
        render.test_module(definition, sample_name, render.sources_reference(sources_dir, tests_dir), expected),
        encoding="utf-8",
    )
    written["test"] = paths["test"]

    return ScaffoldResult(
        provider=provider,
        kind=kind,
        definition=definition,
        written=written,
        sample=table,
        columns=columns,
        check=report,
        next_steps=next_steps(definition, written, sample_name),
        notes=notes,
    )


def _same(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and (a.samefile(b) or a.read_bytes() == b.read_bytes())
    except OSError:
        return False


def _has_entry(path: Path, section: str, name: str) -> bool:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if section == "models":
        return any(m.get("name") == name for m in data.get("models") or [])
    return any(
        t.get("name") == name
        for s in data.get("sources") or []
        if s.get("name") == "raw"
        for t in s.get("tables") or []
    )


def _add_entry(path: Path, section: str, entry: dict, new_text: str, force: bool) -> Path:
    """Create the provider's dbt YAML, or add the entry to it: appended as text when the file ends
    with the list it belongs to (comments and layout kept), else rewritten from its data."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(new_text, encoding="utf-8")
        return path
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text) or {"version": 2}
    name = entry["name"]

    def target_list(d: dict) -> list:
        if section == "models":
            return d.setdefault("models", [])
        raw = next((s for s in d.setdefault("sources", []) if s.get("name") == "raw"), None)
        if raw is None:
            raw = {"name": "raw", "schema": "raw", "tables": []}
            d["sources"].append(raw)
        return raw.setdefault("tables", [])

    items = target_list(data)
    if any(i.get("name") == name for i in items):
        if not force:
            raise ScaffoldError(f"{path} already has {name}")
        items[:] = [i for i in items if i.get("name") != name]
        path.write_text(render.dump_yaml(data), encoding="utf-8")
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
        items = target_list(data)
    # append as text, indented like the last item of the list, then check the result
    indent = _list_indent(text, section)
    if indent is not None:
        block = render.dump_yaml([entry])
        appended = (
            text.rstrip("\n")
            + "\n"
            + "".join((" " * indent + line if line.strip() else line) + "\n" for line in block.splitlines())
        )
        try:
            check = yaml.safe_load(appended)
            if target_list(check)[-1] == entry and len(target_list(check)) == len(items) + 1:
                path.write_text(appended, encoding="utf-8")
                return path
        except yaml.YAMLError:
            pass
    items.append(entry)
    path.write_text(render.dump_yaml(data), encoding="utf-8")
    return path


def _list_indent(text: str, section: str) -> int | None:
    """Indentation of the items of the list that ends the file (models: or the raw source's tables:)."""
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    marker = "models:" if section == "models" else "tables:"
    for index in range(len(lines) - 1, -1, -1):
        if lines[index].strip() == marker:
            after = lines[index + 1 :]
            items = [line for line in after if line.lstrip().startswith("- ")]
            return len(items[0]) - len(items[0].lstrip()) if items else None
    return None


def next_steps(definition: SourceDefinition, written: dict[str, Path], sample_name: str) -> str:
    provider, table = definition.provider, definition.table
    model = render.model_name(definition)
    test = written.get("test")
    return "\n".join(
        [
            "Next steps:",
            f"  1. Review {written['definition'].name} (sources/{provider}/): column names, types, key, personal "
            "columns, semantics, expected_every_days, description (lines marked REVIEW).",
            "  2. Check a delivery against it, without touching the warehouse:",
            f"       tadamon source check {provider} sources/{provider}/samples/{sample_name}",
            "  3. Run the generated test (it loads the sample into a test database):",
            f"       .venv/bin/python -m pytest {('tests/integration/' + test.name) if test else ''} -q",
            "  4. Build and test the staging model:",
            f"       dbt build --select {model} --project-dir dbt_project --profiles-dir dbt_project",
            "  5. Take the source further (entity resolution, fct_funding, marts): docs/adding-a-source.md.",
            f"  6. Deliveries go to data/incoming/{provider}/; `tadamon run` loads them (asset raw/{table}, its "
            "sensor and freshness check come from the YAML, no Python change).",
        ]
    )
