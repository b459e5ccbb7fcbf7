"""The bilan on the samples: every figure of both editions equals its SQL run on the published
marts (and a few totals written here independently), the files are self-contained, the Arabic
edition is right-to-left, the PDFs have A4 pages, and the Dagster asset writes data/reports/."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from html import unescape
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from orchestration.ingest.definitions import load_definitions
from orchestration.report.build import ReportError, build_report, marts_snapshot
from orchestration.report.figures import FIGURES
from orchestration.report.fonts import font_file
from orchestration.report.numbers import number
from orchestration.report.queries import Scope, annex_sql, figure_sql
from orchestration.settings import get_settings
from orchestration.warehouse import admin_url, role_url, sqlalchemy_url

SCOPED = Scope(as_of=dt.date(2026, 11, 15), province="03.231")  # after the sample deliveries


@pytest.fixture(scope="module")
def star_settings(star_schema_db, tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("TADAMON_WAREHOUSE_URL", star_schema_db)
    mp.setenv("TADAMON_DATA_DIR", str(tmp_path_factory.mktemp("bilan") / "data"))
    yield get_settings()
    mp.undo()


@pytest.fixture(scope="module")
def bilan(star_settings, tmp_path_factory):
    """Both editions, HTML and PDF, of the whole region, and the HTML of a scoped one."""
    out = tmp_path_factory.mktemp("bilan-out")
    build_report(star_settings, out_dir=out / "region")
    build_report(star_settings, SCOPED, pdf=False, out_dir=out / "scoped", digits="arabic-indic")
    return out


def embedded_figures(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="figures">(.*?)</script>', html, re.S)
    assert match, "no figures block in the page"
    return json.loads(match.group(1))


def _plain(value):
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _direct(settings, spec, scope: Scope) -> list[dict]:
    """The figure's SQL run straight on the warehouse: the marts as bi_reader, the annex as the pipeline."""
    url = admin_url(settings) if spec.annex else role_url("bi_reader", settings)
    engine = sa.create_engine(sqlalchemy_url(url))
    try:
        with engine.connect() as conn:
            if spec.annex:
                result = conn.execute(sa.text(annex_sql(spec.name)), {"as_of": scope.as_of})
            else:
                result = conn.execute(sa.text(figure_sql(spec.name)), scope.params())
            return [{k: _plain(v) for k, v in row._mapping.items()} for row in result]
    finally:
        engine.dispose()


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_every_figure_equals_its_sql_on_the_marts(bilan, star_settings, lang):
    figures = embedded_figures((bilan / "region" / f"bilan_{lang}.html").read_text(encoding="utf-8"))
    assert set(figures["figures"]) == {spec.name for spec in FIGURES}
    for spec in FIGURES:
        assert figures["figures"][spec.name]["rows"] == _direct(star_settings, spec, Scope()), spec.name
    key = figures["figures"]["key_figures"]["rows"][0]
    assert key["organisations"] > 0 and Decimal(key["committed_mad"]) > 0
    html = (bilan / "region" / f"bilan_{lang}.html").read_text(encoding="utf-8")
    assert f'<span class="value">{number(Decimal(key["committed_mad"]), lang)}</span>' in html
    for spec in FIGURES:
        if spec.name == "key_figures":
            continue
        block = re.search(rf'<figure class="figure" id="figure-{spec.name}".*?</figure>', html, re.S).group(0)
        shown = len(re.findall(r"<tr[ >]", block.split("<tbody>")[1])) if "<tbody>" in block else 0
        expected = len(figures["figures"][spec.name]["rows"])
        if spec.name == "deliveries":  # every kind of delivery the project defines, delivered or not
            expected = len(load_definitions())
        assert shown == expected, (spec.name, shown, expected)


def test_the_scoped_edition_equals_its_sql_with_the_same_scope(bilan, star_settings):
    figures = embedded_figures((bilan / "scoped" / "bilan_ar.html").read_text(encoding="utf-8"))
    assert figures["scope"] == {"as_of": "2026-11-15", "province": "03.231", "programme": None}
    for spec in FIGURES:
        assert figures["figures"][spec.name]["rows"] == _direct(star_settings, spec, SCOPED), spec.name
    region = embedded_figures((bilan / "region" / "bilan_fr.html").read_text(encoding="utf-8"))
    scoped_money = Decimal(figures["figures"]["key_figures"]["rows"][0]["committed_mad"])
    assert 0 < scoped_money < Decimal(region["figures"]["key_figures"]["rows"][0]["committed_mad"])


