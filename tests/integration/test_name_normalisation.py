"""The one name normalisation, the dbt macro `normalize_org_name` (dbt_project/macros/
normalize_org_name.sql), tested with properties on PostgreSQL: dbt renders the macro text once
(`dbt compile --inline`, no connection needed) and every name is run through that SQL, as a bound
parameter, on the test server. Different writings of one name give one key, distinct names keep
distinct keys, and a key is its own key."""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from orchestration.warehouse import sqlalchemy_url
from tests.dbt_cli import run_dbt

SCRIPTS = ("latin", "arabic", "any")
INLINE = (
    "select {{ normalize_org_name('names.name', 'latin') }} as latin, "
    "{{ normalize_org_name('names.name', 'arabic') }} as arabic, "
    "{{ normalize_org_name('names.name') }} as any, "
    "{{ normalize_place_name('names.name') }} as place, "
    "{{ name_skeleton(normalize_org_name('names.name', 'latin'), 'latin') }} as skeleton_latin, "
    "{{ name_skeleton(normalize_org_name('names.name', 'arabic'), 'arabic') }} as skeleton_arabic"
)


def _render_macro(tmp_dir) -> str:
    result = run_dbt(
        "compile",
        "--quiet",
        "--no-populate-cache",
        "--output",
        "json",
        "--inline",
        INLINE,
        artifacts=tmp_dir,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    compiled = json.loads(result.stdout)["compiled"]
    # the names go in as a psycopg2 parameter: a literal % in the macro would need escaping
    assert "%" not in compiled and "normalize_org_name" not in compiled
    return compiled


@pytest.fixture(scope="module")
def keys_of(test_server, tmp_path_factory):
    """keys_of(names) -> one {latin, arabic, any, place} per name, computed by the macro's SQL."""
    compiled = _render_macro(tmp_path_factory.mktemp("normalize"))
    query = (
        f"select keys.* from unnest(%(names)s::text[]) with ordinality as names (name, n) "
        f"cross join lateral ({compiled}) as keys order by names.n"
    )
    url = test_server.new_database("tadamon_names")
    eng = sa.create_engine(sqlalchemy_url(url))
    conn = eng.raw_connection()

    def keys_of(names: list[str | None]) -> list[dict[str, str | None]]:
        with conn.cursor() as cur:
            cur.execute(query, {"names": list(names)})
            columns = [c.name for c in cur.description]
            return [dict(zip(columns, row)) for row in cur.fetchall()]

    yield keys_of
    conn.close()
    eng.dispose()
    test_server.drop_database(url)


def key(keys_of, name, script="any"):
    return keys_of([name])[0][script]


# ------------------------------------------------------------------ examples the warehouse relies on


@pytest.mark.parametrize(
    "script, writings",
    [
        (
            "latin",
            [
                "Al Amal",
                "Alamal",
                "El Amal",
                "AL-AMAL",
                "Coopérative Al Amal",
                "COOP. EL AMAL",
                "Coop Alamal",
                "Al Amal GIE",
                "GIE  al-amal",
            ],
        ),
        ("latin", ["Assalam", "As Salam", "Essalam", "Association Assalam", "Coopérative As Salam", "ASSOC. ES-SALAM"]),
        ("latin", ["Alkarama", "Al Karama", "Coopérative Alkarama", "Assoc. Alkarama", "ASSOCIATION Al Karama"]),
        ("latin", ["Ar Rahma", "Arrahma", "Er Rahma", "COOPÉRATIVE ARRAHMA"]),
        ("latin", ["At Tadamoun", "Attadamoun", "At-Tadamoun"]),  # "et" is French "and", not an article
        ("latin", ["Ach Chourouk", "Ech Chourouk"]),
        ("latin", ["Annassim", "An Nassim"]),
        ("latin", ["Er Riad", "Erriad", "Arriad"]),
        (
            "latin",
            ["Coop. El Fellah de Plantes médicinales Oulad Tayeb", "COOP EL FELLAH DE PLANTES MÉDICINALES OULAD TAYEB"],
        ),
        (
            "arabic",
            [
                "تعاونية الأمل",
                "تعاونيه الامل",
                "الأمل",
                "تعاوـنية الأمل",
                "  تعاونية   الأمل ",
                "Coop Al Amal تعاونية الأمل",
            ],
        ),
        ("arabic", ["جمعية الغد للتين", "جمعيـة الغد للتين", "جمعيه الغد للتين"]),
        ("arabic", ["تعاوـنيه الفلاح للاعشاب الطبيه اولاد الطيب", "تعاونية الفلاح للأعشاب الطبية أولاد الطيب"]),
        ("arabic", ["مجموعة ذات النفع الاقتصادي الأمل", "الأمل"]),
        ("arabic", ["تعاونية السلام", "تعاونيّة السَّلام"]),
        ("arabic", ["تعاونية السلام ٢", "تعاونية السلام 2", "تعاونية السلام ۲"]),
    ],
)
def test_writings_of_one_name_give_one_key(keys_of, script, writings):
    keys = {row[script] for row in keys_of(writings)}
    assert len(keys) == 1 and None not in keys, keys


@pytest.mark.parametrize(
    "raw, script, expected",
    [
        ("Al Amal", "latin", "alamal"),
        ("Coopérative Al Amal de Tapis", "latin", "alamal de tapis"),
        ("Essalam", "latin", "alsalam"),
        ("COOP Az Zaytoun de Huile d'olive", "latin", "alzaytoun de huile d olive"),
        ("Association Tifaouine Aït El Mane", "latin", "tifaouine ait almane"),
        ("تعاونية الأمل", "arabic", "الامل"),
        ("جمعية الهدى للتين فاس", "arabic", "الهدي للتين فاس"),
        ("Coopérative Al Amal تعاونية الأمل", "latin", "alamal"),
        ("Coopérative Al Amal تعاونية الأمل", "arabic", "الامل"),
        ("Coopérative Al Amal تعاونية الأمل", "any", "alamal الامل"),
        # nothing but a legal form, or nothing at all: no key (never matched on)
        ("Coopérative", "latin", None),
        ("تعاونية", "arabic", None),
        ("", "any", None),
        (None, "any", None),
        ("Aïn Bida", "place", "ainbida"),
        ("AIN-BIDA", "place", "ainbida"),
    ],
)
def test_examples(keys_of, raw, script, expected):
    assert key(keys_of, raw, script) == expected


def test_distinct_names_keep_distinct_keys(keys_of):
    pairs = [
        ("Al Amal", "Al Karama", "latin"),
        ("Al Amal", "Al Amal de Miel", "latin"),
        ("تعاونية الأمل", "تعاونية الأمل للحليب", "arabic"),
        ("Al Amal 1", "Al Amal 2", "latin"),
        ("Coopérative Al Amal", "Association Al Amal Fès", "latin"),
    ]
    for left, right, script in pairs:
        assert key(keys_of, left, script) != key(keys_of, right, script), (left, right)


# ------------------------------------------------------------------ properties

PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# words no rule rewrites: no article at their start, no legal-form word among them
plain_latin_words = st.text(alphabet="bkmnpu", min_size=2, max_size=7)
latin_names = st.lists(plain_latin_words, min_size=1, max_size=4)
ACCENTED = {"u": ["u", "ù", "ú", "û", "ü", "U", "Ü"], "n": ["n", "ñ", "N", "Ñ"]}
LATIN_SEPARATORS = [" ", "  ", "-", " - ", ". ", ", ", "'", "\u00a0", "\u202f", " (", ") "]
LEGAL_FORMS = ["", "Coopérative ", "COOPERATIVE ", "Coop. ", "COOP ", "Association ", "Assoc. ", "GIE "]


@st.composite
def latin_writing(draw, words):
    """One writing of a name: capitals, accents, punctuation and spaces between words, a legal form."""
    written = []
    for word in words:
        written.append("".join(draw(st.sampled_from(ACCENTED.get(c, [c, c.upper()]))) for c in word))
    text = written[0]
    for word in written[1:]:
        text += draw(st.sampled_from(LATIN_SEPARATORS)) + word
    return draw(st.sampled_from(LEGAL_FORMS)) + text + draw(st.sampled_from(["", " ", ".", " GIE"]))


@given(st.data())
@PROPERTY_SETTINGS
def test_latin_writings_give_the_name_itself(keys_of, data):
    words = data.draw(latin_names)
    writings = [data.draw(latin_writing(words)) for _ in range(3)]
    assert {row["latin"] for row in keys_of(writings)} == {" ".join(words)}, writings


@given(st.sampled_from("sdnrtz"), st.text(alphabet="aiou", min_size=1, max_size=2), plain_latin_words)
@PROPERTY_SETTINGS
def test_an_article_written_apart_glued_or_assimilated_gives_one_key(keys_of, sun_letter, vowels, rest):
    word = sun_letter + vowels + rest
    writings = [
        f"Al {word}",
        f"El {word}",
        f"Al-{word}",
        f"al{word}",
        f"El{word}",
        f"A{sun_letter} {word}",
        f"A{sun_letter}{word}",
        f"E{sun_letter}{word}",
    ]
    if sun_letter in "srz":  # the macro reads 'es', 'er', 'ez' written apart as articles, not 'ed', 'en', 'et'
        writings.append(f"E{sun_letter} {word}")
    assert {row["latin"] for row in keys_of(writings)} == {"al" + word}, writings


PLAIN_ARABIC_LETTERS = "ابتثجحخدذرسشصضطظعغفقكلمنهوي"
LETTER_VARIANTS = {"ا": ["ا", "أ", "إ", "آ", "ٱ"], "و": ["و", "ؤ"], "ي": ["ي", "ئ", "ى"], "ه": ["ه", "ة"]}
DIACRITICS = ["\u064b", "\u064c", "\u064d", "\u064e", "\u064f", "\u0650", "\u0651", "\u0652", "\u0670"]
arabic_names = st.tuples(
    st.sampled_from(["", "تعاونيه ", "جمعيه "]),
    st.lists(st.text(alphabet=PLAIN_ARABIC_LETTERS, min_size=1, max_size=8), min_size=1, max_size=4).map(" ".join),
).map("".join)


@st.composite
def arabic_writing(draw, name):
    """The same name with hamza / ta marbuta / alif maqsura forms, tatweel, diacritics and spaces."""
    out = []
    for char in name:
        if char == " ":
            out.append(draw(st.sampled_from([" ", "  ", " \u00a0", "\u202f"])))
            continue
        out.append(draw(st.sampled_from(LETTER_VARIANTS.get(char, [char]))))
        out.append(draw(st.sampled_from(["", "", "\u0640"] + DIACRITICS)))
    return draw(st.sampled_from(["", " "])) + "".join(out) + draw(st.sampled_from(["", " ", "."]))


@given(st.data())
@PROPERTY_SETTINGS
def test_arabic_spelling_variants_give_one_key(keys_of, data):
    name = data.draw(arabic_names)
    writings = [name] + [data.draw(arabic_writing(name)) for _ in range(3)]
    assert len({row["arabic"] for row in keys_of(writings)}) == 1, writings


@given(st.lists(latin_names, min_size=2, max_size=2, unique_by=lambda words: " ".join(words)))
@PROPERTY_SETTINGS
def test_distinct_names_stay_apart(keys_of, names):
    left, right = keys_of([" ".join(words) for words in names])
    assert left["latin"] != right["latin"]


any_text = st.text(alphabet=st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=40)
name_like_text = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéèêëàâîïôöûüçÉÈÀÇ -'.,()"
    "ابتثجحخدذرسشصضطظعغفقكلمنهويأإآٱؤئةىـًٌٍَُِّْٰ ٠١٢٣٤٥٦٧٨٩",
    max_size=40,
)
article_and_legal_words = st.lists(
    st.sampled_from(
        [
            "al",
            "el",
            "as",
            "es",
            "ar",
            "er",
            "at",
            "et",
            "ach",
            "ech",
            "an",
            "ez",
            "ass",
            "coop",
            "cooperative",
            "association",
            "assoc",
            "gie",
            "salam",
            "rahma",
            "chourouk",
            "amal",
            "assalam",
            "arrahma",
            "elamal",
            "x",
            "تعاونية",
            "جمعية",
            "مجموعة",
            "ذات",
            "النفع",
            "الاقتصادي",
            "الأمل",
        ]
    ),
    max_size=8,
).map(" ".join)


