"""Landing: every file in `incoming/<provider>/` is fingerprinted, loaded whole or not at all into its
raw table with COPY, archived unchanged, and accounted for in `audit.load_file`.

Outcomes: `loaded` (rows in raw, the set-aside rows in `audit.rejected_row`), `duplicate` (these bytes
were loaded before: recorded, not loaded again), `rejected` (the file cannot be read: kept untouched in
the quarantine folder with the reason). A file is only removed from `incoming/` once its bytes are
safely archived or quarantined.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg2

from orchestration.dbt_manifest import built_table_statistics_target
from orchestration.ingest import limits, receipts
from orchestration.ingest.definitions import SourceDefinition, definition_for, load_definitions
from orchestration.ingest.file_names import strip_copy_suffix, unrecognised_file_name
from orchestration.ingest.periods import file_period, late_snapshot_refusal, supersede_same_period
from orchestration.ingest.raw_tables import COPY_COLUMNS, LOADER_ROLE, raw_table_ddl
from orchestration.ingest.readers import FileRejected, formulas_without_values, open_delivery
from orchestration.ingest.rows import RowCounts, classify_rows, json_safe, table_columns
from orchestration.ingest.stored_files import Spool, file_sha256, private_copy, private_folder
from orchestration.settings import SOURCES_DIR, Settings
from orchestration.suites.findings import findings_for_rows
from orchestration.warehouse import engine

if TYPE_CHECKING:
    from orchestration.ingest.columnar.threads import Meanwhile

log = logging.getLogger(__name__)

# the server or the network, not the file: raised for the step to retry, never quarantined
TRANSIENT_ERRORS = (psycopg2.OperationalError, psycopg2.InterfaceError, ConnectionError)

COPY_READ_BYTES = 1 << 20
# a set-aside row as the loader writes it for COPY (`_set_aside_row`): the file's, then the row's
SET_ASIDE_COLUMNS = ("load_id", "sha256", "file_name", "line", "kind", "reason", "raw_row")


@dataclass
class FileOutcome(RowCounts):
    provider: str
    file_name: str
    sha256: str
    status: str
    source: str | None = None
    load_id: int | None = None
    encoding: str | None = None
    extra_columns: list[str] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)
    error: str | None = None
    stored_path: str | None = None
    receipt_path: str | None = None
    period: str | None = None
    findings: list[str] = field(default_factory=list)  # warning-level quality findings on the rows
    supersedes: list[str] = field(default_factory=list)  # earlier files of the same period this one replaces
    uncomputed: dict[str, int] = field(default_factory=dict)  # formula cells saved without a value, by column


def lock_wait_seconds() -> int:
    return int(os.environ.get("TADAMON_LOCK_WAIT_SECONDS") or 600)


def _next_load_id(raw_conn) -> int:
    with raw_conn.cursor() as cur:
        cur.execute("SELECT nextval('audit.load_file_load_id_seq')")
        return cur.fetchone()[0]


class Lander:
    def __init__(self, settings: Settings, url: str, sources_dir: Path = SOURCES_DIR):
        self.settings = settings
        self.url = url
        self.sources_dir = sources_dir  # where the source definitions are read from

    def land_pending(self, providers: tuple[str, ...] | None = None) -> list[FileOutcome]:
        """Land every entry of each provider's folder: each one is loaded, or set aside with a
        receipt saying why; one file's failure never stops the provider's other files."""
        outcomes = []
        for provider in providers or sorted({d.provider for d in load_definitions(self.sources_dir)}):
            folder = self.settings.incoming_dir / provider
            if not folder.is_dir():
                continue
            for path in self._landing_order(provider, sorted(folder.iterdir(), key=lambda p: os.fsencode(p.name))):
                outcomes.append(self._land_isolated(path, provider))
        return outcomes

    def _landing_order(self, provider: str, paths: list[Path]) -> list[Path]:
        """Sorted by name, except that when the same bytes arrive under several names, the name of
        the latest period goes first: it is the one loaded, the others are its duplicates."""
        by_sha: dict[str, list[Path]] = {}
        for path in paths:
            if limits.refusal(path) is None:
                with contextlib.suppress(OSError):
                    by_sha.setdefault(file_sha256(path), []).append(path)
        first_of: dict[Path, list[Path]] = {}
        for same in by_sha.values():
            if len(same) > 1:
                first_of[same[0]] = sorted(same, key=lambda p: self._period_of(provider, p.name) or "", reverse=True)
        ordered, placed = [], set()
        for path in paths:
            if path in placed:
                continue
            group = first_of.get(path, [path])
            ordered += group
            placed.update(group)
        return ordered

    def _period_of(self, provider: str, name: str) -> str | None:
        definition = definition_for(provider, strip_copy_suffix(name), self.sources_dir)
        return file_period(definition, name) if definition else None

    def _land_isolated(self, path: Path, provider: str) -> FileOutcome:
        """Land one entry; any error but the server's own is that file's alone: quarantined with a
        receipt (the server going away is retried by the step, so it is raised)."""
        refusal = limits.refusal(path)
        if refusal is not None:
            return self._set_aside(path, provider, refusal)
        try:
            return self.land_file(path, provider)
        except TRANSIENT_ERRORS:
            raise
        except Exception as exc:  # noqa: BLE001 - one poison file must not stop the others
            log.exception("%s/%s: unexpected error while landing", provider, limits.printable_name(path.name))
            return self._set_aside(
                path, provider, f"erreur inattendue pendant le chargement ({type(exc).__name__} : {str(exc)[:300]})"
            )

    def _set_aside(self, path: Path, provider: str, reason: str) -> FileOutcome:
        """Quarantine an entry that cannot be landed as a file (a symlink, a FIFO, a poison name or
        content), without following or opening it, and give it a receipt."""
        name = limits.printable_name(path.name)
        try:
            regular = stat.S_ISREG(path.lstat().st_mode)
            sha = file_sha256(path) if regular else hashlib.sha256(os.fsencode(path.name)).hexdigest()
            size = path.lstat().st_size
            received_at = dt.datetime.fromtimestamp(path.lstat().st_mtime, tz=dt.UTC)
        except OSError as exc:
            sha, size, received_at, regular = (
                hashlib.sha256(os.fsencode(path.name)).hexdigest(),
                0,
                dt.datetime.now(dt.UTC),
                False,
            )
            reason += f" ({exc.strerror})"
        outcome = FileOutcome(provider=provider, file_name=name, sha256=sha, status="rejected", error=reason)
        target = private_folder(self.settings.quarantine_dir / provider) / limits.stored_name(sha, name)
        try:
            os.rename(path, target)  # the entry itself, never what a link points to
        except OSError:
            if not regular:  # another file system: left where it is, the receipt says so each night
                target = path
                outcome.error += " (laissé dans le dossier de dépôt : à retirer à la main)"
            else:
                private_copy(path, target.parent, target.name)
                path.unlink()
        if regular and target != path:
            os.chmod(target, 0o600)
        outcome.stored_path = limits.printable_name(str(target))
        raw_conn = engine(self.url).raw_connection()
        try:
            self._record(raw_conn, outcome, received_at, size)
            raw_conn.commit()
        finally:
            raw_conn.close()
        log.warning("%s/%s set aside: %s", provider, name, reason)
        return self._finish(outcome)

    def land_file(self, path: Path, provider: str, reload: bool = False, file_name: str | None = None) -> FileOutcome:
        """Land one file. With `reload`, an archived file (`file_name`: its name as delivered) is
        loaded again in place of its earlier load."""
        sha = file_sha256(path)
        file_name = file_name or path.name
        outcome = FileOutcome(provider=provider, file_name=file_name, sha256=sha, status="loaded")
        received_at = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC)
        raw_conn = engine(self.url).raw_connection()
        try:
            previous = self._previous_load(raw_conn, sha)
            if previous and not reload and self._left_behind(path, previous, file_name):
                # loaded and archived, then the process stopped before removing it from incoming/
                path.unlink()
                outcome.status, outcome.load_id = "loaded", previous[0]
                outcome.error = f"déjà chargé le {previous[2]:%d/%m/%Y %H:%M} (chargement n° {previous[0]})"
                return outcome
            if previous and not reload:
                outcome.status = "duplicate"
                outcome.error = (
                    f"fichier identique à {previous[1]!r}, déjà chargé le "
                    f"{previous[2]:%d/%m/%Y %H:%M} (chargement n° {previous[0]})"
                )
                stored = private_copy(
                    path,
                    self.settings.archive_dir / provider / "duplicates",
                    f"{dt.datetime.now():%Y%m%dT%H%M%S}_{path.name}",
                )
                outcome.stored_path = str(stored)
                self._record(raw_conn, outcome, received_at, path.stat().st_size)
                raw_conn.commit()
                path.unlink()
                return self._finish(outcome)

            definition = definition_for(provider, strip_copy_suffix(file_name), self.sources_dir)
            if definition is None:
                known = [d for d in load_definitions(self.sources_dir) if d.provider == provider]
                return self._reject(
                    raw_conn, path, outcome, received_at, keep=reload, reason=unrecognised_file_name(provider, known)
                )
            outcome.source = definition.table
            outcome.period = file_period(definition, file_name)
            refusal = late_snapshot_refusal(raw_conn, definition, outcome.period)
            if refusal:
                return self._reject(raw_conn, path, outcome, received_at, keep=reload, reason=refusal)
            replaces = previous[0] if (previous and reload) else None
            # here, not at the top: polars takes half a second to import, which a night that lands
            # nothing (only duplicates or refused files) should not pay
            from orchestration.ingest import columnar
            from orchestration.ingest.columnar.threads import Meanwhile

            # formula cells counted in a thread meanwhile; an unreadable workbook is the reader's to reject
            counted = (
                Meanwhile(formulas_without_values, path, definition, default={})
                if definition.format == "xlsx"
                else None
            )
            try:
                file_plan, why = columnar.planned(path, definition)
            except FileRejected as exc:
                return self._reject(raw_conn, path, outcome, received_at, keep=reload, reason=str(exc), counted=counted)
            if file_plan is not None and self._land_columnar(
                raw_conn, path, definition, outcome, file_plan, received_at, reload, replaces
            ):
                if not reload:
                    path.unlink()
                return self._finish(outcome, counted)
            why = why or getattr(file_plan, "why", None)  # a Pending plan says why once its reader read the file
            log.info("%s/%s: row-by-row loader (%s)", provider, file_name, why or "fast path failed")
            try:
                spool, rejected = self._parse(raw_conn, path, definition, outcome)
            except FileRejected as exc:
                return self._reject(raw_conn, path, outcome, received_at, keep=reload, reason=str(exc), counted=counted)

            self._archive(path, outcome, reload)
            self._write(
                raw_conn,
                definition,
                outcome,
                spool.rewind(),
                lambda: rejected,
                received_at,
                path.stat().st_size,
                replaces=replaces,
            )
            if not reload:
                path.unlink()
            return self._finish(outcome, counted)
        except BaseException:
            raw_conn.rollback()
            raise
        finally:
            raw_conn.close()

    # -- steps ---------------------------------------------------------------------------------
    def _previous_load(self, raw_conn, sha: str):
        with raw_conn.cursor() as cur:
            cur.execute(
                "SELECT load_id, file_name, loaded_at, stored_path FROM audit.load_file "
                "WHERE sha256 = %s AND status = 'loaded'",
                (sha,),
            )
            return cur.fetchone()

    def _left_behind(self, path: Path, previous, file_name: str) -> bool:
        """The very file of an earlier load, still in incoming/: same name, same bytes, archived."""
        stored = Path(previous[3] or "")
        return previous[1] == file_name and stored.is_file() and stored.resolve() != path.resolve()

    def _parse(self, raw_conn, path: Path, definition: SourceDefinition, outcome: FileOutcome):
        opened = open_delivery(path, definition)
        outcome.encoding = opened.encoding
        outcome.extra_columns = opened.extra_columns
        outcome.missing_columns = opened.missing_columns
        if outcome.load_id is None:  # else the number the fast path took before it gave the file up
            outcome.load_id = _next_load_id(raw_conn)
        spool, rejected = Spool(), Spool()
        for line, kind, parsed, reason, values, extras in classify_rows(definition, opened.rows):
            outcome.count(line, kind, reason)
            if kind == "loaded":
                extra = json.dumps(json_safe(extras), ensure_ascii=False, default=str) if extras else None
                spool.write([line, extra, *parsed])
            else:
                rejected.write(_set_aside_row(outcome, line, kind, reason, _raw_json(values, extras)))
        return spool, rejected

    def _land_columnar(
        self, raw_conn, path: Path, definition, outcome: FileOutcome, file_plan, received_at, reload: bool, replaces
    ) -> bool:
        """Land a planned file by the fast path; False (nothing written) if it failed unexpectedly, or if
        a workbook or an export, read meanwhile in the reader's thread, is not one it serves: the
        row-by-row loader takes over."""
        from orchestration.ingest import columnar
        from orchestration.ingest.columnar.threads import BlockReader

        reader = columnar.reader(path, definition, file_plan)

        def set_aside() -> Spool:
            outcome.encoding, outcome.missing_columns = reader.reported_encoding, reader.missing_columns
            outcome.take_counts(reader.result)
            spool = Spool()
            for (line, kind, reason), raw_row in zip(reader.result.set_aside, reader.result.raw_rows):
                spool.write(_set_aside_row(outcome, line, kind, reason, raw_row))
            return spool

        # numbered and archived first: done while the reader's thread reads, each step waited for the
        # interpreter (the other thread holds it up to its switch interval, 5 ms) and the copy took up
        # to ten times longer on a busy machine
        outcome.load_id = _next_load_id(raw_conn)
        self._archive(path, outcome, reload)
        # the file is read and parsed in a thread from here on, while this one prepares the raw table
        blocks = BlockReader(reader.copy_blocks())
        try:
            self._write(
                raw_conn,
                definition,
                outcome,
                blocks,
                set_aside,
                received_at,
                path.stat().st_size,
                replaces=replaces,
                delimiter=reader.copy_delimiter,
            )
        except Exception:
            defect = blocks.error  # raised while reading and parsing the file, handed to COPY as a read error
            if defect is None:
                raise  # the server's own error
            if isinstance(defect, columnar.NotServed):  # read in the thread: a file the row-by-row loader takes
                raw_conn.rollback()
                outcome.reset_counts()
                return False
            if isinstance(defect, (psycopg2.Error, OSError)):
                raise defect  # noqa: B904 - the server or the disk: the row-by-row loader would fail the same way
            # a defect of the fast path must not cost a night's load: the row-by-row loader is the reference
            raw_conn.rollback()
            log.error(
                "%s/%s: the fast %s path failed; loading row by row",
                outcome.provider,
                outcome.file_name,
                definition.format.upper(),
                exc_info=defect,
            )
            outcome.reset_counts()
            return False
        finally:
            blocks.close()
        return True

    def _archive(self, path: Path, outcome: FileOutcome, reload: bool) -> None:
        """The delivered bytes, unchanged, in the archive (a reload reads the archived file itself)."""
        stored = (
            path
            if reload
            else private_copy(
                path,
                self.settings.archive_dir / outcome.provider,
                limits.stored_name(outcome.sha256, outcome.file_name),
            )
        )
        outcome.stored_path = str(stored)

    def _write(
        self, raw_conn, definition, outcome, rows, rejected, received_at, size, replaces=None, delimiter: str = ","
    ) -> None:
        """COPY the rows (a file of CSV lines: `COPY_COLUMNS`, then the definition's columns), then the
        set-aside rows: `rejected()` gives their spool (`_set_aside_row`) once the rows are read, when the
        counts in `outcome` are complete. The statements before and after the COPY go in as few round
        trips as they can: each one waits for the server, up to a few milliseconds on a busy machine."""
        names = [name for name, _, _ in table_columns(definition)]
        table = definition.qualified_table
        # The file's lineage is the same on every row: set as the columns' defaults for this load, the
        # server fills it in instead of parsing it on every line (a third of the bytes COPY would
        # read). ALTER TABLE holds the table exclusively until commit (as the DDL of raw_table_ddl
        # already does): no other session sees these defaults, dropped again before commit (or rolled
        # back with the load).
        per_file = {
            "_load_id": outcome.load_id,
            "_file_sha256": outcome.sha256,
            "_file_name": outcome.file_name,
            "_period": outcome.period,
        }
        with raw_conn.cursor() as cur:
            prepare = [
                f"SET LOCAL ROLE {LOADER_ROLE}",
                # another load writing this table (a daemon run beside a `tadamon run`) is waited for, up
                # to a deadline: then the step fails with the server's "lock timeout", and is retried
                cur.mogrify("SELECT set_config('lock_timeout', %s, true)", (f"{lock_wait_seconds()}s",)),
                cur.mogrify("SELECT pg_advisory_xact_lock(hashtext(%s))", (table,)),
                raw_table_ddl(definition),
            ]
            if replaces is not None:
                prepare += [
                    cur.mogrify(f"DELETE FROM {table} WHERE _file_sha256 = %s", (outcome.sha256,)),
                    cur.mogrify("DELETE FROM audit.rejected_row WHERE sha256 = %s", (outcome.sha256,)),
                    cur.mogrify(
                        "UPDATE audit.load_file SET status = 'superseded' WHERE sha256 = %s AND status = 'loaded'",
                        (outcome.sha256,),
                    ),
                ]
            prepare.append(
                cur.mogrify(
                    f"ALTER TABLE {table} " + ", ".join(f"ALTER {c} SET DEFAULT %s" for c in per_file),
                    tuple(per_file.values()),
                )
            )
            cur.execute(_one_round_trip(prepare))
            copy = cur.mogrify(
                f"COPY {table} ({', '.join(COPY_COLUMNS + names)}) FROM STDIN WITH (FORMAT csv, DELIMITER %s)",
                (delimiter,),
            )
            cur.copy_expert(copy.decode(), rows, size=COPY_READ_BYTES)
            set_aside = rejected()
            cur.execute(
                _one_round_trip(
                    [
                        f"ALTER TABLE {table} " + ", ".join(f"ALTER {c} DROP DEFAULT" for c in per_file),
                        self._record_statement(cur, outcome, received_at, size),
                    ]
                )
            )
            outcome.load_id = cur.fetchone()[0]
            outcome.supersedes = supersede_same_period(cur, outcome.source, outcome.period, outcome.load_id)
            if outcome.rows_rejected or outcome.rows_duplicate:
                cur.copy_expert(
                    f"COPY audit.rejected_row ({', '.join(SET_ASIDE_COLUMNS)}) FROM STDIN WITH (FORMAT csv)",
                    set_aside.rewind(),
                )
            # The raw table's statistics, from the small sample of the tables the night builds, for
            # the warning rules below and the models and checks that read it tonight: left to
            # autovacuum they come after its next pass, often after the build, and never on a server
            # where it is off (a national build's check of the participants, planned from one-row
            # estimates without them, ran for four and a half minutes: BENCHMARKS.md, part 9).
            # Then the warning rules read as the warehouse's owner, as the checks do.
            cur.execute(
                _one_round_trip(
                    [
                        cur.mogrify(
                            "SELECT set_config('default_statistics_target', %s, true)",
                            (str(built_table_statistics_target()),),
                        ),
                        f"ANALYZE {table}",
                        "RESET ROLE",
                    ]
                )
            )
            outcome.findings = findings_for_rows(cur, table, outcome.load_id)
        raw_conn.commit()

    def _record(self, raw_conn, outcome: FileOutcome, received_at, size) -> int:
        with raw_conn.cursor() as cur:
            cur.execute(self._record_statement(cur, outcome, received_at, size))
            outcome.load_id = cur.fetchone()[0]
        return outcome.load_id

    def _record_statement(self, cur, outcome: FileOutcome, received_at, size) -> bytes:
        """The file's row in audit.load_file; it gives back the load's number."""
        return cur.mogrify(
            """INSERT INTO audit.load_file (load_id, provider, source_name, file_name, sha256, size_bytes, period,
                   received_at, status, encoding, rows_read, rows_loaded, rows_rejected, rows_duplicate,
                   extra_columns, stored_path, error)
               VALUES (COALESCE(%s, nextval('audit.load_file_load_id_seq')),
                       %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
               RETURNING load_id""",
            (
                outcome.load_id,
                outcome.provider,
                outcome.source,
                outcome.file_name,
                outcome.sha256,
                size,
                outcome.period,
                received_at,
                outcome.status,
                outcome.encoding,
                outcome.rows_read,
                outcome.rows_loaded,
                outcome.rows_rejected,
                outcome.rows_duplicate,
                outcome.extra_columns,
                outcome.stored_path,
                outcome.error,
            ),
        )

    def _reject(
        self, raw_conn, path: Path, outcome: FileOutcome, received_at, *, keep: bool, reason: str, counted=None
    ) -> FileOutcome:
        outcome.status = "rejected"
        outcome.error = reason
        outcome.load_id = None
        outcome.reset_counts()
        size = path.stat().st_size
        stored = (
            path
            if keep
            else private_copy(
                path,
                self.settings.quarantine_dir / outcome.provider,
                limits.stored_name(outcome.sha256, outcome.file_name),
            )
        )
        outcome.stored_path = str(stored)
        self._record(raw_conn, outcome, received_at, size)
        raw_conn.commit()
        if not keep:
            path.unlink()
        log.warning("%s/%s rejected: %s", outcome.provider, outcome.file_name, reason)
        return self._finish(outcome, counted)

    def _finish(self, outcome: FileOutcome, counted: Meanwhile | None = None) -> FileOutcome:
        """The receipt; `counted`: the formula cells saved without a value, counted meanwhile."""
        if counted is not None:
            outcome.uncomputed = counted.result()
        outcome.receipt_path = str(receipts.write_receipt(self.settings.receipts_dir, outcome))
        return outcome


def _set_aside_row(outcome: FileOutcome, line: str, kind: str, reason: str, raw_row: str) -> list:
    """A set-aside row for COPY into audit.rejected_row (SET_ASIDE_COLUMNS)."""
    return [outcome.load_id, outcome.sha256, outcome.file_name, line, kind, reason, raw_row]


def _one_round_trip(statements: list[str | bytes]) -> str:
    """Statements (SQL text, or mogrified bytes with their values) as one string for one `execute`:
    the server runs them in order in the load's transaction, and the cursor holds the last one's result."""
    return ";\n".join(s.decode() if isinstance(s, bytes) else s for s in statements)


def _raw_json(values: dict, extras: dict) -> str:
    return json.dumps(json_safe({**values, **extras}), ensure_ascii=False, default=str)
