"""The quality report: one self-contained page (nothing from the internet), served over http by
`tadamon ui`'s report server, and opened by a real browser offline."""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.request

import pytest

from orchestration.quality import report
from orchestration.quality.site import serve_reports
from orchestration.warehouse import admin_url, engine
from orchestration.warehouse.embedded import _free_port

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def record(url, rows):
    with engine(url).begin() as conn:
        for row in rows:
            conn.exec_driver_sql(
                "insert into audit.quality_result (run_id, asset, suite, expectation, severity, success, "
                "observed_value, failing_row_count, failing_keys) values (%(run_id)s, %(asset)s, %(suite)s, "
                "%(expectation)s, %(severity)s, %(success)s, %(observed)s, %(failing)s, %(keys)s)",
                {**row, "keys": json.dumps(row.get("keys", []))},
            )


@pytest.fixture
def results(warehouse, tmp_path, monkeypatch):
    monkeypatch.setattr(report, "REPORT_DIR", tmp_path / "uncommitted" / "quality_report")
    url = admin_url(warehouse)
    base = {"asset": "raw/ministere__register", "suite": "raw_ministere__register", "observed": None, "failing": None}
    record(
        url,
        [
            {**base, "run_id": "old", "expectation": "rows_present", "severity": "critical", "success": False},
            {**base, "run_id": "new", "expectation": "rows_present", "severity": "critical", "success": True},
            {
                **base,
                "run_id": "new",
                "expectation": "women_not_above_members",
                "severity": "warning",
                "success": False,
                "observed": "<script>alert(1)</script>",
                "failing": 3,
                "keys": ["FES/2015/0001"],
            },
            {
                "asset": "marts_build/fct_funding",
                "suite": "marts_fct_funding",
                "run_id": "new",
                "observed": None,
                "expectation": "amount_positive",
                "severity": "critical",
                "success": False,
                "failing": 1,
            },
        ],
    )
    return url


def test_the_report_shows_the_latest_run_of_each_suite_and_needs_no_internet(results):
    page = report.render_report(results)
    assert "http" not in page and "<script" not in page and "<link" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # a value from the data, escaped
    assert page.count("rows_present") == 1  # the latest run only
    assert "1 réussi" in page and "1 avertissement" in page and "1 erreur bloquante" in page
    assert "FES/2015/0001" in page and 'id="raw_ministere__register"' in page


def test_the_report_server_serves_it_and_a_browser_renders_it_offline(results, warehouse):
    index = report.write_report(results)
    port = _free_port()
    server = serve_reports("127.0.0.1", port)
    try:
        address = f"http://127.0.0.1:{port}/quality_report/index.html"
        with urllib.request.urlopen(address, timeout=30) as response:
            assert response.status == 200 and response.read().decode() == index.read_text()
        if not shutil.which(CHROMIUM):
            pytest.skip("no chromium on this machine")
        dom = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", address],
            capture_output=True,
            text=True,
            timeout=120,
        ).stdout
        assert "Tadamon — rapport qualité des données" in dom
        assert "women_not_above_members" in dom and "avertissement" in dom
        with pytest.raises(OSError, match="TADAMON_REPORT_PORT"):
            serve_reports("127.0.0.1", port)
    finally:
        server.shutdown()
        server.server_close()
