"""What the tests read of a table's planner statistics (pg_stats), and the widest histogram the small
sample of the tables a night builds and lands can give (dbt_project.yml's built_table_statistics_target)."""

from __future__ import annotations

import sqlalchemy as sa

from orchestration.dbt_manifest import built_table_statistics_target

SMALL_SAMPLE_BOUNDS = built_table_statistics_target() + 1  # a histogram of target n has at most n + 1 bounds


def widest_histogram(conn, schema: str, table: str) -> int:
    """The most bounds of any column's histogram of `schema.table`; 0 when it has no statistics."""
    return conn.execute(
        sa.text(
            """select coalesce(max(cardinality(histogram_bounds::text::text[])), 0) from pg_stats
               where schemaname = :schema and tablename = :table"""
        ),
        {"schema": schema, "table": table},
    ).scalar()
