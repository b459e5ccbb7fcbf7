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


def status_text(outcome) -> str:
    """The receipt's status: `chargé` only when rows were loaded with all their values."""
    if outcome.status == "loaded" and not outcome.rows_read:
        return "reçu, vide : aucune ligne de données sous l'en-tête, rien n'a été intégré"
    if outcome.status == "loaded" and not outcome.rows_loaded:
        return "reçu, aucune ligne retenue : toutes les lignes ont été écartées (détail ci-dessous)"
    if outcome.status == "loaded" and getattr(outcome, "uncomputed", None):
        return "intégré avec réserves : des valeurs calculées manquent (détail ci-dessous)"
    return STATUS_FR.get(outcome.status, outcome.status)


def receipt_text(outcome) -> str:
    lines = [
        f"Accusé de réception — {outcome.provider} — {outcome.file_name}",
        f"Empreinte SHA-256 : {outcome.sha256}",
        f"Statut : {status_text(outcome)}",
    ]
    if outcome.error:
        lines.append(f"Motif : {outcome.error}")
    for title, count in (getattr(outcome, "uncomputed", None) or {}).items():
        lines.append(
            f"Colonne {title!r} : {count} cellule(s) calculée(s) (formule) enregistrée(s) sans valeur, "
            "lue(s) vide(s) ; ouvrez le classeur dans Excel, enregistrez-le et renvoyez-le"
        )
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


def receipt_stem(sha256: str, file_name: str, status: str, load_id: int | None) -> str:
    """The receipt's file name without .txt/.json, in receipts/<provider>/ (the drop box finds it so)."""
    from orchestration.ingest.limits import stored_name

    stem = stored_name(sha256, file_name)
    return f"{stem}.doublon-{load_id}" if status == "duplicate" else stem


def write_receipt(receipts_dir: Path, outcome) -> Path:
    folder = receipts_dir / outcome.provider
    folder.mkdir(parents=True, exist_ok=True)
    stem = receipt_stem(outcome.sha256, outcome.file_name, outcome.status, outcome.load_id)
    data = dataclasses.asdict(outcome)
    data = {**{k: data.pop(k) for k in ("provider", "file_name", "sha256", "status")}, **data}  # who, then what
    data["statut"] = status_text(outcome)
    data["set_aside"] = [{"line": line, "kind": kind, "reason": reason} for line, kind, reason in outcome.set_aside]
    data.pop("receipt_path", None)
    (folder / f"{stem}.json").write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    text_path = folder / f"{stem}.txt"
    text_path.write_text(receipt_text(outcome), encoding="utf-8")
    return text_path
