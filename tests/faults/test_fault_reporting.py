"""Faults end in a clear report: alerts that do not need the data folder, a database creation
race, and bi_reader kept to the warehouse database."""

from __future__ import annotations

import dataclasses
import http.server
import json
import os
import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from orchestration.alerts import alert
from orchestration.instance import dagster_storage_url, prepare_dagster_home
from orchestration.warehouse import _create_database_if_missing, admin_url, role_url, sqlalchemy_url


@pytest.fixture
def webhook():
    received = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    server.shutdown()


def test_the_webhook_is_called_when_the_data_folder_cannot_be_written(warehouse, webhook, tmp_path, caplog):
    url, received = webhook
    not_a_folder = tmp_path / "data-is-a-file"
    not_a_folder.write_text("")
    settings = dataclasses.replace(warehouse, data_dir=not_a_folder, alert_webhook=url)
    alert(settings, title="the load failed", details="disk full", where_to_look="tadamon status")
    assert len(received) == 1 and "the load failed" in received[0]["text"] and "disk full" in received[0]["text"]
    assert "alerts.log could not be written" in caplog.text


def test_two_first_runs_creating_the_same_database_do_not_collide(warehouse, monkeypatch):
    url = make_url(dagster_storage_url(admin_url(warehouse)))
    _create_database_if_missing(url)
    # the losing side of the race: it saw no database, the other run created it just before
    real_execute = sa.engine.Connection.execute

    def sees_nothing(self, statement, *args, **kwargs):
        result = real_execute(self, statement, *args, **kwargs)
        if "from pg_database" in str(statement):
            return real_execute(self, sa.text("select null where false"))
        return result

    monkeypatch.setattr(sa.engine.Connection, "execute", sees_nothing)
    _create_database_if_missing(url)  # no DuplicateDatabase / UniqueViolation


def test_bi_reader_cannot_reach_the_dagster_database_nor_create_temporary_objects(warehouse):
    prepare_dagster_home(warehouse, admin_url(warehouse))
    bi = sqlalchemy_url(role_url("bi_reader", warehouse))
    engine = sa.create_engine(bi)
    try:
        with engine.connect() as conn:
            with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
                conn.exec_driver_sql("create function pg_temp.f() returns int language sql as 'select 1'")
            conn.rollback()
            with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
                conn.exec_driver_sql("create temporary table t (x int)")
    finally:
        engine.dispose()
    dagster = sa.create_engine(bi.set(database=make_url(dagster_storage_url(admin_url(warehouse))).database))
    try:
        with pytest.raises(sa.exc.OperationalError, match="permission denied for database"):
            dagster.connect()
    finally:
        dagster.dispose()
    assert os.environ.get("TADAMON_BI_READER_PASSWORD")
