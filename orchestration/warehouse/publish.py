"""Publication: copy the marts dbt built in `marts_build` into `marts`, the schema BI users read.

dbt's own table swap drops the views BI users build on a mart (its backup is dropped with CASCADE)
and locks readers out while it runs. Here the `marts` tables are never dropped: in ONE transaction
every published table is emptied with DELETE and refilled with INSERT ... SELECT. Readers keep
seeing the previous marts until the commit (MVCC: DELETE does not block SELECT), then all the new
ones at once; their own views keep working (those of the `analyst` workspace too).

A night changes few rows of the marts (their keys are stable), so a table is refilled by its
difference with the build: rows whose primary key is gone or whose values changed are deleted, rows
the published table does not hold are inserted. The result is the build's rows, as a full refill
would give (a table without a primary key is refilled whole).

The foreign keys of the marts (mart_keys: the blocking relationships tests to a primary key) are
declared in `marts` (so BI tools find the joins), DEFERRABLE INITIALLY DEFERRED: checked at the
commit, for the rows written, so a publication that would leave a dangling key fails whole and the
previous marts stay. A table published for the first time gets its keys after it is filled: checked
once per key for the whole table rather than row by row. When the publishing session may turn the
per-row checks off (a superuser, or a role granted SET on session_replication_role) it does, and
checks the keys of the rows it wrote with one join per key instead: the same rule, without a lookup
and a row lock per row written (most of a national night's publication when many rows change).
"""

from __future__ import annotations

import json
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import sqlalchemy as sa

from orchestration.messages import first_line
from orchestration.warehouse import engine, schemas
from orchestration.warehouse.mart_keys import ForeignKey

BUILD_SCHEMA = schemas.BUILD
PUBLISHED_SCHEMA = schemas.PUBLISHED
TRANSFORMER_ROLE = "tadamon_transformer"
SAFE_TABLE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
#: how long the vacuum after a publication waits for a table another vacuum holds
VACUUM_LOCK_TIMEOUT_MS = 5000
#: the tables vacuumed at once after a publication (the server's two cores)
VACUUM_CONNECTIONS = 2

log = logging.getLogger(__name__)


class PublishError(RuntimeError):
    pass


def _columns(conn, schema: str, table: str) -> list[tuple[str, str]]:
    rows = conn.execute(
        sa.text(
            """select a.attname, format_type(a.atttypid, a.atttypmod)
               from pg_attribute a join pg_class c on c.oid = a.attrelid
               join pg_namespace n on n.oid = c.relnamespace
               where n.nspname = :schema and c.relname = :table and a.attnum > 0 and not a.attisdropped
               order by a.attnum"""
        ),
        {"schema": schema, "table": table},
    )
    return [(r[0], r[1]) for r in rows]


def _copy_comments(conn, table: str) -> None:
    """The build's table and column comments onto the published table, only those that differ.

    Why only those: COMMENT ON takes the lock a vacuum holds (share update exclusive), so a night
    that commented every column waited for any vacuum of its tables (a manual one, or autovacuum
    preventing wraparound, which does not give way) and failed at the lock timeout; comments change
    only when the models' documentation does."""
    statements = (
        conn.execute(
            sa.text(
                """with described as (  -- the table (column '') and its columns, built and published
                   select n.nspname as schema_name, '' as column_name,
                          obj_description(c.oid, 'pg_class') as description
                   from pg_class c join pg_namespace n on n.oid = c.relnamespace
                   where n.nspname in (:build, :pub) and c.relname = :table
                   union all
                   select n.nspname, a.attname, col_description(c.oid, a.attnum)
                   from pg_class c join pg_namespace n on n.oid = c.relnamespace
                   join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
                   where n.nspname in (:build, :pub) and c.relname = :table)
               select case when built.column_name = ''
                           then format('comment on table %I.%I is %L', :pub, :table, built.description)
                           else format('comment on column %I.%I.%I is %L', :pub, :table, built.column_name,
                                       built.description) end
               from described built
               join described published
                 on published.column_name = built.column_name and published.schema_name = :pub
               where built.schema_name = :build and built.description is distinct from published.description"""
            ),
            {"pub": PUBLISHED_SCHEMA, "build": BUILD_SCHEMA, "table": table},
        )
        .scalars()
        .all()
    )
    for statement in statements:
        conn.exec_driver_sql(statement.replace("%", "%%"))


