"""The fonts of an HTML edition, inside it: the Noto faces the stylesheet names, cut down to the
characters the page uses (fontTools keeps the Arabic joining forms and ligatures) and written as
WOFF2 data in @font-face rules, so that the page looks the same on a machine without them.
A face missing here is skipped: the stylesheet falls back to the reader's system fonts."""

from __future__ import annotations

import base64
import io
import shutil
import subprocess
from functools import cache

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


@cache
def _subset(path: str, text: str) -> bytes:
    from fontTools import subset

    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    font = subset.load_font(path, options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    out = io.BytesIO()
    subset.save_font(font, out, options)
    return out.getvalue()


def font_faces(lang: str, text: str) -> str:
    """@font-face rules for the edition's faces, holding the glyphs of `text`."""
    rules = []
    for family, weight, pattern in FACES[lang]:
        path = font_file(pattern)
        if path is None:
            continue
        data = base64.b64encode(_subset(path, text)).decode("ascii")
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


def embed_fonts(html: str, lang: str, text: str) -> str:
    """The page with its fonts (holding the glyphs of `text`) placed before its stylesheet's rules."""
    faces = font_faces(lang, text)
    return html.replace("<style>\n", f"<style>\n{faces}\n", 1) if faces else html
