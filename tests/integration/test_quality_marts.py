"""The marts_build suites on the warehouse the whole sample load built (slow: shares the session's
star_schema_db). The samples break no critical mart rule; the planted overpayment shows as a warning."""

from __future__ import annotations

import pytest

from orchestration.quality import run_suites, stored_suites

MARTS = [s.name for s in stored_suites() if s.asset_key[0] == "marts_build"]

pytestmark = pytest.mark.slow


def test_mart_suites_on_the_sample_star_schema(star_schema_db):
    outcomes = run_suites(star_schema_db, MARTS, run_id="test-marts", record=False)
    assert {o.suite for o in outcomes} == set(MARTS)
    assert all(o.skipped is None for o in outcomes)
    critical = [(o.suite, c.expectation, c.failing_keys[:5]) for o in outcomes for c in o.critical_failures]
    assert critical == []
    funding = next(o for o in outcomes if o.suite == "marts_fct_funding")
    paid = next(e for e in funding.outcomes if e.expectation == "paid_out_not_above_committed")
    assert not paid.success and "MZ-2022-FM-0002-X" in paid.failing_keys
