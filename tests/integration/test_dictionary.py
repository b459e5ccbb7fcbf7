"""The BI data dictionary (`tadamon docs`): every table and column of the published marts, in French
and Arabic, one HTML file that a real browser opens offline; a text missing fails the command."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import sys
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest

from orchestration.dbt_manifest import prepare_manifest
from orchestration.defs.transform.layers import mart_names
from orchestration.dictionary import DictionaryError, build, render
from tests.conftest import served_url

TADAMON = Path(sys.executable).with_name("tadamon")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads(prepare_manifest().read_text(encoding="utf-8"))


class Sections(HTMLParser):
    """Text of each language section, and every resource the page would fetch."""

    def __init__(self):
        super().__init__()
        self.lang, self.text, self.fetches = None, {"fr": [], "ar": []}, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "div" and attrs.get("lang") in self.text:
            self.lang = attrs["lang"]
        if tag in ("script", "link", "img", "iframe") or re.match(r"^(https?:)?//", attrs.get("href") or ""):
            self.fetches.append((tag, attrs))

    def handle_data(self, data):
        if self.lang:
            self.text[self.lang].append(data)


def test_the_dictionary_covers_every_published_table_and_column_in_both_languages(manifest, tmp_path):
    out = tmp_path / "dictionary.html"
    result = subprocess.run([str(TADAMON), "docs", "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert f"{len(mart_names(manifest))} tables" in result.stdout and str(out) in result.stdout
    page = Sections()
    page.feed(out.read_text(encoding="utf-8"))
    assert page.fetches == [], "the page must open offline: nothing to fetch"
    fr, ar = ("\n".join(page.text[lang]) for lang in ("fr", "ar"))
    nodes = {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    for table in mart_names(manifest):
        for section in (fr, ar):
            assert f"marts.{table}" in section, table
            for column in nodes[table]["columns"]:
                assert column in section, (table, column)
    assert "Question type" in fr and "سؤال نموذجي" in ar
    assert "Clé de la version de l'organisation" in fr and "مفتاح نسخة الهيئة" in ar
    assert "dim_geography.geography_key" in fr  # the keys come from the relationships of the models
    assert not re.search("[\u0600-\u06ff]", "".join(t for t in fr.split() if not t.startswith("العربية")))


def test_a_missing_text_is_an_error_naming_it(manifest):
    broken = copy.deepcopy(manifest)
    broken["docs"] = {k: v for k, v in broken["docs"].items() if v["name"] != "ar__col__display_name"}
    with pytest.raises(DictionaryError, match=r"ar__dim_organisation__display_name"):
        build(broken)


def test_html_special_characters_in_a_text_are_escaped(manifest):
    patched = copy.deepcopy(manifest)
    doc = next(v for v in patched["docs"].values() if v["name"] == "fr__dim_axis")
    doc["block_contents"] = "<script>alert(1)</script> & co"
    page = render(build(patched))
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page


@pytest.mark.skipif(not CHROMIUM, reason="chromium is not installed")
def test_a_browser_opens_the_file_offline_and_serving_it_works(tmp_path):
    out = tmp_path / "dictionary.html"
    server = subprocess.Popen(
        [str(TADAMON), "docs", "--out", str(out), "--serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = served_url(server, "tadamon docs --serve")
        with urllib.request.urlopen(url, timeout=30) as response:
            assert response.status == 200 and "marts.fct_funding" in response.read().decode("utf-8")
    finally:
        server.terminate()
        server.wait(timeout=30)
    dom = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            f"--user-data-dir={tmp_path / 'chromium'}",
            "--dump-dom",
            out.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "marts.dim_organisation" in dom.stdout, dom.stderr[-2000:]
    assert 'dir="rtl"' in dom.stdout and "قاموس البيانات" in dom.stdout
