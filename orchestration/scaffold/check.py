"""`tadamon source check <provider> <file>`: read a delivery with its definition, as the loader would,
without touching the warehouse, and say what would be loaded and what would be set aside, and why
(the receipt, in advance). The text is in French, like the receipts the providers get."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orchestration.ingest.definitions import DefinitionError, SourceDefinition, load_definition
from orchestration.ingest.file_names import strip_copy_suffix, unrecognised_file_name
from orchestration.ingest.readers import FileRejected, open_delivery
from orchestration.ingest.receipts import row_lines
from orchestration.ingest.rows import RowCounts, classify_rows, json_safe, table_columns
from orchestration.ingest.stored_files import file_sha256
from orchestration.settings import SOURCES_DIR

PREVIEW_ROWS = 3


@dataclass
class CheckReport(RowCounts):
    provider: str
    file_name: str
    sha256: str | None
    status: str  # would_load, would_reject, no_definition, definition_error
    source: str | None = None  # raw table name, <provider>__<name>
    definition_path: Path | None = None
    error: str | None = None
    period: str | None = None
    encoding: str | None = None
    extra_columns: list[str] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)
    preview: list[dict[str, Any]] = field(default_factory=list)  # first loaded rows, personal columns left out

    @property
    def ok(self) -> bool:
        """The file would be loaded (some rows may still be set aside)."""
        return self.status == "would_load"

    @property
    def exit_code(self) -> int:
        """0: would load, every row; 1: would load, some rows set aside; 2: the file would be rejected;
        3: no usable definition."""
        if self.status == "would_load":
            return 0 if not self.set_aside else 1
        return 2 if self.status == "would_reject" else 3

    def format(self) -> str:
        lines = [
            f"Vérification avant chargement (rien n'est écrit dans l'entrepôt) — {self.provider} — {self.file_name}",
        ]
        if self.sha256:
            lines.append(f"Empreinte SHA-256 : {self.sha256}")
        if self.definition_path:
            lines.append(f"Définition : {self.definition_path}")
        if self.source:
            lines.append(f"Table : raw.{self.source}" + (f" — période {self.period}" if self.period else ""))
        status = {
            "would_load": "serait chargé",
            "would_reject": "serait rejeté et conservé en quarantaine",
            "no_definition": "aucune définition ne reconnaît ce fichier",
            "definition_error": "définition invalide",
        }[self.status]
        lines.append(f"Statut : {status}")
        if self.error:
            lines.append(f"Motif : {self.error}")
        if self.status == "would_load":
            if self.encoding:
                lines.append(f"Encodage : {self.encoding}")
            lines += row_lines(self, loaded="Lignes qui seraient chargées", rejected="Lignes qui seraient écartées")
            if self.preview:
                lines.append("")
                lines.append(f"Aperçu des {len(self.preview)} premières lignes chargées (valeurs lues) :")
                for row in self.preview:
                    lines.append("  - " + ", ".join(f"{k}={v}" for k, v in row.items() if v is not None))
        return "\n".join(lines) + "\n"

    def to_json(self) -> str:
        data = {k: (str(v) if isinstance(v, Path) else v) for k, v in self.__dict__.items()}
        data["set_aside"] = [{"line": n, "kind": k, "reason": r} for n, k, r in self.set_aside]
        return json.dumps(data, ensure_ascii=False, indent=2, default=str)


def provider_definitions(provider: str, sources_dir: Path = SOURCES_DIR) -> list[SourceDefinition]:
    """The provider's definitions, read now (not cached: a definition just edited is seen)."""
    return [load_definition(p) for p in sorted((sources_dir / provider).glob("*.yml"))]


def check_file(
    provider: str, file: Path, *, sources_dir: Path = SOURCES_DIR, definition: SourceDefinition | None = None
) -> CheckReport:
    """What landing `file` from `provider` would do, without a database. With `definition`, that
    definition is used instead of looking one up in `sources_dir`."""
    file = Path(file)
    name = strip_copy_suffix(file.name)
    report = CheckReport(provider=provider, file_name=file.name, sha256=None, status="would_load")
    if not file.is_file():
        report.status, report.error = "would_reject", f"fichier introuvable : {file}"
        return report
    report.sha256 = file_sha256(file)
    if definition is None:
        try:
            definitions = provider_definitions(provider, sources_dir)
        except DefinitionError as exc:
            report.status, report.error = "definition_error", str(exc)
            return report
        definition = next((d for d in definitions if d.matches(name)), None)
        if definition is None:
            report.status = "no_definition"
            report.error = (
                f"{unrecognised_file_name(provider, definitions)}; "
                f"pour une nouvelle source : tadamon source new {provider} <type> --sample {file}"
            )
            return report
    report.source = definition.table
    report.definition_path = definition.path
    match = definition.matches(name)
    report.period = match.groupdict().get("period") if match else None
    try:
        _simulate(file, definition, report)
    except FileRejected as exc:
        report.status, report.error = "would_reject", str(exc)
        report.reset_counts()
        report.preview = []
    return report


def _simulate(path: Path, definition: SourceDefinition, report: CheckReport) -> None:
    """The row loop of Lander._parse, without the database: the same duplicates, the same reasons."""
    opened = open_delivery(path, definition)
    report.encoding = opened.encoding
    report.extra_columns = opened.extra_columns
    report.missing_columns = opened.missing_columns
    shown = [
        (i, n, c) for i, (n, _, c) in enumerate(table_columns(definition)) if not c.personal and not n.endswith("_raw")
    ]
    for line, kind, parsed, reason, _, _ in classify_rows(definition, opened.rows):
        report.count(line, kind, reason)
        if kind == "loaded" and len(report.preview) < PREVIEW_ROWS:
            report.preview.append(json_safe({n: parsed[i] for i, n, _ in shown}))
