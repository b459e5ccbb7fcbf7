"""Column names for a new source: the provider's titles as safe snake_case names, and which titles
look like personal data."""

from __future__ import annotations

import re
import unicodedata

from orchestration.ingest.definitions import MAX_TABLE_NAME, RESERVED_WORDS, SAFE_NAME

MAX_NAME = 41
# A sample's file name reaches YAML comments, a dbt model (Jinja) and a Python test: letters of any
# script, digits and a few separators only, so that no quote, brace, `#`, `%`, `$`, backslash or
# control character can ever end up interpreted there.
SAMPLE_NAME = re.compile(r"^\w[\w .()+,-]{0,150}$")
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
# Titles of columns that hold personal data (phone, e-mail, identity card, a person's name).
_PERSONAL_LATIN = re.compile(
    r"\b(t[eé]l[eé]?phone|t[eé]l|tel|gsm|mobile|portable|fax|e[-\s]?mail|courriel|mail|cin|cine|cnie|"
    r"carte\s+nationale|carte\s+d.identit[eé]|identit[eé]|n[°o]?\s*cin|passeport|pr[eé]nom|nom\s+(?:et|&)\s+pr[eé]nom|"
    r"nom\s+du\s+(?:pr[eé]sident|responsable|g[eé]rant|b[eé]n[eé]ficiaire|candidat)|date\s+de\s+naissance|"
    r"adresse\s+personnelle|phone|contact)\b",
    re.IGNORECASE,
)
_PERSONAL_ARABIC = (
    "الهاتف",
    "هاتف",
    "البطاقة",
    "البطاقه",
    "البريد",
    "الالكتروني",
    "الإلكتروني",
    "اسم الرئيس",
    "الاسم الشخصي",
    "الاسم العائلي",
    "تاريخ الازدياد",
    "الجوال",
)


def is_arabic(text: str) -> bool:
    return bool(_ARABIC.search(text or ""))


def looks_personal(title: str) -> bool:
    """Whether a column title (or JSON path) names personal data."""
    text = unicodedata.normalize("NFC", str(title or ""))
    spaced = re.sub(r"[._/\-]+", " ", text)  # contact.telephone, e_mail
    if _PERSONAL_LATIN.search(spaced):
        return True
    return any(word in text for word in _PERSONAL_ARABIC)


def snake_case(title: str) -> str:
    """`Coût total (DH)` -> `cout_total_dh`; `N° Immatriculation` -> `n_immatriculation`.
    Latin accents are transliterated; anything else that is not a letter or a digit becomes `_`.
    Returns "" when nothing Latin is left (an Arabic title)."""
    text = unicodedata.normalize("NFKD", str(title or ""))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE").replace("ß", "ss")
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text)  # camelCase -> camel_case
    text = text.lower()
    text = re.sub(r"[^a-z0-9]+", "_", text.encode("ascii", "ignore").decode())
    return text.strip("_")


def safe_column_name(candidate: str, position: int, taken: set[str]) -> str:
    """A name that passes the definition checks: the pattern, not a reserved word, not ending in
    `_raw`, unique among `taken` (which it is added to). `position` (1-based) names Arabic or empty
    titles: `col_<n>`."""
    name = candidate or f"col_{position}"
    if not name[0].isalpha():
        name = f"col_{name}"
    if name.endswith("_raw"):
        name = name[: -len("_raw")] + "_raw_text"
    if name in RESERVED_WORDS:
        name = f"{name}_value"
    name = name[:MAX_NAME].rstrip("_")
    base, n = name, 2
    while name in taken or not SAFE_NAME.match(name) or name.endswith("_raw"):
        suffix = f"_{n}"
        name = base[: MAX_NAME - len(suffix)].rstrip("_") + suffix
        n += 1
    taken.add(name)
    return name


def check_identifier(kind: str, value: str) -> None:
    """Provider and file-kind names: the same rule as the definitions'."""
    if not isinstance(value, str) or not SAFE_NAME.match(value):
        raise ValueError(
            f"{kind} {value!r} is not a safe name: use lower-case letters, digits and _ "
            "(starting with a letter, at most 41 characters), e.g. anapec or insertions"
        )


def check_table_name(provider: str, kind: str) -> None:
    table = f"{provider}__{kind}"
    if len(table) > MAX_TABLE_NAME:
        raise ValueError(
            f"the table name {table!r} is longer than {MAX_TABLE_NAME} characters; "
            "choose a shorter provider or file kind"
        )


def check_sample_name(name: str) -> None:
    """Refuse a sample file name that could inject code into what the scaffold writes."""
    if not SAMPLE_NAME.match(name):
        bad = sorted({c for c in name if not re.match(r"[\w .()+,-]", c)})
        shown = ", ".join(repr(c) for c in bad) or "its first character or length"
        raise ValueError(
            f"sample file name {name!r} is refused ({shown}): rename the file with letters, digits, "
            "spaces and . _ - ( ) + , only"
        )
