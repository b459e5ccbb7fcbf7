"""Publication: marts change atomically, BI users' views survive, readers are not blocked."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from orchestration.warehouse import admin_url, engine, role_url
from orchestration.warehouse.publish import PublishError, publish


def build(url, rows, extra_column=False):
    with engine(url).begin() as conn:
        conn.exec_driver_sql("SET LOCAL ROLE tadamon_transformer")
        conn.exec_driver_sql("DROP TABLE IF EXISTS marts_build.dim_thing")
        extra = ", colour text" if extra_column else ""
        conn.exec_driver_sql(f"CREATE TABLE marts_build.dim_thing (thing_key int PRIMARY KEY, name text{extra})")
        conn.exec_driver_sql("COMMENT ON TABLE marts_build.dim_thing IS 'Things, one row per thing'")
        conn.exec_driver_sql("COMMENT ON COLUMN marts_build.dim_thing.name IS 'The thing''s name'")
        for key, name in rows:
            conn.execute(
                sa.text("insert into marts_build.dim_thing (thing_key, name) values (:k, :n)"), {"k": key, "n": name}
            )


def test_publish_copies_rows_comments_and_keys(warehouse):
    url = admin_url(warehouse)
    build(url, [(1, "a"), (2, "b")])
    assert publish(url, ["dim_thing"]) == {"dim_thing": 2}
    with engine(url).connect() as conn:
        assert conn.exec_driver_sql("select count(*) from marts.dim_thing").scalar() == 2
        assert (
            conn.exec_driver_sql("select obj_description('marts.dim_thing'::regclass)").scalar()
            == "Things, one row per thing"
        )
        assert (
            conn.exec_driver_sql("select col_description('marts.dim_thing'::regclass, 2)").scalar()
            == "The thing's name"
        )
        pk = conn.exec_driver_sql(
            "select count(*) from pg_constraint where conrelid = 'marts.dim_thing'::regclass and contype = 'p'"
        ).scalar()
        assert pk == 1


def test_bi_reader_reads_marts_only(warehouse):
    url = admin_url(warehouse)
    build(url, [(1, "a")])
    publish(url, ["dim_thing"])
    bi = sa.create_engine(role_url("bi_reader", warehouse).replace("postgresql://", "postgresql+psycopg2://"))
    try:
        with bi.connect() as conn:
            assert conn.exec_driver_sql("select name from marts.dim_thing").scalar() == "a"
            with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
                conn.exec_driver_sql("select * from audit.load_file").all()
            conn.rollback()
            with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
                conn.exec_driver_sql("select * from marts_build.dim_thing").all()
            conn.rollback()
            with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
                conn.exec_driver_sql("delete from marts.dim_thing")
    finally:
        bi.dispose()


def test_a_bi_view_survives_the_nightly_rebuild_and_sees_the_new_rows(warehouse):
    url = admin_url(warehouse)
    build(url, [(1, "a"), (2, "b")])
    publish(url, ["dim_thing"])
    with engine(url).begin() as conn:
        conn.exec_driver_sql("CREATE VIEW public.my_things AS SELECT name FROM marts.dim_thing WHERE thing_key > 1")
    build(url, [(1, "a"), (2, "b2"), (3, "c")])
    publish(url, ["dim_thing"])
    with engine(url).connect() as conn:
        assert [r[0] for r in conn.exec_driver_sql("select name from public.my_things order by 1")] == ["b2", "c"]


def test_readers_are_not_blocked_and_never_see_a_half_published_state(warehouse):
    url = admin_url(warehouse)
    build(url, [(i, "old") for i in range(100)])
    publish(url, ["dim_thing"])
    build(url, [(i, "new") for i in range(150)])
    reader = engine(url).connect()
    try:
        # a BI query in an open transaction holds its lock on the table while publication runs
        reader.exec_driver_sql("BEGIN ISOLATION LEVEL REPEATABLE READ")
        assert reader.exec_driver_sql("select count(*), min(name) from marts.dim_thing").one() == (100, "old")
        done = threading.Event()
        errors = []

        def run():
            try:
                publish(url, ["dim_thing"], lock_timeout_ms=20000)
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            done.set()

        thread = threading.Thread(target=run)
        thread.start()
        assert done.wait(timeout=60), "publication was blocked by a reader"
        assert not errors
        # the reader's snapshot is unchanged; a new query sees the whole new state
        assert reader.exec_driver_sql("select count(*), min(name) from marts.dim_thing").one() == (100, "old")
        reader.exec_driver_sql("COMMIT")
        assert reader.exec_driver_sql("select count(*), min(name), max(name) from marts.dim_thing").one() == (
            150,
            "new",
            "new",
        )
    finally:
        reader.close()


def test_a_new_column_is_added_and_a_type_change_is_refused(warehouse):
    url = admin_url(warehouse)
    build(url, [(1, "a")])
    publish(url, ["dim_thing"])
    build(url, [(1, "a")], extra_column=True)
    publish(url, ["dim_thing"])
    with engine(url).begin() as conn:
        conn.exec_driver_sql("SET LOCAL ROLE tadamon_transformer")
        conn.exec_driver_sql("ALTER TABLE marts_build.dim_thing ALTER COLUMN name TYPE int USING 0")
    with pytest.raises(PublishError, match="name is text but the new build has integer"):
        publish(url, ["dim_thing"])
    with engine(url).connect() as conn:
        assert conn.exec_driver_sql("select name from marts.dim_thing").scalar() == "a"


def test_unsafe_names_are_refused(warehouse):
    with pytest.raises(PublishError, match="not a safe table name"):
        publish(admin_url(warehouse), ["dim_thing; drop schema marts"])


def build_fact(url, rows):
    with engine(url).begin() as conn:
        conn.exec_driver_sql("SET LOCAL ROLE tadamon_transformer")
        conn.exec_driver_sql("DROP TABLE IF EXISTS marts_build.fct_thing")
        conn.exec_driver_sql("CREATE TABLE marts_build.fct_thing (fact_key int PRIMARY KEY, thing_key int)")
        for key, thing in rows:
            conn.execute(sa.text("insert into marts_build.fct_thing values (:k, :t)"), {"k": key, "t": thing})


def test_foreign_keys_are_declared_kept_and_a_dangling_key_fails_the_publication(warehouse):
    from orchestration.warehouse.mart_keys import ForeignKey

    url = admin_url(warehouse)
    key = ForeignKey("fct_thing", ("thing_key",), "dim_thing", ("thing_key",))
    build(url, [(1, "a"), (2, "b")])
    build_fact(url, [(10, 1), (11, 2), (12, None)])
    assert publish(url, ["dim_thing", "fct_thing"], foreign_keys=[key]) == {"dim_thing": 2, "fct_thing": 3}
    fk_sql = (
        "select conname, pg_get_constraintdef(oid) from pg_constraint "
        "where conrelid = 'marts.fct_thing'::regclass and contype = 'f'"
    )
    with engine(url).connect() as conn:
        declared = conn.exec_driver_sql(fk_sql).all()
    definition = "FOREIGN KEY (thing_key) REFERENCES marts.dim_thing(thing_key) DEFERRABLE INITIALLY DEFERRED"
    # a table published for the first time gets its keys once it is filled, checked then
    assert declared == [("fct_thing_thing_key_fkey", definition)]
    build(url, [(1, "a2"), (2, "b2"), (3, "c")])
    build_fact(url, [(10, 3)])
    publish(url, ["dim_thing", "fct_thing"], foreign_keys=[key])
    with engine(url).connect() as conn:
        assert conn.exec_driver_sql(fk_sql).all() == [("fct_thing_thing_key_fkey", definition)]
    # a build whose fact points at a thing that is not there fails whole: the marts stay as they were
    build(url, [(1, "a3")])
    build_fact(url, [(10, 1), (11, 3)])
    with pytest.raises(PublishError, match="fct_thing_thing_key_fkey"):
        publish(url, ["dim_thing", "fct_thing"], foreign_keys=[key])
    with engine(url).connect() as conn:
        assert conn.exec_driver_sql("select count(*) from marts.dim_thing").scalar() == 3
        assert conn.exec_driver_sql("select thing_key from marts.fct_thing").scalars().all() == [3]
    # a key no model declares any more is dropped
    build(url, [(1, "a")])
    build_fact(url, [(10, 1)])
    publish(url, ["dim_thing", "fct_thing"])
    with engine(url).connect() as conn:
        assert conn.exec_driver_sql(fk_sql).all() == []


def test_a_key_declared_on_a_published_table_is_added_not_valid_then_validated(warehouse):
    from orchestration.warehouse.mart_keys import ForeignKey

    url = admin_url(warehouse)
    key = ForeignKey("fct_thing", ("thing_key",), "dim_thing", ("thing_key",))
    build(url, [(1, "a")])
    build_fact(url, [(10, 1)])
    publish(url, ["dim_thing", "fct_thing"])
    fk_sql = "select convalidated from pg_constraint where conrelid = 'marts.fct_thing'::regclass and contype = 'f'"
    publish(url, ["dim_thing", "fct_thing"], foreign_keys=[key])  # the refill's rows are checked at the commit
    with engine(url).connect() as conn:
        assert conn.exec_driver_sql(fk_sql).scalars().all() == [False]
    publish(url, ["dim_thing", "fct_thing"], foreign_keys=[key])
    with engine(url).connect() as conn:
        assert conn.exec_driver_sql(fk_sql).scalars().all() == [True]


def test_a_dangling_key_fails_the_first_publication_whole(warehouse):
    from orchestration.warehouse.mart_keys import ForeignKey

    url = admin_url(warehouse)
    key = ForeignKey("fct_thing", ("thing_key",), "dim_thing", ("thing_key",))
    build(url, [(1, "a")])
    build_fact(url, [(10, 1), (11, 2)])
    with pytest.raises(PublishError, match="fct_thing_thing_key_fkey"):
        publish(url, ["dim_thing", "fct_thing"], foreign_keys=[key])
    with engine(url).connect() as conn:
        assert conn.exec_driver_sql("select to_regclass('marts.dim_thing')").scalar() is None


def test_a_night_rewrites_only_the_rows_that_changed(warehouse):
    url = admin_url(warehouse)
    build(url, [(1, "a"), (2, "b"), (3, "c"), (4, None)])
    publish(url, ["dim_thing"])
    row_versions = "select thing_key, xmin::text from marts.dim_thing order by thing_key"
    with engine(url).connect() as conn:
        before = dict(conn.exec_driver_sql(row_versions).all())
    build(url, [(1, "a"), (2, "b2"), (4, None), (5, "e")])  # 2 changed, 3 gone, 5 new, 1 and 4 (a null) alike
    assert publish(url, ["dim_thing"]) == {"dim_thing": 4}
    with engine(url).connect() as conn:
        rows = conn.exec_driver_sql("select thing_key, name from marts.dim_thing order by thing_key").all()
        after = dict(conn.exec_driver_sql(row_versions).all())
    assert rows == [(1, "a"), (2, "b2"), (4, None), (5, "e")]
    assert after[1] == before[1] and after[4] == before[4]  # not rewritten
    assert after[2] != before[2]


def _vacuums(url: str, table: str) -> tuple[int, int]:
    """(vacuums so far, dead rows) of a published table, from a connection of its own."""
    with engine(url).connect() as conn:
        conn.exec_driver_sql("select pg_stat_clear_snapshot()")
        return conn.exec_driver_sql(
            "select vacuum_count, n_dead_tup from pg_stat_user_tables where relid = %(t)s::regclass",
            {"t": f"marts.{table}"},
        ).one()


def test_a_table_the_publication_wrote_to_is_vacuumed_an_unchanged_one_is_not(warehouse):
    url = admin_url(warehouse)
    build(url, [(k, f"thing {k}") for k in range(1, 201)])
    publish(url, ["dim_thing"])
    vacuums, _ = _vacuums(url, "dim_thing")
    build(url, [(k, f"thing {k} (renamed)") for k in range(1, 201)])  # every row rewritten
    publish(url, ["dim_thing"])
    assert _vacuums(url, "dim_thing") == (vacuums + 1, 0)  # the 200 rows deleted are not left dead
    publish(url, ["dim_thing"])  # the same build again: nothing written, nothing to vacuum
    assert _vacuums(url, "dim_thing") == (vacuums + 1, 0)


def test_a_table_another_vacuum_holds_is_published_and_its_vacuum_is_a_warning(warehouse, monkeypatch, caplog):
    from orchestration.warehouse import publish as publication

    url = admin_url(warehouse)
    build(url, [(1, "a")])
    publish(url, ["dim_thing"])
    build(url, [(1, "b")])
    monkeypatch.setattr(publication, "VACUUM_LOCK_TIMEOUT_MS", 200)
    vacuum = publication._vacuum
    with engine(url).connect() as holder:

        def vacuum_while_another_runs(url, tables):  # the lock a running vacuum holds, taken at the commit
            holder.exec_driver_sql("begin")
            holder.exec_driver_sql("lock table marts.dim_thing in share update exclusive mode")
            vacuum(url, tables)

        monkeypatch.setattr(publication, "_vacuum", vacuum_while_another_runs)
        try:
            with caplog.at_level("WARNING", logger=publication.__name__):
                assert publish(url, ["dim_thing"]) == {"dim_thing": 1}
        finally:
            holder.exec_driver_sql("rollback")
    with engine(url).connect() as conn:
        assert conn.exec_driver_sql("select name from marts.dim_thing").scalar() == "b"
        assert conn.exec_driver_sql("show lock_timeout").scalar() == "0"  # the pooled connection is as it was
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1 and warnings[0].startswith(
        "marts.dim_thing is published but was not vacuumed: canceling statement due to lock timeout"
    ), warnings


def test_a_night_waits_for_no_vacuum_unless_the_documentation_changed(warehouse, monkeypatch):
    """A vacuum holds its table all night (a manual one, or autovacuum preventing wraparound): rows
    are published beside it; only a changed comment waits for it, until the lock timeout."""
    from orchestration.warehouse import publish as publication

    url = admin_url(warehouse)
    build(url, [(1, "a")])
    publish(url, ["dim_thing"])
    build(url, [(1, "b"), (2, "c")])
    monkeypatch.setattr(publication, "_vacuum", lambda url, tables: None)  # the held lock is the vacuum's
    with engine(url).connect() as vacuum:
        vacuum.exec_driver_sql("begin")
        vacuum.exec_driver_sql("lock table marts.dim_thing in share update exclusive mode")
        try:
            assert publish(url, ["dim_thing"], lock_timeout_ms=500) == {"dim_thing": 2}
            with engine(url).begin() as conn:
                conn.exec_driver_sql("SET LOCAL ROLE tadamon_transformer")
                conn.exec_driver_sql("COMMENT ON COLUMN marts_build.dim_thing.name IS 'The name of the thing'")
            with pytest.raises(sa.exc.OperationalError, match="lock timeout"):
                publish(url, ["dim_thing"], lock_timeout_ms=500)
        finally:
            vacuum.exec_driver_sql("rollback")
    assert publish(url, ["dim_thing"]) == {"dim_thing": 2}
    with engine(url).connect() as conn:
        assert conn.exec_driver_sql(
            "select string_agg(name, ',' order by thing_key) from marts.dim_thing"
        ).scalar() == ("b,c")
        assert (
            conn.exec_driver_sql("select col_description('marts.dim_thing'::regclass, 2)").scalar()
            == "The name of the thing"
        )
        assert (
            conn.exec_driver_sql("select obj_description('marts.dim_thing'::regclass)").scalar()
            == "Things, one row per thing"
        )


def test_a_number_of_another_scale_is_published_as_the_build_writes_it(warehouse):
    url = admin_url(warehouse)
    for amount in ("1.0", "1.00"):
        with engine(url).begin() as conn:
            conn.exec_driver_sql("SET LOCAL ROLE tadamon_transformer")
            conn.exec_driver_sql("DROP TABLE IF EXISTS marts_build.dim_thing")
            conn.exec_driver_sql("CREATE TABLE marts_build.dim_thing (thing_key int PRIMARY KEY, amount numeric)")
            conn.exec_driver_sql(f"insert into marts_build.dim_thing values (1, {amount})")
        publish(url, ["dim_thing"])
    with engine(url).connect() as conn:
        assert conn.exec_driver_sql("select amount::text from marts.dim_thing").scalar() == "1.00"


def test_a_column_the_models_dropped_is_left_empty_on_every_row(warehouse):
    url = admin_url(warehouse)
    build(url, [(1, "a"), (2, "b")], extra_column=True)
    with engine(url).begin() as conn:
        conn.exec_driver_sql("SET LOCAL ROLE tadamon_transformer")
        conn.exec_driver_sql("UPDATE marts_build.dim_thing SET colour = 'red'")
    publish(url, ["dim_thing"])
    build(url, [(1, "a"), (2, "b2")])  # no colour any more; row 1 unchanged
    publish(url, ["dim_thing"])
    with engine(url).connect() as conn:
        rows = conn.exec_driver_sql("select thing_key, name, colour from marts.dim_thing order by 1").all()
    assert rows == [(1, "a", None), (2, "b2", None)]


def test_a_dimension_row_dropped_while_a_fact_still_points_at_it_fails_the_publication(warehouse):
    """The keys of the rows a night wrote are checked both ways: here the fact row is unchanged (not
    written again) and the dimension row it points at is gone from the build."""
    from orchestration.warehouse.mart_keys import ForeignKey

    url = admin_url(warehouse)
    key = ForeignKey("fct_thing", ("thing_key",), "dim_thing", ("thing_key",))
    build(url, [(1, "a"), (2, "b")])
    build_fact(url, [(10, 1), (11, 2)])
    publish(url, ["dim_thing", "fct_thing"], foreign_keys=[key])
    build(url, [(1, "a")])
    written = {}
    with pytest.raises(
        PublishError, match=r'"fct_thing_thing_key_fkey" .*point at dim_thing rows that are not there \(2\)'
    ):
        publish(url, ["dim_thing", "fct_thing"], foreign_keys=[key], written=written)
    assert written == {"dim_thing": (1, 0), "fct_thing": (0, 0)}  # what the refill wrote before the check
    with engine(url).connect() as conn:
        assert conn.exec_driver_sql("select thing_key from marts.dim_thing order by 1").scalars().all() == [1, 2]
    build_fact(url, [(10, 1)])
    written.clear()
    assert publish(url, ["dim_thing", "fct_thing"], foreign_keys=[key], written=written) == {
        "dim_thing": 1,
        "fct_thing": 1,
    }
    assert written == {"dim_thing": (1, 0), "fct_thing": (1, 0)}


def test_a_publisher_that_may_not_turn_row_checks_off_has_the_keys_checked_at_the_commit(warehouse, test_server):
    """A non-superuser publisher (a council's DBA may give no more): PostgreSQL checks the keys row by row
    at the commit, with the same outcome and the same PublishError."""
    import secrets

    from sqlalchemy.engine import make_url

    from orchestration.warehouse.mart_keys import ForeignKey
    from orchestration.warehouse.publish import _row_checks_off

    url = admin_url(warehouse)
    role, password = f"publisher_{secrets.token_hex(3)}", secrets.token_hex(8)
    with engine(url).connect() as conn:
        conn.exec_driver_sql(f"CREATE ROLE {role} LOGIN PASSWORD '{password}' NOSUPERUSER IN ROLE tadamon_transformer")
        conn.exec_driver_sql(f'GRANT CONNECT ON DATABASE "{make_url(url).database}" TO {role}')
        conn.commit()
    publisher = make_url(url).set(username=role, password=password).render_as_string(hide_password=False)
    try:
        with engine(publisher).begin() as conn:
            assert _row_checks_off(conn) is False
        key = ForeignKey("fct_thing", ("thing_key",), "dim_thing", ("thing_key",))
        build(url, [(1, "a"), (2, "b")])
        build_fact(url, [(10, 1), (11, 2)])
        publish(url, ["dim_thing", "fct_thing"], foreign_keys=[key])
        build(url, [(1, "a"), (2, "b2")])
        assert publish(publisher, ["dim_thing", "fct_thing"], foreign_keys=[key]) == {"dim_thing": 2, "fct_thing": 2}
        build_fact(url, [(10, 1), (11, 3)])
        with pytest.raises(PublishError, match='violates foreign key constraint "fct_thing_thing_key_fkey"'):
            publish(publisher, ["dim_thing", "fct_thing"], foreign_keys=[key])
        with engine(url).connect() as conn:
            assert conn.exec_driver_sql("select thing_key from marts.fct_thing order by 1").scalars().all() == [1, 2]
    finally:
        from orchestration.warehouse import dispose_engines

        dispose_engines()
        with engine(url).connect() as conn:
            conn.exec_driver_sql(f'REVOKE CONNECT ON DATABASE "{make_url(url).database}" FROM {role}')
            conn.exec_driver_sql(f"DROP ROLE {role}")
            conn.commit()


def _build_other(url: str, labels: list[str]) -> None:
    with engine(url).begin() as conn:
        conn.exec_driver_sql("SET LOCAL ROLE tadamon_transformer")
        conn.exec_driver_sql("DROP TABLE IF EXISTS marts_build.dim_other")
        conn.exec_driver_sql("CREATE TABLE marts_build.dim_other (other_key int PRIMARY KEY, label text)")
        conn.execute(
            sa.text("insert into marts_build.dim_other values (:k, :l)"),
            [{"k": k, "l": label} for k, label in enumerate(labels)],
        )


def test_the_tables_written_are_vacuumed_beside_one_another_vacuum_holds(warehouse, monkeypatch, caplog):
    """The vacuums run two at a time: the table another vacuum holds waits for its lock (then a
    warning), the others are vacuumed meanwhile."""
    from orchestration.warehouse import publish as publication

    url = admin_url(warehouse)
    build(url, [(1, "a")])
    _build_other(url, ["x", "y"])
    publish(url, ["dim_thing", "dim_other"])
    before = {table: _vacuums(url, table)[0] for table in ("dim_thing", "dim_other")}
    build(url, [(1, "b")])
    _build_other(url, ["x2", "y2"])
    monkeypatch.setattr(publication, "VACUUM_LOCK_TIMEOUT_MS", 200)
    with engine(url).connect() as holder:
        holder.exec_driver_sql("begin")
        holder.exec_driver_sql("lock table marts.dim_thing in share update exclusive mode")
        with caplog.at_level("WARNING", logger=publication.__name__):
            publication._vacuum(url, ["dim_thing", "dim_other"])
        holder.exec_driver_sql("rollback")
    assert _vacuums(url, "dim_other")[0] == before["dim_other"] + 1
    assert _vacuums(url, "dim_thing")[0] == before["dim_thing"]
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert [w.split(":")[0] for w in warnings] == ["marts.dim_thing is published but was not vacuumed"], warnings
