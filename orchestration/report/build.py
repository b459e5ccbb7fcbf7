"""Build the bilan: run every figure's query, render the French and Arabic editions as HTML (one
self-contained file each) and PDF, and write them under data/reports/<date>/ (and latest/)."""

from __future__ import annotations

import datetime as dt
import queue
import re
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2
import sqlalchemy as sa

from orchestration.freshness import Freshness
from orchestration.ingest.definitions import load_definitions
from orchestration.report import texts
from orchestration.report.charts import bar_chart
from orchestration.report.figures import FIGURES, SECTIONS, FigureSpec
from orchestration.report.fonts import characters, embed_fonts, prune_cache
from orchestration.report.labels import check_language, label, label_column, word
from orchestration.report.numbers import check_digits, date, plain_integer, value_of_column
from orchestration.report.pdf import PdfJob
from orchestration.report.queries import Scope, plain, run_figure
from orchestration.settings import Settings
from orchestration.warehouse import admin_url, engine, role_url

TIMEZONE = ZoneInfo("Africa/Casablanca")
TEMPLATES = Path(__file__).with_name("templates")
PROVINCE_CODE = re.compile(r"^\d{2}\.\d{3}$")
PROGRAMME_CODE = re.compile(r"^[A-Z][A-Z0-9_]{0,62}$")
QUERY_TIMEOUT_S = 120  # a figure takes about a second at region scale
# the figures sort and hash whole fact tables: with PostgreSQL's default 4MB their sorts spill to disk
QUERY_WORK_MEM = "64MB"
QUERY_CONNECTIONS = 2  # the server runs a query on one core: the night's two cores, two figures at once


class ReportError(ValueError):
    pass


@dataclass
class Figures:
    """Every figure's rows, as the queries returned them."""

    scope: Scope
    generated_at: dt.datetime
    rows: dict[str, list[dict]] = field(default_factory=dict)
    columns: dict[str, list[str]] = field(default_factory=dict)

    def as_json(self) -> dict:
        """The block embedded in each edition: the exact values behind every table and chart."""
        return {
            "scope": {k: plain(v) for k, v in self.scope.params().items()},
            "generated_at": self.generated_at.isoformat(),
            "figures": {
                name: {"columns": self.columns[name], "rows": [{k: plain(v) for k, v in row.items()} for row in rows]}
                for name, rows in self.rows.items()
            },
        }


def check_scope(conn: sa.Connection, scope: Scope) -> None:
    """A province or programme the marts do not know is an error that lists the known ones."""
    for value, pattern, sql, what in (
        (
            scope.province,
            PROVINCE_CODE,
            "select province_code from marts.dim_geography where geography_level = 'province' order by 1",
            "province",
        ),
        (scope.programme, PROGRAMME_CODE, "select programme_code from marts.dim_programme order by 1", "programme"),
    ):
        if value is None:
            continue
        known = conn.execute(sa.text(sql)).scalars().all()
        if not pattern.match(value) or value not in known:
            raise ReportError(f"unknown {what} code {value!r}: choose one of {', '.join(known)}")


def collect(settings: Settings, scope: Scope, now: dt.datetime | None = None) -> Figures:
    """Run the figures on the published marts as bi_reader, and the annex on the load audit with
    the pipeline's own role. The figures run QUERY_CONNECTIONS at a time, each connection in a
    read-only transaction on one snapshot: the first exports it, the others import it, so every
    figure sees the same state of the marts (as pg_dump's parallel jobs do)."""
    figures = Figures(scope=scope, generated_at=now or dt.datetime.now(TIMEZONE))
    on_marts = [spec for spec in FIGURES if not spec.annex]
    with ExitStack() as stack:
        first = stack.enter_context(marts_snapshot(settings))
        check_scope(first, scope)
        snapshot = first.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
        others = [stack.enter_context(marts_snapshot(settings, snapshot)) for _ in range(QUERY_CONNECTIONS - 1)]
        free = queue.SimpleQueue()
        for conn in [first, *others]:
            free.put(conn)

        def run(spec: FigureSpec) -> tuple[list[str], list[dict]]:
            conn = free.get()
            try:
                return _run(conn, spec, scope)
            finally:
                free.put(conn)

        with ThreadPoolExecutor(max_workers=QUERY_CONNECTIONS) as pool:
            results = [pool.submit(run, spec) for spec in on_marts]
            try:
                for spec, result in zip(on_marts, results):
                    figures.columns[spec.name], figures.rows[spec.name] = result.result()
            except BaseException:
                pool.shutdown(cancel_futures=True)
                raise
    with engine(admin_url(settings)).connect() as conn, conn.begin():
        conn.exec_driver_sql(f"SET LOCAL statement_timeout = {QUERY_TIMEOUT_S * 1000}")
        for spec in FIGURES:
            if spec.annex:
                figures.columns[spec.name], figures.rows[spec.name] = _run(conn, spec, scope)
    return figures


