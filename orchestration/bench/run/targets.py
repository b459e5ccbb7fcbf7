"""The targets a run is judged against (issue #17's "Done when", and two of the project's own earlier
targets), and their verdicts: met or missed and by how much, or "not measured" when the recorded run
has no such number (a part not run, or numbers recorded before the bench measured it)."""

from __future__ import annotations

TARGETS: dict[str, dict[str, float]] = {
    "every scale": {
        "csv_vs_copy": 0.5,  # each CSV file of csv_file_rows rows or more, and those files together
        "csv_file_rows": 20_000,
        "vs_dlt": 3.0,  # the loader at least 3x faster than dlt, on every file kind
        "vs_to_sql": 10.0,  # the ingestion issue's: to_sql left at least 10x behind
        "quality_vs_dbt": 1.0,  # the quality phase no longer than the dbt phase, on the nights that build
    },
    "region": {
        "xlsx_rows_per_s": 100_000,
        "json_rows_per_s": 100_000,
        "full_load_s": 45.0,
        "new_delivery_share": 0.25,  # of the same run's full load
        "nothing_new_s": 5.0,
        "peak_mb": 1024.0,  # of the command's process tree, on any night
        "query_p95_ms": 100.0,  # the project's own earlier target; the is the nation's
    },
    "nation": {
        "full_load_s": 600.0,
        "new_delivery_s": 120.0,
        "peak_mb": 2048.0,
        "query_p95_ms": 200.0,
    },
}

NIGHT_NAMES = {
    "full": "full load from empty",
    "nothing_new": "second night, nothing new (a duplicate and a rejected file)",
    "new_delivery": "one new delivery per provider",
}
BUILDING_NIGHTS = ("full", "new_delivery")  # the nights that run dbt (nothing new runs only the checks)
NO_INGESTION = "ingestion not run (`--parts load`)"
NO_NIGHTS = "the nights were not run (`--parts ingestion`)"


