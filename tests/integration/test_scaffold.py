"""`tadamon source new` / `tadamon source check` (issue #7): a provider the project does not know is
drafted from a sample, loaded, and its staging model built by dbt, with no manual edit.

Every test works on a copy of the project's sources/, dbt_project/ and expectations/ in tmp_path:
nothing is written into the real project."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
import yaml
from sqlfluff.core import FluffConfig, Linter

from orchestration.ingest.definitions import load_definitions
from orchestration.ingest.landing import Lander
from orchestration.scaffold import ScaffoldError, check_file, new_source
from orchestration.scaffold.naming import looks_personal, safe_column_name, snake_case
from orchestration.scaffold.render import file_pattern
from orchestration.scaffold.sample import detect_delimiter, read_sample
from orchestration.settings import DBT_PROJECT_DIR, EXPECTATIONS_DIR, PROJECT_ROOT, SOURCES_DIR
from orchestration.warehouse import admin_url, engine
from tests.dbt_cli import run_dbt

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ANAPEC = FIXTURES / "anapec" / "anapec_insertions_202611.csv"
CRI = FIXTURES / "cri" / "cri_projets_20261115.json"
ANAPEC_ROWS = 24
CRI_ROWS = 18


class Project:
    """A throw-away copy of the project's folders the scaffold writes into."""

    def __init__(self, root: Path):
        self.root = root
        self.sources = root / "sources"
        self.dbt = root / "dbt_project"
        self.expectations = root / "expectations"
        self.tests = root / "tests"

    def new(self, provider, kind, sample, **kwargs):
        return new_source(
            provider,
            kind,
            sample,
            sources_dir=self.sources,
            dbt_dir=self.dbt,
            expectations_dir=self.expectations,
            tests_dir=self.tests,
            **kwargs,
        )

    def run_generated_test(self, table: str, warehouse) -> None:
        path = self.tests / "integration" / f"test_source_{table}.py"
        spec = importlib.util.spec_from_file_location(f"generated_test_{table}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        getattr(module, f"test_{table}_sample_loads")(warehouse)

    def run_dbt(self, *args: str, url: str) -> subprocess.CompletedProcess:
        return run_dbt(*args, url=url, project_dir=self.dbt, cwd=self.root)


@pytest.fixture
def project(tmp_path) -> Project:
    root = tmp_path / "project"
    shutil.copytree(SOURCES_DIR, root / "sources")
    shutil.copytree(DBT_PROJECT_DIR, root / "dbt_project", ignore=shutil.ignore_patterns("target", "logs"))
    if EXPECTATIONS_DIR.is_dir():
        shutil.copytree(EXPECTATIONS_DIR, root / "expectations", ignore=shutil.ignore_patterns("uncommitted"))
    (root / "tests").mkdir()
    return Project(root)


def query(settings, sql: str, **params):
    with engine(admin_url(settings)).connect() as conn:
        return conn.execute(sa.text(sql), params).all()


def write_workbook(path: Path, header: list, rows: list[list], sheet: str = "Foires") -> Path:
    """A workbook as a provider exports it: a title block, the header, the rows, a total line."""
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = sheet
    ws.append(["Chambre d'Artisanat de la région Fès-Meknès"])
    ws.append(["Participation aux foires — état au 30/11/2026"])
    ws.append([])
    ws.append(header)
    for row in rows:
        ws.append(row)
    ws.append(["Total", None, None, sum(r[3] for r in rows)])
    workbook.save(path)
    return path


FAIR_HEADER = ["Réf. foire", "Intitulé", "Date début", "Exposants", "Chiffre d'affaires (DH)", "Province", "E-mail"]


def fair_rows(count: int = 12) -> list[list]:
    return [
        [
            f"F-2026-{i:03d}",
            f"Foire régionale n°{i}",
            dt.datetime(2026, 3, i + 1),
            10 + i,
            f"{12 + i} 500,50",
            ["Fès", "Meknès", "Taza"][i % 3],
            f"contact{i}@example.ma",
        ]
        for i in range(1, count + 1)
    ]


# -- the "done when" ---------------------------------------------------------------------
def test_new_sources_load_and_their_staging_models_build(project, warehouse, tmp_path):
    """An unknown provider's CSV, another's JSON and a new xlsx of a known provider: scaffolded, the
    generated tests load the samples, and `dbt build` of the new staging models passes."""
    anapec = project.new("anapec", "insertions", ANAPEC)
    cri = project.new("cri", "projets", CRI)
    fairs = project.new(
        "chambre", "foires", write_workbook(tmp_path / "chambre_foires_20261130.xlsx", FAIR_HEADER, fair_rows())
    )

    # the definitions load with the others, as the loader and Dagster read them
    tables = {d.table for d in load_definitions(project.sources)}
    assert {"anapec__insertions", "cri__projets", "chambre__foires", "ministere__register"} <= tables
    assert anapec.check.rows_loaded == ANAPEC_ROWS and cri.check.rows_loaded == CRI_ROWS
    assert fairs.check.rows_loaded == 12 and fairs.check.rows_read == 12  # the total line is not data

    # the generated tests pass (they land the samples copied under sources/<provider>/samples/)
    for result in (anapec, cri, fairs):
        project.run_generated_test(result.definition.table, warehouse)

    models = ["stg_anapec__insertions", "stg_cri__projets", "stg_chambre__foires"]
    build = project.run_dbt("build", "--select", *models, url=warehouse.warehouse_url)
    assert build.returncode == 0, build.stdout[-4000:] + build.stderr[-2000:]
    # three views, and not_null + unique on each key
    totals = re.search(
        r"PASS=(\d+)\s+WARN=(\d+)\s+ERROR=(\d+)\s+SKIP=(\d+)(?:\s+NO-OP=\d+)?\s+TOTAL=(\d+)", build.stdout
    )
    assert totals, build.stdout[-2000:]
    passed, _, errors, skipped, total = map(int, totals.groups())
    assert (errors, skipped) == (0, 0) and passed == total >= 9

    assert query(warehouse, "select count(*) from staging.stg_anapec__insertions")[0][0] == ANAPEC_ROWS
    assert query(warehouse, "select count(*) from staging.stg_cri__projets")[0][0] == CRI_ROWS
    assert query(warehouse, "select count(*) from staging.stg_chambre__foires")[0][0] == 12
    row = query(
        warehouse,
        """select n_dossier, province_code, montant_de_l_aide_mad, date_d_insertion,
                                     snapshot_date, source_file_name
                              from staging.stg_anapec__insertions where n_dossier = 'ANP-FM-2026-0001'""",
    )[0]
    assert row.province_code == "03.231"  # Fès
    assert str(row.montant_de_l_aide_mad) == "175638.06"
    assert row.date_d_insertion == dt.date(2025, 3, 11)
    assert row.snapshot_date == dt.date(2026, 11, 1)
    assert row.source_file_name == ANAPEC.name
    # personal data stays in the raw layer
    staged = {
        r[0]
        for r in query(
            warehouse,
            """select column_name from information_schema.columns
                                                 where table_schema = 'staging'
                                                   and table_name in ('stg_anapec__insertions', 'stg_cri__projets',
                                                                      'stg_chambre__foires')""",
        )
    }
    assert not {"telephone_employeur", "porteur_telephone", "e_mail"} & staged
    assert {"porteur_ice", "montant_investissement_mad", "partenaires", "chiffre_d_affaires_mad"} <= staged


def test_scaffolded_definition_sql_and_yaml(project):
    result = project.new("anapec", "insertions", ANAPEC)
    definition = result.definition
    assert definition.format == "csv" and definition.delimiter == ";"
    assert definition.header_first_column == "N° dossier"
    assert definition.file_pattern.pattern == r"anapec_insertions_(?P<period>\d{6,8})\.csv"
    assert definition.key == ("n_dossier",)
    types = {c.name: c.type for c in definition.columns}
    assert types == {
        "n_dossier": "text",
        "date_d_insertion": "date",
        "province_code": "province",
        "commune": "text",
        "programme": "text",
        "employeur": "text",
        "secteur_d_activite": "text",
        "beneficiaires": "int",
        "dont_femmes": "int",
        "montant_de_l_aide_mad": "amount",
        "telephone_employeur": "text",
        "observations": "text",
    }
    assert [c.name for c in definition.columns if c.personal] == ["telephone_employeur"]
    assert definition.column("n_dossier").required

    text = result.written["definition"].read_text(encoding="utf-8")
    assert "# Préfecture/Province — province:" in text and "'Fès'" in text
    assert "# Téléphone employeur — text:" in text and "personal data: values not shown" in text
    assert "06" not in text.split("Téléphone employeur")[1].splitlines()[0]  # no phone number shown
    assert (project.sources / "anapec" / "samples" / ANAPEC.name).read_bytes() == ANAPEC.read_bytes()

    sql = result.written["staging model"].read_text(encoding="utf-8")
    assert "select *" not in sql.lower() and "telephone_employeur" not in sql.split("-#}")[1]
    assert "{{ raw_rows('anapec__insertions', 'snapshot', ['n_dossier'], insertions_columns) }}" in sql
    assert sql.rstrip().endswith("{{ source_lineage_columns() }}\nfrom latest_snapshot")
    # the drafted model keeps the project's SQL style (.sqlfluff): `make lint` passes once it is added
    lint = Linter(config=FluffConfig.from_path(str(PROJECT_ROOT))).lint_string(sql, fname="stg_anapec__insertions.sql")
    assert [(v.rule_code(), v.line_no, v.desc()) for v in lint.get_violations()] == []
    models = yaml.safe_load(result.written["dbt models"].read_text(encoding="utf-8"))
    model = models["models"][0]
    assert model["name"] == "stg_anapec__insertions"
    key = next(c for c in model["columns"] if c["name"] == "n_dossier")
    assert key["data_tests"] == ["not_null", "unique"]
    sources = yaml.safe_load(result.written["dbt sources"].read_text(encoding="utf-8"))
    assert sources["sources"][0]["name"] == "raw"
    assert [t["name"] for t in sources["sources"][0]["tables"]] == ["anapec__insertions"]

    suite = json.loads(result.written["GX suite"].read_text(encoding="utf-8"))
    expectations = {(e["type"], e["kwargs"].get("column")): e for e in suite["expectations"]}
    for kind in ("expect_column_values_to_not_be_null", "expect_column_values_to_be_unique"):
        assert expectations[(kind, "n_dossier")]["meta"]["severity"] == "critical"
    assert ("expect_column_values_to_be_in_set", "province_code") in expectations
    assert suite["meta"]["asset_key"] == "raw/anapec__insertions"
    assert "telephone_employeur" not in json.dumps(suite)
    assert (project.expectations / "gx" / "checkpoints" / "raw_anapec__insertions.json").is_file()
    assert "raw_anapec__insertions" in (project.expectations / "gx" / "great_expectations.yml").read_text()

    test = result.written["test"].read_text(encoding="utf-8")
    assert f"ROWS_LOADED = {ANAPEC_ROWS}" in test and "def test_anapec__insertions_sample_loads(warehouse)" in test
    assert "Next steps:" in result.next_steps and "tadamon source check anapec" in result.next_steps
    assert "Next steps:" in result.format()


def test_regenerating_the_gx_project_keeps_a_scaffolded_source_suite(project):
    """`python -m orchestration.quality` after `tadamon source new`: the catalog declares the new
    source's suite from its definition, so regenerating keeps it, rule for rule."""
    project.new("anapec", "insertions", ANAPEC)
    gx_dir = project.expectations / "gx"
    suite_file = gx_dir / "expectations" / "raw_anapec__insertions.json"
    scaffolded = json.loads(suite_file.read_text(encoding="utf-8"))
    before = {p.name for p in (gx_dir / "expectations").glob("*.json")}

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "orchestration.quality",
            "--sources",
            str(project.sources),
            "--expectations",
            str(project.expectations),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=project.root,
    )
    assert done.returncode == 0, done.stderr
    assert f"GX project written to {gx_dir}" in done.stdout

    assert {p.name for p in (gx_dir / "expectations").glob("*.json")} == before
    regenerated = json.loads(suite_file.read_text(encoding="utf-8"))
    rules = [(e["meta"]["rule"], e["type"], e["severity"], e["kwargs"]) for e in regenerated["expectations"]]
    assert rules == [(e["meta"]["rule"], e["type"], e["severity"], e["kwargs"]) for e in scaffolded["expectations"]]
    assert regenerated["meta"] == scaffolded["meta"]
    assert {k: scaffolded["meta"][k] for k in ("asset_key", "table", "key_columns")} == {
        "asset_key": "raw/anapec__insertions",
        "table": "raw.anapec__insertions",
        "key_columns": ["n_dossier"],
    }
    assert [r[0] for r in rules][:4] == ["not_empty", "volume_not_dropping", "n_dossier_present", "n_dossier_unique"]
    for folder in ("validation_definitions", "checkpoints"):
        assert (gx_dir / folder / "raw_anapec__insertions.json").is_file()
    config = yaml.safe_load((gx_dir / "great_expectations.yml").read_text(encoding="utf-8"))
    asset = config["fluent_datasources"]["warehouse"]["assets"]["raw_anapec__insertions"]
    # GX reads the batch the runner stages (its rows in force, personal columns left out: test_quality_suites)
    assert (asset["type"], asset["schema_name"], asset["table_name"]) == (
        "table",
        "quality_batch",
        "raw_anapec__insertions",
    )
    assert scaffolded["meta"]["batch_table"] == "quality_batch.raw_anapec__insertions"