def _primary_key(conn, table: str) -> list[str]:
    """The primary-key columns of the built table (dbt's contract makes them), in key order."""
    return (
        conn.execute(
            sa.text(
                """select a.attname from pg_constraint c
                   cross join lateral unnest(c.conkey) with ordinality k(attnum, position)
                   join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum
                   where c.contype = 'p' and c.conrelid = cast(:t as regclass) order by k.position"""
            ),
            {"t": f"{BUILD_SCHEMA}.{table}"},
        )
        .scalars()
        .all()
    )


@dataclass
class Refill:
    """What a refill wrote into one published table."""

    rows: int  # rows the table holds after it
    deleted: int
    inserted: int
    key: list[str]  # its primary key ([] when it has none: refilled whole)

    @property
    def written(self) -> int:
        return self.deleted + self.inserted


def _written(table: str, what: str) -> str:
    return f'pg_temp."{what}__{table}"'


# types whose equality is sameness to a reader; any other is compared as text: equal numbers of another
# scale (1.0, 1.00) are other values to a reader. Comparing the rest as themselves, not every column's
# text, is most of what a night's publication reads when few rows change.
COMPARED_AS_THEMSELVES = {"text", "integer", "bigint", "smallint", "boolean", "date"}


def _compared(alias: str, types: list[tuple[str, str]]) -> str:
    return ", ".join(
        f'{alias}."{name}"' if sql_type in COMPARED_AS_THEMSELVES else f'{alias}."{name}"::text'
        for name, sql_type in types
    )


def _refill(conn, table: str, types: list[tuple[str, str]], key: list[str]) -> Refill:
    """Make marts.<table> hold the rows of marts_build.<table> (its columns and their types). With a
    primary key, the keys of the rows it deleted and inserted are kept in two temporary tables for the
    checks of the foreign keys (`_check_written_keys`)."""
    columns = [name for name, _ in types]
    names = ", ".join(f'"{c}"' for c in columns)
    pub, build = f"{PUBLISHED_SCHEMA}.{table}", f"{BUILD_SCHEMA}.{table}"
    if not key:
        deleted = conn.exec_driver_sql(f"DELETE FROM {pub}").rowcount
        inserted = conn.exec_driver_sql(f"INSERT INTO {pub} ({names}) SELECT {names} FROM {build}").rowcount
        return Refill(rows=inserted, deleted=deleted, inserted=inserted, key=[])
    key_names = ", ".join(f'"{c}"' for c in key)
    for what in ("deleted", "inserted"):
        conn.exec_driver_sql(
            f"CREATE TEMPORARY TABLE {_written(table, what)} ON COMMIT DROP AS "
            f"SELECT {key_names} FROM {pub} WITH NO DATA"
        )
    same_key = " AND ".join(f'b."{c}" = p."{c}"' for c in key)
    values_b = ", ".join(f'b."{c}"' for c in columns)
    returning_p = ", ".join(f'p."{c}"' for c in key)
    deleted = conn.exec_driver_sql(
        f"WITH gone AS (DELETE FROM {pub} p WHERE NOT EXISTS (SELECT 1 FROM {build} b WHERE {same_key} "
        f"AND ({_compared('b', types)}) IS NOT DISTINCT FROM ({_compared('p', types)})) RETURNING {returning_p}) "
        f"INSERT INTO {_written(table, 'deleted')} SELECT * FROM gone"
    ).rowcount
    inserted = conn.exec_driver_sql(
        f"WITH new AS (INSERT INTO {pub} ({names}) SELECT {values_b} FROM {build} b "
        f"WHERE NOT EXISTS (SELECT 1 FROM {pub} p WHERE {same_key}) RETURNING {key_names}) "
        f"INSERT INTO {_written(table, 'inserted')} SELECT * FROM new"
    ).rowcount
    rows = conn.exec_driver_sql(f"SELECT count(*) FROM {pub}").scalar()
    return Refill(rows=rows, deleted=deleted, inserted=inserted, key=key)


