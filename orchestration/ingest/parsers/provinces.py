"""The parser of the prefectures and provinces of the Fès-Meknès region, in free French or Arabic
writings, read from the project's seed ``dbt_project/seeds/reference/provinces.csv`` (read once and
cached), and the normalisation of Arabic text it matches on."""

from __future__ import annotations

import csv
import functools
import re
from pathlib import Path

from orchestration.ingest.parsers.cells import ARABIC_DIGITS, clean, fail, is_blank, strip_accents

PROVINCES_CSV = Path(__file__).resolve().parents[3] / "dbt_project/seeds/reference/provinces.csv"

# Leading words of a province writing that carry no information.
_PROVINCE_NOISE_WORDS = frozenset({"prefecture", "pref", "province", "prov", "de", "d", "du", "la", "عماله", "اقليم"})
# Other writings of a province name seen in the files (normalised keys).
_PROVINCE_ALIASES = {
    "fez": "03.231",
    "moulay yaacoub": "03.591",
    "moulay yaakoub": "03.591",
    "moulay yakoub": "03.591",
    "moulay yaqoub": "03.591",
}

# Arabic normalisation: hamza forms, ta marbuta, alif maqsura, digits.
_ARABIC_MAP = {
    ord("أ"): "ا",
    ord("إ"): "ا",
    ord("آ"): "ا",
    ord("ٱ"): "ا",
    ord("ؤ"): "و",
    ord("ئ"): "ي",
    ord("ة"): "ه",
    ord("ى"): "ي",
    ord("\u0640"): None,  # tatweel
    **ARABIC_DIGITS,
}
_ARABIC_DIACRITICS_RE = re.compile("[\u064b-\u065f\u0670]")


def _province_words(text: str) -> list[str]:
    """Words of a province writing, normalised, without leading noise words."""
    text = strip_accents(normalize_arabic(text).casefold())
    text = re.sub(r"[\-'’.,_/()]", " ", text)
    words = text.split()
    while len(words) > 1 and words[0] in _PROVINCE_NOISE_WORDS:
        words = words[1:]
    return words


def _province_key(text: str) -> str:
    """Letters-only matching key: ``El-Hajeb``, ``EL HAJEB``, ``Province
    d'El Hajeb`` all give ``elhajeb``."""
    return "".join(_province_words(text))


@functools.cache
def _province_index() -> dict[str, str]:
    """Matching key -> HCP province code, from the project's provinces seed."""
    index: dict[str, str] = {}
    with PROVINCES_CSV.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            code = row["province_code"]
            index[row["province_code"]] = code
            index[row["iso_3166_2"].upper()] = code
            index[_province_key(row["name_fr"])] = code
            index[_province_key(row["name_ar"])] = code
    for alias, code in _PROVINCE_ALIASES.items():
        index[_province_key(alias)] = code
    return index


def parse_province(value: object) -> str | None:
    """A prefecture or province of the region, in French or Arabic, to its
    HCP code (``03.231`` for Fès).

    The writing is normalised (case, accents, Arabic letter variants, ``-``
    ``'`` ``.`` as spaces, leading ``Préfecture de`` / ``Province d'`` /
    ``عمالة`` / ``إقليم`` dropped, spaces ignored) and compared with the
    names in the provinces seed and a few aliases (``Moulay Yaacoub``).  The
    HCP code and the ISO code (``MA-FES``) are accepted too.  A ``?`` left by
    a Windows-1256 export in place of ``É``/``È`` (``F?S``) is read as ``e``.
    """
    if is_blank(value):
        return None
    index = _province_index()
    text = clean(str(value))
    code = index.get(text.upper())
    if code is None:
        code = index.get(_province_key(text))
    if code is None and "?" in text:
        code = index.get(_province_key(text.replace("?", "e")))
    if code is None:
        raise fail("province hors de la région Fès-Meknès", value)
    return code


def normalize_arabic(text: str) -> str:
    """Arabic text for matching: no tatweel nor diacritics, hamza forms
    (أ إ آ ٱ) as ا, ؤ as و, ئ as ي, ة as ه, ى as ي, Arabic-Indic digits as
    ASCII digits, white space collapsed, stripped.  Other characters are left
    as they are."""
    text = _ARABIC_DIACRITICS_RE.sub("", text.translate(_ARABIC_MAP))
    return " ".join(text.split())