def test_json_sample_records_nested_paths_and_types(project):
    result = project.new("cri", "projets", CRI)
    d = result.definition
    assert d.format == "json" and d.records == "projets"
    assert d.file_pattern.pattern == r"cri_projets_(?P<period>\d{6,8})\.json"
    paths = {c.path: (c.name, c.type, c.personal) for c in d.columns}
    assert paths["ref"] == ("ref", "text", False)
    assert paths["porteur.raison_sociale"] == ("porteur_raison_sociale", "text", False)
    assert paths["porteur.ice"] == ("porteur_ice", "ice", False)
    assert paths["porteur.telephone"] == ("porteur_telephone", "text", True)
    assert paths["province"] == ("province_code", "province", False)
    assert paths["date_depot"][1] == "date"
    assert paths["montant_investissement"] == ("montant_investissement_mad", "amount", False)
    assert paths["emplois_prevus"][1] == "int"
    assert paths["accompagne"][1] == "bool"
    assert paths["partenaires"][1] == "json"
    assert d.key == ("ref",)


def test_a_new_kind_of_a_known_provider_is_added_to_its_dbt_yaml(project, tmp_path):
    before = (project.dbt / "models" / "staging" / "chambre" / "_chambre__sources.yml").read_text(encoding="utf-8")
    result = project.new(
        "chambre", "foires", write_workbook(tmp_path / "chambre_foires_20261130.xlsx", FAIR_HEADER, fair_rows())
    )
    d = result.definition
    assert d.format == "xlsx" and d.sheets == ("Foires",) and d.header_first_column == "Réf. foire"
    assert d.footer_first_column is not None and d.footer_first_column.search("Total")
    assert {c.name: c.type for c in d.columns}["chiffre_d_affaires_mad"] == "amount"
    assert d.column("e_mail").personal
    after = result.written["dbt sources"].read_text(encoding="utf-8")
    assert after.startswith(before.rstrip("\n"))  # appended, the rest left as it was
    tables = yaml.safe_load(after)["sources"][0]["tables"]
    assert [t["name"] for t in tables][-1] == "chambre__foires" and len(tables) == 3


