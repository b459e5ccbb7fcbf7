"""The benchmark's verdicts on issue #17's targets, from recorded numbers: met, missed and by how
much, and "not measured" where a run (or an older run's record) has no such number."""

from orchestration.bench.run.report import render_results
from orchestration.bench.run.targets import evaluate_targets, excess_or_margin, shortfall_or_margin


def _csv_file(name: str, rows: int, lander: float, copy: float) -> dict:
    return {
        "file": name,
        "format": "csv",
        "rows": rows,
        "lander_s": rows / lander,
        "lander_rows_per_s": lander,
        "copy_rows": rows,
        "copy_s": rows / copy,
        "copy_rows_per_s": copy,
    }


def _ingestion(rows: int, lander: float, copy: float) -> dict:
    entry = _csv_file("wilaya/wilaya_jamiyat_202610.csv", rows, lander, copy)
    by_format = {
        "csv": {"vs_copy": lander / copy, "lander_rows_per_s": lander, "copy_rows_per_s": copy, "vs_to_sql": 8.0}
    }
    return {"ingestion": {"files": [entry], "by_format": by_format, "dlt": False}}


def _night(wall: float, peak: float = 600.0, dbt: float = 30.0, quality: float = 20.0, exit_code=0) -> dict:
    return {
        "wall_s": wall,
        "exit_code": exit_code,
        "peak_rss_mb": peak,
        "phases": {"ingest": 2.0, "dbt": dbt, "quality": quality, "publish": 1.0},
    }


def _by_target(results: dict) -> dict[str, dict]:
    return {r["target"]: r for r in evaluate_targets(results)}


def test_the_wording_of_at_least_and_at_most_targets():
    assert shortfall_or_margin(40, 100) == "2.5× too slow"
    assert shortfall_or_margin(120, 100) == "1.20× margin"
    assert shortfall_or_margin(96, 100) == "1.04× too slow"  # never "1.0×" for a miss
    assert excess_or_margin(90, 45) == "2.0× too slow"
    assert excess_or_margin(30, 45) == "1.50× margin"
    assert excess_or_margin(5.2, 5, excess="over") == "1.04× over"


def test_each_csv_file_of_20000_rows_or_more_and_those_files_together_are_judged_against_plain_copy():
    ingestion = _ingestion(265_396, 150_000, 240_000)
    ingestion["ingestion"]["files"] += [
        _csv_file("wilaya/wilaya_indh_agr_202610.csv", 54_531, 60_000, 240_000),
        _csv_file("wilaya/small.csv", 19_999, 1_000, 240_000),  # below the size the target speaks of
    ]
    rows = evaluate_targets({"nation": ingestion, "region": _ingestion(24_000, 40_000, 240_000)})
    each = [r for r in rows if r["target"] == "CSV file of ≥ 20,000 rows ≥ 0.5 × plain COPY"]
    assert [(r["scale"], r["ok"], r["margin"]) for r in each] == [
        ("nation", True, "1.25× margin"),
        ("nation", False, "2.0× too slow"),
        ("region", False, "3.0× too slow"),
    ]
    assert each[0]["measured"] == (
        "0.625 × COPY (wilaya/wilaya_jamiyat_202610.csv, 265,396 rows: 150,000 vs 240,000 rows/s)"
    )
    together = [r for r in rows if r["target"] == "CSV files of ≥ 20,000 rows together ≥ 0.5 × plain COPY"]
    # 319,927 rows in 1.769 + 0.909 s against 1.333 s of COPY: 0.498 × COPY, just short
    assert [(r["scale"], r["ok"], r["margin"]) for r in together] == [("nation", False, "1.00× too slow")]
    assert together[0]["measured"] == "0.498 × COPY (2 files: 119,458 vs 240,000 rows/s)"