def _row_checks_off(conn) -> bool:
    """Turn off, for this transaction, the per-row checks of the foreign keys (and every trigger of the
    tables written), when this session may: a superuser, or a role granted SET on
    session_replication_role. The publication then checks the keys of the rows it wrote, a join per
    key (`_check_written_keys`), instead of one lookup and one row lock per row written at the commit:
    at national scale the commit's checks were most of a night's publication. When it may not, the
    keys stay checked row by row at the commit, as declared."""
    conn.exec_driver_sql("SAVEPOINT row_checks")
    try:
        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
    except sa.exc.DBAPIError:
        conn.exec_driver_sql("ROLLBACK TO SAVEPOINT row_checks")
        return False
    conn.exec_driver_sql("RELEASE SAVEPOINT row_checks")
    return True


SHOWN_KEYS = 5


def _columns_of(alias: str, columns) -> str:
    return ", ".join(f'{alias}."{c}"' for c in columns)


def _pairs(left: str, left_columns, right: str, right_columns) -> str:
    return " AND ".join(f'{left}."{a}" = {right}."{b}"' for a, b in zip(left_columns, right_columns, strict=True))


def _check_written_keys(conn, key: ForeignKey, refills: dict[str, Refill]) -> None:
    """The rows this publication wrote keep `key`: every row it inserted into key.table points at a row
    of key.to_table, and no row it deleted from key.to_table (and did not insert again) is still
    pointed at. Raises PublishError naming the key and a few of the missing values."""
    table, target = refills[key.table], refills[key.to_table]
    pub, to = f"{PUBLISHED_SCHEMA}.{key.table}", f"{PUBLISHED_SCHEMA}.{key.to_table}"
    points_at_nothing = f"NOT EXISTS (SELECT 1 FROM {to} d WHERE {_pairs('d', key.to_columns, 'f', key.columns)})"
    written = (
        f"JOIN {_written(key.table, 'inserted')} w ON {_pairs('w', table.key, 'f', table.key)}" if table.key else ""
    )
    present = " AND ".join(f'f."{c}" IS NOT NULL' for c in key.columns)
    missing = conn.exec_driver_sql(
        f"SELECT DISTINCT {_columns_of('f', key.columns)} FROM {pub} f {written} "
        f"WHERE {present} AND {points_at_nothing} LIMIT {SHOWN_KEYS}"
    ).all()
    if not missing and target.key:
        missing = conn.exec_driver_sql(
            f"SELECT {_columns_of('g', key.to_columns)} FROM {_written(key.to_table, 'deleted')} g "
            f"WHERE NOT EXISTS (SELECT 1 FROM {to} d WHERE {_pairs('d', key.to_columns, 'g', key.to_columns)}) "
            f"AND EXISTS (SELECT 1 FROM {pub} f WHERE {_pairs('f', key.columns, 'g', key.to_columns)}) "
            f"LIMIT {SHOWN_KEYS}"
        ).all()
    if missing:
        values = ", ".join(str(tuple(row) if len(row) > 1 else row[0]) for row in missing)
        raise PublishError(
            f'the new marts break the foreign key "{key.name}" ({key.table}.{", ".join(key.columns)} -> '
            f"{key.to_table}.{', '.join(key.to_columns)}): rows of {key.table} point at {key.to_table} rows that "
            f"are not there ({values}); nothing was published, the previous marts stay"
        )


def _add_foreign_key(conn, key: ForeignKey, valid: bool) -> None:
    columns = ", ".join(f'"{c}"' for c in key.columns)
    to_columns = ", ".join(f'"{c}"' for c in key.to_columns)
    conn.exec_driver_sql(
        f'CREATE INDEX IF NOT EXISTS "{key.name[:-5]}_idx" ON {PUBLISHED_SCHEMA}.{key.table} ({columns})'
    )
    conn.exec_driver_sql(
        f'ALTER TABLE {PUBLISHED_SCHEMA}.{key.table} ADD CONSTRAINT "{key.name}" FOREIGN KEY ({columns}) '
        f"REFERENCES {PUBLISHED_SCHEMA}.{key.to_table} ({to_columns}) DEFERRABLE INITIALLY DEFERRED"
        + ("" if valid else " NOT VALID")
    )


