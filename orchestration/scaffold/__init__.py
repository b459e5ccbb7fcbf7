"""Tooling for adding a provider's file to the warehouse (`tadamon source new` / `tadamon source check`).

- `new_source(provider, kind, sample, *, sources_dir, dbt_dir, expectations_dir, tests_dir, force)`
  reads a sample delivery (xlsx, csv or json), proposes the columns, types and key, and writes the
  source definition, the dbt staging model and its YAML, a GX starter suite and a test that loads the
  sample; returns a `ScaffoldResult` (`.written`, `.next_steps`, `.format()`).
- `check_file(provider, file, *, sources_dir)` reads a delivery with its definition without touching
  the warehouse and returns a `CheckReport` (`.format()`: the receipt in advance, in French).
"""

from orchestration.scaffold.check import CheckReport, check_file
from orchestration.scaffold.new import ScaffoldError, ScaffoldResult, new_source

__all__ = ["CheckReport", "ScaffoldError", "ScaffoldResult", "check_file", "new_source"]