def test_the_loader_is_judged_against_dlt_on_every_file_kind_and_an_absent_dlt_is_said():
    measured = _ingestion(24_000, 120_000, 240_000)
    measured["ingestion"]["dlt"] = "1.31.0"
    measured["ingestion"]["by_format"]["csv"]["vs_dlt"] = 12.0
    measured["ingestion"]["by_format"]["json"] = {"vs_copy": 0.2, "lander_rows_per_s": 50_000, "vs_dlt": 2.0}
    measured["ingestion"]["by_format"]["xlsx"] = {"vs_copy": 0.1, "lander_rows_per_s": 150_000, "vs_to_sql": 12.0}
    rows = _by_target({"region": measured})
    assert (rows["CSV: loader ≥ 3× faster than dlt"]["ok"], rows["CSV: loader ≥ 3× faster than dlt"]["margin"]) == (
        True,
        "4.00× margin",
    )
    assert (rows["JSON: loader ≥ 3× faster than dlt"]["ok"], rows["JSON: loader ≥ 3× faster than dlt"]["margin"]) == (
        False,
        "1.5× short",
    )
    assert rows["XLSX: loader ≥ 3× faster than dlt"]["margin"] == "not measured"
    assert rows["XLSX: loader ≥ 3× faster than dlt"]["ok"] is None
    assert rows["JSON ingestion ≥ 100,000 rows/s"]["measured"] == "50,000 rows/s (0.200 × plain COPY)"
    assert (rows["JSON ingestion ≥ 100,000 rows/s"]["ok"], rows["JSON ingestion ≥ 100,000 rows/s"]["margin"]) == (
        False,
        "2.0× too slow",
    )
    assert (rows["XLSX ingestion ≥ 100,000 rows/s"]["ok"], rows["XLSX ingestion ≥ 100,000 rows/s"]["margin"]) == (
        True,
        "1.5× margin",
    )
    assert (rows["CSV: to_sql ≥ 10× behind"]["ok"], rows["CSV: to_sql ≥ 10× behind"]["margin"]) == (False, "1.2× short")
    assert rows["XLSX: to_sql ≥ 10× behind"]["margin"] == "1.20× margin"
    assert "Loader ≥ 3× faster than dlt" not in rows

    absent = _by_target({"region": _ingestion(24_000, 120_000, 240_000)})
    assert absent["Loader ≥ 3× faster than dlt"]["margin"] == "not measured"
    assert "dlt not installed" in absent["Loader ≥ 3× faster than dlt"]["measured"]


def test_the_region_nights_memory_quality_and_queries_met():
    region = {
        "nights": {
            "full": _night(40.0, peak=700.0, dbt=20.0, quality=15.0),
            "nothing_new": _night(4.0, peak=280.0, dbt=0.0, quality=0.5),
            "new_delivery": _night(8.0, peak=650.0, dbt=4.0, quality=4.0),
        },
        "queries": [
            {"query": "Totals by programme", "p95_ms": 60.0, "error": None},
            {"query": "Women beneficiaries by axis", "p95_ms": 80.0, "error": None},
            # asked of the facts instead of the aggregate: timed, not judged
            {"query": "ad hoc on the facts: Totals by programme", "p95_ms": 900.0, "error": None, "ad_hoc": True},
        ],
    }
    rows = evaluate_targets({"region": region})
    assert [(r["target"], r["measured"], r["ok"], r["margin"]) for r in rows] == [
        ("XLSX ingestion ≥ 100,000 rows/s", "ingestion not run (`--parts load`)", None, "not measured"),
        ("JSON ingestion ≥ 100,000 rows/s", "ingestion not run (`--parts load`)", None, "not measured"),
        ("Full load from empty < 45 s", "40.0 s", True, "1.12× margin"),
        (
            "A night with one new delivery per provider < 0.25 × the full load",
            "8.00 s = 0.20 × the full load's 40.0 s",
            True,
            "1.25× margin",
        ),
        ("A night with nothing new < 5 s", "4.00 s", True, "1.25× margin"),
        ("Peak memory of the command's process tree < 1 GB", "700 MB (full load from empty)", True, "1.46× margin"),
        ("Quality phase ≤ the dbt phase (full load from empty)", "quality 15.0 s, dbt 20.0 s", True, "1.33× margin"),
        (
            "Quality phase ≤ the dbt phase (one new delivery per provider)",
            "quality 4.00 s, dbt 4.00 s",
            True,
            "1.00× margin",
        ),
        ("BI queries p95 < 100 ms", "worst p95 80.0 ms (Women beneficiaries by axis)", True, "1.25× margin"),
    ]


