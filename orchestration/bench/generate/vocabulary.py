"""What the generated records are made of: the provinces and communes of the region, name parts in
both scripts, sectors, statuses, programmes, places; and the salts of the per-record generators."""

from __future__ import annotations

import csv

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


def communes_by_province() -> dict[str, list[tuple[str, str]]]:
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
SYLLABLES = [
    ("تا", "ta"),
    ("ما", "ma"),
    ("زي", "zi"),
    ("رو", "rou"),
    ("كا", "ka"),
    ("لا", "la"),
    ("بو", "bou"),
    ("سي", "si"),
    ("نو", "nou"),
    ("دا", "da"),
    ("غا", "gha"),
    ("مو", "mou"),
    ("حا", "ha"),
    ("فو", "fou"),
    ("را", "ra"),
    ("وا", "oua"),
    ("يو", "you"),
    ("شا", "cha"),
    ("قو", "kou"),
    ("جا", "ja"),
    ("عين", "ain"),
    ("بني", "beni"),
    ("تي", "ti"),
]
ENDINGS = [("ت", "t"), ("ن", "ne"), ("ر", "r"), ("ل", "l"), ("س", "s"), ("", ""), ("ين", "ine"), ("ة", "a")]
# name patterns: (Arabic template, French template, weight); {w} the distinctive word, {p} the activity
NAME_PATTERNS = [
    ("{w}", "{w}", 35),  # a common core: الأمل, Al Amal
    ("دوار {w} للتنمية", "Douar {w} pour le développement", 30),  # a douar's development association
    ("آيت {w}", "Aït {w}", 15),  # a tribe
    ("{w}", "{w}", 20),  # a place word as the distinctive word
]
# (Arabic with its preposition, French, craft of the chamber)
PRODUCTS = [
    ("للزربية", "Tapis", "tapis"),
    ("للنحاس", "Dinanderie", "dinanderie"),
    ("للخشب", "Bois", "bois"),
    ("للأعشاب الطبية", "Plantes médicinales", None),
    ("للتين", "Figues", None),
    ("للفخار", "Poterie", "poterie"),
    ("للزليج", "Zellige", "zellige"),
    ("للجلد", "Cuir", "maroquinerie"),
    ("للعسل", "Miel", None),
    ("للكسكس", "Couscous", None),
    ("للحليب", "Lait", None),
    ("للنسيج", "Tissage", "tissage"),
    ("للطرز", "Broderie", "broderie"),
    ("لزيت الزيتون", "Huile d'olive", None),
]
CRAFTS = [
    "tapis",
    "zellige",
    "dinanderie",
    "maroquinerie",
    "bois",
    "poterie",
    "tissage",
    "broderie",
    "couture traditionnelle",
]
SECTORS = [
    ("Agriculture", 45),
    ("Artisanat", 22),
    ("Denrées alimentaires", 8),
    ("Services", 6),
    ("Plantes aromatiques et médicinales", 5),
    ("Habitat", 4),
    ("Tourisme", 3),
    ("Forêt", 2),
]
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
PROGRAMMES = [
    ("Mouazara", 22),
    ("Programme Mouazara", 19),
    ("PDR 2016-2021", 19),
    (None, 16),
    ("PDR 2022-2027", 10),
    ("Autonomisation économique des femmes", 10),
    ("Inclusion économique des personnes en situation de handicap", 4),
]
PLACES = [
    "Salle communale, Sefrou",
    "Chambre d'Artisanat, Taza",
    "Maison de l'artisan, Meknès",
    "Complexe des artisans, Fès",
]
PARTNERS = ["Ministère", "Wilaya", "Conseil de la Région", "Chambre d'Artisanat", "INDH", "ODCO"]
SESSION_TITLES_AR = {"formation": "دورة تكوينية", "salon": "معرض", "rencontre": "لقاء تواصلي"}

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
