"""Data quality: Great Expectations 1.x suites kept under expectations/gx/, run against the
warehouse, results kept in audit.quality_result and in the GX Data Docs. No Dagster here (see
orchestration/defs/quality/checks.py for the asset checks).

- `run_suite(url, suite_name, run_id=None)` / `run_suites(url, names=None, run_id=None)`
- `findings_for_load(url, load_id)`: French one-line warning findings for one loaded file's rows
- `data_docs_index()`: path of the Data Docs site's index.html
- `stored_suites()`: the suites in the files (name, asset key, table, expectations)
- `python -m orchestration.quality`: regenerate expectations/gx/ from catalog.py
"""

from orchestration.quality.catalog import CRITICAL, SEVERITIES, WARNING
from orchestration.quality.findings import findings_for_load
from orchestration.quality.runner import (
    ExpectationOutcome,
    SuiteInfo,
    SuiteOutcome,
    convert_result,
    data_docs_index,
    expectation_severity,
    record_outcome,
    run_suite,
    run_suites,
    stored_suite,
    stored_suites,
)

__all__ = [
    "CRITICAL", "WARNING", "SEVERITIES", "ExpectationOutcome", "SuiteInfo", "SuiteOutcome", "convert_result",
    "data_docs_index", "expectation_severity", "findings_for_load", "record_outcome", "run_suite", "run_suites",
    "stored_suite", "stored_suites",
]
