"""Data quality: Great Expectations 1.x suites declared here (catalog.py: raw_suites.py, mart_suites.py,
written with rules.py), kept under expectations/gx/ (project.py), run against the warehouse
(runner.py), results kept in audit.quality_result, the GX Data Docs and the report (report.py). No
Dagster here (see orchestration/defs/quality/checks.py for the asset checks). The suite type and
the stored suites are in orchestration/suites/, which the loader shares.

- `run_suite(url, suite_name, run_id=None)` / `run_suites(url, names=None, run_id=None)`, and
  `iter_suites(...)`, which gives each suite's outcome as soon as it is known (the Data Docs are
  written once, after the last)
- `findings_for_load(url, load_id)`: French one-line warning findings for one loaded file's rows
- `data_docs_index()`: path of the Data Docs site's index.html
- `worker.QualityWorker`: a child process that runs suites for a Dagster run (loads GX ahead)
- `stored_suites()`: the suites in the files (name, asset key, table, rules)
- `python -m orchestration.quality`: regenerate expectations/gx/ from catalog.py
"""

from orchestration.quality.runner import (
    ExpectationOutcome,
    SuiteOutcome,
    convert_result,
    data_docs_index,
    iter_suites,
    record_outcome,
    run_suite,
    run_suites,
)
from orchestration.suites.findings import findings_for_load
from orchestration.suites.model import CRITICAL, SEVERITIES, WARNING, Rule, Suite, expectation_severity
from orchestration.suites.stored import stored_suite, stored_suites

__all__ = [
    "CRITICAL",
    "WARNING",
    "SEVERITIES",
    "ExpectationOutcome",
    "Rule",
    "Suite",
    "SuiteOutcome",
    "convert_result",
    "data_docs_index",
    "expectation_severity",
    "findings_for_load",
    "iter_suites",
    "record_outcome",
    "run_suite",
    "run_suites",
    "stored_suite",
    "stored_suites",
]