def _declare_foreign_keys(conn, tables: list[str], keys: list[ForeignKey]) -> None:
    """Make the foreign keys of `marts` those of the models, before the refill (PostgreSQL refuses to
    alter a table with checks pending): drop the ones no model declares any more, add the missing
    ones NOT VALID (with an index on their columns, which the checks of a refill need: the rows the
    refill writes are checked at the commit), and validate those a previous publication added."""
    present = dict(
        conn.execute(
            sa.text("""select c.conrelid::regclass::text || '.' || c.conname, c.convalidated from pg_constraint c
                   where c.contype = 'f' and c.connamespace = cast(:pub as regnamespace)"""),
            {"pub": PUBLISHED_SCHEMA},
        ).all()
    )
    wanted = {f"{PUBLISHED_SCHEMA}.{key.table}.{key.name}": key for key in keys}
    for stale in sorted(set(present) - set(wanted)):
        schema_table, name = stale.rsplit(".", 1)
        if schema_table.split(".")[-1] in tables:
            conn.exec_driver_sql(f'ALTER TABLE {schema_table} DROP CONSTRAINT "{name}"')
    for qualified, key in wanted.items():
        if qualified in present:
            if not present[qualified]:
                conn.exec_driver_sql(f'ALTER TABLE {PUBLISHED_SCHEMA}.{key.table} VALIDATE CONSTRAINT "{key.name}"')
            continue
        _add_foreign_key(conn, key, valid=False)


def publish(
    url: str,
    tables: list[str],
    lock_timeout_ms: int = 5000,
    fingerprint: str = "",
    foreign_keys: list[ForeignKey] = (),
    written: dict[str, tuple[int, int]] | None = None,
) -> dict[str, int]:
    """Publish `tables` from marts_build into marts atomically; returns the row count of each.
    `fingerprint` identifies the models and checks the marts were built with (audit.publication);
    `foreign_keys` are the keys between `tables` (mart_keys.foreign_keys); `written`, when given, gets
    the rows each table had deleted and inserted. A build that would break a foreign key raises
    PublishError and publishes nothing."""
    try:
        return _publish(url, tables, lock_timeout_ms, fingerprint, foreign_keys, written)
    except sa.exc.IntegrityError as exc:  # a key checked by PostgreSQL (a first publication, or row by row)
        message = str(exc.orig).strip().replace("\n", " ")
        raise PublishError(
            f"the new marts break a foreign key: {message}; nothing was published, the previous marts stay"
        ) from exc


def _publish(url, tables, lock_timeout_ms, fingerprint, foreign_keys, written) -> dict[str, int]:
    for key in foreign_keys:
        if key.table not in tables or key.to_table not in tables:
            raise PublishError(f"foreign key {key.name} joins a table that is not published: {key}")
    for table in tables:
        if not SAFE_TABLE.match(table):
            raise PublishError(f"refusing to publish {table!r}: not a safe table name")
    counts: dict[str, int] = {}
    with engine(url).begin() as conn:
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = {int(lock_timeout_ms)}")
        checks_off = _row_checks_off(conn)
        conn.exec_driver_sql(f"SET LOCAL ROLE {TRANSFORMER_ROLE}")
        build_columns = {}
        created = set()  # published for the first time: filled before their keys are added
        refilled_whole = set()  # a column the models dropped: every row gets it empty, as before
        for table in tables:
            build_columns[table] = _columns(conn, BUILD_SCHEMA, table)
            if not build_columns[table]:
                raise PublishError(f"{BUILD_SCHEMA}.{table} does not exist: run the dbt build first")
            published = _columns(conn, PUBLISHED_SCHEMA, table)
            if not published:
                conn.exec_driver_sql(
                    f"CREATE TABLE {PUBLISHED_SCHEMA}.{table} (LIKE {BUILD_SCHEMA}.{table} INCLUDING ALL)"
                )
                created.add(table)
            else:
                have = dict(published)
                if set(have) - {name for name, _ in build_columns[table]}:
                    refilled_whole.add(table)
                for name, sql_type in build_columns[table]:
                    if name not in have:
                        conn.exec_driver_sql(f'ALTER TABLE {PUBLISHED_SCHEMA}.{table} ADD COLUMN "{name}" {sql_type}')
                    elif have[name] != sql_type:
                        raise PublishError(
                            f"{PUBLISHED_SCHEMA}.{table}.{name} is {have[name]} but the new build has {sql_type}: "
                            "a type change needs a migration (drop the published table after warning BI users)"
                        )
        later = [key for key in foreign_keys if key.table in created]
        _declare_foreign_keys(conn, tables, [key for key in foreign_keys if key.table not in created])
        refills: dict[str, Refill] = {}
        for table in tables:
            key = [] if table in refilled_whole else _primary_key(conn, table)
            refills[table] = refill = _refill(conn, table, build_columns[table], key)
            counts[table] = refill.rows
            log.info(f"{table}: {refill.rows} rows, {refill.deleted} deleted and {refill.inserted} inserted")
            if written is not None:
                written[table] = (refill.deleted, refill.inserted)
            _copy_comments(conn, table)
        for key in later:
            _add_foreign_key(conn, key, valid=True)
        if checks_off:
            for key in foreign_keys:
                if key not in later:
                    _check_written_keys(conn, key, refills)
        conn.execute(
            sa.text(
                """insert into audit.publication (last_load_id, project_fingerprint, row_counts)
                   select max(load_id), :fingerprint, cast(:counts as jsonb) from audit.load_file
                   where status in ('loaded', 'superseded')"""
            ),
            {"fingerprint": fingerprint, "counts": json.dumps(counts)},
        )
    # the planner's statistics and the visibility map of an unchanged table hold; the most written first
    _vacuum(url, sorted((t for t, r in refills.items() if r.written), key=lambda t: -refills[t].written))
    return counts