def test_the_new_source_appears_in_dagster(project, monkeypatch):
    """Asset, sensor and freshness check come from the YAML files: no Python change."""
    import dagster as dg

    project.new("anapec", "insertions", ANAPEC)
    copied = lambda *args: load_definitions(project.sources)  # noqa: E731
    from orchestration.defs.ingestion import assets

    monkeypatch.setattr(assets, "load_definitions", copied)
    keys = {key for a in assets.landing_assets() for key in a.keys}
    assert dg.AssetKey(["raw", "anapec__insertions"]) in keys
    try:
        from orchestration.defs.ingestion import checks, sensors
    except ImportError:  # being written in parallel
        return
    monkeypatch.setattr(sensors, "load_definitions", copied)
    monkeypatch.setattr(checks, "load_definitions", copied)
    _, sensor_defs = sensors.provider_jobs_and_sensors()
    assert "incoming_anapec" in {s.name for s in sensor_defs}
    checked = {key.asset_key for c in checks.freshness_checks() for key in c.check_keys}
    assert dg.AssetKey(["raw", "anapec__insertions"]) in checked


def test_refuses_to_overwrite_unless_forced(project):
    first = project.new("anapec", "insertions", ANAPEC)
    definition_text = first.written["definition"].read_text(encoding="utf-8")
    first.written["definition"].write_text(definition_text + "# edited by hand\n", encoding="utf-8")
    with pytest.raises(ScaffoldError, match="exist already; nothing was written") as info:
        project.new("anapec", "insertions", ANAPEC)
    assert "insertions.yml" in str(info.value) and "stg_anapec__insertions.sql" in str(info.value)
    assert first.written["definition"].read_text(encoding="utf-8").endswith("# edited by hand\n")
    again = project.new("anapec", "insertions", ANAPEC, force=True)
    assert "# edited by hand" not in again.written["definition"].read_text(encoding="utf-8")
    models = yaml.safe_load(again.written["dbt models"].read_text(encoding="utf-8"))["models"]
    assert [m["name"] for m in models] == ["stg_anapec__insertions"]


