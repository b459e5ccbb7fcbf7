"""The targets a run is judged against (the ingestion and performance issues), and their verdicts."""

from __future__ import annotations

TARGETS = {
    "csv_vs_copy": 0.5,  # CSV ingestion at no less than half the plain COPY rate
    "big_csv_rows": 200_000,  # ... measured on a file of this many rows (the ingestion issue)
    "xlsx_rows_per_s": 100_000,  # XLSX ingestion at no less than 100,000 rows/s
    "json_rows_per_s": 100_000,  # JSON ingestion at no less than 100,000 rows/s
    "vs_dlt": 3.0,  # the loader at least 3x faster than dlt, on every file kind
    "vs_to_sql": 10.0,  # to_sql left at least 10x behind
    "region_full_load_s": 60.0,
    "nation_full_load_s": 600.0,
    "nation_peak_mb": 2048.0,
    "nothing_new_s": 5.0,  # the issue: a night that loaded nothing new, under 5 s
    "new_delivery_share": 0.25,  # of the full load
    "region_query_p95_ms": 100.0,
}


# -- the report ----------------------------------------------------------------------------------------
def fmt_rate(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def fmt_s(value: float | None) -> str:
    return "—" if value is None else (f"{value:.2f}" if value < 10 else f"{value:.1f}")


def verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("met" if ok else "**missed**")


def shortfall_or_margin(value: float, target: float, shortfall: str = "too slow", digits: int = 2) -> str:
    """How far a measure stands from an at-least target: `2.5× too slow` below it, `1.20× margin` at or above."""
    return f"{target / value:.1f}× {shortfall}" if value < target else f"{value / target:.{digits}f}× margin"


def evaluate_targets(results: dict[str, dict]) -> list[dict]:
    """Each target of the issue against the measurements: met or missed, and by how much."""
    out = []

    def add(target: str, scale: str, measured: str, ok: bool | None, margin: str):
        out.append({"target": target, "scale": scale, "measured": measured, "ok": ok, "margin": margin})

    for scale, r in results.items():
        ing = r.get("ingestion", {}).get("by_format", {})
        if "csv" in ing:
            ratio = ing["csv"]["vs_copy"]
            add(
                "CSV ingestion ≥ 0.5 × plain COPY",
                scale,
                f"{ratio:.3f} × COPY "
                f"({fmt_rate(ing['csv']['lander_rows_per_s'])} vs {fmt_rate(ing['csv']['copy_rows_per_s'])} rows/s)",
                ratio >= TARGETS["csv_vs_copy"],
                shortfall_or_margin(ratio, TARGETS["csv_vs_copy"]),
            )
        for entry in r.get("ingestion", {}).get("files", []):  # the ingestion issue's own criterion
            if entry["format"] == "csv" and entry["rows"] >= TARGETS["big_csv_rows"] and entry.get("copy_rows_per_s"):
                ratio = entry["lander_rows_per_s"] / entry["copy_rows_per_s"]
                add(
                    f"A CSV file of ≥ {TARGETS['big_csv_rows']:,} rows ≥ 0.5 × plain COPY",
                    scale,
                    f"{ratio:.3f} × COPY ({entry['file']}, {entry['rows']:,} rows: "
                    f"{fmt_rate(entry['lander_rows_per_s'])} vs {fmt_rate(entry['copy_rows_per_s'])} rows/s)",
                    ratio >= TARGETS["csv_vs_copy"],
                    shortfall_or_margin(ratio, TARGETS["csv_vs_copy"]),
                )
        if "xlsx" in ing:
            rate = ing["xlsx"]["lander_rows_per_s"]
            add(
                "XLSX ingestion ≥ 100,000 rows/s",
                scale,
                f"{fmt_rate(rate)} rows/s ({ing['xlsx']['vs_copy']:.3f} × plain COPY)",
                rate >= TARGETS["xlsx_rows_per_s"],
                shortfall_or_margin(rate, TARGETS["xlsx_rows_per_s"], digits=1),
            )
        if "json" in ing:
            rate, ratio = ing["json"]["lander_rows_per_s"], ing["json"]["vs_copy"]
            add(
                "JSON ingestion ≥ 100,000 rows/s",
                scale,
                f"{fmt_rate(rate)} rows/s ({ratio:.3f} × plain COPY)",
                rate >= TARGETS["json_rows_per_s"],
                shortfall_or_margin(rate, TARGETS["json_rows_per_s"], digits=1),
            )
        for fmt in ("csv", "xlsx", "json"):
            if fmt in ing and "vs_dlt" in ing[fmt]:
                ratio = ing[fmt]["vs_dlt"]
                add(
                    f"{fmt.upper()}: loader ≥ 3× faster than dlt",
                    scale,
                    f"loader = {ratio:.2f} × dlt",
                    ratio >= TARGETS["vs_dlt"],
                    shortfall_or_margin(ratio, TARGETS["vs_dlt"], shortfall="short"),
                )
        if ing and not r.get("ingestion", {}).get("dlt"):
            add(
                "Loader ≥ 3× faster than dlt",
                scale,
                "dlt not installed (`pip install -c constraints.txt -e '.[bench]'`)",
                None,
                "not measured",
            )
        for fmt in ("csv", "xlsx"):
            if fmt in ing:
                ratio = ing[fmt]["vs_to_sql"]
                add(
                    f"{fmt.upper()}: to_sql ≥ 10× behind",
                    scale,
                    f"loader = {ratio:.2f} × to_sql",
                    ratio >= TARGETS["vs_to_sql"],
                    f"{TARGETS['vs_to_sql'] / ratio:.1f}× short" if ratio < TARGETS["vs_to_sql"] else "",
                )
        nights = r.get("nights", {})
        full = nights.get("full", {})
        if full:
            stopped = " (stopped: --load-timeout)" if full["exit_code"] == "timeout" else ""
            if scale == "region":
                add(
                    "Full load at region scale < 60 s",
                    scale,
                    f"{'> ' if stopped else ''}{full['wall_s']:.1f} s{stopped}",
                    full["wall_s"] < TARGETS["region_full_load_s"] and full["exit_code"] == 0,
                    f"{'> ' if stopped else ''}{full['wall_s'] / TARGETS['region_full_load_s']:.1f}× the target",
                )
            if scale == "nation":
                add(
                    "Full load at national scale < 10 min",
                    scale,
                    f"{'> ' if stopped else ''}{full['wall_s']:.0f} s{stopped}",
                    full["wall_s"] < TARGETS["nation_full_load_s"],
                    f"{full['wall_s'] / TARGETS['nation_full_load_s']:.2f}× the target",
                )
                add(
                    "National peak memory < 2 GB",
                    scale,
                    f"{full['peak_rss_mb']:.0f} MB",
                    full["peak_rss_mb"] < TARGETS["nation_peak_mb"],
                    f"{full['peak_rss_mb'] / TARGETS['nation_peak_mb']:.2f}× the target",
                )
        quiet = nights.get("nothing_new")
        if quiet:
            add(
                "A night with nothing new < 5 s",
                scale,
                f"{quiet['wall_s']:.1f} s",
                quiet["wall_s"] < TARGETS["nothing_new_s"],
                f"{quiet['wall_s'] / TARGETS['nothing_new_s']:.2f}× the target",
            )
        new = nights.get("new_delivery")
        if new and full:
            share = new["wall_s"] / full["wall_s"]
            add(
                "One new delivery per provider < ¼ of the full load",
                scale,
                f"{new['wall_s']:.1f} s = {share:.2f} × full",
                share < TARGETS["new_delivery_share"],
                f"{share / TARGETS['new_delivery_share']:.1f}× the target",
            )
        queries = [q for q in r.get("queries", []) if q.get("p95_ms") is not None]
        if queries and scale == "region":
            worst = max(queries, key=lambda q: q["p95_ms"])
            failed = sum(1 for q in r.get("queries", []) if q.get("error"))
            add(
                "BI queries at region scale < 100 ms p95",
                scale,
                f"worst p95 {worst['p95_ms']:.1f} ms ({worst['query']})" + (f"; {failed} failed" if failed else ""),
                worst["p95_ms"] < TARGETS["region_query_p95_ms"] and not failed,
                f"{worst['p95_ms'] / TARGETS['region_query_p95_ms']:.2f}× the target",
            )
    return out