def test_the_region_nights_memory_quality_and_queries_missed_say_by_how_much():
    region = {
        "nights": {
            "full": _night(88.4, peak=1300.0, dbt=32.3, quality=40.4),
            "nothing_new": _night(5.19, dbt=0.0, quality=0.5),
            "new_delivery": _night(100.2, dbt=35.5, quality=49.1),
        },
        "queries": [
            {"query": "Women beneficiaries by axis", "p95_ms": 98.1, "error": None},
            {"query": "Broken", "p95_ms": None, "error": "relation does not exist"},
        ],
    }
    rows = _by_target({"region": region})
    assert (rows["Full load from empty < 45 s"]["ok"], rows["Full load from empty < 45 s"]["margin"]) == (
        False,
        "2.0× too slow",
    )
    share = rows["A night with one new delivery per provider < 0.25 × the full load"]
    assert (share["measured"], share["ok"], share["margin"]) == (
        "100.2 s = 1.13 × the full load's 88.4 s",
        False,
        "4.5× too slow",
    )
    assert rows["A night with nothing new < 5 s"]["margin"] == "1.04× too slow"
    memory = rows["Peak memory of the command's process tree < 1 GB"]
    assert (memory["ok"], memory["margin"]) == (False, "1.3× over")
    quality = rows["Quality phase ≤ the dbt phase (full load from empty)"]
    assert (quality["ok"], quality["margin"]) == (False, "1.3× over")
    queries = rows["BI queries p95 < 100 ms"]
    assert (queries["measured"], queries["ok"], queries["margin"]) == (
        "worst p95 98.1 ms (Women beneficiaries by axis); 1 failed",
        False,
        "1 of 2 failed; 1.02× margin",
    )


def test_a_full_load_stopped_by_the_timeout_or_failed_misses_its_targets():
    stopped = {"nights": {"full": _night(610.0, exit_code="timeout")}, "queries": [], "queries_skipped": "no marts"}
    rows = _by_target({"nation": stopped})
    full = rows["Full load from empty < 10 min"]
    assert (full["measured"], full["ok"], full["margin"]) == (
        "610.0 s (stopped: --load-timeout)",
        False,
        "> 1.02× too slow",
    )
    assert rows["A night with one new delivery per provider < 2 min"]["measured"] == (
        "not run: the full load did not finish"
    )
    assert rows["BI queries p95 < 200 ms"]["measured"] == "not run: no marts"

    short = _by_target({"region": {"nights": {"full": _night(30.0, exit_code="timeout")}}})
    full = short["Full load from empty < 45 s"]  # a --load-timeout below the target tells neither way
    assert (full["measured"], full["ok"], full["margin"]) == ("30.0 s (stopped: --load-timeout)", None, "not measured")

    failed = _by_target({"region": {"nights": {"full": _night(30.0, exit_code=1), "new_delivery": _night(5.0)}}})
    full = failed["Full load from empty < 45 s"]
    assert (full["measured"], full["ok"], full["margin"]) == (
        "30.0 s (exit 1: the load failed)",
        False,
        "did not finish",
    )
    share = failed["A night with one new delivery per provider < 0.25 × the full load"]
    assert (share["ok"], share["margin"]) == (None, "not measured")