def test_unsafe_provider_or_kind_is_refused(project):
    for provider, kind in (("Anapec", "x"), ("anapec", "insertions; drop"), ("anapec", "x'y")):
        with pytest.raises(ScaffoldError, match="is not a safe name"):
            project.new(provider, kind, ANAPEC)
    assert not (project.sources / "anapec").exists()


def test_a_sample_that_already_matches_another_definition_is_refused(project):
    sample = SOURCES_DIR / "wilaya" / "samples" / "wilaya_jamiyat_202610.csv"
    with pytest.raises(ScaffoldError, match="already matches"):
        project.new("wilaya", "jamiyat", sample)


# -- tadamon source check ---------------------------------------------------------------------------
def bad_delivery(folder: Path) -> Path:
    """The fixture with the mistakes a provider makes: an exact duplicate line, an unreadable amount,
    a missing key, a province outside the region, a key repeated with other values."""
    lines = ANAPEC.read_text(encoding="utf-8").splitlines()
    header, rows = lines[0], lines[1:]

    def changed(row: str, **cells) -> str:
        fields = row.split(";")
        for index, value in cells.items():
            fields[int(index[1:])] = value
        return ";".join(fields)

    bad = [
        rows[2],  # line 26: exact duplicate
        changed(rows[3], c0="ANP-FM-2026-0101", c9="beaucoup"),  # line 27: amount
        changed(rows[4], c0=""),  # line 28: no key
        changed(rows[5], c0="ANP-FM-2026-0102", c2="Rabat"),  # line 29: province
        changed(rows[6], c6="Autre secteur"),  # line 30: same key, other values
    ]
    path = folder / "anapec_insertions_202612.csv"
    path.write_bytes(("\r\n".join([header, *rows, *bad]) + "\r\n").encode("cp1256"))
    return path


