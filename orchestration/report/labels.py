"""The one place where the language picks a column or a word.

The report's queries return every label in both languages, as `<label>_fr` and `<label>_ar` beside
its `<label>_code` (or plain code column), the marts' naming for bilingual labels; the rendering
asks here for the column of its language."""

from __future__ import annotations

from orchestration.report.texts import LANGUAGES


def check_language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: choose one of {', '.join(LANGUAGES)}")
    return lang


def label_column(base: str, lang: str) -> str:
    """The column holding the `base` label in `lang`."""
    return f"{base}_{check_language(lang)}"


def label(row: dict, base: str, lang: str) -> str:
    """The row's `base` label in `lang`, falling back to the other language when it is empty."""
    value = row.get(label_column(base, lang))
    if value in (None, ""):
        other = next(code for code in LANGUAGES if code != lang)
        value = row.get(label_column(base, other))
    return "" if value is None else str(value)


def word(pair, lang: str) -> str:
    """A (French, Arabic) pair or a {lang: text} mapping, in `lang`."""
    if isinstance(pair, dict):
        return pair[check_language(lang)]
    return pair[LANGUAGES.index(check_language(lang))]
