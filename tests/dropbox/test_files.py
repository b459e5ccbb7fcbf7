"""File names the drop box accepts, and how a confirmed file enters incoming/ (no database)."""

from __future__ import annotations

import os

import pytest

from orchestration.dropbox.uploads import place_in_incoming, sanitise_name
from orchestration.ingest.file_names import strip_copy_suffix


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("wilaya_jamiyat_202610.csv", "wilaya_jamiyat_202610.csv"),
        ("wilaya_jamiyat_202610 (1).csv", "wilaya_jamiyat_202610 (1).csv"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\amina\\Bureau\\REG_COOP_FM_20261031.xlsx", "REG_COOP_FM_20261031.xlsx"),
        (".hidden.csv", "hidden.csv"),
        ("..", None),
        ("", None),
        ("a\x00b\r\n.csv", "ab.csv"),
        ("<b onclick=x>.csv", "_b onclick_x_.csv"),
        ("<script>alert(1)</script>.csv", "script_.csv"),
        ("جمعيات  أكتوبر.csv", "جمعيات أكتوبر.csv"),
        ("x" * 300 + ".csv", "x" * 196 + ".csv"),
    ],
)
def test_file_names_are_sanitised(raw, clean):
    assert sanitise_name(raw) == clean


def test_a_confirmed_file_never_replaces_one_waiting(tmp_path):
    incoming = tmp_path / "incoming" / "wilaya"
    incoming.mkdir(parents=True)
    (incoming / "wilaya_jamiyat_202610.csv").write_bytes(b"first")
    (incoming / "wilaya_jamiyat_202610 (1).csv").write_bytes(b"second")
    names = []
    for content in (b"third", b"fourth"):
        staged = tmp_path / "pending" / content.decode() / "wilaya_jamiyat_202610.csv"
        staged.parent.mkdir(parents=True)
        staged.write_bytes(content)
        names.append(place_in_incoming(staged, incoming))
        assert not staged.exists()
    assert names == ["wilaya_jamiyat_202610 (2).csv", "wilaya_jamiyat_202610 (3).csv"]
    assert {p.name: p.read_bytes() for p in incoming.iterdir()} == {
        "wilaya_jamiyat_202610.csv": b"first",
        "wilaya_jamiyat_202610 (1).csv": b"second",
        "wilaya_jamiyat_202610 (2).csv": b"third",
        "wilaya_jamiyat_202610 (3).csv": b"fourth",
    }
    # the loader reads every one of them as the associations file
    assert {strip_copy_suffix(p.name) for p in incoming.iterdir()} == {"wilaya_jamiyat_202610.csv"}


def test_a_copy_across_file_systems_is_linked_whole(tmp_path, monkeypatch):
    """Where a hard link from pending/ is impossible, a copy is written whole outside the provider's
    folder, then linked into it."""
    incoming = tmp_path / "incoming" / "chambre"
    staged = tmp_path / "pending" / "chambre_adherents_20261101.json"
    staged.parent.mkdir()
    staged.write_bytes(b'{"adherents": []}')
    real_link = os.link

    def link(src, dst, *args, **kwargs):
        if str(src) == str(staged):
            raise OSError(18, "Invalid cross-device link")
        assert os.path.dirname(src) == str(incoming.parent)  # not in a folder the loader reads
        return real_link(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "link", link)
    assert place_in_incoming(staged, incoming) == staged.name
    assert [p.name for p in incoming.iterdir()] == [staged.name]
    assert [p.name for p in incoming.parent.iterdir()] == ["chambre"]
    assert (incoming / staged.name).read_bytes() == b'{"adherents": []}'