def test_check_says_in_advance_what_landing_does(project, warehouse, tmp_path):
    project.new("anapec", "insertions", ANAPEC)
    delivery = bad_delivery(tmp_path)

    report = check_file("anapec", delivery, sources_dir=project.sources)
    assert report.status == "would_load" and report.source == "anapec__insertions"
    assert report.period == "202612" and report.encoding == "cp1256"
    assert (report.rows_read, report.rows_loaded, report.rows_duplicate) == (ANAPEC_ROWS + 5, ANAPEC_ROWS, 1)
    assert report.rows_rejected == 4
    reasons = " | ".join(reason for _, _, reason in report.set_aside)
    assert "ligne en double" in reasons and "montant illisible : 'beaucoup'" in reasons
    assert "clé manquante" in reasons and "province hors de la région" in reasons and "même clé" in reasons
    text = report.format()
    assert "rien n'est écrit dans l'entrepôt" in text and "Statut : serait chargé" in text
    assert (
        "Lignes qui seraient écartées : 4" in text and "ligne 27 : Montant de l'aide (DH) : montant illisible" in text
    )
    assert "0622633920" not in text  # the preview leaves personal columns out
    assert report.exit_code == 1
    # nothing was written to the warehouse
    assert query(warehouse, "select count(*) from audit.load_file")[0][0] == 0
    assert query(warehouse, "select to_regclass('raw.anapec__insertions')")[0][0] is None

    incoming = warehouse.incoming_dir / "anapec"
    incoming.mkdir(parents=True)
    shutil.copyfile(delivery, incoming / delivery.name)
    outcome = Lander(warehouse, admin_url(warehouse), sources_dir=project.sources).land_file(
        incoming / delivery.name, "anapec"
    )
    assert outcome.status == "loaded"
    assert (outcome.rows_read, outcome.rows_loaded, outcome.rows_rejected, outcome.rows_duplicate) == (
        report.rows_read,
        report.rows_loaded,
        report.rows_rejected,
        report.rows_duplicate,
    )
    assert outcome.set_aside == report.set_aside


