"""The loader's rules on periods (docs/history.md): which period a file is for, a late snapshot
refused, a corrected re-send taking the place of the earlier file of its period."""

from __future__ import annotations

from orchestration.ingest.definitions import SourceDefinition
from orchestration.ingest.file_names import strip_copy_suffix


def file_period(definition: SourceDefinition, file_name: str) -> str | None:
    """The period a file's name says it is for (its `period` group), or None."""
    match = definition.matches(strip_copy_suffix(file_name))
    return match.groupdict().get("period") if match else None


def late_snapshot_refusal(raw_conn, definition: SourceDefinition, period: str | None) -> str | None:
    """Why a snapshot file is refused: its period was never loaded and is older than the snapshot in
    force (a late or misdated file would otherwise roll the register back). A file for a period
    already loaded is a correction, and is taken: None."""
    if definition.semantics != "snapshot" or period is None:
        return None
    with raw_conn.cursor() as cur:
        cur.execute(
            """SELECT file_name, period, bool_or(period = %s) OVER () AS period_known
               FROM audit.load_file
               WHERE source_name = %s AND status = 'loaded' AND period IS NOT NULL
               ORDER BY period DESC, load_id DESC LIMIT 1""",
            (period, definition.table),
        )
        latest = cur.fetchone()
    if latest is None or latest[2] or latest[1] <= period:
        return None
    return (
        f"instantané du {period}, antérieur à celui en vigueur ({latest[0]}, période {latest[1]}) et d'une "
        "période jamais chargée : un envoi en retard ne remplace pas un état plus récent. Pour corriger une "
        "période déjà chargée, renvoyer le fichier de cette période ; sinon, rien à faire."
    )


def supersede_same_period(cur, source: str | None, period: str | None, load_id: int) -> list[str]:
    """A file for a period already loaded is a corrected re-send: it replaces the earlier file(s) of
    that period, which stay archived and in the audit as `superseded`. Their names, for the receipt."""
    if period is None or source is None:
        return []
    cur.execute(
        """UPDATE audit.load_file SET status = 'superseded'
           WHERE source_name = %s AND period = %s AND status = 'loaded' AND load_id <> %s
           RETURNING file_name, load_id""",
        (source, period, load_id),
    )
    return [f"{name} (chargement n° {load_id})" for name, load_id in sorted(cur.fetchall(), key=lambda r: r[1])]