def test_nation_targets_not_run_are_said_not_measured():
    rows = evaluate_targets({"nation": _ingestion(265_396, 150_000, 240_000)})
    not_measured = [(r["target"], r["measured"]) for r in rows if r["margin"] == "not measured"]
    assert not_measured == [
        ("Loader ≥ 3× faster than dlt", "dlt not installed (`pip install -c constraints.txt -e '.[bench]'`)"),
        ("Full load from empty < 10 min", "the nights were not run (`--parts ingestion`)"),
        ("A night with one new delivery per provider < 2 min", "the nights were not run (`--parts ingestion`)"),
        ("Peak memory of the command's process tree < 2 GB", "the nights were not run (`--parts ingestion`)"),
        ("Quality phase ≤ the dbt phase (full load from empty)", "the nights were not run (`--parts ingestion`)"),
        ("BI queries p95 < 200 ms", "the nights were not run (`--parts ingestion`)"),
    ]


def test_numbers_recorded_by_an_older_run_are_judged_and_rendered_without_the_keys_it_lacked():
    # as recorded on 2026-11-29: no dlt key, JSON without a COPY peer, no per-file COPY for JSON
    old = _ingestion(24_036, 164_205, 578_718)
    del old["ingestion"]["dlt"]
    old["ingestion"].update(repeats=3, to_sql_cap=20_000)
    old["ingestion"]["files"].append(
        {
            "file": "chambre/chambre_adherents_20261101.json",
            "format": "json",
            "rows": 10_127,
            "lander_rows_per_s": 23_194,
        }
    )
    old["ingestion"]["by_format"]["json"] = {"rows": 10_127, "lander_s": 0.437, "lander_rows_per_s": 23_194}
    old["ingestion"]["by_format"]["csv"]["rows"] = 24_036
    rows = _by_target({"region": old})
    assert rows["JSON ingestion ≥ 100,000 rows/s"]["measured"] == "23,194 rows/s"
    assert rows["JSON ingestion ≥ 100,000 rows/s"]["margin"] == "4.3× too slow"
    assert rows["XLSX ingestion ≥ 100,000 rows/s"]["measured"] == "no XLSX file in this run"
    dlt = rows["Loader ≥ 3× faster than dlt"]
    assert (dlt["measured"], dlt["ok"], dlt["margin"]) == (
        "no dlt peer in this run (recorded before dlt was one)",
        None,
        "not measured",
    )

    report = render_results({"region": old}, {"cpus": 2})
    assert "| JSON ingestion ≥ 100,000 rows/s | region | 23,194 rows/s | **missed** | 4.3× too slow |" in report
    assert (
        "| Full load from empty < 45 s | region | the nights were not run (`--parts ingestion`) | — | not measured |"
        in (report)
    )


def test_a_partial_run_keeps_the_parts_it_did_not_measure_from_the_previous_run():
    from orchestration.bench.run.report import carry_parts

    before = {"seed": 42, "date": "2026-11-29", "ingestion": {"files": [1]}, "nights": {"full": {"wall_s": 9}}}
    load_only = {"seed": 42, "date": "2026-12-01", "nights": {"full": {"wall_s": 5}}, "queries": []}
    merged = carry_parts(load_only, before)
    assert merged["ingestion"] == {"files": [1]} and merged["nights"] == {"full": {"wall_s": 5}}
    assert merged["carried"] == {"ingestion": "2026-11-29"}
    # carried again by a later partial run: still the date it was measured
    again = carry_parts({**load_only, "date": "2026-12-02"}, merged)
    assert again["carried"] == {"ingestion": "2026-11-29"}
    # measured again: no longer carried; another seed: nothing carried
    full = carry_parts({**load_only, "ingestion": {"files": [2]}}, merged)
    assert "carried" not in full and full["ingestion"] == {"files": [2]}
    assert "ingestion" not in carry_parts(load_only, {**before, "seed": 7})
