"""The fast CSV path loads what the row-by-row loader loads: the same raw rows, the same lines set aside
with the same reasons, the same accounting; files it does not serve go row by row."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import psycopg2
import pytest
import sqlalchemy as sa

from orchestration.bench.generate import generate
from orchestration.ingest import columnar
from orchestration.ingest.columnar import csv_reader
from orchestration.ingest.columnar.csv_reader import ColumnarCsv
from orchestration.ingest.definitions import definition_for
from orchestration.ingest.landing import Lander
from orchestration.settings import get_settings
from orchestration.warehouse import admin_url, engine, ensure_warehouse
from tests.integration.test_ingestion import ASSOC_HEADER, incoming, query

INDH_HEADER = [
    "رمز المشروع",
    "البرنامج",
    "المرحلة",
    "العمالة أو الإقليم",
    "الجماعة",
    "حامل المشروع",
    "الصفة القانونية",
    "رقم التسجيل",
    "عنوان المشروع",
    "الكلفة الإجمالية",
    "مساهمة المبادرة",
    "مساهمة الشركاء",
    "مساهمة حامل المشروع",
    "تاريخ المصادقة",
    "المبلغ المصروف",
    "الحالة",
    "مناصب الشغل المحدثة",
    "عدد المستفيدين",
    "منهم نساء",
    "منهم أشخاص في وضعية إعاقة",
    "منهم شباب",
]


def assoc(receipt, date="19/06/2019", name="جمعية الأمل", province="فاس", members="27", status="نشيطة"):
    return ";".join(
        [
            receipt,
            date,
            name,
            "Association Al Amal",
            province,
            "فاس",
            "تنمية محلية",
            "14/05/2019",
            members,
            "يوسف بنعلي",
            "B892666",
            "0642419587",
            status,
        ]
    )


def indh(code, holder_id="FES/2015/0123", cost="136175,56", indh_share="85987,88", province="فاس", women="3"):
    return ";".join(
        [
            code,
            "البرنامج الأفقي",
            "الثالثة",
            province,
            "عين بيضاء",
            "جمعية الزيتون",
            "جمعية",
            holder_id,
            "مشروع لعسل",
            cost,
            indh_share,
            "19339,27",
            "30848,41",
            "20/12/2020",
            "10878,95",
            "منجز",
            "1",
            "5",
            women,
            "1",
            "2",
        ]
    )


ASSOCIATION_LINES = [
    "ولاية جهة فاس مكناس - سجل الجمعيات;;;",
    "",
    ";".join(ASSOC_HEADER),
    assoc("2019/123"),
    assoc("123/2018"),
    assoc("2019-0124"),
    assoc(" 2019/125 ", name="  جمعية  النور "),
    assoc("2019/126", date="1/2/2016"),
    assoc("2019/127", date="2016-06-15 00:00:00"),
    assoc("2019/128", date="31/02/2016"),
    assoc("2019/129", province="الرباط"),
    assoc("", name="بدون وصل"),
    assoc("2019/130", members="1 250"),
    assoc("2019/131", members="-3"),
    assoc("2019/132", members="2.5"),
    assoc("2019/133", name="\u00a0جمعية\u200f", province="Fès"),
    assoc("2019/134", province="F?S"),
    assoc("2019/135", status="\u200f"),
    ";;;;;",
    assoc("2019/123"),
    assoc("2019/123", name="جمعية أخرى"),
    assoc("2019/136")[:40],
    assoc("2019/137") + ";;",
    assoc("abc"),
    assoc("2019/138", date="0000-01-01"),
    assoc("2019/139", members="007"),
    assoc("2019/140"),
]
INDH_LINES = [
    ";".join(INDH_HEADER),
    indh("P-1"),
    indh("P-2", holder_id="382/2003"),
    indh("P-3", holder_id="RC FES 12345"),
    indh("P-4", holder_id="fes-2015-12"),
    indh("P-5", holder_id="xyz"),
    indh("P-6", cost="1 250 000,00 DH"),
    indh("P-7", cost="1\u00a0250\u00a0000,00"),
    indh("P-8", cost="1\u202f250,5 MAD"),
    indh("P-9", cost="-15000"),
    indh("P-10", cost="12.345"),
    indh("P-11", indh_share=""),
    indh("P-12", women="٣"),
    indh("P-1", cost="1,00"),
    indh("P-13", holder_id=""),
    indh("P-14", cost="5 000"),
]


def write(path: Path, lines: list[str], encoding: str, newline: str = "\r\n", final_newline: bool = True) -> Path:
    text = newline.join(lines) + (newline if final_newline else "")
    if encoding == "cp1256":  # Windows-1256 has no Arabic-Indic digits: the wilaya's Excel writes Western ones
        text = text.translate({0x0660 + i: str(i) for i in range(10)})
    path.write_bytes(text.encode(encoding, errors="replace"))  # "?" where Windows-1256 has no character
    return path


def land_and_dump(test_server, tmp_path, monkeypatch, files: list[Path], fast: bool) -> dict:
    """Land the files into a fresh database by one path; what the warehouse holds afterwards."""
    url = test_server.new_database()
    monkeypatch.setenv("TADAMON_WAREHOUSE_URL", url)
    monkeypatch.setenv("TADAMON_DATA_DIR", str(tmp_path / ("fast" if fast else "rows")))
    settings = get_settings()
    ensure_warehouse(settings)
    used = []
    real_plan = columnar.plan

    def plan(path, definition):
        file_plan, why = real_plan(path, definition) if fast else (None, "row path asked by the test")
        used.append(file_plan is not None)
        return file_plan, why

    completed = []  # False where the fast path failed and the row-by-row loader took over
    real_land_columnar = Lander._land_columnar

    def land_columnar(self, *args, **kwargs):
        completed.append(real_land_columnar(self, *args, **kwargs))
        return completed[-1]

    monkeypatch.setattr(columnar, "plan", plan)
    monkeypatch.setattr(Lander, "_land_columnar", land_columnar)
    try:
        for path in files:
            target = incoming(settings, path.parent.name) / path.name
            shutil.copyfile(path, target)
            Lander(settings, url).land_file(target, path.parent.name)
        with engine(url).connect() as conn:
            dump = {"fast path used": used, "fast path completed": completed}
            for (table,) in conn.execute(
                sa.text("select table_name from information_schema.tables where table_schema = 'raw' order by 1")
            ):
                columns = [
                    c
                    for (c,) in conn.execute(
                        sa.text(
                            "select column_name from information_schema.columns "
                            "where table_schema = 'raw' and table_name = :t "
                            "and column_name not in ('_load_id', '_loaded_at') order by ordinal_position"
                        ),
                        {"t": table},
                    )
                ]
                dump[table] = conn.execute(
                    sa.text(f"select {', '.join(columns)} from raw.{table} order by _file_sha256, _line")
                ).all()
            dump["rejected"] = conn.execute(
                sa.text(
                    "select file_name, line, kind, reason, raw_row from audit.rejected_row order by file_name, line"
                )
            ).all()
            dump["files"] = conn.execute(
                sa.text(
                    "select file_name, status, encoding, rows_read, rows_loaded, rows_rejected, rows_duplicate, "
                    "extra_columns, error from audit.load_file order by file_name"
                )
            ).all()
        return dump
    finally:
        monkeypatch.setattr(columnar, "plan", real_plan)
        monkeypatch.setattr(Lander, "_land_columnar", real_land_columnar)
        test_server.drop_database(url)


def assert_same(fast: dict, rows: dict) -> None:
    assert set(fast) == set(rows)
    for key in rows:
        if key not in ("fast path used", "fast path completed"):
            assert fast[key] == rows[key], key


@pytest.mark.parametrize("encoding", ["cp1256", "utf-8-sig", "utf-8"])
@pytest.mark.parametrize("block_bytes", [300, csv_reader.BLOCK_BYTES])
def test_edge_cases_load_the_same_by_both_paths(test_server, tmp_path, monkeypatch, encoding, block_bytes):
    monkeypatch.setattr(csv_reader, "BLOCK_BYTES", block_bytes)  # small blocks: duplicates across blocks
    folder = tmp_path / "delivery" / "wilaya"
    folder.mkdir(parents=True)
    files = [
        write(folder / "wilaya_jamiyat_202611.csv", ASSOCIATION_LINES, encoding, final_newline=False),
        write(folder / "wilaya_indh_agr_202611.csv", INDH_LINES, encoding, newline="\n"),
    ]
    fast = land_and_dump(test_server, tmp_path, monkeypatch, files, fast=True)
    rows = land_and_dump(test_server, tmp_path, monkeypatch, files, fast=False)
    assert fast["fast path used"] == fast["fast path completed"] == [True, True]
    assert_same(fast, rows)

    accounting = {f.file_name: f for f in fast["files"]}
    associations = accounting["wilaya_jamiyat_202611.csv"]
    assert (
        associations.rows_read,
        associations.rows_loaded,
        associations.rows_rejected,
        associations.rows_duplicate,
    ) == (23, 13, 9, 1)
    reasons = {(r.file_name, r.line): r.reason for r in fast["rejected"]}
    assert reasons[("wilaya_jamiyat_202611.csv", "ligne 10")] == "تاريخ الوصل : date illisible : '31/02/2016'"
    assert reasons[("wilaya_jamiyat_202611.csv", "ligne 21")] == (
        "même clé (2019/123, 03.231) que la ligne 4, avec d'autres valeurs"
    )
    assert reasons[("wilaya_jamiyat_202611.csv", "ligne 20")].startswith("ligne en double")
    assert reasons[("wilaya_jamiyat_202611.csv", "ligne 22")] == "العمالة أو الإقليم : clé manquante"  # a cut line
    assert reasons[("wilaya_indh_agr_202611.csv", "ligne 10")] == "الكلفة الإجمالية : montant négatif : '-15000'"
    loaded = {r.project_code: r for r in fast["wilaya__indh_agr"]}
    assert loaded["P-2"].holder_identifier_kind == "receipt" and loaded["P-2"].holder_identifier == "2003/382"
    if encoding == "cp1256":  # U+202F became "?" in Windows-1256
        assert reasons[("wilaya_indh_agr_202611.csv", "ligne 9")] == (
            "الكلفة الإجمالية : montant illisible : '1?250,5 MAD'"
        )
    else:
        assert str(loaded["P-8"].total_cost_mad) == "1250.50"
        assert loaded["P-12"].beneficiaries_women == 3


def test_generated_deliveries_load_the_same_by_both_paths(test_server, tmp_path, monkeypatch):
    monkeypatch.setattr(csv_reader, "BLOCK_BYTES", 20_000)
    delivery = generate(tmp_path / "generated", "sample", seed=11)
    files = sorted((delivery.out / "wilaya").glob("*.csv"))
    assert len(files) == 2
    fast = land_and_dump(test_server, tmp_path, monkeypatch, files, fast=True)
    rows = land_and_dump(test_server, tmp_path, monkeypatch, files, fast=False)
    assert fast["fast path used"] == fast["fast path completed"] == [True, True]
    assert_same(fast, rows)
    assert sum(f.rows_loaded for f in fast["files"]) > 500


def test_a_header_with_a_blank_title_loads_the_same_by_both_paths(test_server, tmp_path, monkeypatch):
    # A cell under a blank title is not compared for duplicate lines: the fast path hashes the mapped
    # cells then, not the line.
    folder = tmp_path / "delivery" / "wilaya"
    folder.mkdir(parents=True)
    lines = [
        ";".join(ASSOC_HEADER) + ";",
        assoc("2019/1") + ";x",
        assoc("2019/1") + ";y",
        assoc("2019/2"),
        assoc("2019/2") + ";",
        assoc("2019/3")[:40],
        assoc("2019/4") + ";z;w",
    ]
    files = [write(folder / "wilaya_jamiyat_202611.csv", lines, "utf-8")]
    fast = land_and_dump(test_server, tmp_path, monkeypatch, files, fast=True)
    rows = land_and_dump(test_server, tmp_path, monkeypatch, files, fast=False)
    assert fast["fast path used"] == fast["fast path completed"] == [True]
    assert_same(fast, rows)
    assert [(r.line, r.kind) for r in fast["rejected"]] == [
        ("ligne 3", "duplicate"),
        ("ligne 5", "duplicate"),
        ("ligne 6", "rejected"),
    ]


@pytest.mark.parametrize(
    "lines, why",
    [
        ([";".join(ASSOC_HEADER), assoc("2019/1").replace("جمعية الأمل", '"جمعية; الأمل"')], "quoted cells"),
        (
            [";".join(ASSOC_HEADER + ["الهاتف 2"]), assoc("2019/1") + ";0600000000"],
            "columns the definition does not know",
        ),
        ([";".join(ASSOC_HEADER), assoc("2019/1") + "\r" + assoc("2019/2")], "carriage returns inside lines"),
    ],
)
def test_files_the_fast_path_does_not_serve_go_row_by_row(warehouse, lines, why, caplog):
    path = write(incoming(warehouse, "wilaya") / "wilaya_jamiyat_202611.csv", lines, "utf-8")
    assert columnar.plan(path, definition_for("wilaya", path.name)) == (None, why)
    with caplog.at_level(logging.INFO, logger="orchestration.ingest.landing"):
        outcome = Lander(warehouse, admin_url(warehouse)).land_file(path, "wilaya")
    assert outcome.status == "loaded" and outcome.rows_read == outcome.rows_loaded + outcome.rows_rejected
    assert f"row-by-row loader ({why})" in caplog.text


def test_a_defect_of_the_fast_path_falls_back_to_the_row_loader(warehouse, monkeypatch, caplog):
    path = write(
        incoming(warehouse, "wilaya") / "wilaya_jamiyat_202611.csv",
        [";".join(ASSOC_HEADER), assoc("2019/1"), assoc("2019/2"), assoc("x")],
        "cp1256",
    )

    def broken(self, frame):
        raise RuntimeError("a bug in an expression")

    monkeypatch.setattr(ColumnarCsv, "_parse", broken)
    outcome = Lander(warehouse, admin_url(warehouse)).land_file(path, "wilaya")
    assert (outcome.status, outcome.rows_read, outcome.rows_loaded, outcome.rows_rejected) == ("loaded", 3, 2, 1)
    assert "the fast CSV path failed; loading row by row" in caplog.text
    assert query(warehouse, "select count(*) from raw.wilaya__associations")[0][0] == 2
    assert query(warehouse, "select count(*) from audit.load_file")[0][0] == 1


def test_a_server_error_mid_copy_leaves_no_rows_and_keeps_the_file(warehouse, monkeypatch):
    monkeypatch.setattr(csv_reader, "BLOCK_BYTES", 300)
    lines = [";".join(ASSOC_HEADER)] + [assoc(f"2019/{n}") for n in range(1, 40)]
    path = write(incoming(warehouse, "wilaya") / "wilaya_jamiyat_202611.csv", lines, "cp1256")
    real = ColumnarCsv._copy_csv
    calls = []

    def fail_on_third_block(self, loaded):
        calls.append(1)
        if len(calls) == 3:
            raise psycopg2.OperationalError("server closed the connection unexpectedly")
        return real(self, loaded)

    monkeypatch.setattr(ColumnarCsv, "_copy_csv", fail_on_third_block)
    with pytest.raises(psycopg2.OperationalError):
        Lander(warehouse, admin_url(warehouse)).land_file(path, "wilaya")
    assert path.exists()
    assert query(warehouse, "select count(*) from audit.load_file")[0][0] == 0
    if query(warehouse, "select to_regclass('raw.wilaya__associations')")[0][0]:
        assert query(warehouse, "select count(*) from raw.wilaya__associations")[0][0] == 0
    monkeypatch.undo()
    outcome = Lander(warehouse, admin_url(warehouse)).land_file(path, "wilaya")
    assert (outcome.status, outcome.rows_loaded) == ("loaded", 39)