def test_check_a_file_that_would_be_rejected_or_is_unknown(project, tmp_path):
    project.new("anapec", "insertions", ANAPEC)
    broken = tmp_path / "anapec_insertions_202701.csv"
    broken.write_text("Dossier;Date\nA;01/01/2026\n", encoding="utf-8")
    report = check_file("anapec", broken, sources_dir=project.sources)
    assert report.status == "would_reject" and "en-tête introuvable" in report.error
    assert report.exit_code == 2 and "serait rejeté" in report.format()

    unknown = tmp_path / "anapec_autre_202611.csv"
    shutil.copyfile(ANAPEC, unknown)
    report = check_file("anapec", unknown, sources_dir=project.sources)
    assert report.status == "no_definition" and report.exit_code == 3
    assert "tadamon source new anapec" in report.error

    report = check_file(
        "ministere", SOURCES_DIR / "ministere" / "samples" / "MOUAZARA_FM_20261031.xlsx", sources_dir=project.sources
    )
    assert report.status == "would_load" and report.rows_rejected == 1
    assert "montant négatif : '-15000'" in report.format()


# -- detection ------------------------------------------------------------------------------------
def test_detection_on_the_project_samples_finds_the_real_definitions():
    """Drafts from the project's own samples agree with the hand-written definitions on layout,
    types and key (names differ: the scaffold cannot guess English names)."""
    for definition in load_definitions(SOURCES_DIR):
        sample = next(
            p for p in (SOURCES_DIR / definition.provider / "samples").iterdir() if definition.matches(p.name)
        )
        table = read_sample(sample)
        assert table.format == definition.format
        if definition.format == "json":
            assert table.records == definition.records
        else:
            assert table.header_first_column == definition.header_first_column
        if definition.format == "csv":
            assert table.delimiter == definition.delimiter and table.encoding == "cp1256"
        if definition.footer_first_column is not None:
            assert table.footer_first_column is not None


def test_arabic_cp1256_csv(tmp_path):
    header = ["رقم الملف", "العمالة أو الإقليم", "المبلغ", "الهاتف", "تاريخ"]
    rows = [[f"D-{i}", "فاس", f"{i}000,50", f"06{i:08d}", f"0{i}/02/2026"] for i in range(1, 8)]
    path = tmp_path / "wilaya_dossiers_202602.csv"
    path.write_bytes(("\r\n".join(";".join(r) for r in [header, *rows]) + "\r\n").encode("cp1256"))
    table = read_sample(path)
    assert table.encoding == "cp1256" and table.delimiter == ";" and table.row_count == 7
    from orchestration.scaffold.proposal import propose_columns, propose_key

    columns = propose_columns(table)
    assert [c.name for c in columns] == ["col_1", "col_2", "col_3", "col_4", "col_5"]
    assert [c.type for c in columns] == ["text", "province", "amount", "text", "date"]
    assert [c.personal for c in columns] == [False, False, False, True, False]
    assert propose_key(table, columns)[0] == ["col_1"]


def test_names_and_patterns():
    assert snake_case("Coût total (DH)") == "cout_total_dh"
    assert snake_case("N° Immatriculation") == "n_immatriculation"
    assert snake_case("Intitulé du projet") == "intitule_du_projet"
    assert snake_case("رمز المشروع") == ""
    taken: set[str] = set()
    assert [
        safe_column_name(n, i, taken)
        for i, n in enumerate(["date", "date", "", "montant_raw", "select", "2024_total", "x" * 60], start=1)
    ] == ["date", "date_2", "col_3", "montant_raw_text", "select_value", "col_2024_total", "x" * 41]
    for title in ("Téléphone", "TEL", "E-mail", "CIN", "contact.telephone", "الهاتف", "رقم البطاقة الوطنية للرئيس"):
        assert looks_personal(title), title
    for title in ("Hôtel", "Intitulé", "Nombre de contacts", "Province", "Montant"):
        assert not looks_personal(title), title
    assert file_pattern("REG_COOP_FM_20261031.xlsx") == (r"REG_COOP_FM_(?P<period>\d{6,8})\.xlsx", True)
    assert file_pattern("wilaya_jamiyat_202610.csv") == (r"wilaya_jamiyat_(?P<period>\d{6,8})\.csv", True)
    assert file_pattern("liste.csv") == (r"liste\.csv", False)
    assert detect_delimiter("Code;Montant;Date\nA;1 250,00;01/01/2026\nB;33,40;02/01/2026\n") == ";"
    assert detect_delimiter("a\tb\tc\n1\t2\t3\n") == "\t"
    assert detect_delimiter("a,b,c\n1,2,3\n") == ","


