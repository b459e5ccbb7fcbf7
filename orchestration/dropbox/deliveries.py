"""A provider's deliveries through the drop box: the dry run of an upload, its confirmation into
`incoming/<provider>/`, and what the loader made of it (audit.load_file and the receipt). Every
query is scoped to the signed-in user's provider: another provider's delivery is not found."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from orchestration.dropbox.accounts import User, record
from orchestration.dropbox.uploads import Upload, discard, place_in_incoming
from orchestration.ingest.file_names import PLACEHOLDER_WORDS_AR, PLACEHOLDER_WORDS_FR
from orchestration.ingest.receipts import receipt_stem
from orchestration.scaffold.check import CheckReport, check_file, provider_definitions
from orchestration.settings import SOURCES_DIR, Settings
from orchestration.warehouse import engine

# what the page may show of a dry run: the receipt's fields, never the preview of the rows' values
REPORT_FIELDS = (
    "status",
    "source",
    "period",
    "encoding",
    "error",
    "rows_read",
    "rows_loaded",
    "rows_rejected",
    "rows_duplicate",
    "extra_columns",
    "missing_columns",
)
# "statut": the receipt's own words for its status, where the loader writes them
RECEIPT_FIELDS = (
    "status",
    "statut",
    "error",
    "rows_read",
    "rows_loaded",
    "rows_rejected",
    "rows_duplicate",
    "extra_columns",
    "missing_columns",
    "findings",
)


@dataclass
class Delivery:
    delivery_id: int
    provider: str
    file_name: str
    sha256: str
    size_bytes: int
    uploaded_at: Any
    login: str
    check_status: str
    report: dict
    confirmed_at: Any
    cancelled_at: Any
    incoming_name: str | None
    load_status: str | None = None  # audit.load_file's status, once the loader took it
    load_id: int | None = None
    loaded_at: Any = None

    @property
    def stage(self) -> str:
        """checked (waiting for confirmation), refused (the dry run rejects it), cancelled, waiting (in
        incoming/), or the loader's status: loaded, duplicate, rejected, superseded."""
        if self.load_status:
            return self.load_status
        if self.cancelled_at:
            return "cancelled"
        if self.confirmed_at:
            return "waiting"
        return "checked" if self.check_status == "would_load" else "refused"


def expected_names(provider: str, sources_dir: Path = SOURCES_DIR) -> list[str]:
    """The provider's file names as its staff read them (`REG_COOP_FM_AAAAMMJJ.xlsx`)."""
    return [d.file_name_example for d in provider_definitions(provider, sources_dir)]


def placeholder_legend(lang: str) -> str:
    """`AAAA : année, MM : mois, JJ : jour`, in the page's language."""
    words = PLACEHOLDER_WORDS_AR if lang == "ar" else PLACEHOLDER_WORDS_FR
    return ("، " if lang == "ar" else ", ").join(f"{p} : {w}" for p, w in words.items())


def dry_run(provider: str, upload: Upload, sources_dir: Path = SOURCES_DIR) -> dict:
    """`tadamon source check` on the upload, kept to what the receipt would show."""
    report: CheckReport = check_file(provider, upload.path, sources_dir=sources_dir)
    data = {name: getattr(report, name) for name in REPORT_FIELDS}
    data["set_aside"] = [{"line": line, "kind": kind, "reason": reason} for line, kind, reason in report.set_aside]
    if report.status == "no_definition":
        # check_file's hint names a command and a server path, meant for the council's staff
        data["error"] = None
        data["expected"] = expected_names(provider, sources_dir)
    return data


def record_upload(url: str, user: User, upload: Upload, report: dict, client: str | None) -> int:
    with engine(url).begin() as conn:
        delivery_id = conn.execute(
            sa.text("""insert into audit.dropbox_delivery (user_id, provider, file_name, sha256, size_bytes,
                                                           check_status, check_report, client_addr)
                       values (:u, :p, :f, :sha, :size, :status, cast(:report as jsonb), :c) returning delivery_id"""),
            {
                "u": user.user_id,
                "p": user.provider,
                "f": upload.file_name,
                "sha": upload.sha256,
                "size": upload.size,
                "status": report["status"],
                "report": json.dumps(report, ensure_ascii=False, default=str),
                "c": client,
            },
        ).scalar()
        record(
            conn,
            "upload_checked",
            user=user,
            client=client,
            delivery_id=delivery_id,
            file_name=upload.file_name,
            sha256=upload.sha256,
            detail=f"{report['status']}, {upload.size} bytes",
        )
    return delivery_id


def record_refusal(url: str, user: User, client: str | None, reason: str, file_name: str | None = None) -> None:
    with engine(url).begin() as conn:
        record(conn, "upload_refused", user=user, client=client, file_name=file_name, detail=reason)


