"""The receipt of a delivered file: what was loaded, what was set aside and why, line by line.
It is what the council sends back to the provider, so its text is in French."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

STATUS_FR = {
    "loaded": "chargé",
    "duplicate": "doublon d'un fichier déjà reçu, non rechargé",
    "rejected": "rejeté, conservé en quarantaine",
}


def receipt_text(outcome) -> str:
    lines = [
        f"Accusé de réception — {outcome.provider} — {outcome.file_name}",
        f"Empreinte SHA-256 : {outcome.sha256}",
        f"Statut : {STATUS_FR.get(outcome.status, outcome.status)}",
    ]
    if outcome.error:
        lines.append(f"Motif : {outcome.error}")
    if outcome.status == "loaded":
        for earlier in getattr(outcome, "supersedes", None) or ():
            lines.append(f"Remplace, pour la même période : {earlier} (conservé dans l'archive)")
        lines += row_lines(outcome)
    findings = getattr(outcome, "findings", None)
    if findings:
        lines.append("")
        lines.append("Contrôles de qualité (avertissements) :")
        lines += [f"  - {finding}" for finding in findings]
    return "\n".join(lines) + "\n"


def row_lines(report, loaded: str = "Lignes chargées", rejected: str = "Lignes écartées") -> list[str]:
    """What happened to a file's rows, line by line: shared by the receipts and `tadamon source check`
    (which says what *would* happen, with its own labels)."""
    lines = [
        f"Lignes de données lues : {report.rows_read}",
        f"{loaded} : {report.rows_loaded}",
        f"{rejected} : {report.rows_rejected}",
        f"Lignes en double : {report.rows_duplicate}",
    ]
    if report.extra_columns:
        lines.append("Colonnes non prévues, conservées telles quelles : " + ", ".join(report.extra_columns))
    if report.missing_columns:
        lines.append("Colonnes facultatives absentes : " + ", ".join(map(str, report.missing_columns)))
    if report.set_aside:
        lines.append("")
        lines.append("Détail des lignes écartées ou en double :")
        lines += [f"  - {line} : {reason}" for line, _, reason in report.set_aside]
    return lines


def write_receipt(receipts_dir: Path, outcome) -> Path:
    folder = receipts_dir / outcome.provider
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{outcome.sha256[:12]}_{outcome.file_name}"
    if outcome.status == "duplicate":
        stem += f".doublon-{outcome.load_id}"
    data = dataclasses.asdict(outcome)
    data = {**{k: data.pop(k) for k in ("provider", "file_name", "sha256", "status")}, **data}  # who, then what
    data["set_aside"] = [{"line": line, "kind": kind, "reason": reason} for line, kind, reason in outcome.set_aside]
    data.pop("receipt_path", None)
    (folder / f"{stem}.json").write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    text_path = folder / f"{stem}.txt"
    text_path.write_text(receipt_text(outcome), encoding="utf-8")
    return text_path
