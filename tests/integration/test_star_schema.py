"""The star schema dbt builds (schema marts_build) against the answer key of the sample deliveries
(/work/shared/feeds/samples-truth.json): entity resolution, participation and money.

Needs the `star_schema_db` fixture: a SQLAlchemy URL of a database where the sample files are
loaded and `dbt build` has run."""

from __future__ import annotations

import collections
import itertools
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

TRUTH_PATH = Path(__file__).resolve().parents[3] / "shared/feeds/samples-truth.json"
MARTS = "marts_build"
CENT = Decimal("0.01")
ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


# --------------------------------------------------------------------------- fixtures and helpers


@pytest.fixture(scope="module")
def truth() -> dict:
    if not TRUTH_PATH.exists():
        pytest.skip(f"answer key {TRUTH_PATH} is absent: these tests only make sense on the sample files")
    return json.loads(TRUTH_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def engine(star_schema_db):
    url = sa.engine.make_url(star_schema_db)
    if url.drivername in ("postgresql", "postgres", "postgresql+psycopg"):
        url = url.set(drivername="postgresql+psycopg2")
    eng = sa.create_engine(url)
    yield eng
    eng.dispose()


def rows(engine, sql: str, **params) -> list[sa.Row]:
    with engine.connect() as conn:
        return list(conn.execute(sa.text(sql), params))


def canonical_key(source: str, record: str) -> str:
    """A record key compared across writings: ASCII digits; association receipts as YYYY/N."""
    key = record.strip().translate(ARABIC_DIGITS)
    if source == "wilaya_associations":
        numbers = re.findall(r"\d+", key)
        if len(numbers) == 2:
            year = next((n for n in numbers if len(n) == 4), numbers[0])
            sequence = numbers[1] if year == numbers[0] else numbers[0]
            key = f"{year}/{int(sequence)}"
    return key


@pytest.fixture(scope="module")
def source_map(engine) -> list[sa.Row]:
    return rows(
        engine,
        f"""select source_system, source_record_id, province_code, organisation_id, match_rule,
                   source_line_number
            from {MARTS}.organisation_source_map""",
    )


@pytest.fixture(scope="module")
def resolved_truth(truth, source_map) -> list[tuple[dict, str]]:
    """Each truth record with the organisation_id the warehouse gave it.

    A record is looked up by (source, key). Association receipt numbers are unique only within a
    province and the answer key does not give the province: records with the same receipt are paired
    in file order (the answer key lists every source's records in file order)."""
    by_key: dict[tuple[str, str], list[sa.Row]] = collections.defaultdict(list)
    for row in sorted(source_map, key=lambda r: (r.source_system, r.source_line_number)):
        by_key[(row.source_system, canonical_key(row.source_system, row.source_record_id))].append(row)
    seen: collections.Counter = collections.Counter()
    resolved = []
    for record in truth["records"]:
        key = (record["source"], canonical_key(record["source"], record["record"]))
        candidates = by_key.get(key, [])
        index = seen[key]
        seen[key] += 1
        assert index < len(candidates), f"truth record {record} is not in organisation_source_map"
        resolved.append((record, candidates[index].organisation_id))
    return resolved


@pytest.fixture(scope="module")
def org_of(source_map):
    index: dict[tuple[str, str, str | None], list[str]] = collections.defaultdict(list)
    for row in source_map:
        index[(row.source_system, row.source_record_id, None)].append(row.organisation_id)
        index[(row.source_system, row.source_record_id, row.province_code)].append(row.organisation_id)

    def lookup(source: str, record: str, province: str | None = None) -> str:
        found = index.get((source, record, province), [])
        assert len(found) == 1, f"{source} {record} {province or ''}: {len(found)} records in organisation_source_map"
        return found[0]

    return lookup


# --------------------------------------------------------------------------- entity resolution


def test_every_truth_record_maps_to_exactly_one_organisation(truth, source_map, resolved_truth):
    assert len(resolved_truth) == len(truth["records"])
    # one organisation per source record: the map has one row per record
    keys = [(r.source_system, r.source_record_id, r.province_code) for r in source_map]
    assert len(keys) == len(set(keys))
    per_source = collections.Counter(r.source_system for r in source_map)
    expected = collections.Counter(record["source"] for record in truth["records"])
    assert per_source == expected, "organisation_source_map holds exactly the truth's organisation records"


# Hand-checked cases (against the sample files and the answer key): records that are one organisation.
# An association is written (source, receipt, province) because receipts repeat across provinces.
SAME_ORGANISATION = [
    # register number written differently by every provider (FES/2000/0018, FES-2000-18, ...)
    [
        ("ministere_register", "FES/2000/0018"),
        ("ministere_mouazara", "MZ-2020-FM-0025"),
        ("wilaya_indh", "INDH-P3-FES-2019-045"),
        ("chambre_adherents", "CA-FM-000116"),
    ],
    [
        ("ministere_register", "SEF/2024/0001"),
        ("ministere_mouazara", "MZ-2024-FM-0007"),
        ("wilaya_indh", "INDH-P3-SEF-2023-050"),
        ("chambre_adherents", "CA-FM-000047"),
    ],
    # register number + name matches (Cooperative Al Amal de Lait / Alamal / تعاونية الأمل للحليب)
    [
        ("ministere_register", "FES/2016/0002"),
        ("ministere_mouazara", "MZ-2025-FM-0045"),
        ("wilaya_indh", "INDH-P3-FES-2026-109"),
        ("chambre_adherents", "CA-FM-000080"),
    ],
    # ICE only on the chamber side, register number on the register side
    [
        ("ministere_register", "FES/2021/0001"),
        ("chambre_adherents", "CA-FM-000251"),
        ("ministere_mouazara", "MZ-2024-FM-0033"),
    ],
    [("ministere_register", "MKN/2002/0003"), ("chambre_adherents", "CA-FM-000081")],
    [("ministere_register", "FES/2014/0005"), ("chambre_adherents", "CA-FM-000128")],
    # INDH holder without number, matched on the Arabic name, province and commune
    [("ministere_register", "TAZ/2012/0003"), ("wilaya_indh", "INDH-P3-TAZ-2023-044")],
    [
        ("ministere_register", "MYQ/2008/0001"),
        ("ministere_mouazara", "MZ-2021-FM-0078"),
        ("wilaya_indh", "INDH-P3-MYQ-2024-093"),
    ],
    [
        ("ministere_register", "IFR/2011/0001"),
        ("wilaya_indh", "INDH-P3-IFR-2018-133"),
        ("chambre_adherents", "CA-FM-000123"),
    ],
    [("ministere_register", "FES/2017/0003"), ("wilaya_indh", "INDH-P3-FES-2017-098")],
    # Coopérative Al Atlas de Bois / تعاونيه الأطلس للخشب / Coopérative El Atlas de Bois
    [
        ("ministere_register", "MKN/2011/0001"),
        ("ministere_mouazara", "MZ-2020-FM-0036"),
        ("wilaya_indh", "INDH-P3-MKN-2026-134"),
        ("chambre_adherents", "CA-FM-000052"),
    ],
    # Arrahma Dhissa: chamber and Mouazara without number, same spelling and commune as the register
    [
        ("ministere_register", "MKN/2002/0001"),
        ("chambre_adherents", "CA-FM-000005"),
        ("ministere_mouazara", "MZ-2025-FM-0080"),
    ],
    # Mouazara copies the register's exact spelling ('COOP Arrahma'); other 'Arrahma' exist in Meknès
    [("ministere_register", "MKN/2007/0001"), ("ministere_mouazara", "MZ-2023-FM-0011")],
    # associations: receipt number (301/1998, ٢٠٢/٢٠٠٩ ...) + province
    [(("wilaya_associations", "2009/202", "03.061")), ("ministere_mouazara", "MZ-2022-FM-0061")],
    [
        ("wilaya_associations", "1998/301", "03.131"),
        ("ministere_mouazara", "MZ-2021-FM-0040"),
        ("ministere_mouazara", "MZ-2025-FM-0070"),
        ("wilaya_indh", "INDH-P3-BLM-2022-115"),
    ],
    [
        ("wilaya_associations", "2018/201", "03.061"),
        ("ministere_mouazara", "MZ-2023-FM-0052"),
        ("chambre_adherents", "CA-FM-000168"),
    ],
    [
        ("wilaya_associations", "2021/302", "03.061"),
        ("wilaya_indh", "INDH-P3-MKN-2019-035"),
        ("chambre_adherents", "CA-FM-000214"),
    ],
    [
        ("wilaya_associations", "2021/1", "03.171"),
        ("wilaya_indh", "INDH-P3-HAJ-2024-058"),
        ("wilaya_indh", "INDH-P3-HAJ-2019-063"),
        ("chambre_adherents", "CA-FM-000175"),
    ],
    # Arabic-only association register row vs Latin-only chamber member (transliterated name + commune)
    [("wilaya_associations", "1998/102", "03.531"), ("chambre_adherents", "CA-FM-000193")],
    [("wilaya_associations", "2024/1", "03.271"), ("chambre_adherents", "CA-FM-000184")],
    [("wilaya_associations", "2004/202", "03.451"), ("chambre_adherents", "CA-FM-000223")],
    [
        ("wilaya_associations", "2002/101", "03.451"),
        ("chambre_adherents", "CA-FM-000162"),
        ("wilaya_indh", "INDH-P3-SEF-2021-006"),
    ],
    [
        ("wilaya_associations", "2019/301", "03.231"),
        ("ministere_mouazara", "MZ-2020-FM-0030"),
        ("chambre_adherents", "CA-FM-000160"),
    ],
    [
        ("wilaya_associations", "1999/2", "03.271"),
        ("wilaya_indh", "INDH-P3-IFR-2024-047"),
        ("chambre_adherents", "CA-FM-000245"),
    ],
    [("wilaya_associations", "1999/304", "03.061"), ("chambre_adherents", "CA-FM-000232")],
    # Izourane Thar Es-Souk: five records, three writings, one without any number
    [
        ("wilaya_associations", "1998/1", "03.531"),
        ("ministere_mouazara", "MZ-2022-FM-0079"),
        ("ministere_mouazara", "MZ-2022-FM-0016"),
        ("wilaya_indh", "INDH-P3-TAO-2024-019"),
        ("chambre_adherents", "CA-FM-000189"),
    ],
    # holder name without the legal-form word (الهدى للزليج فاس)
    [("wilaya_associations", "2018/106", "03.231"), ("ministere_mouazara", "MZ-2024-FM-0068")],
]

# Hand-checked cases: records that are different organisations although they look alike.
DIFFERENT_ORGANISATIONS = [
    # cooperatives with different register numbers and the same name in the same prefecture
    (("ministere_register", "MKN/2007/0001"), ("ministere_register", "MKN/2014/0001")),
    (("ministere_register", "MKN/2019/0003"), ("ministere_register", "MKN/2007/0001")),
    (("ministere_register", "MKN/2002/0001"), ("ministere_register", "MKN/2014/0001")),
    (("ministere_register", "FES/2000/0021"), ("ministere_register", "FES/2000/0007")),
    # the same receipt number in two provinces
    (("wilaya_associations", "1997/101", "03.131"), ("wilaya_associations", "1997/101", "03.561")),
    (("wilaya_associations", "2019/302", "03.231"), ("wilaya_associations", "2019/302", "03.061")),
    # same name, same province, different communes
    (("wilaya_associations", "2019/2", "03.531"), ("wilaya_associations", "2008/105", "03.531")),
    (("wilaya_associations", "2004/303", "03.231"), ("wilaya_associations", "2018/106", "03.231")),
    # 'Assoc. Al Falah' (Mouazara, Fès, no number) is not the Latin-named Alfalah of Aïn Bida
    (("ministere_mouazara", "MZ-2025-FM-0031"), ("wilaya_associations", "2019/302", "03.231")),
    # Alhouda de Plantes médicinales of Charqaoua is not the one of Nzalat Bni Amar
    (("chambre_adherents", "CA-FM-000232"), ("wilaya_associations", "2014/302", "03.061")),
    # a cooperative and an association with the same name
    (("ministere_register", "FES/2018/0001"), ("wilaya_associations", "2014/201", "03.231")),
    (("ministere_register", "TAO/2000/0003"), ("wilaya_associations", "2018/106", "03.231")),
    # the two GIE of the INDH file
    (("wilaya_indh", "INDH-P3-SEF-2021-043"), ("wilaya_indh", "INDH-P3-TAZ-2021-092")),
]


def test_hand_checked_case_count():
    pairs = sum(len(group) - 1 for group in SAME_ORGANISATION) + len(DIFFERENT_ORGANISATIONS)
    assert pairs >= 30


@pytest.mark.parametrize("group", SAME_ORGANISATION, ids=lambda g: " = ".join(r[1] for r in g))
def test_records_of_one_organisation_share_its_id(org_of, group):
    organisation_ids = {record: org_of(*record) for record in group}
    assert len(set(organisation_ids.values())) == 1, organisation_ids


@pytest.mark.parametrize("pair", DIFFERENT_ORGANISATIONS, ids=lambda p: " != ".join(r[1] for r in p))
def test_different_organisations_keep_different_ids(org_of, pair):
    left, right = pair
    assert org_of(*left) != org_of(*right)


def test_no_false_merge_and_recall(resolved_truth):
    by_organisation = collections.defaultdict(list)
    by_truth = collections.defaultdict(list)
    for record, organisation_id in resolved_truth:
        by_organisation[organisation_id].append(record)
        by_truth[record["org"]].append(organisation_id)

    false_merges = [
        (a, b)
        for records in by_organisation.values()
        for a, b in itertools.combinations(records, 2)
        if a["org"] != b["org"]
    ]
    true_pairs = sum(len(ids) * (len(ids) - 1) // 2 for ids in by_truth.values())
    found_pairs = sum(1 for ids in by_truth.values() for a, b in itertools.combinations(ids, 2) if a == b)
    recall = found_pairs / true_pairs if true_pairs else 1.0
    print(
        f"\nentity resolution: {len(by_organisation)} organisations for {len(by_truth)} true ones; "
        f"pairwise recall {recall:.4f} ({found_pairs}/{true_pairs}), false merges {len(false_merges)}"
    )
    assert not false_merges, f"records of different organisations merged: {false_merges[:5]}"
    assert recall >= 0.95, f"pairwise recall {recall:.4f} below 0.95"


def test_organisation_ids_are_durable_anchors(engine):
    """organisation_id derives from the anchor identifier (not from a row number): a cooperative's id
    is the same in every build, ORG- + md5('register:<number>')."""
    found = rows(
        engine,
        f"""select organisation_id, register_number from {MARTS}.dim_organisation
            where register_number = 'FES/2000/0018'""",
    )
    assert found, "FES/2000/0018 is in dim_organisation"
    import hashlib

    expected = "ORG-" + hashlib.md5(b"register:FES/2000/0018").hexdigest()[:12]
    assert {row.organisation_id for row in found} == {expected}


# --------------------------------------------------------------------------- participation


def test_the_meeting_of_14_october_2026_counts_250_organisations(engine):
    found = rows(
        engine,
        f"""select count(distinct participation.organisation_key) as organisations, min(s.starts_on) as starts_on
            from {MARTS}.fct_participation as participation
            join {MARTS}.dim_session as s on s.session_key = participation.session_key
            where s.session_id = 'S-2026-0001'""",
    )
    assert found[0].organisations == 250
    assert str(found[0].starts_on) == "2026-10-14"


def test_sessions_match_the_answer_key(engine, truth):
    found = {
        row.session_id: row
        for row in rows(
            engine,
            f"""select s.session_id, count(*) as organisations, sum(p.participants) as participants,
                       sum(p.sales_mad) as sales
                from {MARTS}.fct_participation as p
                join {MARTS}.dim_session as s on s.session_key = p.session_key
                group by s.session_id""",
        )
    }
    for session_id, expected in truth["sessions"].items():
        row = found.get(session_id)
        assert row is not None, f"session {session_id} has no participation"
        assert row.organisations == expected["orgs"], session_id
        assert row.participants == expected["participants"], session_id
        assert Decimal(row.sales).quantize(CENT) == Decimal(str(expected["sales"])).quantize(CENT), session_id


# --------------------------------------------------------------------------- money


FUNDING_COLUMNS = {
    # answer-key field: (source_system, funder, flow type)
    "ministry_commitment": ("ministere_mouazara", "MTAESS", "commitment"),
    "region_commitment": ("ministere_mouazara", "CRFM", "commitment"),
    "ministry_disbursed": ("ministere_mouazara", "MTAESS", "disbursement"),
    "indh_commitment": ("wilaya_indh", "WILAYA_INDH", "commitment"),
    "indh_disbursed": ("wilaya_indh", "WILAYA_INDH", "disbursement"),
}


def test_money_per_project_matches_the_answer_key_to_the_centime(engine, truth):
    amounts = collections.defaultdict(Decimal)
    for row in rows(
        engine,
        f"""select f.source_system, p.project_ref, i.institution_code, f.flow_type, sum(f.amount_mad) as amount
            from {MARTS}.fct_funding as f
            join {MARTS}.dim_project as p on p.project_key = f.project_key
            join {MARTS}.dim_institution as i on i.institution_key = f.institution_key
            group by 1, 2, 3, 4""",
    ):
        amounts[(row.source_system, row.project_ref, row.institution_code, row.flow_type)] = Decimal(row.amount)

    mismatches = []
    for project in truth["money"]:
        for field, (source_system, funder, flow_type) in FUNDING_COLUMNS.items():
            if field not in project:
                continue
            expected = Decimal(str(project[field])).quantize(CENT)
            # zero amounts are not rows of fct_funding: a missing row is 0
            actual = amounts.get((source_system, project["ref"], funder, flow_type), Decimal(0)).quantize(CENT)
            if expected != actual:
                mismatches.append((project["ref"], field, expected, actual))
    assert not mismatches, mismatches[:10]


def test_no_zero_amounts_in_funding(engine):
    found = rows(engine, f"select count(*) as n from {MARTS}.fct_funding where amount_mad = 0 or amount_mad is null")
    assert found[0].n == 0


# --------------------------------------------------------------------------- rules the contracts enforce


def test_the_marts_contracts_enforce_their_non_null_columns_and_accepted_values(engine):
    """A mart's non-null columns and its blocking accepted values are constraints of the table dbt
    builds (models/marts/_marts__models.yml): a null or an unknown value fails the build itself, so
    the publication does not happen. They are checked once, by PostgreSQL, not again by a test."""
    import yaml

    spec = yaml.safe_load(
        (Path(__file__).resolve().parents[2] / "dbt_project/models/marts/_marts__models.yml").read_text(
            encoding="utf-8"
        )
    )
    declared = {
        (model["name"], column["name"])
        for model in spec["models"]
        for column in model["columns"]
        if {"type": "not_null"} in column.get("constraints", [])
    }
    assert len(declared) > 40
    built = {
        (table, column)
        for table, column in rows(
            engine,
            """select c.relname, a.attname from pg_attribute a join pg_class c on c.oid = a.attrelid
               where c.relnamespace = cast(:schema as regnamespace) and a.attnum > 0 and a.attnotnull""",
            schema=MARTS,
        )
    }
    assert declared <= built, sorted(declared - built)
    with engine.connect() as conn:
        with pytest.raises(sa.exc.IntegrityError, match='null value in column "name_fr"'):
            conn.execute(sa.text(f"insert into {MARTS}.dim_axis (axis_key, axis_code) values ('k', 'X')"))
        conn.rollback()
        with pytest.raises(sa.exc.IntegrityError, match="violates check constraint"):
            conn.execute(sa.text(f"update {MARTS}.dim_organisation set organisation_type = 'company'"))
        conn.rollback()