def test_the_totals_agree_with_sql_written_independently(bilan, star_settings):
    figures = embedded_figures((bilan / "region" / "bilan_fr.html").read_text(encoding="utf-8"))["figures"]
    engine = sa.create_engine(sqlalchemy_url(role_url("bi_reader", star_settings)))
    with engine.connect() as conn:
        money = dict(
            conn.execute(sa.text("select flow_type, sum(amount_mad) from marts.fct_funding group by flow_type")).all()
        )
        organisations = conn.execute(
            sa.text("select count(*) from marts.dim_organisation where is_current and status <> 'struck_off'")
        ).scalar()
        participants, sales = conn.execute(
            sa.text("select sum(participants), sum(sales_mad) from marts.fct_participation")
        ).one()
        council = conn.execute(
            sa.text(
                """select sum(f.amount_mad)
               from marts.fct_funding f join marts.dim_institution i using (institution_key)
               where i.institution_code = 'CRFM' and f.flow_type = 'commitment'"""
            )
        ).scalar()
    engine.dispose()
    key = figures["key_figures"]["rows"][0]
    assert Decimal(key["committed_mad"]) == money["commitment"]
    assert Decimal(key["disbursed_mad"]) == money["disbursement"]
    assert Decimal(key["disbursement_rate"]) == round(money["disbursement"] / money["commitment"], 4)
    assert key["organisations"] == organisations
    for name in ("funding_by_programme", "funding_by_funder", "funding_by_axis", "funding_by_pdr_period"):
        rows = figures[name]["rows"]
        assert sum(Decimal(r["committed_mad"]) for r in rows) == money["commitment"], name
        assert sum(Decimal(r["disbursed_mad"]) for r in rows) == money["disbursement"], name
    assert sum(r["organisations"] for r in figures["organisations_by_type"]["rows"]) == organisations
    assert sum(Decimal(r["council_committed_mad"]) for r in figures["council_cofinancing_by_year"]["rows"]) == council
    sessions = figures["sessions_by_type"]["rows"]
    assert sum(Decimal(r["participants"]) for r in sessions) == participants
    assert sum(Decimal(r["sales_mad"]) for r in sessions) == sales
    assert figures["largest_sessions"]["rows"][0]["organisations"] == 250  # the meeting of 14 October 2026


class _Resources(HTMLParser):
    def __init__(self):
        super().__init__()
        self.html_attrs: dict[str, str] = {}
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.html_attrs = attrs
        for name in ("src", "href", "xlink:href", "data", "poster", "srcset"):
            if attrs.get(name):
                self.links.append(attrs[name])


@pytest.mark.parametrize("lang, direction", [("fr", "ltr"), ("ar", "rtl")])
def test_the_editions_are_self_contained_and_arabic_is_right_to_left(bilan, lang, direction):
    html = (bilan / "region" / f"bilan_{lang}.html").read_text(encoding="utf-8")
    parser = _Resources()
    parser.feed(html)
    assert parser.html_attrs == {"lang": lang, "dir": direction}
    assert all(link.startswith("#") for link in parser.links), parser.links
    assert not re.search(r"https?://", html)
    assert "@import" not in html and not re.search(r"url\((?!data:)", html)
    assert "<link" not in html.lower()
    if font_file("Noto Sans:regular"):
        assert re.search(
            r'@font-face \{ font-family: "Noto Sans"; font-weight: 400; src: url\(data:font/woff2;base64,', html
        )
    if lang == "ar":
        assert "حصيلة الاقتصاد الاجتماعي والتضامني" in html and "الأرقام الرئيسية" in html
        assert "Chiffres clés" not in html and "Financements par programme" not in html
        assert "برنامج مؤازرة لدعم التعاونيات والجمعيات" in html  # the programme's Arabic name from the marts
    else:
        assert "Chiffres clés" in html
        assert "Programme Mouazara d'appui aux coopératives et associations" in unescape(html)


