"""The quality report: the latest result of every suite, as one self-contained HTML page (styles
inline, no script, nothing from the internet), rebuilt after every step of checks from
audit.quality_result. GX's own Data Docs load their styles and scripts from CDNs and are blank
offline; this page opens anywhere, from the file or over http (`tadamon ui` serves it)."""

from __future__ import annotations

import datetime as dt
import html
import json
import os
from pathlib import Path

import sqlalchemy as sa

from orchestration.quality.project import GX_DIR
from orchestration.suites.model import CRITICAL
from orchestration.warehouse import engine

REPORT_DIR = GX_DIR / "uncommitted" / "quality_report"
KEYS_SHOWN = 10

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans Arabic",sans-serif;margin:2rem;color:#1f2933}
h1{font-size:1.5rem;margin-bottom:.2rem} h2{font-size:1.1rem;margin:1.8rem 0 .4rem}
.meta{color:#52606d;font-size:.9rem} table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border-bottom:1px solid #d9e2ec;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f0f4f8} .ok{color:#0e7c3a;font-weight:600} .warning{color:#b45309;font-weight:600}
.critical{color:#b91c1c;font-weight:700} .summary td{border:none;padding:.1rem .8rem .1rem 0}
code{font-size:.85rem;background:#f0f4f8;padding:0 .2rem}
"""

STATUS = {"ok": "réussi", "warning": "avertissement", "critical": "erreur bloquante"}


def _latest_results(url: str) -> list[sa.Row]:
    with engine(url).connect() as conn:
        if not conn.execute(sa.text("select to_regclass('audit.quality_result') is not null")).scalar():
            return []
        return conn.execute(
            sa.text(
                """with latest as (
                   select distinct on (suite) suite, run_id from audit.quality_result
                   order by suite, checked_at desc, result_id desc)
               select r.suite, r.asset, r.run_id, r.checked_at, r.expectation, r.severity, r.success,
                      r.observed_value, r.failing_row_count, r.failing_keys
               from audit.quality_result r join latest using (suite, run_id)
               order by r.asset, r.suite, r.success, r.severity, r.expectation"""
            )
        ).all()


def _status(row) -> str:
    return "ok" if row.success else ("critical" if row.severity == CRITICAL else "warning")


def render_report(url: str, now: dt.datetime | None = None) -> str:
    rows = _latest_results(url)
    suites: dict[str, list] = {}
    for row in rows:
        suites.setdefault(row.suite, []).append(row)
    e = html.escape
    counts = {s: sum(1 for r in rows if _status(r) == s) for s in STATUS}
    out = [
        "<!DOCTYPE html>",
        '<html lang="fr"><head><meta charset="utf-8">',
        "<title>Tadamon — rapport qualité</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>Tadamon — rapport qualité des données</h1>",
        f'<p class="meta">Dernier résultat de chaque suite de contrôles (Great Expectations), '
        f"généré le {(now or dt.datetime.now()):%d/%m/%Y %H:%M}.</p>",
        '<table class="summary"><tr>'
        + "".join(
            f'<td class="{s}">{counts[s]} {e(label)}{"s" if counts[s] > 1 and s != "critical" else ""}</td>'
            for s, label in STATUS.items()
        )
        + "</tr></table>",
    ]
    if not suites:
        out.append("<p>Aucun contrôle n'a encore été exécuté.</p>")
    out.append(
        "<ul>"
        + "".join(
            f'<li><a href="#{e(suite)}">{e(results[0].asset)}</a> ({e(suite)}) : '
            f"{sum(1 for r in results if not r.success)} échec(s) sur {len(results)}</li>"
            for suite, results in suites.items()
        )
        + "</ul>"
    )
    for suite, results in suites.items():
        first = results[0]
        out.append(f'<h2 id="{e(suite)}">{e(first.asset)} <code>{e(suite)}</code></h2>')
        out.append(f'<p class="meta">contrôlé le {first.checked_at:%d/%m/%Y %H:%M} (exécution {e(first.run_id)})</p>')
        out.append(
            "<table><tr><th>attente</th><th>gravité</th><th>résultat</th><th>valeur observée</th>"
            "<th>lignes en défaut</th><th>exemples de clés</th></tr>"
        )
        for r in results:
            keys = r.failing_keys if isinstance(r.failing_keys, list) else json.loads(r.failing_keys or "[]")
            shown = ", ".join(str(k) for k in keys[:KEYS_SHOWN]) + (" …" if len(keys) > KEYS_SHOWN else "")
            status = _status(r)
            out.append(
                f"<tr><td>{e(r.expectation)}</td><td>{e(r.severity)}</td>"
                f'<td class="{status}">{e(STATUS[status])}</td>'
                f"<td>{e(r.observed_value or '')}</td>"
                f"<td>{'' if r.failing_row_count is None else r.failing_row_count}</td>"
                f"<td>{e(shown)}</td></tr>"
            )
        out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def report_index() -> Path:
    return REPORT_DIR / "index.html"


def report_url(settings, suite: str | None = None) -> str:
    """The report's address on the http server `tadamon ui` runs (it serves GX's uncommitted/ folder)."""
    return f"http://127.0.0.1:{settings.report_port}/{REPORT_DIR.name}/index.html" + (f"#{suite}" if suite else "")


def write_report(url: str) -> Path:
    """Rebuild the report page (written whole, then renamed: a reader never sees half a page)."""
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    index = report_index()
    tmp = index.with_name(f".index.{os.getpid()}.tmp")
    tmp.write_text(render_report(url), encoding="utf-8")
    tmp.replace(index)
    return index
