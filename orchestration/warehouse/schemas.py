"""The warehouse's schemas that other parts name: where the providers' files land, where dbt builds
the marts, and where BI users read them. An asset's key is [schema, table] (defs/asset_keys.py)."""

RAW = "raw"
BUILD = "marts_build"
PUBLISHED = "marts"
QUALITY_BATCH = "quality_batch"  # the rows a raw suite judges, staged once per check run (quality/runner.py)