def test_the_arabic_indic_edition_writes_its_numbers_in_arabic_indic_digits(bilan):
    html = (bilan / "scoped" / "bilan_ar.html").read_text(encoding="utf-8")
    figures = embedded_figures(html)["figures"]
    projects = figures["key_figures"]["rows"][0]["projects"]
    indic = str(projects).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert f'<span class="value">{indic}</span>' in html
    assert "١٥/١١/٢٠٢٦" in html  # the as-of date


def test_the_pdfs_have_a4_pages_that_render(bilan):
    import pypdfium2

    for lang in ("fr", "ar"):
        pdf = pypdfium2.PdfDocument(str(bilan / "region" / f"bilan_{lang}.pdf"))
        try:
            assert 6 <= len(pdf) <= 30, len(pdf)  # six sections, each starting a page from the second
            for index in range(len(pdf)):
                width, height = pdf[index].get_size()
                assert abs(width - 595.28) < 1 and abs(height - 841.89) < 1, (lang, index, width, height)
            image = pdf[0].render(scale=1).to_pil().convert("L")
            assert image.size[0] in (595, 596) and image.size[1] in (841, 842), image.size
            dark = sum(image.histogram()[:128])
            assert dark > 2000, f"page 1 of the {lang} PDF is nearly blank ({dark} dark pixels)"
        finally:
            pdf.close()


def test_the_figures_connections_share_one_snapshot(star_settings):
    """A row published after the first connection took its snapshot is seen by none of the
    connections that import it (the figures run on several at once, on one state of the marts)."""
    admin = sa.create_engine(sqlalchemy_url(admin_url(star_settings)))
    count = "select count(*) from marts.snapshot_probe"
    try:
        with admin.begin() as conn:
            conn.exec_driver_sql("create table marts.snapshot_probe (n int)")
            conn.exec_driver_sql("grant select on marts.snapshot_probe to bi_reader")
            conn.exec_driver_sql("insert into marts.snapshot_probe values (1)")
        with marts_snapshot(star_settings) as first:
            assert first.exec_driver_sql(count).scalar() == 1
            snapshot = first.exec_driver_sql("select pg_export_snapshot()").scalar()
            with admin.begin() as conn:
                conn.exec_driver_sql("insert into marts.snapshot_probe values (2)")
            with marts_snapshot(star_settings, snapshot) as second:
                assert second.exec_driver_sql(count).scalar() == 1
                with pytest.raises(sa.exc.InternalError, match="read-only transaction"):
                    second.exec_driver_sql("insert into marts.snapshot_probe values (3)")
            with marts_snapshot(star_settings) as later:
                assert later.exec_driver_sql(count).scalar() == 2
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql("drop table if exists marts.snapshot_probe")
        admin.dispose()


def test_an_unknown_province_or_programme_is_refused_with_the_known_codes(star_settings, tmp_path):
    with pytest.raises(ReportError, match=r"unknown province code '99\.999'.*03\.231"):
        build_report(star_settings, Scope(province="99.999"), pdf=False, out_dir=tmp_path)
    with pytest.raises(ReportError, match=r"unknown programme code 'x; drop table'.*MOUAZARA"):
        build_report(star_settings, Scope(programme="x; drop table"), pdf=False, out_dir=tmp_path)


def test_the_dagster_asset_writes_the_dated_folder_and_latest(star_settings):
    import dagster as dg

    from orchestration.defs.report.assets import bilan as bilan_asset
    from orchestration.defs.resources import WarehouseResource

    result = dg.materialize([bilan_asset], resources={"warehouse": WarehouseResource()})
    assert result.success
    reports = star_settings.data_dir / "reports"
    names = {"bilan_fr.html", "bilan_ar.html", "bilan_fr.pdf", "bilan_ar.pdf"}
    dated = [p for p in reports.iterdir() if re.fullmatch(r"\d{4}-\d{2}-\d{2}", p.name)]
    assert len(dated) == 1 and {p.name for p in dated[0].iterdir()} == names
    assert {p.name for p in (reports / "latest").iterdir()} == names
    assert (reports / "latest" / "bilan_ar.pdf").read_bytes() == (dated[0] / "bilan_ar.pdf").read_bytes()
