"""A clean checkout has no dbt manifest (dbt_project/target/ is not committed): collecting the suite
must not need one. Importing the definitions reads the manifest, so no test module may import them at
module level; the fixtures prepare the manifest first."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# In a child interpreter: the dbt project pointed at a target folder that does not exist, then the
# whole suite collected.
COLLECT_WITHOUT_MANIFEST = """
import sys
from pathlib import Path
import pytest
from orchestration import dbt_manifest

dbt_manifest.MANIFEST_PATH = Path(sys.argv[1]) / "manifest.json"
sys.exit(pytest.main(["--collect-only", "-q", "-p", "no:cacheprovider", "tests"]))
"""


def test_the_suite_is_collected_from_a_clean_checkout_without_a_dbt_manifest(tmp_path):
    missing = tmp_path / "no-target"
    # the whole suite, whatever options this run was given
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}
    result = subprocess.run(
        [sys.executable, "-c", COLLECT_WITHOUT_MANIFEST, str(missing)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    summary = result.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ tests collected in [\d.]+s", summary), result.stdout[-3000:]
    assert int(summary.split()[0]) > 700
    assert not missing.exists(), "collecting must not prepare the manifest"


def test_the_manifest_prepared_is_the_one_dagster_dbt_reads():
    from orchestration.dbt_manifest import MANIFEST_PATH
    from orchestration.defs.transform.project import dbt_project

    assert dbt_project.manifest_path == MANIFEST_PATH
