"""The bilan's HTML fonts: a face is cut once for a set of characters, then read from the cache."""

from __future__ import annotations

import os
import time

import pytest

from orchestration.report import fonts


@pytest.fixture
def face() -> str:
    for pattern in ("Noto Sans:regular", "DejaVu Sans:regular"):
        if path := fonts.font_file(pattern):
            return path
    pytest.skip("neither Noto Sans nor DejaVu Sans is installed")


def test_a_cut_is_kept_and_read_back_for_the_same_characters(face, tmp_path, monkeypatch):
    first = fonts.cut_font(face, "Bilan 2026", tmp_path)
    assert first[:4] == b"wOF2"
    assert [p.name for p in tmp_path.iterdir()] == [fonts.cut_name(face, "Bilan 2026")]

    def cut_again(path, text):
        raise AssertionError(f"cut again for {text!r}")

    monkeypatch.setattr(fonts, "_cut", cut_again)
    assert fonts.cut_font(face, "Bilan 2026", tmp_path) == first
    with pytest.raises(AssertionError, match="cut again for 'Bilan 2027'"):
        fonts.cut_font(face, "Bilan 2027", tmp_path)


def test_other_characters_make_another_cut(face, tmp_path):
    fonts.cut_font(face, "abc", tmp_path)
    fonts.cut_font(face, "abcé", tmp_path)
    assert len(list(tmp_path.iterdir())) == 2
    assert fonts.cut_name(face, "abc") != fonts.cut_name(face, "abcé")


def test_the_cache_drops_what_was_not_used_for_a_month(face, tmp_path):
    fonts.cut_font(face, "old", tmp_path)
    fonts.cut_font(face, "new", tmp_path)
    month_ago = time.time() - (fonts.CACHE_KEEP_DAYS + 1) * 86400
    old = tmp_path / fonts.cut_name(face, "old")
    os.utime(old, (month_ago, month_ago))
    left_over = tmp_path / "x.woff2.123.partial"
    left_over.write_bytes(b"")
    os.utime(left_over, (month_ago, month_ago))
    fonts.prune_cache(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == [fonts.cut_name(face, "new")]
    fonts.cut_font(face, "new", tmp_path)  # a cut read back is in use again
    assert (tmp_path / fonts.cut_name(face, "new")).stat().st_mtime > month_ago + 86400