# An article left alone once a legal-form word between it and the name is dropped ('al coop amal' ->
# 'al amal') is glued only by a second pass ('alamal'): the one writing where a key is not its own key.
ARTICLE_LEFT_ALONE = re.compile(r"(^| )(al|el|as|es|ad|an|ar|at|ach|ech|er|ez|az) (?=[a-z])")


@pytest.mark.parametrize(
    "latin, arabic, skeleton",
    [
        ("Coopérative Al Fajr", "تعاونية الفجر", "fjr"),
        ("Association Douar Tazirout pour le développement", "جمعية دوار تازيروت للتنمية", "tzrt"),
        ("Association Douar Tamesna", "جمعية دوار تامسنا", "tmsn"),
        ("Association Aït Bouzid", "جمعية آيت بوزيد", "bzd"),
        ("Association Ouled Ali", "جمعية أولاد علي", "l"),
        ("Association Douar", "جمعية دوار", "dr"),  # nothing after it: the word itself
    ],
)
def test_a_name_is_known_across_scripts_by_its_distinctive_word_not_its_douar_or_tribe(
    keys_of, latin, arabic, skeleton
):
    latin_keys, arabic_keys = keys_of([latin, arabic])
    assert latin_keys["skeleton_latin"] == skeleton
    assert arabic_keys["skeleton_arabic"] == skeleton


@pytest.mark.xfail(
    strict=True, reason="normalize_org_name glues articles before it collapses the spaces a legal form leaves"
)
def test_an_article_before_a_legal_form_word_is_glued_by_a_second_pass_only(keys_of):
    first = key(keys_of, "Al Coop Amal", "latin")
    assert key(keys_of, first, "latin") == first


@pytest.mark.parametrize(
    "texts",
    [any_text, name_like_text, article_and_legal_words],
    ids=["any_text", "name_like", "articles_and_legal_words"],
)
def test_a_key_is_its_own_key(keys_of, texts):
    @given(texts)
    @PROPERTY_SETTINGS
    def check(text):
        first = keys_of([text])[0]
        assume(not any(ARTICLE_LEFT_ALONE.search(first[script] or "") for script in ("latin", "any")))
        again = keys_of([first[script] for script in SCRIPTS])
        assert [again[i][script] for i, script in enumerate(SCRIPTS)] == [first[s] for s in SCRIPTS], text

    check()
