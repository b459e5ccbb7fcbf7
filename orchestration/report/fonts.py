"""The fonts of an HTML edition, inside it: the Noto faces the stylesheet names, cut down to the
characters the page uses (fontTools keeps the Arabic joining forms and ligatures) and written as
WOFF2 data in @font-face rules, so that the page looks the same on a machine without them.
A face missing here is skipped: the stylesheet falls back to the reader's system fonts.

Cutting a face takes about half a second and the characters change little from night to night,
so each cut is kept in a cache folder, named by the font file's bytes, the cut's options and the
characters: the same inputs give the same bytes, read back instead of cut again."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import subprocess
import time
from functools import cache
from pathlib import Path

# (family named in bilan.css, weight, fontconfig pattern)
FACES = {
    "fr": (("Noto Sans", 400, "Noto Sans:regular"), ("Noto Sans", 700, "Noto Sans:bold")),
    "ar": (
        ("Noto Naskh Arabic", 400, "Noto Naskh Arabic:regular"),
        ("Noto Naskh Arabic", 700, "Noto Naskh Arabic:bold"),
        ("Noto Sans", 400, "Noto Sans:regular"),
        ("Noto Sans", 700, "Noto Sans:bold"),
    ),
}
# fontTools' subset options for a cut (part of its name in the cache)
CUT_OPTIONS = {"flavor": "woff2", "layout_features": ["*"], "name_IDs": ["*"]}
CACHE_KEEP_DAYS = 30  # a cut not used for this long is removed from the cache


@cache
def font_file(pattern: str) -> str | None:
    """The file fontconfig gives for the pattern, only when it is the family asked for."""
    fc_match = shutil.which("fc-match")
    if not fc_match:
        return None
    family = pattern.split(":")[0]
    try:
        found = subprocess.run(
            [fc_match, "-f", "%{family}\t%{file}", pattern], capture_output=True, text=True, timeout=10, check=True
        ).stdout
    except (subprocess.SubprocessError, OSError):
        return None
    families, _, path = found.partition("\t")
    return path if family in families.split(",") and path else None


def _cut(path: str, text: str) -> bytes:
    from fontTools import subset

    options = subset.Options()
    for name, value in CUT_OPTIONS.items():
        setattr(options, name, value)
    font = subset.load_font(path, options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    out = io.BytesIO()
    subset.save_font(font, out, options)
    return out.getvalue()


def cut_name(path: str, text: str) -> str:
    """The cache's name for the cut of this font file to these characters."""
    from fontTools import version

    key = hashlib.sha256(Path(path).read_bytes())
    key.update(json.dumps([version, CUT_OPTIONS, text], sort_keys=True).encode())
    return f"{key.hexdigest()}.woff2"


def cut_font(path: str, text: str, cache_dir: Path) -> bytes:
    """The face in `path` cut to the characters of `text`, as WOFF2: from the cache, or cut and kept there."""
    cached = cache_dir / cut_name(path, text)
    try:
        data = cached.read_bytes()
    except FileNotFoundError:
        data = _cut(path, text)
        cache_dir.mkdir(parents=True, exist_ok=True)
        partial = cached.with_name(f"{cached.name}.{os.getpid()}.partial")  # another build may be writing it too
        partial.write_bytes(data)
        os.replace(partial, cached)
    else:
        os.utime(cached)  # in use: kept by prune_cache
    return data


def prune_cache(cache_dir: Path, now: float | None = None) -> None:
    """Remove the cuts not used for CACHE_KEEP_DAYS (the characters of a page change over the months),
    and what a build stopped while writing left."""
    oldest = (now or time.time()) - CACHE_KEEP_DAYS * 86400
    for path in cache_dir.iterdir() if cache_dir.is_dir() else ():
        if path.stat().st_mtime < oldest:
            path.unlink(missing_ok=True)


def font_faces(lang: str, text: str, cache_dir: Path) -> str:
    """@font-face rules for the edition's faces, holding the glyphs of `text`."""
    rules = []
    for family, weight, pattern in FACES[lang]:
        path = font_file(pattern)
        if path is None:
            continue
        data = base64.b64encode(cut_font(path, text, cache_dir)).decode("ascii")
        rules.append(
            f'@font-face {{ font-family: "{family}"; font-weight: {weight}; '
            f'src: url(data:font/woff2;base64,{data}) format("woff2"); }}'
        )
    return "\n".join(rules)


def characters(*pages: str) -> str:
    """The characters the pages show: one text for all the editions, so a face shared by two
    editions is cut once."""
    from html import unescape

    return "".join(sorted(set().union(*(set(unescape(page)) for page in pages))))


def embed_fonts(html: str, lang: str, text: str, cache_dir: Path) -> str:
    """The page with its fonts (holding the glyphs of `text`) placed before its stylesheet's rules."""
    faces = font_faces(lang, text, cache_dir)
    return html.replace("<style>\n", f"<style>\n{faces}\n", 1) if faces else html
