"""A battery of poison deliveries, each with what its receipt must say."""

from __future__ import annotations

import os
from pathlib import Path

WILAYA_HEADER = (
    "رقم الوصل النهائي;تاريخ الوصل;اسم الجمعية;الاسم بالفرنسية;العمالة أو الإقليم;الجماعة;"
    "مجال النشاط;تاريخ التأسيس;عدد المنخرطين;اسم الرئيس;رقم البطاقة الوطنية للرئيس;الهاتف;الوضعية"
)


def wilaya_row(receipt: str, name: str = "جمعية الأمل") -> str:
    return (
        f"{receipt};19/06/2019;{name};Association Al Amal;فاس;فاس;تنمية محلية;14/05/2019;27;يوسف بنعلي;"
        "B892666;0642419587;نشيطة"
    )


def deliver_poison(incoming: Path, secret: Path) -> dict[tuple[str, str], str]:
    """Write the poison files into `incoming/<provider>/`; returns {(provider, name as recorded):
    words its receipt's reason must hold}. `secret` is a private file a symlink points to."""
    expected = {}

    def put(provider: str, name, data: bytes, reason: str, recorded: str | None = None):
        folder = incoming / provider
        folder.mkdir(parents=True, exist_ok=True)
        path = os.path.join(os.fsencode(folder), name) if isinstance(name, bytes) else folder / name
        with open(path, "wb") as handle:
            handle.write(data)
        expected[(provider, recorded or name)] = reason

    put("wilaya", b"wilaya_jamiyat_202609\xff.csv", b"x", "hors UTF-8", recorded="wilaya_jamiyat_202609\\xff.csv")
    long_name = "wilaya_jamiyat_202608_" + "x" * 229 + ".csv"
    put("wilaya", long_name, b"x", "trop long")
    put("chambre", "chambre_adherents_20260901.json", b"[" * 1_000_000 + b"]" * 1_000_000, "imbriqué trop profondément")
    put(
        "wilaya",
        "wilaya_jamiyat_202607.csv",
        (WILAYA_HEADER + "\r\n" + wilaya_row("2019/1", "جمعية\0الأمل") + "\r\n").encode("utf-8"),
        "octet NUL",
    )
    put("wilaya", ".wilaya_jamiyat_202606.csv", (WILAYA_HEADER + "\r\n").encode("utf-8"), "caché")
    put("wilaya", "wilaya_jamiyat_202605.csv", b"", "vide")
    link = incoming / "wilaya" / "wilaya_jamiyat_202604.csv"
    link.symlink_to(secret)
    expected[("wilaya", link.name)] = "lien symbolique"
    fifo = incoming / "chambre" / "chambre_adherents_20260801.json"
    os.mkfifo(fifo)
    expected[("chambre", fifo.name)] = "fichier spécial"
    return expected
