"""The GX project keeps a bounded number of runs per suite: results and their Data Docs pages."""

from __future__ import annotations

from orchestration.quality.project import DOCS_SITE
from orchestration.quality.retention import prune_validations


def _run(gx_dir, suite: str, run_name: str, run_time: str) -> None:
    result = gx_dir / "uncommitted" / "validations" / suite / run_name / run_time / "warehouse-x.json"
    page = gx_dir / "uncommitted" / "data_docs" / DOCS_SITE / "validations" / suite / run_name / run_time / "w.html"
    for path in (result, page):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{}")


def _left(gx_dir, suite: str) -> list[str]:
    root = gx_dir / "uncommitted" / "validations" / suite
    return sorted(p.name for p in root.glob("*/*"))


def test_the_newest_runs_stay_and_the_older_go_with_their_pages(tmp_path):
    times = [f"202612{day:02d}T020000.000000Z" for day in range(1, 11)]
    for index, run_time in enumerate(times):
        _run(tmp_path, "raw_x", f"run-{index % 3}", run_time)  # run names repeat; times order them
    _run(tmp_path, "raw_y", "run-0", times[0])

    assert prune_validations("raw_x", keep=4, gx_dir=tmp_path) == 6
    assert _left(tmp_path, "raw_x") == times[-4:]
    pages = tmp_path / "uncommitted" / "data_docs" / DOCS_SITE / "validations" / "raw_x"
    assert sorted(p.name for p in pages.glob("*/*")) == times[-4:]
    assert _left(tmp_path, "raw_y") == times[:1]  # another suite is left alone
    assert prune_validations("raw_x", keep=4, gx_dir=tmp_path) == 0


def test_a_suite_never_run_has_nothing_to_prune(tmp_path):
    assert prune_validations("raw_never", keep=3, gx_dir=tmp_path) == 0