def _vacuum(url: str, tables: list[str]) -> None:
    """VACUUM (ANALYZE) the published tables the publication wrote to, once it is committed, two at a
    time (`VACUUM_CONNECTIONS`), in the order given.

    Why: a night deletes and inserts again every row that changed (in a month, most rows of the
    facts: their lineage names the latest delivery), which leaves as many dead rows as it wrote. Until
    an autovacuum comes, BI queries read tables twice their size; on a server where autovacuum is off
    (it happens) the tables grow every month. The vacuum also marks the pages all-visible, so that
    index-only scans skip the table. The marts are published already: a vacuum that cannot have its
    table in time is a warning, not a failure (an autovacuum gives way to it; a wraparound one does
    the same work). Two at a time: a vacuum and its analysis run on one core of the server, and the
    night waits for them with the other one idle."""
    if not tables:
        return
    with ThreadPoolExecutor(max_workers=VACUUM_CONNECTIONS, thread_name_prefix="vacuum") as pool:
        list(pool.map(lambda table: _vacuum_one(url, table), tables))


def _vacuum_one(url: str, table: str) -> None:
    with engine(url).connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        conn.exec_driver_sql(f"SET lock_timeout = {VACUUM_LOCK_TIMEOUT_MS}")
        try:
            conn.exec_driver_sql(f"VACUUM (ANALYZE) {PUBLISHED_SCHEMA}.{table}")
        except sa.exc.DBAPIError as exc:
            reason = first_line(exc.orig) or type(exc.orig).__name__
            log.warning(f"{PUBLISHED_SCHEMA}.{table} is published but was not vacuumed: {reason}")
        finally:
            conn.exec_driver_sql("RESET lock_timeout")


def last_publication(url: str):
    """(last_load_id, project_fingerprint) of the latest publication, or None."""
    with engine(url).connect() as conn:
        return conn.execute(
            sa.text(
                "select last_load_id, project_fingerprint from audit.publication order by publication_id desc limit 1"
            )
        ).one_or_none()


def published_counts(url: str) -> dict[str, int]:
    with engine(url).connect() as conn:
        tables = (
            conn.execute(
                sa.text("select tablename from pg_tables where schemaname = :s order by 1"), {"s": PUBLISHED_SCHEMA}
            )
            .scalars()
            .all()
        )
        return {
            t: conn.exec_driver_sql(f'SELECT count(*) FROM {PUBLISHED_SCHEMA}."{t}"').scalar()
            for t in tables
            if SAFE_TABLE.match(t)
        }
