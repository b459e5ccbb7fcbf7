"""The results section of BENCHMARKS.md: rendered from the numbers of a run (tables, targets, what
regressed since the previous run), written between its markers with the raw numbers as JSON, and
read back."""

from __future__ import annotations

import json
import re
from pathlib import Path

from orchestration.bench.run.queries import AD_HOC
from orchestration.bench.run.targets import NIGHT_NAMES, evaluate_targets, fmt_rate, fmt_s, verdict
from orchestration.settings import PROJECT_ROOT

BENCHMARKS_MD = PROJECT_ROOT / "BENCHMARKS.md"
RESULTS_START = "<!-- bench:results:start (written by `tadamon bench`; edit outside these markers) -->"
RESULTS_END = "<!-- bench:results:end -->"
JSON_START = "<!-- bench:json"
JSON_END = "bench:json -->"


def render_results(results: dict[str, dict], machine: dict, previous: dict[str, dict] | None = None) -> str:
    previous = previous or {}
    lines: list[str] = []
    pg = machine.get("postgres", {})
    lines += [
        "### Machine",
        "",
        f"- CPU: {machine.get('cpus')} cores ({machine.get('cpu', 'unknown model')}); memory: "
        f"{machine.get('memory_gb')} GB; {machine.get('platform')}",
        f"- PostgreSQL: {pg.get('version', '?').split(' on ')[0]} — {machine.get('server')}; shared_buffers "
        f"{pg.get('shared_buffers')}, work_mem {pg.get('work_mem')}, max_wal_size {pg.get('max_wal_size')}, "
        f"synchronous_commit {pg.get('synchronous_commit')}, fsync {pg.get('fsync')}",
        f"- Python {machine.get('python')}; " + ", ".join(f"{k} {v}" for k, v in machine.get("packages", {}).items()),
        "",
    ]
    targets = evaluate_targets(results)
    if targets:
        lines += ["### Targets", "", "| target | scale | measured | verdict | margin |", "|---|---|---|---|---|"]
        for t in targets:
            lines.append(f"| {t['target']} | {t['scale']} | {t['measured']} | {verdict(t['ok'])} | {t['margin']} |")
        lines.append("")
    for scale, r in results.items():
        data = r.get("data", {})
        orgs = data.get("organisations", {})
        lines += [
            f"### Scale `{scale}` (run of {r.get('date')}, seed {r.get('seed')}"
            + "".join(f"; {part} from the run of {day}" for part, day in (r.get("carried") or {}).items())
            + ")",
            "",
            f"{orgs.get('total', 0):,} organisations ({orgs.get('cooperatives', 0):,} cooperatives, "
            f"{orgs.get('associations', 0):,} associations, {orgs.get('gie', 0)} GIE); "
            f"{data.get('rows', 0):,} rows in six files, {data.get('sessions', 0):,} sessions with "
            f"{data.get('participations', 0):,} participations"
            + (
                f"; the next month's delivery has {data.get('next_delivery_rows', 0):,} rows"
                if "nights" in r
                else "; ingestion only (`--parts ingestion`)"
            )
            + f". Generated in {data.get('generate_s')} s.",
            "",
        ]
        ing = r.get("ingestion")
        if ing:
            lines += [
                "**1. Ingestion** (median of "
                f"{ing['repeats']}; rows/s; loader = `Lander.land_file`: parse, check, fingerprint, archive, "
                "COPY, audit, receipt)",
                "",
                "| file | rows | loader rows/s | plain COPY rows/s | loader ÷ COPY | to_sql rows/s | "
                "loader ÷ to_sql | dlt rows/s | loader ÷ dlt | read only rows/s |",
                "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            ]
            for e in ing["files"]:
                tosql = e.get("to_sql")
                lines.append(
                    f"| {e['file']} | {e['rows']:,} | {fmt_rate(e['lander_rows_per_s'])} | "
                    f"{fmt_rate(e.get('copy_rows_per_s'))} | "
                    + (f"{e['lander_rows_per_s'] / e['copy_rows_per_s']:.3f}" if e.get("copy_rows_per_s") else "—")
                    + f" | {fmt_rate(e.get('to_sql_rows_per_s'))}{'*' if tosql and tosql['extrapolated'] else ''} | "
                    + (f"{e['lander_rows_per_s'] / e['to_sql_rows_per_s']:.2f}" if e.get("to_sql_rows_per_s") else "—")
                    + f" | {fmt_rate(e.get('dlt_rows_per_s'))} | "
                    + (f"{e['lander_rows_per_s'] / e['dlt_rows_per_s']:.2f}" if e.get("dlt_rows_per_s") else "—")
                    + f" | {fmt_rate(e.get('read_rows_per_s'))} |"
                )
            for fmt, s in ing["by_format"].items():
                lines.append(
                    f"| **all {fmt.upper()}** | {s['rows']:,} | **{fmt_rate(s['lander_rows_per_s'])}** | "
                    f"{fmt_rate(s.get('copy_rows_per_s'))} | "
                    + (f"**{s['vs_copy']:.3f}**" if "vs_copy" in s else "—")
                    + f" | {fmt_rate(s.get('to_sql_rows_per_s'))} | "
                    + (f"**{s['vs_to_sql']:.2f}**" if "vs_to_sql" in s else "—")
                    + f" | {fmt_rate(s.get('dlt_rows_per_s'))} | "
                    + (f"**{s['vs_dlt']:.2f}**" if "vs_dlt" in s else "—")
                    + f" | {fmt_rate(s.get('read_rows_per_s'))} |"
                )
            if ing.get("dlt"):
                lines += [
                    "",
                    f"dlt {ing['dlt']}: one run a file, its defaults (extract, normalize, load into "
                    "its postgres destination on the same server), fed the rows the read-only column reads "
                    "(a JSON export's records whole: dlt unnests their arrays into child tables).",
                ]
            elif "dlt" in ing:
                lines += [
                    "",
                    "dlt is not installed: no dlt peer in this run (`.venv/bin/pip install -c "
                    "constraints.txt -e '.[bench]'`; `make bench` installs it).",
                ]
            if any(e.get("to_sql", {}).get("extrapolated") for e in ing["files"]):
                lines.append("")
                lines.append(
                    f"\\* to_sql wrote the first {ing['to_sql_cap']:,} rows; its rate for the whole file "
                    "is extrapolated (read time for the whole file + write time × rows ÷ rows written)."
                )
            lines.append("")
        nights = r.get("nights")
        if nights:
            lines += [
                "**2–3. The nightly load** (`tadamon run` in a child process; phases from the Dagster run's "
                "step events; peak = resident memory of the command's process tree: Python and dbt)",
                "",
                "| night | wall s | Dagster run s | ingest s | dbt s | quality s | publish s | bilan s | "
                "start-up s | peak MB | rows loaded | exit |",
                "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
            ]
            for key, n in nights.items():
                ph = n.get("phases") or {}
                lines.append(
                    f"| {NIGHT_NAMES.get(key, key)} | **{fmt_s(n['wall_s'])}** | {fmt_s(n.get('run_s'))} | "
                    f"{fmt_s(ph.get('ingest'))} | {fmt_s(ph.get('dbt'))} | {fmt_s(ph.get('quality'))} | "
                    f"{fmt_s(ph.get('publish'))} | {fmt_s(ph.get('bilan'))} | {fmt_s(n.get('startup_s'))} | "
                    f"{n['peak_rss_mb']:,.0f} | "
                    f"{n.get('rows_loaded', '—')} | {n['exit_code']}"
                    + (f" ({n['checks_failed']} checks failed)" if n.get("checks_failed") else "")
                    + " |"
                )
            lines.append("")
            for key, n in nights.items():
                d = n.get("dbt")
                if d:
                    kinds = ", ".join(f"{v} {k}s" for k, v in sorted(d["nodes"].items()))
                    slow = "; ".join(f"{name} {sec:.1f} s" for name, sec in d["slowest"][:4])
                    lines.append(
                        f"- {NIGHT_NAMES.get(key, key)} — dbt build: {kinds}; dbt's own elapsed "
                        f"{fmt_s(d['elapsed_s'])} s, sum of node times {fmt_s(d['node_seconds'])} s"
                        + (f" ({d['threads']} threads)" if d.get("threads") else "")
                        + f"; slowest: {slow}"
                    )
            for key, n in nights.items():
                if n["exit_code"] == "timeout":
                    running = ", ".join(n.get("running_at_timeout") or []) or "?"
                    lines.append(
                        f"- {NIGHT_NAMES.get(key, key)} — **stopped after {n['wall_s']:.0f} s** "
                        f"(--load-timeout); unfinished steps: {', '.join(n.get('unfinished_steps') or []) or '?'}"
                        f"; dbt nodes running: {running}. Phase times count up to the stop."
                    )
            failures = [f"{k}: {n['failure']}" for k, n in nights.items() if n.get("failure")]
            if failures:
                lines += [""] + [f"- run failure — {f}" for f in failures]
            lines.append("")
        queries = r.get("queries")
        if r.get("queries_skipped"):
            lines += [f"**4. BI queries**: not run — {r['queries_skipped']}.", ""]
        if queries:
            lines += [
                f"**4. BI queries** on `marts` as {r.get('queries_role', 'bi_reader')} "
                f"({queries[0]['runs'] or 0} timed runs after 2 warm-ups; client-side, execute + fetch)",
                "",
                "| query | rows | median ms | p95 ms |",
                "|---|---:|---:|---:|",
            ]
            for q in queries:
                if q["error"]:
                    lines.append(f"| {q['query']} | — | failed: {q['error'][:120]} | — |")
                else:
                    lines.append(f"| {q['query']} | {q['rows']:,} | {q['median_ms']:.1f} | {q['p95_ms']:.1f} |")
            if any(q.get("ad_hoc") for q in queries):
                lines += [
                    "",
                    f"Rows starting “{AD_HOC.strip()}” ask a question the dashboards' aggregates (agg_*) answer "
                    "of the facts themselves, summed at query time; they are not in the target.",
                ]
            lines.append("")
        before = previous.get(scale)
        if before:
            changes = _regressions(before, r)
            if changes:
                lines += (
                    [f"Compared with the previous run ({before.get('date')}):", ""] + [f"- {c}" for c in changes] + [""]
                )
    return "\n".join(lines)


def _regressions(before: dict, after: dict, threshold: float = 0.2) -> list[str]:
    """Numbers that moved by more than `threshold` since the previous run."""
    out = []

    def compare(name: str, old, new, higher_is_better: bool):
        if not old or not new:
            return
        change = (new - old) / old
        worse = change < -threshold if higher_is_better else change > threshold
        better = change > threshold if higher_is_better else change < -threshold
        if worse or better:
            out.append(
                f"{'**regression**' if worse else 'improvement'}: {name} {old:,.1f} → {new:,.1f} ({change:+.0%})"
            )

    for fmt in ("csv", "xlsx", "json"):
        compare(
            f"{fmt} loader rows/s",
            before.get("ingestion", {}).get("by_format", {}).get(fmt, {}).get("lander_rows_per_s"),
            after.get("ingestion", {}).get("by_format", {}).get(fmt, {}).get("lander_rows_per_s"),
            True,
        )
    for night in ("full", "nothing_new", "new_delivery"):
        compare(
            f"{night} wall s",
            before.get("nights", {}).get(night, {}).get("wall_s"),
            after.get("nights", {}).get(night, {}).get("wall_s"),
            False,
        )
        compare(
            f"{night} peak MB",
            before.get("nights", {}).get(night, {}).get("peak_rss_mb"),
            after.get("nights", {}).get(night, {}).get("peak_rss_mb"),
            False,
        )
    old_q = {q["query"]: q for q in before.get("queries", [])}
    for q in after.get("queries", []):
        old = old_q.get(q["query"], {})
        if (old.get("p95_ms") or 0) > 5:  # below a few ms the noise is larger than 20 %
            compare(f"p95 of '{q['query']}' ms", old.get("p95_ms"), q.get("p95_ms"), False)
    return out


DEFAULT_DOCUMENT = """# Benchmarks

Results of `make bench` (`tadamon bench`). The section between the markers below is rewritten by each
run; the rest of this file is written by hand.

{results}
"""


def read_previous(path: Path) -> tuple[dict, dict]:
    """(results by scale, machine) recorded in BENCHMARKS.md by the last run."""
    if not path.exists():
        return {}, {}
    text = path.read_text(encoding="utf-8")
    match = re.search(re.escape(JSON_START) + r"\s*(.*?)\s*" + re.escape(JSON_END), text, flags=re.S)
    if not match:
        return {}, {}
    try:
        data = json.loads(match.group(1))
    except json.JSONDecodeError:
        return {}, {}
    return data.get("results", {}), data.get("machine", {})


PARTS = {"ingestion": ("ingestion",), "load": ("nights", "queries", "queries_role", "queries_skipped")}


def carry_parts(result: dict, before: dict | None) -> dict:
    """A scale measured in part (`--parts`): the parts this run left out, as the previous run of the
    same scale and seed measured them; `carried` says which and from when (the report says so)."""
    if not before or before.get("seed") != result.get("seed"):
        return result
    merged, carried = dict(result), dict(before.get("carried") or {})
    for part, keys in PARTS.items():
        if keys[0] not in result and keys[0] in before:
            merged.update({k: before[k] for k in keys if k in before})
            carried[part] = carried.get(part) or before.get("date")
        elif keys[0] in result:
            carried.pop(part, None)
    if carried:
        merged["carried"] = carried
    return merged


def write_report(path: Path, results: dict[str, dict], machine: dict, previous: dict[str, dict]) -> str:
    """Rewrite the results section of BENCHMARKS.md: this run's scales (with the parts it left out
    carried from the previous run of the scale), and the previous run's numbers for scales not run
    this time (their date says so)."""
    results = {scale: carry_parts(r, previous.get(scale)) for scale, r in results.items()}
    merged = {**{k: v for k, v in previous.items() if k not in results}, **results}
    merged = dict(sorted(merged.items(), key=lambda kv: kv[1].get("data", {}).get("organisations", {}).get("total", 0)))
    body = render_results(merged, machine, previous)
    raw = json.dumps({"machine": machine, "results": merged}, ensure_ascii=False, indent=1, default=str)
    section = f"{RESULTS_START}\n\n{body}\n{JSON_START}\n{raw}\n{JSON_END}\n\n{RESULTS_END}"
    if path.exists():
        text = path.read_text(encoding="utf-8")
        if RESULTS_START in text and RESULTS_END in text:
            head, rest = text.split(RESULTS_START, 1)
            tail = rest.split(RESULTS_END, 1)[1]
            text = head + section + tail
        else:
            text = text.rstrip() + "\n\n" + section + "\n"
    else:
        text = DEFAULT_DOCUMENT.format(results=section)
    path.write_text(text, encoding="utf-8")
    return body
