"""Expected file names as the providers' staff read them: a definition's `file_pattern` (a regular
expression) rendered as an example, `MOUAZARA_FM_AAAAMMJJ.xlsx`, never as the expression itself.
The French words of the date placeholders, and the Arabic of the message for a provider whose files
are written in Arabic, live here."""

from __future__ import annotations

import re
import re._parser as sre  # the standard library's own parser of regular expressions

# a group named `period` of n digits is a date, written as the providers write it
PERIOD_PLACEHOLDERS = {8: "AAAAMMJJ", 6: "AAAAMM", 4: "AAAA"}
PLACEHOLDER_WORDS_FR = {"AAAA": "année", "MM": "mois", "JJ": "jour"}
PLACEHOLDER_WORDS_AR = {"AAAA": "السنة", "MM": "الشهر", "JJ": "اليوم"}
ANY = "…"
ARABIC = re.compile(r"[\u0600-\u06FF]")


def _digits(items) -> int | None:
    """The number of digits a piece matches, when it is a fixed run of digits."""
    if len(items) != 1:
        return None
    op, arg = items[0]
    if op == sre.MAX_REPEAT and arg[0] == arg[1]:
        count = _digits(list(arg[2]))
        return count * arg[0] if count else None
    if op == sre.IN and arg == [(sre.CATEGORY, sre.CATEGORY_DIGIT)]:
        return 1
    return None


def _digit_range(items) -> tuple[int, int] | None:
    """(fewest, most) digits a piece matches, when it is a run of digits (`\\d{6,8}`)."""
    if len(items) == 1 and items[0][0] == sre.MAX_REPEAT and _digits(list(items[0][1][2])) == 1:
        return items[0][1][0], items[0][1][1]
    digits = _digits(items)
    return (digits, digits) if digits else None


def _period(items) -> str | None:
    """The placeholder of a `period` group: `AAAAMMJJ`, or `AAAAMM[JJ]` when the day may be left out."""
    span = _digit_range(items)
    if not span or span[0] not in PERIOD_PLACEHOLDERS or span[1] not in PERIOD_PLACEHOLDERS:
        return None
    short, long = PERIOD_PLACEHOLDERS[span[0]], PERIOD_PLACEHOLDERS[span[1]]
    return long if short == long else f"{short}[{long[len(short) :]}]"


def _render(items, names: dict[int, str]) -> str:
    out = []
    for op, arg in items:
        if op == sre.LITERAL:
            out.append(chr(arg))
        elif op == sre.SUBPATTERN:
            group, body = arg[0], list(arg[3])
            period = _period(body) if names.get(group) == "period" else None
            if period:
                out.append(period)
            else:
                out.append(_render(body, names))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            low, _high, body = arg
            digits = _digits(list(body))
            if digits:
                out.append("N" * digits * max(low, 1))
            elif len(body) == 1 and body[0][0] in (sre.ANY, sre.IN):  # letters, anything: shown as …
                out.append(ANY)
            else:
                out.append(_render(list(body), names) * low)
        elif op == sre.BRANCH:
            out.append(_render(list(arg[1][0]), names))
        elif op == sre.IN:
            out.append("N" if arg == [(sre.CATEGORY, sre.CATEGORY_DIGIT)] else ANY)
        elif op == sre.ANY:
            out.append(ANY)
        # anchors (AT) and look-arounds match no character of the name
    return "".join(out)


def example_file_name(pattern: re.Pattern) -> str:
    """`MOUAZARA_FM_(?P<period>\\d{8})\\.xlsx` -> `MOUAZARA_FM_AAAAMMJJ.xlsx`."""
    parsed = sre.parse(pattern.pattern, pattern.flags)
    names = {number: name for name, number in pattern.groupindex.items()}
    return _render(list(parsed), names)


def _legend(examples: list[str], words: dict[str, str], item: str, separator: str) -> str:
    used = [p for p in words if any(p in e for e in examples)]
    return separator.join(item.format(placeholder=p, word=words[p]) for p in used)


def writes_arabic(definitions) -> bool:
    """A provider writes in Arabic when the column titles of its files are in Arabic (the wilaya)."""
    return any(ARABIC.search(c.title or "") for d in definitions for c in d.columns)


def unrecognised_file_name(provider: str, definitions) -> str:
    """The reason given for a file whose name no definition of the provider matches: in French, and
    in Arabic too for a provider that writes in Arabic."""
    examples = [d.file_name_example for d in definitions]
    if not examples:
        return f"nom de fichier non reconnu pour {provider} (aucun fichier n'est encore défini pour ce fournisseur)"
    legend = _legend(examples, PLACEHOLDER_WORDS_FR, "{placeholder} : {word}", ", ")
    message = f"nom de fichier non reconnu pour {provider} : attendu {' ou '.join(examples)}" + (
        f" ({legend})" if legend else ""
    )
    if writes_arabic(definitions):
        legend_ar = _legend(examples, PLACEHOLDER_WORDS_AR, "{placeholder}: {word}", "، ")
        message += f" / اسم الملف غير مطابق لما هو متوقع من {provider}: {' أو '.join(examples)}" + (
            f" ({legend_ar})" if legend_ar else ""
        )
    return message


def strip_copy_suffix(file_name: str) -> str:
    """`wilaya_jamiyat_202610 (1).csv` -> `wilaya_jamiyat_202610.csv`: a second download's name."""
    return re.sub(r"\s*\(\d+\)(?=\.[^.]+$)", "", file_name)
