"""The benchmark's verdicts on the ingestion targets, from recorded numbers."""

from orchestration.bench.run import evaluate_targets


def _ingestion(rows: int, lander: float, copy: float) -> dict:
    entry = {"file": "wilaya/wilaya_jamiyat_202610.csv", "format": "csv", "rows": rows,
             "lander_rows_per_s": lander, "copy_rows_per_s": copy}
    by_format = {"csv": {"vs_copy": lander / copy, "lander_rows_per_s": lander, "copy_rows_per_s": copy,
                         "vs_to_sql": 8.0}}
    return {"ingestion": {"files": [entry], "by_format": by_format}}


def test_a_big_csv_file_is_judged_on_its_own_rate_against_plain_copy():
    rows = evaluate_targets({"nation": _ingestion(265_396, 150_000, 240_000),
                             "region": _ingestion(24_000, 40_000, 240_000)})
    big = [r for r in rows if r["target"] == "A CSV file of ≥ 200,000 rows ≥ 0.5 × plain COPY"]
    assert [(r["scale"], r["ok"], r["margin"]) for r in big] == [("nation", True, "1.25× margin")]
    assert big[0]["measured"].startswith("0.625 × COPY (wilaya/wilaya_jamiyat_202610.csv, 265,396 rows")

    slow = evaluate_targets({"nation": _ingestion(265_396, 90_000, 240_000)})
    big = [r for r in slow if r["target"].startswith("A CSV file")]
    assert [(r["ok"], r["margin"]) for r in big] == [(False, "1.3× too slow")]