@contextmanager
def marts_snapshot(settings: Settings, snapshot: str | None = None) -> Iterator[sa.Connection]:
    """A read-only transaction on the marts as bi_reader: a snapshot of its own, or the one given."""
    with engine(role_url("bi_reader", settings)).connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
            if snapshot is not None:
                conn.exec_driver_sql("SET TRANSACTION SNAPSHOT %s", (snapshot,))
            conn.exec_driver_sql(f"SET LOCAL statement_timeout = {QUERY_TIMEOUT_S * 1000}")
            conn.exec_driver_sql(f"SET LOCAL work_mem = '{QUERY_WORK_MEM}'")
            yield conn


def _run(conn: sa.Connection, spec: FigureSpec, scope: Scope) -> tuple[list[str], list[dict]]:
    try:
        return run_figure(conn, spec.name, scope, annex=spec.annex)
    except sa.exc.OperationalError as error:
        if "statement timeout" not in str(error):
            raise
        folder = "queries/annex" if spec.annex else "queries"
        raise ReportError(
            f"the figure {spec.name} ({folder}/{spec.name}.sql) took more than "
            f"{QUERY_TIMEOUT_S} s on the warehouse: its plan needs a look (EXPLAIN)"
        ) from None


def _freshness(rows: list[dict], now: dt.datetime, lang: str, digits: str) -> list[dict]:
    """Every kind of delivery the project defines, with its last file and how fresh it is
    (orchestration.freshness holds the rule)."""
    by_source = {row["source_name"]: row for row in rows}
    ui = texts.UI[lang]
    out = []
    for definition in load_definitions():
        row = dict(
            by_source.get(definition.table) or {"source_name": definition.table, "provider": definition.provider}
        )
        state = Freshness(definition, row.get("received_at"))
        every = f"{ui['expected_every']} {plain_integer(definition.expected_every_days, lang, digits)} {ui['days_ago']}"
        if state.last_received is None:
            row["freshness"] = f"{ui['never']} ({every})"
        else:
            age = (now - state.last_received).days
            status = ui["late"] if state.is_late(now) else ui["on_time"]
            row["freshness"] = f"{status}: {plain_integer(max(age, 0), lang, digits)} {ui['days_ago']} ({every})"
        row["late"] = state.is_late(now)
        out.append(row)
    return out


def _row_label(spec: FigureSpec, row: dict, lang: str, digits: str) -> str:
    if spec.label:
        return label(row, spec.label, lang)
    if spec.code == "year":
        return plain_integer(row["year"], lang, digits)
    return str(row.get(spec.code) or "")


def _table(spec: FigureSpec, rows: list[dict], lang: str, digits: str) -> dict:
    has_label = spec.label is not None or spec.code is not None
    numeric = [not any(isinstance(row.get(c), str) for row in rows) or c.endswith(("_on", "_at")) for c in spec.columns]
    head = (
        [{"text": word(texts.COLUMNS.get(spec.code, ("", "")), lang) if not spec.label else "", "align": "text"}]
        if has_label
        else []
    )
    head += [
        {"text": word(texts.COLUMNS[c], lang), "align": "num" if n else "text"} for c, n in zip(spec.columns, numeric)
    ]
    body = []
    for row in rows:
        body.append(
            {
                "label": _row_label(spec, row, lang, digits) if has_label else None,
                "code": row.get(spec.code) if spec.label and spec.code else None,
                "cells": [
                    label(row, c, lang)
                    if label_column(c, lang) in row
                    else value_of_column(c, row.get(c), lang, digits)
                    for c in spec.columns
                ],
                "numeric": numeric,
                "late": row.get("late", False),
            }
        )
    return {"head": head, "body": body}


