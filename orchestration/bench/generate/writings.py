"""How a value is written in a delivery: the per-record random generators, ICE check digits, amounts
as numbers or French text, dates as cells or text, register and receipt numbers in their several
writings, Arabic spelling variants."""

from __future__ import annotations

import calendar
import datetime as dt
import random
import re

from orchestration.bench.generate.vocabulary import ARABIC_INDIC

# Salts of the per-record generators (ints: Python's hash of ints and tuples is not randomised).
S_ORG, S_REG, S_MZ, S_JAM, S_INDH, S_ADH, S_SES, S_BAD = range(1, 9)


# -- small helpers ---------------------------------------------------------------------------------
def record_rng(seed: int, salt: int, uid: int) -> random.Random:
    return random.Random(hash((seed, salt, uid)))


def weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs)
    return rng.choices(values, weights)[0]


def month_end(base: dt.date, months: int) -> dt.date:
    month0 = base.month - 1 + months
    year, month = base.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    if start >= end:
        return end
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def ice_with_check(body13: str) -> str:
    """A 15-digit ICE whose last two digits are the ISO 7064 mod 97-10 check of the first 13."""
    check = 98 - (int(body13) * 100) % 97
    return f"{body13}{check:02d}"


def wrong_check(ice: str) -> str:
    check = (int(ice[-2:]) + 37) % 100
    return ice[:-2] + f"{check:02d}"


def _group_thousands(integer: int, sep: str) -> str:
    text = str(integer)
    groups = []
    while text:
        groups.insert(0, text[-3:])
        text = text[:-3]
    return sep.join(groups)


def amount_text(
    value: float, rng: random.Random, *, arabic_digits: bool = True, narrow: bool = True, dh_share: float = 0.35
) -> str:
    """A French amount writing: `1 250 000,00`, `1 250 000,00 DH`, no-break or narrow spaces,
    sometimes Arabic-Indic digits with `٫`."""
    cents = int(round(value * 100))
    integer, frac = divmod(cents, 100)
    if arabic_digits and rng.random() < 0.04:
        return f"{integer},{frac:02d}".translate(ARABIC_INDIC).replace(",", "٫")
    seps = [" ", "\u00a0"] + (["\u202f"] if narrow else [])
    text = f"{_group_thousands(integer, rng.choice(seps))},{frac:02d}"
    if rng.random() < dh_share:
        text += " DH"
    return text


def xlsx_amount(value: float, rng: random.Random):
    """A workbook amount cell: a number more often than not, else French text."""
    if rng.random() < 0.55:
        return int(value) if float(value).is_integer() else round(value, 2)
    return amount_text(value, rng)


def csv_amount(value: float, rng: random.Random, utf8: bool) -> str:
    """The wilaya's decimal comma, now and then with thousands spaces (and `DH`)."""
    if rng.random() < 0.9:
        return f"{value:.2f}".replace(".", ",")
    return amount_text(value, rng, arabic_digits=utf8, narrow=utf8, dh_share=0.3)


def date_cell(day: dt.date, rng: random.Random, excel: bool):
    """An Excel date cell, `dd/mm/yyyy` or `yyyy-mm-dd`."""
    r = rng.random()
    if excel and r < 0.65:
        return day
    if r < 0.82:
        return day.strftime("%d/%m/%Y")
    return day.isoformat()


def register_writing(city: str, year: int, seq: int, rng: random.Random, arabic_digits: bool) -> str:
    """One of the ways the providers write a cooperative register number."""
    forms = [
        f"{city}/{year}/{seq:04d}",
        f"{city}/{year}/{seq}",
        f"{seq}/{year} {city}",
        f"{seq}-{year}-{city}",
        f"{city}-{year}-{seq}",
        f"{city} {year} {seq:04d}",
    ]
    if arabic_digits and rng.random() < 0.08:
        return f"{city}/{str(year).translate(ARABIC_INDIC)}/{f'{seq:04d}'.translate(ARABIC_INDIC)}"
    return rng.choice(forms)


def receipt_writing(year: int, seq: int, rng: random.Random, arabic_digits: bool) -> str:
    text = rng.choice([f"{year}/{seq}", f"{seq}/{year}"])
    if arabic_digits and rng.random() < 0.15:
        text = text.translate(ARABIC_INDIC)
    return text


_HAMZA = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا"})


def arabic_variant(text: str, rng: random.Random, form_word: str | None) -> str:
    """The same Arabic name as another file writes it."""
    if form_word and rng.random() < 0.12 and text.startswith(form_word + " "):
        text = text[len(form_word) + 1 :]
    if rng.random() < 0.25:
        text = text.translate(_HAMZA)
    if rng.random() < 0.2:
        text = re.sub(r"ة(?=\s|$)", "ه", text)
    if rng.random() < 0.06:
        first, _, rest = text.partition(" ")
        if len(first) > 3:
            cut = len(first) // 2 + 1
            text = f"{first[:cut]}ـ{first[cut:]}" + (f" {rest}" if rest else "")
    if rng.random() < 0.06:
        text = f"  {text} "
    return text
