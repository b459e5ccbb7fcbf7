"""Synthetic deliveries of the three providers, at any scale, written exactly as the contract
(`/work/shared/feeds/README.md`) says they arrive: the ministry's workbooks with their title block,
header found by its first cell and total line; the wilaya's `;`-separated CRLF CSV in Windows-1256
(or UTF-8 with a byte-order mark), Arabic headers and decimal comma; the chamber's JSON exports.

The quirks come in proportion: every writing of the register and receipt numbers (Arabic-Indic digits
where the encoding can hold them), ICE cells stored as numbers, names spelled differently from one
file to another (hamza forms, ة/ه, tatweel, stray spaces, legal-form word, transliterations, capitals),
province writings in both scripts, amounts as numbers or French text with U+0020/U+00A0/U+202F
thousands and ` DH`, a few rows that cannot be loaded, exact duplicate lines and planted business-rule
violations. `truth.json` beside the provider folders says what is in the files.

Deterministic: the same scale, seed and delivery give the same bytes (the workbooks are rewritten
with fixed zip dates and document properties). Writings of a record are drawn from a generator seeded
by the record, so they stay the same from one delivery to the next; only what really changes changes.

    generate(Path("out"), "region", seed=42)               # the first delivery (October 2026)
    generate(Path("out2"), "region", seed=42, delivery=1)  # the next month's delivery of the same world
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import json
import random
import re
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import openpyxl

# -- scales ----------------------------------------------------------------------------------------
#: named scales: (cooperatives, associations)
SCALES: dict[str, tuple[int, int]] = {
    "sample": (400, 500),         # the size of the contract's samples (about 900 organisations)
    "region": (6200, 24000),      # Fès-Meknès: about 6,200 cooperatives and 24,000 associations
    "nation": (65000, 265000),    # Morocco: about 65,000 cooperatives, 330,000 organisations in all
}
COOP_SHARE = 6200 / 30200
#: other volumes per organisation, from the samples (92 Mouazara projects, 151 INDH projects,
#: 303 chamber members and 31 sessions for about 900 organisations)
PER_ORGANISATION = {"mouazara": 0.100, "indh": 0.165, "adherents": 0.335, "sessions": 0.034, "gie": 0.004}
MEAN_SESSION_PARTICIPANTS = 24
#: what changes from one monthly delivery to the next
MONTHLY_GROWTH = {"orgs": 0.005, "mouazara": 0.01, "indh": 0.01, "adherents": 0.005, "sessions": 0.03}
STATUS_CHANGE_SHARE = 0.06  # of organisations change status once within a year of deliveries
#: month-to-month history, as a share of what is there the month before (docs/history.md)
STRUCK_OFF_SHARE = 0.02       # of the register's organisations are absent from the next snapshot
RETURN_SHARE = 0.3            # of the struck-off ones come back one or two months later
RENAME_SHARE = 0.005
MEMBERS_CHANGE_SHARE = 0.02
PROJECT_DROP_SHARE = 0.01     # Mouazara projects absent from the next snapshot
AMOUNT_CUT_SHARE = 0.015      # projects whose committed amount goes down

BASE_DATE = dt.date(2026, 10, 31)  # the register and Mouazara snapshots of delivery 0
FIXED_ZIP_TIME = (2026, 10, 31, 8, 0, 0)

# -- reference -------------------------------------------------------------------------------------
# (HCP code, register city code, weight, French writings, Arabic writings)
PROVINCES = [
    ("03.231", "FES", 22, ["Fès", "Fes", "FES", "Fès ", "Préfecture de Fès"], ["فاس", "عمالة فاس"]),
    ("03.061", "MKN", 18, ["Meknès", "Meknes", "MEKNES", "Préfecture de Meknès"], ["مكناس", "عمالة مكناس"]),
    ("03.131", "BLM", 6, ["Boulemane", "BOULEMANE", "Province de Boulemane"], ["بولمان", "إقليم بولمان"]),
    ("03.171", "HAJ", 6, ["El Hajeb", "EL HAJEB", "El-Hajeb", "Province d'El Hajeb"], ["الحاجب", "إقليم الحاجب"]),
    ("03.271", "IFR", 5, ["Ifrane", "IFRANE", "Province d'Ifrane"], ["إفران", "إقليم إفران", "افران"]),
    ("03.451", "SEF", 8, ["Sefrou", "SEFROU", "Province de Sefrou"], ["صفرو", "إقليم صفرو"]),
    ("03.531", "TAO", 13, ["Taounate", "TAOUNATE"], ["تاونات", "إقليم تاونات"]),
    ("03.561", "TAZ", 12, ["Taza", "TAZA", "Taza "], ["تازة", "تازه", "إقليم تازة"]),
    ("03.591", "MYQ", 5, ["Moulay Yacoub", "MOULAY YACOUB", "Moulay Yaacoub"], ["مولاي يعقوب", "إقليم مولاي يعقوب"]),
]
OUTSIDE_PROVINCES = (["Rabat", "Casablanca", "Préfecture de Rabat", "Marrakech"], ["الرباط", "الدار البيضاء", "مراكش"])

# Communes of the region by province (French, Arabic), from the project's reference seed.
_COMMUNES_FALLBACK = {p[0]: [(p[3][0].strip(), p[4][0])] for p in PROVINCES}


def _communes() -> dict[str, list[tuple[str, str]]]:
    from orchestration.settings import REFERENCE_DIR

    path = REFERENCE_DIR / "communes.csv"
    out: dict[str, list[tuple[str, str]]] = {code: [] for code, *_ in PROVINCES}
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                pair = (row["commune_name_fr"].strip(), row["commune_name_ar"].strip())
                if row["province_code"] in out and pair not in out[row["province_code"]]:
                    out[row["province_code"]].append(pair)
    except OSError:
        return _COMMUNES_FALLBACK
    return {code: (pairs or _COMMUNES_FALLBACK[code]) for code, pairs in out.items()}


# Name cores: Arabic, and Latin transliterations that a matcher may reconcile.
CORES = [
    ("الأمل", ["Al Amal", "Alamal", "El Amal"]),
    ("البركة", ["Al Baraka", "Albaraka", "El Baraka"]),
    ("الهدى", ["Al Houda", "Alhouda", "El Houda"]),
    ("الكرامة", ["Al Karama", "Alkarama", "El Karama"]),
    ("المستقبل", ["Al Moustakbal", "Almoustakbal", "El Moustakbal"]),
    ("الأصالة", ["Al Assala", "Alassala", "El Assala"]),
    ("الشروق", ["Achourouk", "Ach Chourouk", "Ech Chourouk"]),
    ("الفتح", ["Al Fath", "Alfath", "El Fath"]),
    ("الأطلس", ["Al Atlas", "Alatlas", "El Atlas"]),
    ("الخير", ["Al Khair", "Alkhair", "El Khair"]),
    ("السلام", ["As Salam", "Assalam", "Essalam"]),
    ("التضامن", ["Et Tadamoun", "Attadamoun", "At Tadamoun"]),
    ("الوفاء", ["Al Wafa", "Alwafa", "El Wafa"]),
    ("الفلاح", ["Al Fellah", "Alfellah", "El Fellah"]),
    ("الوحدة", ["Al Wahda", "Alwahda", "El Wahda"]),
    ("النور", ["An Nour", "Annour", "Ennour"]),
    ("الرياض", ["Ar Riad", "Arriad", "Er Riad"]),
    ("الياسمين", ["Al Yasmine", "Alyasmine", "El Yasmine"]),
    ("الإخلاص", ["Al Ikhlas", "Alikhlas", "El Ikhlas"]),
    ("الفجر", ["Al Fajr", "Alfajr", "El Fajr"]),
    ("تيفاوين", ["Tifaouine", "Tifaouine", "TIFAOUINE"]),
    ("تامونت", ["Tamount", "Tamount", "TAMOUNT"]),
    ("الربيع", ["Ar Rabii", "Arrabii", "Er Rabii"]),
    ("النسيم", ["An Nassim", "Annassim", "En Nassim"]),
    ("الزيتون", ["Az Zaytoune", "Azzaytoune", "Ez Zaytoune"]),
    ("الصفاء", ["As Safae", "Assafae", "Es Safae"]),
    ("الرحمة", ["Ar Rahma", "Arrahma", "Er Rahma"]),
    ("الإتقان", ["Al Itqane", "Alitqane", "El Itqane"]),
    ("النهضة", ["An Nahda", "Annahda", "En Nahda"]),
    ("الإبداع", ["Al Ibdaa", "Alibdaa", "El Ibdaa"]),
    ("الوئام", ["Al Wiam", "Alwiam", "El Wiam"]),
    ("الغد", ["Al Ghad", "Alghad", "El Ghad"]),
]
# Syllables of synthesized place names (douars, tribes): Arabic and a Latin transliteration. With the
# cores above they give the long tail of real names: many "Al Amal", and thousands of names of a
# douar or a tribe, as in the registers.
SYLLABLES = [("تا", "ta"), ("ما", "ma"), ("زي", "zi"), ("رو", "rou"), ("كا", "ka"), ("لا", "la"), ("بو", "bou"),
             ("سي", "si"), ("نو", "nou"), ("دا", "da"), ("غا", "gha"), ("مو", "mou"), ("حا", "ha"), ("فو", "fou"),
             ("را", "ra"), ("وا", "oua"), ("يو", "you"), ("شا", "cha"), ("قو", "kou"), ("جا", "ja"), ("عين", "ain"),
             ("بني", "beni"), ("تي", "ti")]
ENDINGS = [("ت", "t"), ("ن", "ne"), ("ر", "r"), ("ل", "l"), ("س", "s"), ("", ""), ("ين", "ine"), ("ة", "a")]
# name patterns: (Arabic template, French template, weight); {w} the distinctive word, {p} the activity
NAME_PATTERNS = [
    ("{w}", "{w}", 35),                                         # a common core: الأمل, Al Amal
    ("دوار {w} للتنمية", "Douar {w} pour le développement", 30),  # a douar's development association
    ("آيت {w}", "Aït {w}", 15),                                 # a tribe
    ("{w}", "{w}", 20),                                         # a place word as the distinctive word
]
# (Arabic with its preposition, French, craft of the chamber)
PRODUCTS = [
    ("للزربية", "Tapis", "tapis"), ("للنحاس", "Dinanderie", "dinanderie"), ("للخشب", "Bois", "bois"),
    ("للأعشاب الطبية", "Plantes médicinales", None), ("للتين", "Figues", None), ("للفخار", "Poterie", "poterie"),
    ("للزليج", "Zellige", "zellige"), ("للجلد", "Cuir", "maroquinerie"), ("للعسل", "Miel", None),
    ("للكسكس", "Couscous", None), ("للحليب", "Lait", None), ("للنسيج", "Tissage", "tissage"),
    ("للطرز", "Broderie", "broderie"), ("لزيت الزيتون", "Huile d'olive", None),
]
CRAFTS = ["tapis", "zellige", "dinanderie", "maroquinerie", "bois", "poterie", "tissage", "broderie",
          "couture traditionnelle"]
SECTORS = [("Agriculture", 45), ("Artisanat", 22), ("Denrées alimentaires", 8), ("Services", 6),
           ("Plantes aromatiques et médicinales", 5), ("Habitat", 4), ("Tourisme", 3), ("Forêt", 2)]
COOP_STATUS = [("Active", 87), ("En veille", 7), ("Dissoute", 3), ("En liquidation", 3)]
ASSOC_STATUS = [("نشيطة", 84), ("غير نشيطة", 13), ("منحلة", 3)]
ASSOC_FIELDS = ["تنمية محلية", "فلاحة", "صناعة تقليدية", "المرأة", "الإعاقة", "تعليم", "ثقافة", "بيئة", "رياضة"]
FIRST_NAMES = ["محمد", "أحمد", "يوسف", "حسن", "عبد الله", "سعاد", "فاطمة", "نادية", "خديجة", "مريم", "رشيد", "كريمة"]
LAST_NAMES = ["العلوي", "الإدريسي", "بنعلي", "الفاسي", "التازي", "بناني", "المكناسي", "الصنهاجي", "الوزاني"]
VOLETS = ["Activité génératrice de revenus", "Plateforme de vente digitale", "E-learning", "Renforcement des capacités"]
MZ_STATUS_OPEN = ["Sélectionné", "Conventionné"]
INDH_PROGRAMMES = ["برنامج محاربة الهشاشة", "برنامج تحسين الدخل والإدماج الاقتصادي للشباب", "البرنامج الأفقي"]
INDH_STATUS = [("منجز", 63), ("في طور الإنجاز", 31), ("متوقف", 6)]
SESSION_TYPES = [("formation", 60), ("salon", 26), ("rencontre", 14)]
THEMES = ["qualité", "export", "gestion", "ESS", "numérique", "commercialisation"]
PROGRAMMES = [("Mouazara", 22), ("Programme Mouazara", 19), ("PDR 2016-2021", 19), (None, 16), ("PDR 2022-2027", 10),
              ("Autonomisation économique des femmes", 10),
              ("Inclusion économique des personnes en situation de handicap", 4)]
PLACES = ["Salle communale, Sefrou", "Chambre d'Artisanat, Taza", "Maison de l'artisan, Meknès",
          "Complexe des artisans, Fès"]
PARTNERS = ["Ministère", "Wilaya", "Conseil de la Région", "Chambre d'Artisanat", "INDH", "ODCO"]
SESSION_TITLES_AR = {"formation": "دورة تكوينية", "salon": "معرض", "rencontre": "لقاء تواصلي"}

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")

# Salts of the per-record generators (ints: Python's hash of ints and tuples is not randomised).
S_ORG, S_REG, S_MZ, S_JAM, S_INDH, S_ADH, S_SES, S_BAD = range(1, 9)


# -- small helpers ---------------------------------------------------------------------------------
def _rng(seed: int, salt: int, uid: int) -> random.Random:
    return random.Random(hash((seed, salt, uid)))


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs)
    return rng.choices(values, weights)[0]


def _month_end(base: dt.date, months: int) -> dt.date:
    month0 = base.month - 1 + months
    year, month = base.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
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


def amount_text(value: float, rng: random.Random, *, arabic_digits: bool = True, narrow: bool = True,
                dh_share: float = 0.35) -> str:
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
        f"{city}/{year}/{seq:04d}", f"{city}/{year}/{seq}", f"{seq}/{year} {city}", f"{seq}-{year}-{city}",
        f"{city}-{year}-{seq}", f"{city} {year} {seq:04d}",
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
        text = text[len(form_word) + 1:]
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


# -- the world -------------------------------------------------------------------------------------
@dataclass(slots=True)
class Org:
    uid: int
    kind: str  # coop, assoc, gie
    month: int  # delivery from which it exists (0: already in the first one)
    province: int  # index in PROVINCES
    commune: tuple[str, str]
    core: tuple  # (Arabic word, [Latin writings])
    pattern: int  # index in NAME_PATTERNS
    product: int | None
    named_after_commune: bool
    founded: dt.date
    members: int
    women: int
    capital: int
    status: str
    status_later: str | None
    status_change_month: int | None
    ice: str | None
    ident: tuple  # coop: (city, year, seq); assoc: (year, seq); gie: (city, number)
    ident_date: dt.date  # receipt date for an association
    sector: str | None
    branch: str | None
    absent: set = field(default_factory=set)  # months in which its register does not hold it (struck off)
    rename_month: int | None = None
    new_core: tuple | None = None
    members_changes: dict = field(default_factory=dict)  # month -> members from that month on

    def in_register(self, delivery: int) -> bool:
        return self.month <= delivery and delivery not in self.absent

    def core_at(self, delivery: int) -> tuple:
        return self.new_core if self.rename_month is not None and delivery >= self.rename_month else self.core

    def members_at(self, delivery: int) -> int:
        months = [m for m in self.members_changes if m <= delivery]
        return self.members_changes[max(months)] if months else self.members

    def women_at(self, delivery: int) -> int:
        return min(self.women, self.members_at(delivery))

    def status_at(self, delivery: int) -> str:
        if self.status_change_month is not None and delivery >= self.status_change_month:
            return self.status_later or self.status
        return self.status

    @property
    def register(self) -> str:
        city, year, seq = self.ident
        return f"{city}/{year}/{seq:04d}"

    @property
    def receipt(self) -> str:
        year, seq = self.ident
        return f"{year}/{seq}"

    @property
    def province_code(self) -> str:
        return PROVINCES[self.province][0]

    def name_ar(self, delivery: int = 0) -> str:
        form = {"coop": "تعاونية", "assoc": "جمعية", "gie": "مجموعة ذات النفع الاقتصادي"}[self.kind]
        parts = [form, NAME_PATTERNS[self.pattern][0].format(w=self.core_at(delivery)[0])]
        if self.product is not None:
            parts.append(PRODUCTS[self.product][0])
        if self.named_after_commune:
            parts.append(self.commune[1])
        return " ".join(parts)

    def name_fr(self, rng: random.Random, delivery: int = 0) -> str:
        forms = {"coop": ["Coopérative", "Coop.", "COOP", "Cooperative"],
                 "assoc": ["Association", "Assoc.", "ASSOCIATION"],
                 "gie": ["GIE", "Groupement d'intérêt économique"]}[self.kind]
        parts = [rng.choice(forms), NAME_PATTERNS[self.pattern][1].format(w=rng.choice(self.core_at(delivery)[1]))]
        if self.product is not None:
            parts.append("de " + PRODUCTS[self.product][1])
        if self.named_after_commune:
            parts.append(self.commune[0])
        name = " ".join(parts)
        r = rng.random()
        if r < 0.1:
            name = name.upper()
        elif r < 0.13:
            name = "  " + name + " "
        return name


@dataclass(slots=True)
class Project:  # Mouazara or INDH
    uid: int
    month: int
    holder: Org
    year: int
    number: int
    dropped_month: int | None = None  # Mouazara: absent from the snapshots from this month on
    cut_month: int | None = None  # the committed amount goes down from this month on
    cut_factor: float = 1.0

    def delivered(self, delivery: int) -> bool:
        return self.month <= delivery and (self.dropped_month is None or delivery < self.dropped_month)

    def factor(self, delivery: int) -> float:
        return self.cut_factor if self.cut_month is not None and delivery >= self.cut_month else 1.0


@dataclass(slots=True)
class Member:  # a chamber member
    uid: int
    month: int
    number: int
    org: Org | None  # None: an artisan firm (entreprise_artisanale)
    province: int
    commune: tuple[str, str]


@dataclass(slots=True)
class Session:
    uid: int
    month: int
    number: int
    year: int
    participants: list  # [(member, nb, women, psh)]
    sales: list  # [(member, amount)]
    fields: dict


@dataclass
class FileTruth:
    provider: str
    file: str
    source: str
    format: str
    data_rows: int
    rejected: int
    duplicates: int
    violations: int
    encoding: str | None = None
    bytes: int = 0
    period: str = ""
    content: dict = field(default_factory=dict)  # what the marts must show of this file (history truth)

    @property
    def path(self) -> str:
        return f"{self.provider}/{self.file}"


@dataclass
class GeneratedDelivery:
    out: Path
    scale: str
    seed: int
    delivery: int
    organisations: dict
    files: list[FileTruth]
    bad_rows: list[dict] = field(default_factory=list)
    rule_violations: list[dict] = field(default_factory=list)
    duplicates: list[dict] = field(default_factory=list)
    sessions: int = 0
    participations: int = 0
    sales: int = 0
    seconds: float = 0.0

    def file(self, source: str) -> FileTruth:
        return next(f for f in self.files if f.source == source)

    @property
    def total_rows(self) -> int:
        return sum(f.data_rows for f in self.files)

    def to_json(self) -> dict:
        data = asdict(self)
        data["out"] = str(self.out)
        data["total_rows"] = self.total_rows
        return data


def resolve_scale(scale: float | int | str) -> tuple[str, int, int]:
    """(label, cooperatives, associations) of a scale: a name or a number of organisations."""
    if isinstance(scale, str):
        key = scale.strip().lower()
        if key in SCALES:
            coops, assocs = SCALES[key]
            return key, coops, assocs
        try:
            scale = float(key.replace("_", "").replace(",", ""))
        except ValueError:
            raise ValueError(f"unknown scale {scale!r}: a number of organisations or one of "
                             f"{', '.join(SCALES)}") from None
    total = int(round(float(scale)))
    if total < 100:
        raise ValueError("a scale needs at least 100 organisations")
    coops = int(round(total * COOP_SHARE))
    return str(total), coops, total - coops


class World:
    """Every organisation, project, member and session of a seed and scale, across deliveries."""

    def __init__(self, coops: int, assocs: int, seed: int, deliveries: int = 1):
        self.seed = seed
        self.communes = _communes()
        self.deliveries = deliveries
        rng = random.Random(seed)
        total = coops + assocs
        self.words = self._vocabulary(random.Random(hash((seed, 97))), max(300, total // 3))
        self._seq: dict[tuple, int] = {}
        self.orgs: list[Org] = []
        for month in range(deliveries):
            grow = 1.0 if month == 0 else MONTHLY_GROWTH["orgs"]
            n_coops = coops if month == 0 else max(1, round(coops * grow))
            n_assocs = assocs if month == 0 else max(1, round(assocs * grow))
            n_gie = max(2, round(total * PER_ORGANISATION["gie"])) if month == 0 else 0
            for kind, n in (("coop", n_coops), ("assoc", n_assocs), ("gie", n_gie)):
                for _ in range(n):
                    self.orgs.append(self._org(rng, kind, month))
        self.coops = [o for o in self.orgs if o.kind == "coop"]
        self.assocs = [o for o in self.orgs if o.kind == "assoc"]
        self.gies = [o for o in self.orgs if o.kind == "gie"]
        holders_ma = self.coops + self.assocs
        self.mouazara = self._projects(rng, "mouazara", round(total * PER_ORGANISATION["mouazara"]), holders_ma,
                                       first_year=2020)
        self.indh = self._projects(rng, "indh", round(total * PER_ORGANISATION["indh"]), self.orgs, first_year=2016)
        self.members = self._members(rng, round(total * PER_ORGANISATION["adherents"]))
        self.sessions = self._sessions(rng, max(3, round(total * PER_ORGANISATION["sessions"])))
        self._history(random.Random(hash((seed, 101))))

    def _history(self, rng: random.Random) -> None:
        """What changes from one month to the next (its own generator: the first month stays the same
        bytes): organisations struck off (some come back), renamed, whose members change; Mouazara
        projects dropped from the snapshot; committed amounts that go down."""
        def some(items: list, share: float) -> list:
            return rng.sample(items, min(len(items), max(1, round(len(items) * share)))) if items else []

        for month in range(1, self.deliveries):
            for register in (self.coops, self.assocs):
                present = [o for o in register if o.in_register(month - 1) and o.month < month]
                for index, org in enumerate(some(present, STRUCK_OFF_SHARE)):
                    # the first one of the month always comes back the next month, some others later
                    back = month + 1 if index == 0 else (month + rng.randint(1, 2) if rng.random() < RETURN_SHARE
                                                         else self.deliveries)
                    org.absent.update(range(month, back))
                for org in some([o for o in present if o.rename_month is None and o.in_register(month)], RENAME_SHARE):
                    org.rename_month, org.new_core = month, self._name(rng)[0]
                for org in some([o for o in present if o.in_register(month)], MEMBERS_CHANGE_SHARE):
                    org.members_changes[month] = max(3, org.members_at(month - 1)
                                                     + rng.choice([-1, 1]) * rng.randint(1, 9))
            live = [p for p in self.mouazara if p.delivered(month - 1) and p.month < month]
            for project in some(live, PROJECT_DROP_SHARE):
                project.dropped_month = month
            for project in some([p for p in live if p.cut_month is None and p.dropped_month is None], AMOUNT_CUT_SHARE):
                project.cut_month, project.cut_factor = month, round(rng.uniform(0.6, 0.9), 2)
            for project in some([p for p in self.indh if p.month < month and p.cut_month is None], AMOUNT_CUT_SHARE):
                project.cut_month, project.cut_factor = month, round(rng.uniform(0.6, 0.9), 2)

    # -- organisations --------------------------------------------------------------------------
    @staticmethod
    def _vocabulary(rng: random.Random, size: int) -> list[tuple[str, list[str]]]:
        """Distinct place words, Arabic and Latin: `تازيروت`, `Tazirout`."""
        seen: set[str] = set()
        words = []
        size = min(size, 60_000)  # there are about 100,000 words of 2 or 3 syllables
        while len(words) < size:
            parts = [rng.choice(SYLLABLES) for _ in range(rng.choice((2, 2, 3)))] + [rng.choice(ENDINGS)]
            arabic = "".join(p[0] for p in parts)
            if arabic in seen or len(arabic) < 3:
                continue
            seen.add(arabic)
            latin = "".join(p[1] for p in parts).capitalize()
            words.append((arabic, [latin, latin, latin.upper()]))
        return words

    def _name(self, rng: random.Random) -> tuple[tuple, int]:
        pattern = rng.choices(range(len(NAME_PATTERNS)), [p[2] for p in NAME_PATTERNS])[0]
        if pattern == 0:
            return CORES[rng.randrange(len(CORES))], pattern
        # a long tail: some words are common (Zipf-like), most are rare
        index = min(len(self.words) - 1, int(len(self.words) * rng.random() ** 1.6))
        return self.words[index], pattern

    def _org(self, rng: random.Random, kind: str, month: int) -> Org:
        uid = len(self.orgs) + 1
        province = rng.choices(range(len(PROVINCES)), [p[2] for p in PROVINCES])[0]
        code, city = PROVINCES[province][0], PROVINCES[province][1]
        commune = rng.choice(self.communes[code])
        today = _month_end(BASE_DATE, month)
        if month == 0:
            year = min(today.year, int(1975 + (today.year - 1975) * rng.random() ** 0.55))
            founded = _random_date(rng, dt.date(year, 1, 1), min(dt.date(year, 12, 31), today))
        else:
            founded = _random_date(rng, _month_end(BASE_DATE, month - 1) + dt.timedelta(days=1), today)
        members = max(3, int(rng.lognormvariate(3.4, 0.7)))
        women = int(members * rng.random() ** 1.3) if rng.random() < 0.9 else members
        ice = None
        if rng.random() < (0.45 if kind == "coop" else 0.12 if kind == "assoc" else 0.9):
            body = f"{rng.randint(0, 99):02d}" if rng.random() < 0.5 else "00"
            ice = ice_with_check(body + "".join(str(rng.randint(0, 9)) for _ in range(11)))
        status_pairs = COOP_STATUS if kind != "assoc" else ASSOC_STATUS
        status = _weighted(rng, status_pairs) if month == 0 else status_pairs[0][0]
        change_month = later = None
        if rng.random() < STATUS_CHANGE_SHARE:
            change_month = rng.randint(1, 12)
            later = rng.choice([s for s, _ in status_pairs if s != status])
        year = founded.year
        if kind == "coop":
            key = (city, year)
            self._seq[key] = self._seq.get(key, 0) + 1
            ident = (city, year, self._seq[key])
            ident_date = founded
        elif kind == "assoc":
            ident_date = founded + dt.timedelta(days=rng.randint(3, 60))
            key = (code, ident_date.year)
            self._seq[key] = self._seq.get(key, 0) + 1
            ident = (ident_date.year, self._seq[key])
        else:
            key = ("RC", city)
            self._seq[key] = self._seq.get(key, 0) + 1
            ident = (city, 10000 + self._seq[key] * 7)
            ident_date = founded
        core, pattern = self._name(rng)
        if kind == "coop" and pattern in (1, 2):
            pattern = 3  # a cooperative is not a douar's development association
        sector, branch = (None, None)
        if kind == "coop":
            sector = _weighted(rng, SECTORS)
            branch = PRODUCTS[rng.randrange(len(PRODUCTS))][1] if rng.random() < 0.55 else None
        return Org(
            uid=uid, kind=kind, month=month, province=province, commune=commune, core=core, pattern=pattern,
            product=(rng.randrange(len(PRODUCTS)) if rng.random() < (0.7 if pattern in (0, 3) else 0.15) else None),
            named_after_commune=pattern in (0, 3) and rng.random() < 0.3, founded=founded, members=members, women=min(women, members),
            capital=rng.choice([1000, 2000, 5000, 10000, 20000, 50000, 100000]), status=status,
            status_later=later, status_change_month=change_month, ice=ice, ident=ident, ident_date=ident_date,
            sector=sector, branch=branch,
        )

    def orgs_at(self, orgs: list[Org], delivery: int) -> list[Org]:
        return [o for o in orgs if o.month <= delivery]

    # -- projects, members, sessions ------------------------------------------------------------
    def _projects(self, rng, kind: str, n: int, holders: list[Org], first_year: int) -> list[Project]:
        base = [h for h in holders if h.month == 0]
        out: list[Project] = []
        number = 0
        for month in range(self.deliveries):
            count = n if month == 0 else max(1, round(n * MONTHLY_GROWTH[kind]))
            for _ in range(count):
                number += 1
                holder = rng.choice(base)
                if month == 0:
                    year = rng.randint(max(first_year, holder.founded.year), 2026)
                else:
                    year = _month_end(BASE_DATE, month).year
                out.append(Project(uid=number, month=month, holder=holder, year=year, number=number))
        return out

    def _members(self, rng, n: int) -> list[Member]:
        out: list[Member] = []
        base_coops = [o for o in self.coops if o.month == 0]
        base_assocs = [o for o in self.assocs if o.month == 0]
        chosen_coops = rng.sample(base_coops, min(len(base_coops), int(n * 0.56)))
        chosen_assocs = rng.sample(base_assocs, min(len(base_assocs), int(n * 0.33)))
        pool: list[Org | None] = chosen_coops + chosen_assocs
        pool += [None] * max(1, n - len(pool))
        rng.shuffle(pool)
        for month in range(self.deliveries):
            if month == 0:
                batch = pool
            else:
                count = max(1, round(n * MONTHLY_GROWTH["adherents"]))
                batch = [None if rng.random() < 0.15 else rng.choice(base_coops) for _ in range(count)]
            for org in batch:
                number = len(out) + 1
                if org is None:
                    province = rng.choices(range(len(PROVINCES)), [p[2] for p in PROVINCES])[0]
                    commune = rng.choice(self.communes[PROVINCES[province][0]])
                else:
                    province, commune = org.province, org.commune
                out.append(Member(uid=number, month=month, number=number, org=org, province=province, commune=commune))
        return out

    def _sessions(self, rng, n: int) -> list[Session]:
        out: list[Session] = []
        base_members = [m for m in self.members if m.month == 0]
        sse_members = [m for m in base_members if m.org is not None]
        number = 0
        for month in range(self.deliveries):
            count = n if month == 0 else max(1, round(n * MONTHLY_GROWTH["sessions"]))
            for i in range(count):
                number += 1
                special = month == 0 and i == 0
                if special:
                    kind, year = "rencontre", 2026
                    start = end = dt.date(2026, 10, 14)
                    people = rng.sample(sse_members, min(250, len(sse_members)))
                    participants = [(m, 1, int(rng.random() < 0.55), 0) for m in people]
                    fields = dict(
                        type=kind, intitule="Rencontre de communication et de formation au profit des coopératives "
                        "et associations de l'ESS",
                        intitule_ar="لقاء تواصلي وتكويني لفائدة التعاونيات والجمعيات العاملة في قطاع الاقتصاد "
                        "الاجتماعي والتضامني",
                        theme="ESS", date_debut=start.isoformat(), date_fin=end.isoformat(),
                        lieu="Palais des congrès, Complexe des artisans, Fès", province="Fès",
                        programme="PDR 2022-2027",
                        partenaires=["Ministère", "Wilaya", "Conseil de la Région", "Chambre d'Artisanat"])
                    out.append(Session(uid=number, month=month, number=number, year=year, participants=participants,
                                       sales=[], fields=fields))
                    continue
                kind = _weighted(rng, SESSION_TYPES)
                if month == 0:
                    start = _random_date(rng, dt.date(2016, 1, 1), BASE_DATE)
                else:
                    start = _random_date(rng, _month_end(BASE_DATE, month - 1) + dt.timedelta(days=1),
                                         _month_end(BASE_DATE, month))
                end = start + dt.timedelta(days=rng.randint(0, 4) if kind == "formation" else
                                           rng.randint(2, 6) if kind == "salon" else 0)
                size = max(3, min(len(base_members), int(rng.expovariate(1 / MEAN_SESSION_PARTICIPANTS)) + 3))
                people = rng.sample(base_members, min(size, len(base_members)))
                participants = []
                for m in people:
                    nb = rng.randint(1, 4)
                    participants.append((m, nb, rng.randint(0, nb), int(rng.random() < 0.15)))
                sales = ([(m, round(rng.uniform(800, 60000), 2)) for m in people if rng.random() < 0.85]
                         if kind == "salon" else [])
                province = rng.randrange(len(PROVINCES))
                fields = dict(
                    type=kind, intitule=f"{kind.capitalize()} — {rng.choice(THEMES)}",
                    intitule_ar=(f"{SESSION_TITLES_AR[kind]} — {rng.choice(ASSOC_FIELDS)}" if rng.random() < 0.3
                                 else None),
                    theme=rng.choice(THEMES), date_debut=start.isoformat(), date_fin=end.isoformat(),
                    lieu=rng.choice(PLACES), province=rng.choice(PROVINCES[province][3]),
                    programme=_weighted(rng, PROGRAMMES),
                    partenaires=rng.sample(PARTNERS, rng.randint(1, 3)))
                out.append(Session(uid=number, month=month, number=number, year=start.year,
                                   participants=participants, sales=sales, fields=fields))
        return out


# -- writers ---------------------------------------------------------------------------------------
def _write_xlsx(path: Path, sheet_name: str, title_rows: list[str], header: list[str], rows, merge_to: str) -> int:
    """A workbook as the ministry exports it, written in openpyxl's streaming mode, then made
    byte-stable: fixed document dates and zip times, and the merged title rows added."""
    workbook = openpyxl.Workbook(write_only=True)
    fixed = dt.datetime(*FIXED_ZIP_TIME)
    workbook.properties.created = fixed
    workbook.properties.creator = "openpyxl"
    sheet = workbook.create_sheet(sheet_name)
    width = len(header)
    for title in title_rows:
        sheet.append([title] + [None] * (width - 1) if title is not None else [None] * width)
    sheet.append(header)
    count = 0
    for row in rows:
        sheet.append(row)
        count += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    merges = [f"A{i}:{merge_to}{i}" for i, t in enumerate(title_rows, start=1) if t is not None]
    _stabilise_xlsx(buffer.getvalue(), path, merges)
    return count


def _stabilise_xlsx(data: bytes, path: Path, merges: list[str]) -> None:
    stamp = dt.datetime(*FIXED_ZIP_TIME).strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            content = zin.read(item.filename)
            if item.filename == "docProps/core.xml":
                text = content.decode()
                text = re.sub(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms)", rf"\g<1>{stamp}\g<2>", text)
                content = text.encode()
            elif item.filename.startswith("xl/worksheets/sheet") and merges:
                tail = content.rfind(b"</sheetData>")
                cells = "".join(f'<mergeCell ref="{m}"/>' for m in merges)
                block = f'<mergeCells count="{len(merges)}">{cells}</mergeCells>'.encode()
                if tail >= 0:
                    end = tail + len(b"</sheetData>")
                    content = content[:end] + block + content[end:]
            info = zipfile.ZipInfo(item.filename, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            zout.writestr(info, content, compresslevel=6)


def _write_csv(path: Path, header: list[str], rows, encoding: str) -> int:
    count = 0
    errors = "replace" if encoding == "cp1256" else "strict"  # cp1256 writes what it cannot hold as `?`
    with open(path, "w", encoding=encoding, errors=errors, newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
            count += 1
    return count


def _write_json(path: Path, document: dict) -> None:
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")


# -- the files -------------------------------------------------------------------------------------
class _Plant:
    """Spreads a few planted rows (bad rows, duplicates, violations) over a file."""

    def __init__(self, seed: int, salt: int, n_rows: int):
        self.rng = random.Random(hash((seed, S_BAD, salt)))
        self.count = max(1, n_rows // 2000)

    def positions(self, n_rows: int, k: int | None = None) -> set[int]:
        k = self.count if k is None else k
        return set(self.rng.sample(range(n_rows), min(k, n_rows)))


REGISTER_HEADER = ["N° Immatriculation", "ICE", "Dénomination", "Dénomination arabe", "Secteur", "Branche",
                   "Date de constitution", "Préfecture/Province", "Commune", "Adhérents", "dont Femmes",
                   "Capital (DH)", "Situation"]
MOUAZARA_HEADER = ["Réf. projet", "Édition", "Porteur", "Type porteur", "N° Immatriculation / Récépissé", "Province",
                   "Intitulé du projet", "Volet", "Coût total (DH)", "Subvention Ministère (DH)",
                   "Cofinancement Région (DH)", "Apport porteur (DH)", "Date convention", "Montant décaissé (DH)",
                   "Date dernier décaissement", "Statut", "Emplois maintenus", "Emplois créés", "Bénéficiaires",
                   "dont Femmes", "dont PSH"]
JAMIYAT_HEADER = ["رقم الوصل النهائي", "تاريخ الوصل", "اسم الجمعية", "الاسم بالفرنسية", "العمالة أو الإقليم",
                  "الجماعة", "مجال النشاط", "تاريخ التأسيس", "عدد المنخرطين", "اسم الرئيس",
                  "رقم البطاقة الوطنية للرئيس", "الهاتف", "الوضعية"]
INDH_HEADER = ["رمز المشروع", "البرنامج", "المرحلة", "العمالة أو الإقليم", "الجماعة", "حامل المشروع",
               "الصفة القانونية", "رقم التسجيل", "عنوان المشروع", "الكلفة الإجمالية", "مساهمة المبادرة",
               "مساهمة الشركاء", "مساهمة حامل المشروع", "تاريخ المصادقة", "المبلغ المصروف", "الحالة",
               "مناصب الشغل المحدثة", "عدد المستفيدين", "منهم نساء", "منهم أشخاص في وضعية إعاقة", "منهم شباب"]


def _province_fr(org_or_index, rng: random.Random) -> str:
    index = org_or_index if isinstance(org_or_index, int) else org_or_index.province
    _, _, _, french, arabic = PROVINCES[index]
    return rng.choice(arabic) if rng.random() < 0.04 else rng.choice(french)


def _identifier(org: Org, rng: random.Random, arabic_digits: bool) -> str:
    if org.kind == "coop":
        city, year, seq = org.ident
        return register_writing(city, year, seq, rng, arabic_digits)
    if org.kind == "assoc":
        year, seq = org.ident
        return receipt_writing(year, seq, rng, arabic_digits)
    city, number = org.ident
    return rng.choice([f"RC {city} {number}", f"RC {number} {city}", f"R.C. {city} {number}"])


class _Writer:
    def __init__(self, world: World, out: Path, seed: int, delivery: int):
        self.world, self.out, self.seed, self.delivery = world, out, seed, delivery
        self.bad: list[dict] = []
        self.violations: list[dict] = []
        self.duplicates: list[dict] = []
        self.files: list[FileTruth] = []
        self.file_rng = random.Random(hash((seed, 99, delivery)))
        self.ministry_date = _month_end(BASE_DATE, delivery)
        self.wilaya_period = f"{self.ministry_date:%Y%m}"
        self.chamber_date = self.ministry_date + dt.timedelta(days=1)

    def _folder(self, provider: str) -> Path:
        folder = self.out / provider
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def _plant_twins(self, rows: list[list], originals: int, plant, label: str) -> None:
        """Exact copies of lines among the first `originals`: the loader loads each once."""
        for _ in range(plant.count):
            twin = rows[plant.rng.randrange(originals)]
            rows.append(list(twin))
            self.duplicates.append({"file": label, "record": twin[0]})

    def _file(self, provider, name, source, fmt, rows, rejected, dups, violations, encoding=None,
              content=None) -> FileTruth:
        path = self.out / provider / name
        truth = FileTruth(provider=provider, file=name, source=source, format=fmt, data_rows=rows,
                          rejected=rejected, duplicates=dups, violations=violations, encoding=encoding,
                          bytes=path.stat().st_size, period=re.search(r"_(\d{6,8})[ .]", name).group(1),
                          content=content or {})
        self.files.append(truth)
        return truth

    # -- ministry: the cooperative register -----------------------------------------------------
    def register(self, omit: frozenset = frozenset(), suffix: str = "") -> FileTruth:
        """`omit`: cooperatives left out by mistake (a file the ministry corrects later); `suffix`: the
        name of a re-send (` (1)`)."""
        seed, k = self.seed, self.delivery
        coops = [o for o in self.world.coops if o.in_register(k) and o.uid not in omit]
        plant = _Plant(seed, 11 + 100 * k, len(coops))
        # the planted violations stay on the same cooperatives from one month to the next
        base = [o for o in self.world.coops if o.month == 0]
        planted = plant if len(coops) == len(base) and k == 0 else _Plant(seed, 11, len(base))
        women_above = {base[i].uid for i in planted.positions(len(base))}
        bad_ice = {base[i].uid for i in planted.positions(len(base))}
        phone = self.file_rng.random() < 0.2 and k > 0  # the ministry sometimes adds a column
        rows: list[list] = []
        violations = 0
        for i, org in enumerate(coops):
            rng = _rng(seed, S_REG, org.uid)
            ice = org.ice
            if org.uid in bad_ice:
                ice = wrong_check(ice or ice_with_check("0012345678901"))
                self.violations.append({"file": "register", "record": org.register, "why": "ICE with a wrong check"})
                violations += 1
            ice_cell = None
            if ice is not None:
                ice_cell = int(ice) if ice.startswith("0") and rng.random() < 0.35 else ice
            women = org.women_at(k)
            if org.uid in women_above:
                women = org.members_at(k) + rng.randint(1, 9)
                self.violations.append({"file": "register", "record": org.register, "why": "women > members"})
                violations += 1
            row = [
                org.register, ice_cell, org.name_fr(rng, k), arabic_variant(org.name_ar(k), rng, "تعاونية"),
                org.sector, org.branch, date_cell(org.founded, rng, excel=True), _province_fr(org, rng),
                org.commune[0] if rng.random() < 0.95 else None, org.members_at(k), women,
                xlsx_amount(org.capital, rng), org.status_at(k),
            ]
            if phone:
                row.append(f"05{rng.randint(10000000, 99999999)}")
            rows.append(row)
        # rows that cannot be loaded
        n_bad = plant.count
        for j, t in enumerate(sorted(plant.positions(len(coops), n_bad))):
            template = list(rows[t])
            template[0] = None
            rows.append(template)
            self.bad.append({"file": "register", "record": None, "why": "missing register number"})
            odd = list(rows[plant.rng.randrange(len(coops))])
            odd[0] = f"FES/1970/{j + 1:04d}"
            odd[11] = plant.rng.choice(["non communiqué", "N/A", "cinq mille"])
            rows.append(odd)
            self.bad.append({"file": "register", "record": odd[0], "why": "capital not a number"})
        # exact duplicate lines
        self._plant_twins(rows, len(coops), plant, "register")
        data_rows = len(rows)
        total = ["Total", None, f"{data_rows} coopératives"] + [None] * (len(REGISTER_HEADER) - 3 + phone)
        extra_title = self.file_rng.random() < 0.3
        titles = ["Ministère du Tourisme, de l'Artisanat et de l'Économie Sociale et Solidaire",
                  "Extrait du registre des coopératives — Région Fès-Meknès",
                  f"Arrêté au : {self.ministry_date:%d/%m/%Y}"]
        if extra_title:
            titles.append("Source : registre central des coopératives")
        titles.append(None)
        sheet = "Coopératives" if self.file_rng.random() < 0.85 else "Feuil1"
        name = f"REG_COOP_FM_{self.ministry_date:%Y%m%d}{suffix}.xlsx"
        header = REGISTER_HEADER + (["Téléphone"] if phone else [])
        _write_xlsx(self._folder("ministere") / name, sheet, titles, header, rows + [total], merge_to="H")
        active: dict[str, int] = {}
        for org in coops:
            if org.status_at(k) == "Active":
                active[org.province_code] = active.get(org.province_code, 0) + 1
        return self._file("ministere", name, "register", "xlsx", data_rows, 2 * n_bad, plant.count, violations,
                          content={"cooperatives": len(coops), "active_by_province": dict(sorted(active.items())),
                                   "numbers": [o.register for o in coops]})

    # -- ministry: Mouazara projects -------------------------------------------------------------
    def mouazara(self) -> None:
        seed, k = self.seed, self.delivery
        projects = [p for p in self.world.mouazara if p.delivered(k)]
        plant = _Plant(seed, 12 + 100 * k, len(projects))
        committed = {}
        over_paid = plant.positions(len(projects))
        width = max(4, len(str(len(projects))))
        rows = []
        violations = 0
        capped_violation = plant.count
        for i, p in enumerate(projects):
            rng = _rng(seed, S_MZ, p.uid)
            org = p.holder
            edition = p.year - 2019
            ref = f"MZ-{p.year}-FM-{p.number:0{width}d}"
            cap = 49000 if p.year >= 2024 else 60000
            grant = round(rng.uniform(12000, cap), 2)
            if p.year >= 2024 and capped_violation and rng.random() < 0.2:
                grant = round(rng.uniform(49500, 70000), 2)
                capped_violation -= 1
                self.violations.append({"file": "mouazara", "record": ref, "why": "grant above 49,000 DH cap"})
                violations += 1
            grant = round(grant * p.factor(k), 2)
            committed[ref] = grant
            region = round(grant / 2, 2) if rng.random() < 0.4 else 0
            contribution = round(grant * rng.uniform(0.12, 0.5), 2)
            cost = round(grant + region + contribution, 2)
            signed = _random_date(rng, dt.date(p.year, 3, 1), min(dt.date(p.year, 12, 20), self.ministry_date))
            age_years = (self.ministry_date - signed).days / 365
            if p.month == k and k > 0:
                status = "Sélectionné"
            elif rng.random() < 0.03:
                status = "Abandonné"
            elif age_years > 1.5 or (age_years > 0.7 and rng.random() < 0.6):
                status = "Achevé"
            elif age_years > 0.3:
                status = "En cours"
            else:
                status = rng.choice(MZ_STATUS_OPEN)
            # an open project is finished some months later
            finish_month = rng.randint(1, 8)
            if status == "En cours" and k >= finish_month:
                status = "Achevé"
            if status == "Achevé":
                disbursed = grant
            elif status in ("En cours", "Abandonné"):
                disbursed = round(grant * rng.uniform(0.2, 0.8), 2)
            else:
                disbursed = 0
            last = (_random_date(rng, signed, min(signed + dt.timedelta(days=400), self.ministry_date))
                    if disbursed else None)
            if i in over_paid:
                disbursed = round(grant + rng.uniform(1000, 12000), 2)
                last = last or signed
                self.violations.append({"file": "mouazara", "record": ref, "why": "disbursed > ministry subsidy"})
                violations += 1
            beneficiaries = rng.randint(10, 120)
            women = int(beneficiaries * rng.random())
            name = (arabic_variant(org.name_ar(k), rng, "تعاونية" if org.kind == "coop" else "جمعية")
                    if rng.random() < 0.3 else org.name_fr(rng, k))
            volet = rng.choice(VOLETS)
            rows.append([
                ref, f"{edition} ({p.year})", name, "Coopérative" if org.kind == "coop" else "Association",
                _identifier(org, rng, arabic_digits=True) if rng.random() < 0.8 else None,
                _province_fr(org, rng), f"{rng.choice(VOLETS)} — {rng.choice(PRODUCTS)[1]}", volet,
                xlsx_amount(cost, rng), xlsx_amount(grant, rng), xlsx_amount(region, rng),
                xlsx_amount(contribution, rng), date_cell(signed, rng, excel=True), xlsx_amount(disbursed, rng),
                date_cell(last, rng, excel=True) if last else None, status, rng.randint(0, 12), rng.randint(0, 8),
                beneficiaries, women, rng.randint(0, max(0, beneficiaries // 10)),
            ])
        for j in range(plant.count):
            bad = list(rows[plant.rng.randrange(len(rows))])
            bad[0] = f"MZ-BAD-{j + 1:04d}"
            bad[9] = -round(plant.rng.uniform(1000, 30000))
            rows.append(bad)
            self.bad.append({"file": "mouazara", "record": bad[0], "why": "negative subsidy"})
        name = f"MOUAZARA_FM_{self.ministry_date:%Y%m%d}.xlsx"
        titles = ["Programme Mouazara — projets de la Région Fès-Meknès", f"Situation au {self.ministry_date:%d/%m/%Y}",
                  None]
        _write_xlsx(self._folder("ministere") / name, "Projets", titles, MOUAZARA_HEADER, rows, merge_to="H")
        return self._file("ministere", name, "mouazara", "xlsx", len(rows), plant.count, 0, violations,
                          content={"projects": len(projects), "committed": _amounts(committed)})

    # -- wilaya -------------------------------------------------------------------------------------
    def _csv_encoding(self) -> str:
        return "utf-8-sig" if self.file_rng.random() < 0.25 else "cp1256"

    def associations(self) -> None:
        seed, k = self.seed, self.delivery
        encoding = self._csv_encoding()
        utf8 = encoding != "cp1256"
        assocs = [o for o in self.world.assocs if o.in_register(k)]
        plant = _Plant(seed, 13 + 100 * k, len(assocs))
        rows = []
        for org in assocs:
            rng = _rng(seed, S_JAM, org.uid)
            _, _, _, _, arabic = PROVINCES[org.province]
            rows.append([
                org.receipt, org.ident_date.strftime("%d/%m/%Y"), arabic_variant(org.name_ar(k), rng, "جمعية"),
                org.name_fr(rng, k) if rng.random() < 0.5 else None, rng.choice(arabic), org.commune[1],
                ASSOC_FIELDS[org.uid % len(ASSOC_FIELDS)], date_cell(org.founded, rng, excel=False), org.members_at(k),
                f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                f"{rng.choice('ABCDGKLZ')}{rng.randint(100000, 999999)}", f"06{rng.randint(10000000, 99999999)}",
                org.status_at(k),
            ])
        n = len(assocs)
        for j, t in enumerate(sorted(plant.positions(n))):
            missing = list(rows[t])
            missing[0] = None
            rows.append(missing)
            self.bad.append({"file": "associations", "record": None, "why": "missing receipt number"})
            outside = list(rows[plant.rng.randrange(n)])
            outside[0] = f"1970/{j + 1}"
            outside[4] = plant.rng.choice(OUTSIDE_PROVINCES[1])
            rows.append(outside)
            self.bad.append({"file": "associations", "record": outside[0], "why": "province outside the region"})
        self._plant_twins(rows, n, plant, "associations")
        name = f"wilaya_jamiyat_{self.wilaya_period}.csv"
        count = _write_csv(self._folder("wilaya") / name, JAMIYAT_HEADER, rows, encoding)
        return self._file("wilaya", name, "associations", "csv", count, 2 * plant.count, plant.count, 0,
                          encoding="utf-8-sig" if utf8 else "cp1256",
                          content={"associations": len(assocs),
                                   "receipts": [f"{o.receipt}@{o.province_code}" for o in assocs]})

    def indh(self) -> None:
        seed, k = self.seed, self.delivery
        encoding = self._csv_encoding()
        utf8 = encoding != "cp1256"
        projects = [p for p in self.world.indh if p.month <= k]
        plant = _Plant(seed, 14 + 100 * k, len(projects))
        over_share = plant.positions(len(projects))
        over_paid = plant.positions(len(projects))
        width = max(3, len(str(len(projects))))
        rows = []
        violations = 0
        legal = {"coop": "تعاونية", "assoc": "جمعية", "gie": "مجموعة ذات النفع الاقتصادي"}
        committed = {}
        for i, p in enumerate(projects):
            rng = _rng(seed, S_INDH, p.uid)
            org = p.holder
            city = PROVINCES[org.province][1]
            code = f"INDH-P3-{city}-{p.year}-{p.number:0{width}d}"
            cost = round(rng.uniform(50000, 450000), 2)
            indh = round(min(cost * rng.uniform(0.45, 0.7), 300000), 2)
            if i in over_share:
                indh = round(min(cost * rng.uniform(0.75, 0.95), 400000), 2)
                self.violations.append({"file": "indh", "record": code, "why": "INDH share above 70% of total cost"})
                violations += 1
            indh = round(indh * p.factor(k), 2)
            committed[code] = indh
            partners = round((cost - indh) * rng.uniform(0.02, 0.4), 2)
            holder = round(cost - indh - partners, 2)
            approved = _random_date(rng, dt.date(p.year, 1, 1), min(dt.date(p.year, 12, 31), self.ministry_date))
            status = _weighted(rng, INDH_STATUS) if not (p.month == k and k > 0) else "في طور الإنجاز"
            disbursed = indh if status == "منجز" else round(indh * rng.uniform(0.1, 0.8), 2)
            if i in over_paid:
                disbursed = round(indh * rng.uniform(1.05, 1.3), 2)
                self.violations.append({"file": "indh", "record": code, "why": "disbursed > INDH contribution"})
                violations += 1
            beneficiaries = rng.randint(5, 45)
            women = rng.randint(0, beneficiaries)
            name = arabic_variant(org.name_ar(k), rng, legal[org.kind])
            rows.append([
                code, rng.choice(INDH_PROGRAMMES), "الثانية" if p.year <= 2018 else "الثالثة",
                rng.choice(PROVINCES[org.province][4]), org.commune[1], name, legal[org.kind],
                _identifier(org, rng, arabic_digits=utf8) if rng.random() < 0.45 else None,
                f"مشروع {PRODUCTS[rng.randrange(len(PRODUCTS))][0][1:]}",
                csv_amount(cost, rng, utf8), csv_amount(indh, rng, utf8), csv_amount(partners, rng, utf8),
                csv_amount(holder, rng, utf8), date_cell(approved, rng, excel=False),
                csv_amount(disbursed, rng, utf8), status, rng.randint(0, 12), beneficiaries, women,
                rng.randint(0, 3), rng.randint(0, beneficiaries),
            ])
        n = len(projects)
        for j in range(plant.count):
            bad = list(rows[plant.rng.randrange(n)])
            bad[0] = f"INDH-BAD-{j + 1:03d}"
            bad[10] = plant.rng.choice(["غير متوفر", "n/a", "-"])
            rows.append(bad)
            self.bad.append({"file": "indh", "record": bad[0], "why": "amount not a number"})
            negative = list(rows[plant.rng.randrange(n)])
            negative[0] = f"INDH-NEG-{j + 1:03d}"
            negative[14] = "-" + str(negative[14])
            rows.append(negative)
            self.bad.append({"file": "indh", "record": negative[0], "why": "negative amount"})
        self._plant_twins(rows, n, plant, "indh")
        name = f"wilaya_indh_agr_{self.wilaya_period}.csv"
        count = _write_csv(self._folder("wilaya") / name, INDH_HEADER, rows, encoding)
        return self._file("wilaya", name, "indh_agr", "csv", count, 2 * plant.count, plant.count, violations,
                          encoding="utf-8-sig" if utf8 else "cp1256", content={"committed": _amounts(committed)})

    # -- chamber ------------------------------------------------------------------------------------
    def adherents(self) -> None:
        seed, k = self.seed, self.delivery
        members = [m for m in self.world.members if m.month <= k]
        plant = _Plant(seed, 15 + 100 * k, len(members))
        bad_ice = plant.positions(len(members))
        records = []
        violations = 0
        for i, m in enumerate(members):
            rng = _rng(seed, S_ADH, m.uid)
            org = m.org
            ident = f"CA-FM-{m.number:06d}"
            if org is None:
                core = CORES[rng.randrange(len(CORES))]
                name = f"{rng.choice(['Atelier', 'Entreprise', 'Maison'])} {rng.choice(core[1])}"
                record = dict(id_adherent=ident, type="entreprise_artisanale", raison_sociale=name,
                              raison_sociale_ar=(f"مقاولة {core[0]}" if rng.random() < 0.5 else None),
                              num_immatriculation=None, ice=None)
            else:
                share = 0.45 if org.kind == "coop" else 0.3
                record = dict(
                    id_adherent=ident, type="cooperative" if org.kind == "coop" else "association",
                    raison_sociale=org.name_fr(rng, k),
                    raison_sociale_ar=(arabic_variant(org.name_ar(k), rng, "تعاونية" if org.kind == "coop" else "جمعية")
                                       if rng.random() < 0.7 else None),
                    num_immatriculation=_identifier(org, rng, arabic_digits=True) if rng.random() < share else None,
                    ice=org.ice if rng.random() < 0.8 else None)
            if i in bad_ice:
                record["ice"] = wrong_check(record["ice"] or ice_with_check("0098765432101"))
                self.violations.append({"file": "adherents", "record": ident, "why": "ICE with a wrong check"})
                violations += 1
            men = rng.randint(0, 12)
            record.update(
                metier=(PRODUCTS[org.product][2] if org and org.product is not None and PRODUCTS[org.product][2]
                        and rng.random() < 0.5 else rng.choice(CRAFTS)),
                province=_province_fr(m.province, rng), commune=m.commune[0] if rng.random() < 0.9 else None,
                date_adhesion=_random_date(rng, dt.date(2015, 1, 1), self.chamber_date).isoformat()
                if m.month == 0 else self.chamber_date.isoformat(),
                effectif={"hommes": men, "femmes": rng.randint(0 if men else 1, 15)},
                contact={"telephone": f"05{rng.randint(10000000, 99999999)}",
                         "email": f"contact{m.number}@example.ma" if rng.random() < 0.2 else None},
                actif=rng.random() < 0.93,
            )
            records.append(record)
        # the bad records come last, after the records a reader samples for its columns
        n = len(records)
        for j, t in enumerate(sorted(plant.positions(n))):
            missing = json.loads(json.dumps(records[t]))
            missing["id_adherent"] = None
            records.append(missing)
            self.bad.append({"file": "adherents", "record": None, "why": "missing member id"})
            outside = json.loads(json.dumps(records[plant.rng.randrange(n)]))
            outside["id_adherent"] = f"CA-FM-9{j + 1:05d}"
            outside["province"] = plant.rng.choice(OUTSIDE_PROVINCES[0])
            records.append(outside)
            self.bad.append({"file": "adherents", "record": outside["id_adherent"],
                             "why": "province outside the region"})
        name = f"chambre_adherents_{self.chamber_date:%Y%m%d}.json"
        _write_json(self._folder("chambre") / name,
                    {"export_date": self.chamber_date.isoformat(), "region": "Fès-Meknès", "adherents": records})
        return self._file("chambre", name, "adherents", "json", len(records), 2 * plant.count, 0, violations)

    def formations(self) -> tuple[int, int, int]:
        seed, k = self.seed, self.delivery
        sessions = [s for s in self.world.sessions if s.month <= k]
        corrected = None
        if k > 0:  # a later export corrects one earlier session
            base = [s for s in sessions if s.month == 0]
            corrected = random.Random(hash((seed, S_SES, k))).choice(base).uid
        width = max(4, len(str(len(sessions))))
        records = []
        participations = sales = 0
        for s in sessions:
            ident = f"S-{s.year}-{s.number:0{width}d}"
            participants = [{"id_adherent": f"CA-FM-{m.number:06d}", "nb_participants": nb, "dont_femmes": w,
                             "dont_psh": psh} for m, nb, w, psh in s.participants]
            if s.uid == corrected and participants:
                participants[0] = dict(participants[0], nb_participants=participants[0]["nb_participants"] + 1)
            ventes = [{"id_adherent": f"CA-FM-{m.number:06d}", "chiffre_affaires_dh": amount} for m, amount in s.sales]
            participations += len(participants)
            sales += len(ventes)
            records.append({"id_session": ident, **s.fields, "participants": participants, "ventes": ventes})
        name = f"chambre_formations_{self.chamber_date:%Y%m%d}.json"
        _write_json(self._folder("chambre") / name, {"export_date": self.chamber_date.isoformat(), "sessions": records})
        self._file("chambre", name, "formations", "json", len(records), 0, 0, 0)
        return len(records), participations, sales


def _amounts(amounts: dict[str, float]) -> dict[str, str]:
    """Amounts as exact decimal text (what the loader reads back from the cells)."""
    return {key: f"{value:.2f}" for key, value in amounts.items()}


_WORLDS: dict[tuple, World] = {}


MAX_DELIVERY = 12  # months after the first delivery a world holds


def build_world(scale: float | int | str, seed: int, deliveries: int = MAX_DELIVERY + 1) -> World:
    """The world of a scale and seed, with every month up to MAX_DELIVERY: whichever deliveries are
    asked for, they are months of the same world."""
    _, coops, assocs = resolve_scale(scale)
    key = (coops, assocs, seed, deliveries)
    if key not in _WORLDS:
        _WORLDS.clear()  # one world at a time: a national one is large
        _WORLDS[key] = World(coops, assocs, seed, deliveries)
    return _WORLDS[key]


def generate(out: Path, scale: float | int | str = "sample", seed: int = 42, delivery: int = 0) -> GeneratedDelivery:
    """Write one delivery of every provider under `out/<provider>/` and `out/truth.json`.

    `scale`: a number of organisations or `sample` (~900), `region` (~30,000), `nation` (~330,000).
    `delivery`: 0 for the first delivery (October 2026), 1 for the next month's, ... (at most 12):
    the same world, some organisations, projects, members and sessions more, some statuses changed,
    one session corrected.
    """
    import time

    if not 0 <= delivery <= MAX_DELIVERY:
        raise ValueError(f"delivery is a month index from 0 to {MAX_DELIVERY}")
    started = time.perf_counter()
    label, coops, assocs = resolve_scale(scale)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    world = build_world(scale, seed)
    writer = _Writer(world, out, seed, delivery)
    writer.register()
    writer.mouazara()
    writer.associations()
    writer.indh()
    writer.adherents()
    sessions, participations, sales = writer.formations()
    orgs_now = {kind: sum(1 for o in world.orgs if o.kind == kind and o.month <= delivery)
                for kind in ("coop", "assoc", "gie")}
    result = GeneratedDelivery(
        out=out, scale=label, seed=seed, delivery=delivery,
        organisations={"cooperatives": orgs_now["coop"], "associations": orgs_now["assoc"], "gie": orgs_now["gie"],
                       "total": sum(orgs_now.values())},
        files=writer.files, bad_rows=writer.bad, rule_violations=writer.violations, duplicates=writer.duplicates,
        sessions=sessions, participations=participations, sales=sales,
    )
    result.seconds = round(time.perf_counter() - started, 2)
    truth = result.to_json()
    truth.pop("seconds")
    truth.pop("out")
    (out / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    return result


def main(argv: list[str] | None = None) -> int:
    """`python -m orchestration.bench.generate --scale region --out DIR --seed 42 [--delivery 1]`."""
    import argparse

    from orchestration.bench import add_generate_arguments, run_generate_command

    parser = argparse.ArgumentParser(prog="tadamon generate", description=__doc__.split("\n\n")[0])
    add_generate_arguments(parser)
    return run_generate_command(parser.parse_args(argv))


def print_history(truth: dict, out: Path) -> None:
    print(f"{truth['months'] + 1} months of deliveries (scale {truth['scale']}, seed {truth['seed']}) -> {out}")
    for night in truth["nights"]:
        refused = [f["path"] for f in night["files"] if f["status"] == "rejected"]
        corrected = [f["path"] for f in night["files"] if f["supersedes"]]
        events = night["expected"]["register_events"]
        print(f"  {night['folder']}: {len(night['files'])} files"
              + (f", refused as out of order: {', '.join(refused)}" if refused else "")
              + (f", corrected re-send: {', '.join(corrected)}" if corrected else "")
              + f"; register: {len(events['struck_off'])} struck off, {len(events['returned'])} back, "
                f"{len(events['renamed'])} renamed, {len(events['status_changed'])} status changes")


def print_summary(result: GeneratedDelivery) -> None:
    print(f"{result.organisations['total']} organisations (scale {result.scale}, seed {result.seed}, "
          f"delivery {result.delivery}) in {result.seconds} s -> {result.out}")
    for f in result.files:
        print(f"  {f.path}: {f.data_rows} rows ({f.rejected} bad, {f.duplicates} duplicate, "
              f"{f.violations} rule violations){' ' + f.encoding if f.encoding else ''}, {f.bytes:,} bytes")
    print(f"  sessions: {result.sessions}, participations: {result.participations}, sales: {result.sales}")


if __name__ == "__main__":
    raise SystemExit(main())


# -- months of history (`tadamon generate --delivery N`) -------------------------------------------
SOURCES = ("register", "mouazara", "associations", "indh_agr", "adherents", "formations")
SNAPSHOT_SOURCES = ("register", "mouazara", "associations", "adherents")  # a later file replaces an earlier one


def history_plan(months: int) -> list[list[tuple[str, int, str]]]:
    """The nights of deliveries 0..`months`: (source, month, variant) per file. From 3 months on, every
    case of docs/history.md happens once: the Mouazara file skips month 1 (a skipped month) and
    arrives late in night 3, after month 2's (refused: older than the snapshot in force); the
    register of month 2 omits two cooperatives by mistake and is re-sent corrected in night 3 (a
    corrected re-send), when the register skips month 3."""
    nights = []
    for month in range(months + 1):
        night = [(source, month, "normal") for source in SOURCES]
        if months >= 3 and month == 1:
            night = [f for f in night if f[0] != "mouazara"]
        if months >= 3 and month == 2:
            night = [("register", 2, "mistaken") if f[0] == "register" else f for f in night]
        if months >= 3 and month == 3:
            night = [f for f in night if f[0] != "register"] + [("register", 2, "corrected"), ("mouazara", 1, "late")]
        nights.append(night)
    return nights


def _period_date(period: str) -> dt.date:
    return dt.datetime.strptime(period if len(period) == 8 else period + "01", "%Y%m%d").date()


def _latest_on(files: dict[str, FileTruth], day: dt.date) -> FileTruth | None:
    known = [p for p in files if _period_date(p) <= day]
    return files[max(known)] if known else None


def _history_expectations(world: World, in_force: dict[str, dict[str, FileTruth]], last_month: int) -> dict:
    """What the marts must show after a night, from the files in force (docs/history.md): on each
    month end, the latest snapshot on or before it; INDH, the latest delivery of each project."""
    month_ends = [_month_end(BASE_DATE, m) for m in range(last_month + 1)]
    expected: dict = {"on": {}}
    for day in month_ends:
        on: dict = {}
        register = _latest_on(in_force["register"], day)
        if register:
            on["cooperatives_in_register"] = register.content["cooperatives"]
            on["active_cooperatives_by_province"] = register.content["active_by_province"]
        associations = _latest_on(in_force["associations"], day)
        if associations:
            on["associations_in_register"] = associations.content["associations"]
        mouazara = _latest_on(in_force["mouazara"], day)
        if mouazara:
            on["mouazara_committed_mad"] = f"{sum(float(v) for v in mouazara.content['committed'].values()):.2f}"
        indh: dict[str, str] = {}
        for period in sorted(p for p in in_force["indh_agr"] if _period_date(p) <= day):
            indh.update(in_force["indh_agr"][period].content["committed"])
        if indh:
            on["indh_committed_mad"] = f"{sum(float(v) for v in indh.values()):.2f}"
        expected["on"][day.isoformat()] = on
    registers = [in_force["register"][p] for p in sorted(in_force["register"])]
    latest, previous = registers[-1], (registers[-2] if len(registers) > 1 else None)
    seen_before = {n for f in registers[:-1] for n in f.content["numbers"]}
    now = set(latest.content["numbers"])
    expected["register_date"] = _period_date(latest.period).isoformat()
    expected["struck_off_now"] = sorted(seen_before - now)
    events: dict = {"struck_off": [], "returned": [], "renamed": [], "status_changed": [], "members_changed": []}
    if previous is not None:
        by_number = {o.register: o for o in world.coops}
        before, after = _period_month(previous.period), _period_month(latest.period)
        kept = set(previous.content["numbers"]) & now
        events["struck_off"] = sorted(set(previous.content["numbers"]) - now)
        events["returned"] = sorted((now & seen_before) - set(previous.content["numbers"]))
        events["renamed"] = sorted(n for n in kept if by_number[n].core_at(before) != by_number[n].core_at(after))
        events["status_changed"] = sorted(n for n in kept
                                          if by_number[n].status_at(before) != by_number[n].status_at(after))
        events["members_changed"] = sorted(n for n in kept
                                           if by_number[n].members_at(before) != by_number[n].members_at(after))
    expected["register_events"] = events
    mouazara = [in_force["mouazara"][p] for p in sorted(in_force["mouazara"])]
    expected["mouazara_dropped_now"] = sorted(
        {r for f in mouazara[:-1] for r in f.content["committed"]} - set(mouazara[-1].content["committed"]))
    return expected


def _period_month(period: str) -> int:
    day = _period_date(period)
    return (day.year - BASE_DATE.year) * 12 + day.month - BASE_DATE.month


def generate_history(out: Path, scale: float | int | str = "sample", seed: int = 42, months: int = 4) -> dict:
    """Write the nights of deliveries 0..`months` of one world under `out/night_NN/<provider>/`, and
    `out/truth.json`: per night, each file and what the loader must do with it (loaded, or refused
    as out of order), and what the marts must show after the night's load (counts in the register
    and money committed as known on every month end, the cooperatives struck off, returned, renamed,
    whose status or members changed). `history_plan` says which case happens when."""
    if not 1 <= months <= MAX_DELIVERY:
        raise ValueError(f"months of history: from 1 to {MAX_DELIVERY}")
    label, _, _ = resolve_scale(scale)
    out = Path(out)
    world = build_world(scale, seed)
    in_force: dict[str, dict[str, FileTruth]] = {source: {} for source in SOURCES}
    nights = []
    for number, night in enumerate(history_plan(months)):
        folder = out / f"night_{number:02d}"
        files = []
        writers: dict[int, _Writer] = {}
        for source, month, variant in night:
            writer = writers.setdefault(month, _Writer(world, folder, seed, month))
            if source == "register":
                omit = frozenset()
                if variant == "mistaken":
                    present = [o for o in world.coops if o.in_register(month) and o.month < month]
                    omit = frozenset(o.uid for o in random.Random(hash((seed, 202))).sample(present, 2))
                truth = writer.register(omit=omit, suffix=" (1)" if variant == "corrected" else "")
            elif source == "formations":
                writer.formations()
                truth = writer.files[-1]
            else:
                truth = {"mouazara": writer.mouazara, "associations": writer.associations, "indh_agr": writer.indh,
                         "adherents": writer.adherents}[source]()
            files.append((truth, variant))
        delivered = []
        # the loader takes the files of a folder in name order
        for truth, variant in sorted(files, key=lambda f: (f[0].provider, f[0].file)):
            periods = in_force[truth.source]
            status, superseded = "loaded", None
            if (truth.source in SNAPSHOT_SOURCES and truth.period not in periods and periods
                    and truth.period < max(periods)):
                status = "rejected"
            else:
                if truth.period in periods:
                    superseded = periods[truth.period].path
                periods[truth.period] = truth
            delivered.append({"path": truth.path, "source": truth.source, "period": truth.period, "variant": variant,
                              "status": status, "supersedes": superseded, "data_rows": truth.data_rows,
                              "rejected": truth.rejected, "duplicates": truth.duplicates})
        last_month = max(month for _, month, _ in night)
        nights.append({"night": number, "folder": folder.name, "month": last_month, "files": delivered,
                       "expected": _history_expectations(world, in_force, last_month)})
    truth = {"scale": label, "seed": seed, "months": months, "nights": nights}
    (out / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    return truth