def test_command_line(project, capsys):
    import argparse

    from orchestration.scaffold.cli import add_source_commands

    parser = argparse.ArgumentParser(prog="tadamon")
    add_source_commands(parser.add_subparsers(dest="command", required=True))
    dirs = {
        "sources_dir": project.sources,
        "dbt_dir": project.dbt,
        "expectations_dir": project.expectations,
        "tests_dir": project.tests,
    }

    args = parser.parse_args(["source", "new", "anapec", "insertions", "--sample", str(ANAPEC)])
    assert args.func(argparse.Namespace(**vars(args), **dirs)) == 0
    assert "Next steps:" in capsys.readouterr().out
    assert args.func(argparse.Namespace(**vars(args), **dirs)) == 2
    assert "exist already" in capsys.readouterr().err

    args = parser.parse_args(["source", "check", "anapec", str(ANAPEC)])
    assert args.func(argparse.Namespace(**vars(args), sources_dir=project.sources)) == 0
    assert f"Lignes qui seraient chargées : {ANAPEC_ROWS}" in capsys.readouterr().out
    args = parser.parse_args(["source", "check", "anapec", str(ANAPEC), "--json"])
    assert args.func(argparse.Namespace(**vars(args), sources_dir=project.sources)) == 0
    assert json.loads(capsys.readouterr().out)["rows_loaded"] == ANAPEC_ROWS


CRAFTED_SAMPLE_NAMES = (
    "anapec_insertions_202611 #} {{ run_query('reset role; create table pwned()') }} {#.csv",
    'anapec_insertions_202611"""; import os; os.system("touch pwned") #.csv',
    "anapec_insertions_202611'.csv",
    "anapec_insertions_202611\n{{ 1 }}.csv",
    "anapec_insertions_202611 $(touch pwned).csv",
)


@pytest.mark.parametrize("name", CRAFTED_SAMPLE_NAMES)
def test_a_crafted_sample_name_is_refused_before_anything_is_written(project, tmp_path, name):
    sample = tmp_path / name
    shutil.copyfile(ANAPEC, sample)
    with pytest.raises(ScaffoldError, match="sample file name .* is refused"):
        project.new("anapec", "insertions", sample)
    assert not (project.sources / "anapec").exists() and not list(project.tests.rglob("*.py"))


@pytest.mark.parametrize("name", CRAFTED_SAMPLE_NAMES)
def test_generated_code_encodes_what_it_embeds(project, name):
    import ast

    from orchestration.scaffold import render

    definition = project.new("anapec", "insertions", ANAPEC).definition
    sql = render.staging_sql(definition, name)
    comment, _, body = sql.partition("-#}")
    assert "#}" not in comment and "{{" not in comment and "{%" not in comment
    assert "run_query" not in body and "{#" not in body
    module = render.test_module(
        definition, name, 'Path("/x")', {"rows_read": 1, "rows_loaded": 1, "rows_rejected": 0, "rows_duplicate": 0}
    )
    tree = ast.parse(module)
    calls = {ast.unparse(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    assert not any("system" in c for c in calls), calls
    sample = next(n.value for n in tree.body if isinstance(n, ast.Assign) and n.targets[0].id == "SAMPLE")
    assert ast.literal_eval(sample.right) == name


def test_a_crafted_column_title_reaches_dbt_inert(project, tmp_path):
    lines = ANAPEC.read_text(encoding="utf-8").splitlines()
    lines[0] += ";{{ run_query('reset role') }} {# x #}"
    lines[1:] = [line + ";v" for line in lines[1:]]
    sample = tmp_path / "anapec_insertions_202611.csv"
    sample.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = project.new("anapec", "insertions", sample)
    for what in ("dbt models", "dbt sources", "staging model"):
        text = result.written[what].read_text(encoding="utf-8")
        assert "{{ run_query" not in text and "{# x" not in text, what
