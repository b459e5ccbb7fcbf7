"""Landing the providers' files: every quirk of the contract, on real files and a real PostgreSQL."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from orchestration.ingest import raw_tables
from orchestration.ingest.landing import Lander
from orchestration.warehouse import admin_url, engine
from tests.conftest import SAMPLES, SHARED, deliver_samples
from tests.table_statistics import SMALL_SAMPLE_BOUNDS, widest_histogram

REGISTER_HEADER = [
    "N° Immatriculation",
    "ICE",
    "Dénomination",
    "Dénomination arabe",
    "Secteur",
    "Branche",
    "Date de constitution",
    "Préfecture/Province",
    "Commune",
    "Adhérents",
    "dont Femmes",
    "Capital (DH)",
    "Situation",
]
ASSOC_HEADER = [
    "رقم الوصل النهائي",
    "تاريخ الوصل",
    "اسم الجمعية",
    "الاسم بالفرنسية",
    "العمالة أو الإقليم",
    "الجماعة",
    "مجال النشاط",
    "تاريخ التأسيس",
    "عدد المنخرطين",
    "اسم الرئيس",
    "رقم البطاقة الوطنية للرئيس",
    "الهاتف",
    "الوضعية",
]


def register_row(number="FES/2015/0123", ice=None, members=20, women=5, province="Fès", name="Coop Al Amal"):
    return [
        number,
        ice,
        name,
        "تعاونية الأمل",
        "Artisanat",
        "Tissage",
        "14/01/2015",
        province,
        "Fès",
        members,
        women,
        "10 000,00 DH",
        "Active",
    ]


def write_register(path, rows, title_rows=4, header=REGISTER_HEADER, total=True, sheet="Coopératives"):
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = sheet
    ws.append(["Ministère du Tourisme, de l'Artisanat et de l'Économie Sociale et Solidaire"])
    for _ in range(title_rows - 1):
        ws.append([])
    ws.append(header)
    for row in rows:
        ws.append(row)
    if total:
        ws.append(["Total", None, f"{len(rows)} coopératives"])
    workbook.save(path)
    return path


def write_associations(path, rows, encoding="cp1256"):
    lines = [";".join(ASSOC_HEADER)] + [";".join(r) for r in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def assoc_row(receipt="2019/123", name="جمعية الأمل", province="فاس"):
    return [
        receipt,
        "19/06/2019",
        name,
        "Association Al Amal",
        province,
        "فاس",
        "تنمية محلية",
        "14/05/2019",
        "27",
        "يوسف بنعلي",
        "B892666",
        "0642419587",
        "نشيطة",
    ]


def incoming(settings, provider):
    folder = settings.incoming_dir / provider
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def land(settings):
    return Lander(settings, admin_url(settings)).land_pending()


def query(settings, sql, **params):
    with engine(admin_url(settings)).connect() as conn:
        return conn.execute(sa.text(sql), params).all()


def load_rows(settings):
    return {r.file_name: r for r in query(settings, "select * from audit.load_file order by load_id")}


# -- the samples ---------------------------------------------------------------------------------
def test_samples_load_and_every_line_is_accounted_for(warehouse):
    deliver_samples(warehouse)
    outcomes = {o.file_name: o for o in land(warehouse)}
    assert {o.status for o in outcomes.values()} == {"loaded"}
    audit = load_rows(warehouse)
    for row in audit.values():
        assert row.rows_read == row.rows_loaded + row.rows_rejected + row.rows_duplicate
    expected = {
        "REG_COOP_FM_20261031.xlsx": (402, 400, 1, 1),
        "MOUAZARA_FM_20261031.xlsx": (92, 91, 1, 0),
        "wilaya_jamiyat_202610.csv": (500, 500, 0, 0),
        "wilaya_indh_agr_202610.csv": (151, 150, 1, 0),
        "chambre_adherents_20261101.json": (303, 303, 0, 0),
        "chambre_formations_20261101.json": (31, 31, 0, 0),
    }
    for name, counts in expected.items():
        row = audit[name]
        assert (row.rows_read, row.rows_loaded, row.rows_rejected, row.rows_duplicate) == counts, name
    assert audit["wilaya_jamiyat_202610.csv"].encoding == "cp1256"
    # the raw tables hold exactly the loaded rows
    assert query(warehouse, "select count(*) from raw.ministere__register")[0][0] == 400
    assert query(warehouse, "select count(*) from raw.wilaya__associations")[0][0] == 500
    # incoming is empty, the bytes are archived unchanged
    assert not any(warehouse.incoming_dir.rglob("*.*"))
    for name in expected:
        provider = next(p for p in ("ministere", "wilaya", "chambre") if (SAMPLES / p / "samples" / name).exists())
        archived = list((warehouse.archive_dir / provider).glob(f"*_{name}"))
        assert len(archived) == 1
        assert archived[0].read_bytes() == (SAMPLES / provider / "samples" / name).read_bytes()


def test_each_raw_table_is_analysed_from_a_small_sample_as_it_is_landed(warehouse):
    """The staging models and checks of the same night are planned against the raw tables'
    statistics, which autovacuum gives only after its next pass, and never where it is off: the
    loader analyses the table in the load's own transaction, from the small sample of the tables
    dbt builds."""
    deliver_samples(warehouse)
    outcomes = land(warehouse)
    assert {o.status for o in outcomes} == {"loaded"}
    tables = sorted({o.source for o in outcomes})
    assert len(tables) == 6, tables
    with engine(admin_url(warehouse)).connect() as conn:
        for table in tables:
            rows = conn.exec_driver_sql(f"select count(*) from raw.{table}").scalar()  # noqa: S608 - the definitions' names
            estimated = conn.execute(
                sa.text("select reltuples from pg_class where oid = cast(:table as regclass)"),
                {"table": f"raw.{table}"},
            ).scalar()
            assert estimated == rows, (table, estimated, rows)
            # the wilaya's 500 associations, all distinct: 101 bounds with the server's default target
            bounds = widest_histogram(conn, "raw", table)
            assert 0 < bounds <= SMALL_SAMPLE_BOUNDS, (table, bounds)


def test_samples_bad_rows_are_set_aside_with_their_reasons(warehouse):
    deliver_samples(warehouse)
    land(warehouse)
    rejected = query(warehouse, "select file_name, line, kind, reason, raw_row from audit.rejected_row order by 1, 2")
    reasons = {(r.file_name, r.kind): r for r in rejected}
    assert len(rejected) == 4
    assert "clé manquante" in reasons[("REG_COOP_FM_20261031.xlsx", "rejected")].reason
    assert reasons[("REG_COOP_FM_20261031.xlsx", "duplicate")].raw_row["register_number"] == "MKN/2020/0001"
    mouazara = reasons[("MOUAZARA_FM_20261031.xlsx", "rejected")]
    assert "négatif" in mouazara.reason and mouazara.raw_row["project_ref"] == "MZ-BAD-0001"
    indh = reasons[("wilaya_indh_agr_202610.csv", "rejected")]
    assert "montant illisible" in indh.reason and indh.raw_row["project_code"] == "INDH-BAD-001"
    assert indh.line == "ligne 152"


def test_samples_match_the_answer_key(warehouse):
    truth_path = SHARED / "feeds" / "samples-truth.json"
    if not truth_path.exists():
        pytest.skip("../shared/feeds/samples-truth.json is not beside this checkout")
    truth = json.loads(truth_path.read_text())
    deliver_samples(warehouse)
    land(warehouse)
    audit = load_rows(warehouse)
    for entry in truth["files"]:
        assert audit[entry["file"]].rows_read == entry["data_rows"], entry["file"]
    bad = {
        r.raw_row.get("project_ref") or r.raw_row.get("project_code")
        for r in query(warehouse, "select raw_row from audit.rejected_row where kind = 'rejected'")
    }
    for row in truth["bad_rows"]:
        if "record" in row:
            assert row["record"] in bad


def test_receipt_in_french_lists_the_set_aside_lines(warehouse):
    deliver_samples(warehouse, providers=("ministere",))
    outcomes = {o.file_name: o for o in land(warehouse)}
    receipt = outcomes["REG_COOP_FM_20261031.xlsx"].receipt_path
    text = open(receipt, encoding="utf-8").read()
    assert "Lignes chargées : 400" in text
    assert "ligne 406 : N° Immatriculation : clé manquante" in text
    assert "ligne 407 : ligne en double" in text
    data = json.loads(open(receipt.replace(".txt", ".json"), encoding="utf-8").read())
    assert data["rows_read"] == 402 and len(data["set_aside"]) == 2
    # the warning-level findings on the file's rows: the planted women > members break
    assert "Contrôles de qualité (avertissements) :" in text
    assert any("BLM/2014/0002" in finding for finding in data["findings"])


def test_personal_data_is_not_readable_by_the_transformer_or_bi(warehouse):
    deliver_samples(warehouse, providers=("wilaya",))
    land(warehouse)
    grants = query(
        warehouse,
        """select grantee, column_name from information_schema.column_privileges
           where table_schema = 'raw' and table_name = 'wilaya__associations'
             and grantee in ('tadamon_transformer', 'bi_reader')""",
    )
    columns = {g.column_name for g in grants}
    assert "name_ar" in columns and "receipt_number" in columns
    assert not columns & {"president_name", "president_cin", "phone"}
    assert not any(g.grantee == "bi_reader" for g in grants)
    with engine(admin_url(warehouse)).connect() as conn:
        conn.exec_driver_sql("SET ROLE tadamon_transformer")
        with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
            conn.exec_driver_sql("select president_cin from raw.wilaya__associations").all()


# -- quirks, each on a small file the test builds --------------------------------------------------
@pytest.mark.parametrize("encoding", ["cp1256", "utf-8-sig", "utf-8"])
def test_csv_in_either_encoding_loads_the_same_arabic(warehouse, encoding):
    write_associations(
        incoming(warehouse, "wilaya") / "wilaya_jamiyat_202611.csv",
        [assoc_row(), assoc_row("2020/7", "جمعية النور", "عمالة مكناس")],
        encoding=encoding,
    )
    [outcome] = land(warehouse)
    assert outcome.status == "loaded" and outcome.rows_loaded == 2
    rows = query(warehouse, "select receipt_number, name_ar, province_code from raw.wilaya__associations order by 1")
    assert [tuple(r) for r in rows] == [("2019/123", "جمعية الأمل", "03.231"), ("2020/7", "جمعية النور", "03.061")]
    assert outcome.encoding == {"cp1256": "cp1256", "utf-8-sig": "utf-8-sig", "utf-8": "utf-8"}[encoding]


def test_shifted_header_and_numeric_ice_and_total_row(warehouse, tmp_path):
    rows = [register_row("FES/2015/0123", ice=4927354354582), register_row("MKN/2016/0002", ice="001234567000057")]
    write_register(incoming(warehouse, "ministere") / "REG_COOP_FM_20261130.xlsx", rows, title_rows=9)
    [outcome] = land(warehouse)
    assert (outcome.rows_read, outcome.rows_loaded) == (2, 2)  # the total line is not a data row
    got = query(warehouse, "select register_number, ice, ice_raw, _line from raw.ministere__register order by 1")
    assert [tuple(r) for r in got] == [
        ("FES/2015/0123", "004927354354582", "4927354354582", "ligne 11"),
        ("MKN/2016/0002", "001234567000057", "001234567000057", "ligne 12"),
    ]


def test_duplicate_line_loads_once(warehouse):
    row = register_row()
    write_register(
        incoming(warehouse, "ministere") / "REG_COOP_FM_20261130.xlsx", [row, register_row("FES/2015/0124"), row]
    )
    [outcome] = land(warehouse)
    assert (outcome.rows_read, outcome.rows_loaded, outcome.rows_duplicate) == (3, 2, 1)
    assert query(warehouse, "select count(*) from raw.ministere__register")[0][0] == 2


def test_same_key_with_other_values_is_set_aside_not_merged(warehouse):
    write_register(
        incoming(warehouse, "ministere") / "REG_COOP_FM_20261130.xlsx",
        [register_row(members=20), register_row(members=25)],
    )
    [outcome] = land(warehouse)
    assert (outcome.rows_loaded, outcome.rows_rejected) == (1, 1)
    assert "même clé" in outcome.set_aside[0][2] and "ligne 6" in outcome.set_aside[0][2]


def test_redelivered_file_is_recorded_as_duplicate_and_not_loaded_again(warehouse):
    folder = incoming(warehouse, "wilaya")
    write_associations(folder / "wilaya_jamiyat_202611.csv", [assoc_row()])
    land(warehouse)
    shutil.copyfile(
        warehouse.archive_dir
        / "wilaya"
        / next(p.name for p in (warehouse.archive_dir / "wilaya").iterdir() if p.is_file()),
        folder / "wilaya_jamiyat_202611 (1).csv",
    )
    [outcome] = land(warehouse)
    assert outcome.status == "duplicate" and "wilaya_jamiyat_202611.csv" in outcome.error
    statuses = [r.status for r in query(warehouse, "select status from audit.load_file order by load_id")]
    assert statuses == ["loaded", "duplicate"]
    assert query(warehouse, "select count(*) from raw.wilaya__associations")[0][0] == 1
    assert list((warehouse.archive_dir / "wilaya" / "duplicates").iterdir())


def test_corrected_redelivery_of_a_period_supersedes_the_first(warehouse):
    """docs/history.md: the file loaded last for a period is in force; the earlier one stays audited."""
    folder = incoming(warehouse, "wilaya")
    write_associations(folder / "wilaya_jamiyat_202611.csv", [assoc_row(name="جمعية الامل")])
    land(warehouse)
    write_associations(folder / "wilaya_jamiyat_202611.csv", [assoc_row(name="جمعية الأمل"), assoc_row("2020/8")])
    [outcome] = land(warehouse)
    assert outcome.status == "loaded" and outcome.rows_loaded == 2
    loads = query(warehouse, "select load_id, period, status from audit.load_file order by load_id")
    assert [(r.period, r.status) for r in loads] == [("202611", "superseded"), ("202611", "loaded")]
    assert outcome.supersedes == [f"wilaya_jamiyat_202611.csv (chargement n° {loads[0].load_id})"]
    assert (
        query(warehouse, "select count(*) from raw.wilaya__associations where _load_id = :l", l=loads[1].load_id)[0][0]
        == 2
    )


def test_truncated_workbook_is_quarantined_and_harms_nothing(warehouse, tmp_path):
    full = write_register(tmp_path / "full.xlsx", [register_row()])
    data = full.read_bytes()
    (incoming(warehouse, "ministere") / "REG_COOP_FM_20261130.xlsx").write_bytes(data[: len(data) // 2])
    deliver_samples(warehouse, providers=("wilaya",))
    outcomes = {o.file_name: o for o in land(warehouse)}
    bad = outcomes["REG_COOP_FM_20261130.xlsx"]
    assert bad.status == "rejected" and "illisible" in bad.error
    quarantined = warehouse.quarantine_dir / "ministere" / f"{bad.sha256[:12]}_REG_COOP_FM_20261130.xlsx"
    assert quarantined.read_bytes() == data[: len(data) // 2]
    assert outcomes["wilaya_jamiyat_202610.csv"].status == "loaded"
    row = query(
        warehouse, "select status, error, rows_read from audit.load_file where file_name = 'REG_COOP_FM_20261130.xlsx'"
    )[0]
    assert row.status == "rejected" and row.rows_read == 0 and "illisible" in row.error


def test_not_a_workbook_is_rejected(warehouse):
    (incoming(warehouse, "ministere") / "REG_COOP_FM_20261130.xlsx").write_text("ceci n'est pas un classeur")
    [outcome] = land(warehouse)
    assert outcome.status == "rejected" and "Excel" in outcome.error


def test_missing_required_column_rejects_the_file_and_names_it(warehouse):
    header = [h for h in REGISTER_HEADER if h != "Préfecture/Province"]
    row = register_row()
    del row[7]
    write_register(incoming(warehouse, "ministere") / "REG_COOP_FM_20261130.xlsx", [row], header=header)
    [outcome] = land(warehouse)
    assert outcome.status == "rejected"
    assert "Préfecture/Province" in outcome.error and "obligatoire" in outcome.error


def test_extra_column_is_kept_in_raw_and_reported(warehouse):
    header = REGISTER_HEADER + ["Téléphone portable"]
    write_register(
        incoming(warehouse, "ministere") / "REG_COOP_FM_20261130.xlsx", [register_row() + ["0612345678"]], header=header
    )
    [outcome] = land(warehouse)
    assert outcome.status == "loaded" and outcome.extra_columns == ["Téléphone portable"]
    assert query(warehouse, "select _extra from raw.ministere__register")[0][0] == {"Téléphone portable": "0612345678"}
    assert query(warehouse, "select extra_columns from audit.load_file")[0][0] == ["Téléphone portable"]
    assert "Téléphone portable" in open(outcome.receipt_path, encoding="utf-8").read()


def test_row_errors_are_set_aside_with_a_reason_and_the_rest_loads(warehouse):
    rows = [
        register_row("FES/2015/0001"),
        register_row("FES/2015/0002", province="Casablanca"),
        register_row("FES/2015/0003", members="beaucoup"),
        register_row(None),
    ]
    write_register(incoming(warehouse, "ministere") / "REG_COOP_FM_20261130.xlsx", rows)
    [outcome] = land(warehouse)
    assert (outcome.rows_read, outcome.rows_loaded, outcome.rows_rejected) == (4, 1, 3)
    reasons = [reason for _, _, reason in outcome.set_aside]
    assert "hors de la région" in reasons[0] and "Casablanca" in reasons[0]
    assert reasons[1].startswith("Adhérents :")
    assert "clé manquante" in reasons[2]


def test_unknown_file_name_is_quarantined(warehouse):
    (incoming(warehouse, "chambre") / "export_inconnu.json").write_text("{}")
    [outcome] = land(warehouse)
    assert outcome.status == "rejected" and "non reconnu" in outcome.error
    # the receipt shows the expected names as examples, never a regular expression
    receipt = Path(outcome.receipt_path).read_text(encoding="utf-8")
    assert "chambre_adherents_AAAAMMJJ.json ou chambre_formations_AAAAMMJJ.json" in receipt
    assert "(AAAA : année, MM : mois, JJ : jour)" in receipt
    assert "(?P<" not in receipt and "\\d" not in receipt and "\\." not in receipt


def test_unknown_file_name_of_the_wilaya_is_explained_in_arabic_too(warehouse):
    (incoming(warehouse, "wilaya") / "jamiyat_oct.csv").write_text("a;b\n")
    [outcome] = land(warehouse)
    assert outcome.status == "rejected"
    assert "attendu wilaya_jamiyat_AAAAMM.csv ou wilaya_indh_agr_AAAAMM.csv (AAAA : année, MM : mois)" in outcome.error
    assert "اسم الملف غير مطابق" in outcome.error and "(AAAA: السنة، MM: الشهر)" in outcome.error
    assert "(?P<" not in outcome.error


def test_a_crash_mid_file_leaves_no_partial_rows_and_keeps_the_file(warehouse, monkeypatch):
    path = write_register(
        incoming(warehouse, "ministere") / "REG_COOP_FM_20261130.xlsx",
        [register_row("FES/2015/0001"), register_row("FES/2015/0002")],
    )

    def crash(self, raw_conn, *args, **kwargs):
        with raw_conn.cursor() as cur:
            cur.execute("SET LOCAL ROLE tadamon_loader")
            raw_tables.ensure_raw_table(cur, args[0])
            cur.execute(
                "INSERT INTO raw.ministere__register (_load_id, _file_sha256, _file_name, _line) "
                "VALUES (-1, repeat('0', 64), 'x', 'ligne 1')"
            )
        raise ConnectionResetError("the server went away mid-COPY")

    monkeypatch.setattr(Lander, "_write", crash)
    with pytest.raises(ConnectionResetError):
        land(warehouse)
    assert path.exists()
    assert query(warehouse, "select count(*) from audit.load_file")[0][0] == 0
    exists = query(warehouse, "select to_regclass('raw.ministere__register')")[0][0]
    if exists:
        assert query(warehouse, "select count(*) from raw.ministere__register")[0][0] == 0
    monkeypatch.undo()
    [outcome] = land(warehouse)
    assert outcome.status == "loaded" and outcome.rows_loaded == 2


def test_reload_of_an_archived_file_replaces_its_rows(warehouse):
    write_associations(incoming(warehouse, "wilaya") / "wilaya_jamiyat_202611.csv", [assoc_row(), assoc_row("2020/8")])
    [first] = land(warehouse)
    again = Lander(warehouse, admin_url(warehouse)).land_file(
        warehouse.archive_dir / "wilaya" / f"{first.sha256[:12]}_wilaya_jamiyat_202611.csv",
        "wilaya",
        reload=True,
        file_name="wilaya_jamiyat_202611.csv",
    )
    assert again.status == "loaded"
    assert query(warehouse, "select count(*) from raw.wilaya__associations")[0][0] == 2
    statuses = [r.status for r in query(warehouse, "select status from audit.load_file order by load_id")]
    assert statuses == ["superseded", "loaded"]