def render(figures: Figures, lang: str, digits: str = "western") -> str:
    """One edition as a self-contained HTML document."""
    check_language(lang)
    check_digits(digits)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    now = figures.generated_at
    scope = figures.scope
    # freshness as it stood at the end of the as-of day
    checked_at = dt.datetime.combine(scope.as_of + dt.timedelta(days=1), dt.time(), TIMEZONE) if scope.as_of else now
    sections = []
    for section in SECTIONS:
        blocks = []
        for spec in (f for f in FIGURES if f.section == section):
            rows = figures.rows[spec.name]
            if spec.name == "deliveries":
                rows = _freshness(rows, checked_at, lang, digits)
            labels = [_row_label(spec, row, lang, digits) for row in rows]
            blocks.append(
                {
                    "name": spec.name,
                    "title": word(texts.FIGURE_TITLES[spec.name], lang),
                    "definition": word(texts.FIGURES[spec.name], lang),
                    "chart": bar_chart(spec, rows, labels, lang, digits),
                    "table": _table(spec, rows, lang, digits),
                    "cards": _cards(rows[0], lang, digits) if spec.name == "key_figures" and rows else None,
                }
            )
        sections.append(
            {
                "number": section,
                "label": plain_integer(section, lang, digits),
                "title": word(texts.SECTIONS[section], lang),
                "blocks": blocks,
            }
        )
    ui = texts.UI[lang]
    scope_parts = [f"{ui['as_of']} {date(scope.as_of, lang, digits)}" if scope.as_of else ui["all_known"]]
    if scope.province:
        named = [
            label(row, "province", lang)
            for row in figures.rows["organisations_by_province"]
            if row["province_code"] == scope.province
        ]
        scope_parts.append(f"{ui['province']} {' '.join(named)} ({scope.province})")
    else:
        scope_parts.append(ui["whole_region"])
    if scope.programme:
        scope_parts.append(f"{ui['programme']} {scope.programme}")
    template = env.get_template("bilan.html.j2")
    return template.render(
        lang=lang,
        dir="rtl" if lang == "ar" else "ltr",
        digits=digits,
        ui=ui,
        title=texts.TITLE[lang],
        council=texts.COUNCIL[lang],
        scope=" · ".join(scope_parts),
        generated=f"{date(now.date(), lang, digits)} {plain_integer(f'{now:%H:%M}', lang, digits)}",
        sections=sections,
        css=(TEMPLATES / "bilan.css").read_text(encoding="utf-8"),
        figures_json=figures.as_json(),
        page_counter="arabic-indic" if lang == "ar" and digits != "western" else "decimal",
    )


def _cards(row: dict, lang: str, digits: str) -> list[dict]:
    return [
        {"value": value_of_column(c, row[c], lang, digits), "caption": word(texts.KEY_FIGURES[c], lang)}
        for c in texts.KEY_FIGURES
    ]


def report_dir(settings: Settings, scope: Scope, today: dt.date) -> Path:
    """data/reports/<date>/ for the whole region, a sub-folder per province or programme."""
    folder = settings.data_dir / "reports" / (scope.as_of or today).isoformat()
    parts = [
        f"province-{scope.province}" if scope.province else "",
        f"programme-{scope.programme}" if scope.programme else "",
    ]
    sub = "_".join(p for p in parts if p)
    return folder / sub if sub else folder


def build_report(
    settings: Settings,
    scope: Scope = Scope(),
    langs: tuple[str, ...] = texts.LANGUAGES,
    digits: str = "western",
    pdf: bool = True,
    out_dir: Path | None = None,
    now: dt.datetime | None = None,
) -> list[Path]:
    """Write the editions; the whole-region report of today is also copied to data/reports/latest/.
    The HTML files carry their fonts (cut once for a set of characters, then read from
    data/cache/fonts/); the PDFs embed the system fonts WeasyPrint lays them out with, and are laid
    out at once, each by a process of its own (orchestration.report.pdf)."""
    for lang in langs:
        check_language(lang)
    check_digits(digits)
    # the PDF processes load WeasyPrint while the figures run, then lay out their edition while
    # this process writes the HTML files
    jobs = {lang: PdfJob(str(TEMPLATES)) for lang in langs} if pdf else {}
    font_cache = settings.data_dir / "cache" / "fonts"
    written = []
    try:
        figures = collect(settings, scope, now)
        folder = out_dir or report_dir(settings, scope, figures.generated_at.date())
        folder.mkdir(parents=True, exist_ok=True)
        pages = {lang: render(figures, lang, digits) for lang in langs}
        for lang, job in jobs.items():
            job.lay_out(pages[lang], folder / f"bilan_{lang}.pdf")
        text = characters(*pages.values())
        for lang, html in pages.items():
            page = folder / f"bilan_{lang}.html"
            page.write_text(embed_fonts(html, lang, text, font_cache), encoding="utf-8")
            written.append(page)
            if lang in jobs:
                written.append(jobs[lang].target)
    finally:
        failures = [failure for job in jobs.values() if (failure := job.wait())]
    if failures:
        raise ReportError("\n".join(failures))
    prune_cache(font_cache)
    if out_dir is None and scope == Scope():
        latest = settings.data_dir / "reports" / "latest"
        latest.mkdir(parents=True, exist_ok=True)
        for path in written:
            shutil.copyfile(path, latest / path.name)
    return written
