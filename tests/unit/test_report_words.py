"""How the bilan writes numbers and picks its labels, in French and Arabic."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from orchestration.report import texts
from orchestration.report.figures import FIGURES
from orchestration.report.labels import label, label_column
from orchestration.report.numbers import date, number, percent, value_of_column
from orchestration.report.queries import figure_sql, marts_read, query_names


@pytest.mark.parametrize(
    "lang, digits, expected",
    [
        ("fr", "western", "42\u202f692\u202f245"),
        ("ar", "western", "42,692,245"),
        ("ar", "arabic-indic", "٤٢٬٦٩٢٬٢٤٥"),
    ],
)
def test_numbers_in_each_writing(lang, digits, expected):
    assert number(Decimal("42692245.40"), lang, digits) == expected


def test_rates_dates_years_and_codes():
    assert percent(Decimal("0.4510"), "fr") == "45,1\u202f%"
    assert percent(Decimal("0.4510"), "ar", "arabic-indic") == "٤٥٫١٪"
    assert percent(None, "fr") == "—"
    assert date(dt.date(2026, 10, 14), "ar", "arabic-indic") == "١٤/١٠/٢٠٢٦"
    assert value_of_column("year", 2021, "fr") == "2021"
    assert value_of_column("starts_on", "2026-10-14", "fr") == "14/10/2026"
    # codes and file names keep their Latin digits in every edition
    assert (
        value_of_column("file_name", "wilaya_indh_agr_202610.csv", "ar", "arabic-indic") == "wilaya_indh_agr_202610.csv"
    )
    with pytest.raises(ValueError, match="unknown digits"):
        number(1, "ar", "roman")


def test_labels_come_from_the_column_of_the_language_with_a_fallback():
    row = {"programme_code": "MOUAZARA", "programme_fr": "Programme Mouazara", "programme_ar": None}
    assert label_column("programme", "ar") == "programme_ar"
    assert label(row, "programme", "fr") == "Programme Mouazara"
    assert label(row, "programme", "ar") == "Programme Mouazara"
    with pytest.raises(ValueError, match="unknown language 'en'"):
        label_column("programme", "en")


def test_every_figure_has_a_query_words_in_both_languages_and_reads_only_marts():
    marts_figures = {f.name for f in FIGURES if not f.annex}
    assert marts_figures == set(query_names())
    for spec in FIGURES:
        assert spec.name in texts.FIGURE_TITLES and spec.name in texts.FIGURES
        for column in spec.columns + spec.bars:
            assert column in texts.COLUMNS, (spec.name, column)
    for name in marts_figures:
        sql = figure_sql(name)
        assert "audit." not in sql and "raw." not in sql and "marts_build." not in sql
    assert "fct_funding_history" in marts_read() and "dim_organisation" in marts_read()