_SELECT = """select d.delivery_id, d.provider, d.file_name, d.sha256, d.size_bytes, d.uploaded_at, u.login,
                    d.check_status, d.check_report, d.confirmed_at, d.cancelled_at, d.incoming_name,
                    l.status as load_status, l.load_id, l.loaded_at
             from audit.dropbox_delivery d
             join audit.dropbox_user u using (user_id)
             left join lateral (select status, load_id, loaded_at from audit.load_file f
                                where f.provider = d.provider and f.sha256 = d.sha256
                                  and f.file_name = d.incoming_name and f.loaded_at >= d.confirmed_at
                                order by load_id limit 1) l on true   -- the first load after confirmation
             where d.provider = :provider"""


def _delivery(row) -> Delivery:
    data = row._asdict()
    data["report"] = data.pop("check_report")
    return Delivery(**data)


def _already_loaded(conn, incoming_dir: Path, delivery: Delivery) -> Delivery:
    """A confirmed file that left incoming/ without a load of its own: the loader found its bytes
    loaded before; the delivery shows that load and its receipt."""
    if (
        delivery.confirmed_at
        and not delivery.load_status
        and not (incoming_dir / delivery.provider / delivery.incoming_name).exists()
    ):
        row = conn.execute(
            sa.text("""select status, load_id, loaded_at, file_name from audit.load_file
                                      where provider = :p and sha256 = :sha order by load_id limit 1"""),
            {"p": delivery.provider, "sha": delivery.sha256},
        ).first()
        if row:
            delivery.load_status, delivery.load_id, delivery.loaded_at = row.status, row.load_id, row.loaded_at
            delivery.incoming_name = row.file_name
    return delivery


def list_deliveries(url: str, provider: str, incoming_dir: Path, limit: int = 100) -> list[Delivery]:
    with engine(url).connect() as conn:
        rows = conn.execute(
            sa.text(_SELECT + " order by d.delivery_id desc limit :limit"), {"provider": provider, "limit": limit}
        ).all()
        return [_already_loaded(conn, incoming_dir, _delivery(r)) for r in rows]


def get_delivery(url: str, provider: str, delivery_id: int, incoming_dir: Path) -> Delivery | None:
    with engine(url).connect() as conn:
        row = conn.execute(
            sa.text(_SELECT + " and d.delivery_id = :id"), {"provider": provider, "id": delivery_id}
        ).first()
        return _already_loaded(conn, incoming_dir, _delivery(row)) if row else None


def pending_folder(pending_dir: Path, delivery_id: int) -> Path:
    return pending_dir / f"delivery-{delivery_id}"


def confirm(url: str, settings: Settings, pending_dir: Path, user: User, delivery: Delivery, client: str | None) -> str:
    """Move a checked upload into incoming/<provider>/; returns the name it was given there."""
    staged = pending_folder(pending_dir, delivery.delivery_id) / delivery.file_name
    with engine(url).begin() as conn:
        # the row lock makes a double click confirm once
        still = conn.execute(
            sa.text("""select 1 from audit.dropbox_delivery where delivery_id = :id and confirmed_at is null
                       and cancelled_at is null and check_status = 'would_load' for update"""),
            {"id": delivery.delivery_id},
        ).first()
        if still is None or not staged.is_file():
            raise LookupError("not confirmable")
        name = place_in_incoming(staged, settings.incoming_dir / delivery.provider)
        conn.execute(
            sa.text("""update audit.dropbox_delivery set confirmed_at = now(), incoming_name = :n
                                where delivery_id = :id"""),
            {"n": name, "id": delivery.delivery_id},
        )
        record(
            conn,
            "delivery_confirmed",
            user=user,
            client=client,
            delivery_id=delivery.delivery_id,
            file_name=name,
            sha256=delivery.sha256,
        )
    discard(staged.parent)
    return name


def cancel(url: str, pending_dir: Path, user: User, delivery: Delivery, client: str | None) -> bool:
    with engine(url).begin() as conn:
        done = conn.execute(
            sa.text("""update audit.dropbox_delivery set cancelled_at = now() where delivery_id = :id
                       and confirmed_at is null and cancelled_at is null returning 1"""),
            {"id": delivery.delivery_id},
        ).first()
        if done:
            record(
                conn,
                "delivery_cancelled",
                user=user,
                client=client,
                delivery_id=delivery.delivery_id,
                file_name=delivery.file_name,
                sha256=delivery.sha256,
            )
    discard(pending_folder(pending_dir, delivery.delivery_id))
    return bool(done)


def receipt_paths(settings: Settings, delivery: Delivery) -> tuple[Path, Path] | None:
    """The loader's receipt of a delivery (.json, .txt), once it exists."""
    if not delivery.load_status or not delivery.incoming_name:
        return None
    stem = receipt_stem(delivery.sha256, delivery.incoming_name, delivery.load_status, delivery.load_id)
    folder = settings.receipts_dir / delivery.provider
    paths = folder / f"{stem}.json", folder / f"{stem}.txt"
    return paths if paths[0].is_file() else None


def final_receipt(settings: Settings, delivery: Delivery) -> dict | None:
    paths = receipt_paths(settings, delivery)
    if paths is None:
        return None
    data = json.loads(paths[0].read_text(encoding="utf-8"))
    receipt = {name: data.get(name) for name in RECEIPT_FIELDS}
    receipt["set_aside"] = data.get("set_aside") or []
    return receipt
