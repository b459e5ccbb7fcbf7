"""The raw tables: one per source definition, created or widened from the validated definition, and
the roles that write and read them."""

from __future__ import annotations

from orchestration.ingest.definitions import LINEAGE_COLUMNS, SourceDefinition
from orchestration.ingest.rows import table_columns

LOADER_ROLE = "tadamon_loader"
TRANSFORMER_ROLE = "tadamon_transformer"
COPY_COLUMNS = ["_line", "_extra"]  # what each row carries before its columns; the rest of the lineage is per file


def ensure_raw_table(cursor, definition: SourceDefinition) -> None:
    """Create the raw table, or add the columns a definition gained (`raw_table_ddl`, in one round trip)."""
    cursor.execute(raw_table_ddl(definition))


def raw_table_ddl(definition: SourceDefinition) -> str:
    """The statements that create the raw table or add the columns a definition gained, as one string
    (the loader sends them with the rest of its preparation: one round trip, not six); identifiers come
    from the validated definition only. Personal columns are not readable by the transformer role."""
    table = definition.qualified_table
    columns = table_columns(definition)
    added = [f"ADD COLUMN IF NOT EXISTS {name} {sql_type}" for name, sql_type, _ in columns]
    readable = list(LINEAGE_COLUMNS)
    readable += [name for name, _, column in columns if not column.personal]
    statements = [
        f"""CREATE TABLE IF NOT EXISTS {table} (
            _load_id bigint NOT NULL,
            _file_sha256 char(64) NOT NULL,
            _file_name text NOT NULL,
            _line text NOT NULL,
            _period text,
            _loaded_at timestamptz NOT NULL DEFAULT now(),
            _extra jsonb
        )""",
        # Rows arrive in load order, so a BRIN index finds a load's rows at almost no cost to COPY
        # (a B-tree made COPY a third slower); the B-tree of earlier versions is replaced.
        f"DROP INDEX IF EXISTS raw.{definition.table}__load",
        f"CREATE INDEX IF NOT EXISTS {definition.table}__load_brin ON {table} USING brin (_load_id)",
        # one statement: the server takes the table's lock and rebuilds its catalog entry once, not per column
        f"ALTER TABLE {table} " + ", ".join(added),
        f"REVOKE ALL ON {table} FROM {TRANSFORMER_ROLE}",
        f"GRANT SELECT ({', '.join(readable)}) ON {table} TO {TRANSFORMER_ROLE}",
    ]
    return ";\n".join(statements)
