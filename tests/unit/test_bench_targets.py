"""The benchmark's verdicts on the ingestion targets, from recorded numbers."""

from orchestration.bench.run.targets import evaluate_targets


def _ingestion(rows: int, lander: float, copy: float) -> dict:
    entry = {
        "file": "wilaya/wilaya_jamiyat_202610.csv",
        "format": "csv",
        "rows": rows,
        "lander_rows_per_s": lander,
        "copy_rows_per_s": copy,
    }
    by_format = {
        "csv": {"vs_copy": lander / copy, "lander_rows_per_s": lander, "copy_rows_per_s": copy, "vs_to_sql": 8.0}
    }
    return {"ingestion": {"files": [entry], "by_format": by_format}}


def test_a_big_csv_file_is_judged_on_its_own_rate_against_plain_copy():
    rows = evaluate_targets(
        {"nation": _ingestion(265_396, 150_000, 240_000), "region": _ingestion(24_000, 40_000, 240_000)}
    )
    big = [r for r in rows if r["target"] == "A CSV file of ≥ 200,000 rows ≥ 0.5 × plain COPY"]
    assert [(r["scale"], r["ok"], r["margin"]) for r in big] == [("nation", True, "1.25× margin")]
    assert big[0]["measured"].startswith("0.625 × COPY (wilaya/wilaya_jamiyat_202610.csv, 265,396 rows")

    slow = evaluate_targets({"nation": _ingestion(265_396, 90_000, 240_000)})
    big = [r for r in slow if r["target"].startswith("A CSV file")]
    assert [(r["ok"], r["margin"]) for r in big] == [(False, "1.3× too slow")]


def test_the_loader_is_judged_against_dlt_on_every_file_kind_and_an_absent_dlt_is_said():
    measured = _ingestion(24_000, 120_000, 240_000)
    measured["ingestion"]["dlt"] = "1.31.0"
    measured["ingestion"]["by_format"]["csv"]["vs_dlt"] = 12.0
    measured["ingestion"]["by_format"]["json"] = {"vs_copy": 0.2, "lander_rows_per_s": 50_000, "vs_dlt": 2.0}
    rows = {r["target"]: r for r in evaluate_targets({"region": measured})}
    assert (rows["CSV: loader ≥ 3× faster than dlt"]["ok"], rows["CSV: loader ≥ 3× faster than dlt"]["margin"]) == (
        True,
        "4.00× margin",
    )
    assert (rows["JSON: loader ≥ 3× faster than dlt"]["ok"], rows["JSON: loader ≥ 3× faster than dlt"]["margin"]) == (
        False,
        "1.5× short",
    )
    assert rows["JSON ingestion ≥ 100,000 rows/s"]["measured"] == "50,000 rows/s (0.200 × plain COPY)"
    assert "Loader ≥ 3× faster than dlt" not in rows

    absent = {r["target"]: r for r in evaluate_targets({"region": _ingestion(24_000, 120_000, 240_000)})}
    assert absent["Loader ≥ 3× faster than dlt"]["margin"] == "not measured"
    assert "dlt not installed" in absent["Loader ≥ 3× faster than dlt"]["measured"]