# -- the report's wording ----------------------------------------------------------------------------------
def fmt_rate(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def fmt_s(value: float | None) -> str:
    return "—" if value is None else (f"{value:.2f}" if value < 10 else f"{value:.1f}")


def fmt_duration(seconds: float) -> str:
    return f"{seconds / 60:g} min" if seconds >= 60 else f"{seconds:g} s"


def fmt_memory(mb: float) -> str:
    return f"{mb / 1024:g} GB" if mb >= 1024 else f"{mb:g} MB"


def verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("met" if ok else "**missed**")


def _times(ratio: float) -> str:
    """A miss's ratio: one decimal, two when one would read `1.0×`."""
    return f"{ratio:.2f}" if ratio < 1.1 else f"{ratio:.1f}"


def shortfall_or_margin(value: float, target: float, shortfall: str = "too slow", digits: int = 2) -> str:
    """How far a measure stands from an at-least target: `2.5× too slow` below it, `1.20× margin` at or above."""
    return f"{_times(target / value)}× {shortfall}" if value < target else f"{value / target:.{digits}f}× margin"


def excess_or_margin(value: float, limit: float, excess: str = "too slow", digits: int = 2) -> str:
    """How far a measure stands from an at-most target: `2.0× too slow` above it, `1.50× margin` at or below."""
    if value > limit:
        return f"{_times(value / limit)}× {excess}"
    return f"{limit / value:.{digits}f}× margin" if value else "∞ margin"


# -- verdicts ------------------------------------------------------------------------------------------
def _verdict(target: str, scale: str, measured: str, ok: bool | None, margin: str) -> dict:
    return {"target": target, "scale": scale, "measured": measured, "ok": ok, "margin": margin}


def _not_measured(target: str, scale: str, why: str) -> dict:
    return _verdict(target, scale, why, None, "not measured")


def _at_least(target: str, scale: str, measured: str, value: float, goal: float, **wording) -> dict:
    return _verdict(target, scale, measured, value >= goal, shortfall_or_margin(value, goal, **wording))


def _at_most(
    target: str, scale: str, measured: str, value: float, limit: float, strict: bool = True, **wording
) -> dict:
    ok = value < limit if strict else value <= limit
    return _verdict(target, scale, measured, ok, excess_or_margin(value, limit, **wording))


def _unfinished(night: dict) -> str | None:
    """Why a night's time cannot meet a target: stopped by --load-timeout, or the load failed."""
    if night["exit_code"] == "timeout":
        return "stopped: --load-timeout"
    return None if night["exit_code"] == 0 else f"exit {night['exit_code']}: the load failed"


def _night_time(target: str, scale: str, night: dict | None, limit: float, why_missing: str) -> dict:
    if not night:
        return _not_measured(target, scale, why_missing)
    wall, unfinished = night["wall_s"], _unfinished(night)
    if unfinished is None:
        return _at_most(target, scale, f"{fmt_s(wall)} s", wall, limit)
    measured = f"{fmt_s(wall)} s ({unfinished})"
    if night["exit_code"] != "timeout":
        return _verdict(target, scale, measured, False, "did not finish")
    if wall < limit:  # a --load-timeout shorter than the target: neither met nor missed
        return _not_measured(target, scale, measured)
    return _verdict(target, scale, measured, False, f"> {excess_or_margin(wall, limit)}")


def evaluate_targets(results: dict[str, dict]) -> list[dict]:
    """Each target against the recorded measurements, by scale, then ingestion, nights, memory,
    quality, queries."""
    out: list[dict] = []
    for scale, r in results.items():
        goals = {**TARGETS["every scale"], **TARGETS.get(scale, {})}
        out += _ingestion_verdicts(scale, r, goals)
        out += _night_verdicts(scale, r, goals)
        out += _memory_verdicts(scale, r, goals)
        out += _quality_verdicts(scale, r, goals)
        out += _query_verdicts(scale, r, goals)
    return out


def _ingestion_verdicts(scale: str, r: dict, goals: dict) -> list[dict]:
    ing = r.get("ingestion") or {}
    out = _csv_copy_verdicts(scale, ing, goals) + _rate_verdicts(scale, ing, goals)
    return out + (_peer_verdicts(scale, ing, goals) if ing else [])


def _csv_copy_verdicts(scale: str, ing: dict, goals: dict) -> list[dict]:
    """Each CSV file of `csv_file_rows` rows or more against plain COPY, and those files together
    (with one file, its own verdict is the total)."""
    copy_goal, big_rows = goals["csv_vs_copy"], goals["csv_file_rows"]
    big = [e for e in ing.get("files", []) if e["format"] == "csv" and e["rows"] >= big_rows]
    out = []
    for e in big:
        target = f"CSV file of ≥ {big_rows:,} rows ≥ {copy_goal:g} × plain COPY"
        if not e.get("copy_rows_per_s"):
            out.append(_not_measured(target, scale, f"no plain COPY recorded for {e['file']}"))
            continue
        ratio = e["lander_rows_per_s"] / e["copy_rows_per_s"]
        measured = (
            f"{ratio:.3f} × COPY ({e['file']}, {e['rows']:,} rows: "
            f"{fmt_rate(e['lander_rows_per_s'])} vs {fmt_rate(e['copy_rows_per_s'])} rows/s)"
        )
        out.append(_at_least(target, scale, measured, ratio, copy_goal))
    if len(big) > 1 and all(e.get("copy_s") for e in big):
        lander = sum(e["rows"] for e in big) / sum(e["lander_s"] for e in big)
        copy = sum(e["copy_rows"] for e in big) / sum(e["copy_s"] for e in big)
        measured = f"{lander / copy:.3f} × COPY ({len(big)} files: {fmt_rate(lander)} vs {fmt_rate(copy)} rows/s)"
        target = f"CSV files of ≥ {big_rows:,} rows together ≥ {copy_goal:g} × plain COPY"
        out.append(_at_least(target, scale, measured, lander / copy, copy_goal))
    return out


def _rate_verdicts(scale: str, ing: dict, goals: dict) -> list[dict]:
    out = []
    for kind in ("xlsx", "json"):
        goal = goals.get(f"{kind}_rows_per_s")
        if goal is None:
            continue
        target, summary = f"{kind.upper()} ingestion ≥ {fmt_rate(goal)} rows/s", ing.get("by_format", {}).get(kind)
        if not summary:
            out.append(_not_measured(target, scale, f"no {kind.upper()} file in this run" if ing else NO_INGESTION))
            continue
        rate = summary["lander_rows_per_s"]
        versus = f" ({summary['vs_copy']:.3f} × plain COPY)" if "vs_copy" in summary else ""
        out.append(_at_least(target, scale, f"{fmt_rate(rate)} rows/s{versus}", rate, goal, digits=1))
    return out


def _peer_verdicts(scale: str, ing: dict, goals: dict) -> list[dict]:
    by_format = ing.get("by_format", {})
    dlt_goal, to_sql_goal = goals["vs_dlt"], goals["vs_to_sql"]
    out = []
    if not ing.get("dlt"):
        why = (
            "dlt not installed (`pip install -c constraints.txt -e '.[bench]'`)"
            if "dlt" in ing
            else "no dlt peer in this run (recorded before dlt was one)"
        )
        out.append(_not_measured(f"Loader ≥ {dlt_goal:g}× faster than dlt", scale, why))
    else:
        for kind, summary in by_format.items():
            target = f"{kind.upper()}: loader ≥ {dlt_goal:g}× faster than dlt"
            if "vs_dlt" not in summary:
                out.append(_not_measured(target, scale, f"dlt did not load every {kind.upper()} file"))
                continue
            ratio = summary["vs_dlt"]
            out.append(_at_least(target, scale, f"loader = {ratio:.2f} × dlt", ratio, dlt_goal, shortfall="short"))
    for kind in ("csv", "xlsx"):  # pandas has no reader for the chamber's nested JSON
        if kind in by_format:
            target = f"{kind.upper()}: to_sql ≥ {to_sql_goal:g}× behind"
            ratio = by_format[kind].get("vs_to_sql")
            out.append(
                _not_measured(target, scale, "no to_sql peer recorded")
                if ratio is None
                else _at_least(target, scale, f"loader = {ratio:.2f} × to_sql", ratio, to_sql_goal, shortfall="short")
            )
    return out


def _night_verdicts(scale: str, r: dict, goals: dict) -> list[dict]:
    nights = r.get("nights") or {}
    why = NO_NIGHTS if "nights" not in r else "not run: the full load did not finish"
    full, new = nights.get("full"), nights.get("new_delivery")
    out = []
    if "full_load_s" in goals:
        limit = goals["full_load_s"]
        out.append(_night_time(f"Full load from empty < {fmt_duration(limit)}", scale, full, limit, NO_NIGHTS))
    if "new_delivery_share" in goals:
        share_goal = goals["new_delivery_share"]
        target = f"A night with one new delivery per provider < {share_goal:g} × the full load"
        if full and new and not _unfinished(full):
            judged = _night_time(target, scale, new, share_goal * full["wall_s"], why)
            judged["measured"] += f" = {new['wall_s'] / full['wall_s']:.2f} × the full load's {fmt_s(full['wall_s'])} s"
            out.append(judged)
        else:
            out.append(
                _not_measured(target, scale, f"the full load did not finish ({_unfinished(full)})" if full else why)
            )
    if "new_delivery_s" in goals:
        limit = goals["new_delivery_s"]
        target = f"A night with one new delivery per provider < {fmt_duration(limit)}"
        out.append(_night_time(target, scale, new, limit, why))
    if "nothing_new_s" in goals:
        limit = goals["nothing_new_s"]
        target = f"A night with nothing new < {fmt_duration(limit)}"
        out.append(_night_time(target, scale, nights.get("nothing_new"), limit, why))
    return out


def _memory_verdicts(scale: str, r: dict, goals: dict) -> list[dict]:
    if "peak_mb" not in goals:
        return []
    target = f"Peak memory of the command's process tree < {fmt_memory(goals['peak_mb'])}"
    nights = r.get("nights")
    if not nights:
        return [_not_measured(target, scale, NO_NIGHTS)]
    key, worst = max(nights.items(), key=lambda kv: kv[1]["peak_rss_mb"])
    peak = worst["peak_rss_mb"]
    measured = f"{peak:,.0f} MB ({NIGHT_NAMES.get(key, key)})"
    return [_at_most(target, scale, measured, peak, goals["peak_mb"], excess="over")]


def _quality_verdicts(scale: str, r: dict, goals: dict) -> list[dict]:
    share = goals["quality_vs_dbt"]
    phase = "the dbt phase" if share == 1 else f"{share:g} × the dbt phase"

    def target(key: str) -> str:
        return f"Quality phase ≤ {phase} ({NIGHT_NAMES[key]})"

    if "nights" not in r:
        return [_not_measured(target("full"), scale, NO_NIGHTS)]
    out = []
    for key in BUILDING_NIGHTS:
        night = r["nights"].get(key)
        if not night:
            continue  # not run after a full load that did not finish: said by the night's own verdicts
        phases = night.get("phases") or {}
        if not phases.get("dbt"):
            why = "the dbt phase did not run" if phases else "no phases recorded (the Dagster run's events)"
            out.append(_not_measured(target(key), scale, why))
            continue
        quality, dbt = phases["quality"], phases["dbt"]
        measured = f"quality {fmt_s(quality)} s, dbt {fmt_s(dbt)} s"
        out.append(_at_most(target(key), scale, measured, quality, share * dbt, strict=False, excess="over"))
    return out


def _query_verdicts(scale: str, r: dict, goals: dict) -> list[dict]:
    if "query_p95_ms" not in goals:
        return []
    limit = goals["query_p95_ms"]
    target = f"BI queries p95 < {limit:g} ms"
    queries = [q for q in r.get("queries") or [] if not q.get("ad_hoc")]
    timed = [q for q in queries if q.get("p95_ms") is not None]
    if r.get("queries_skipped"):
        return [_not_measured(target, scale, f"not run: {r['queries_skipped']}")]
    if not queries:
        return [_not_measured(target, scale, NO_NIGHTS if "nights" not in r else "no BI queries recorded")]
    failed = len(queries) - len(timed)
    if not timed:
        return [_verdict(target, scale, f"all {failed} queries failed", False, "did not answer")]
    worst = max(timed, key=lambda q: q["p95_ms"])
    measured = f"worst p95 {worst['p95_ms']:.1f} ms ({worst['query']})" + (f"; {failed} failed" if failed else "")
    judged = _at_most(target, scale, measured, worst["p95_ms"], limit)
    if failed:
        judged.update(ok=False, margin=f"{failed} of {len(queries)} failed; " + judged["margin"])
    return [judged]
