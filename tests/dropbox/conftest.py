"""The drop box served by uvicorn on a free port of 127.0.0.1, in a thread, against a database of the
test server; a signed-in HTTP client."""

from __future__ import annotations

import dataclasses
import re
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
import uvicorn

from orchestration.dropbox.accounts import add_user, ensure_schema
from orchestration.dropbox.app import Context, create_app
from orchestration.dropbox.config import DropboxConfig
from orchestration.ingest.definitions import load_definitions
from orchestration.settings import get_settings
from orchestration.warehouse import engine, ensure_warehouse

PASSWORD = "correct horse battery"
SAMPLES = Path(__file__).resolve().parents[2] / "sources"
CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')
TEST_LIMIT = 1 << 20


def dropbox_config(**changes) -> DropboxConfig:
    values = dict(
        max_upload_bytes=TEST_LIMIT, session_minutes=60, lock_minutes=15, pending_hours=24, secure_cookies=False
    )
    return DropboxConfig(**{**values, **changes})


def poll(condition, what: str, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@contextmanager
def serve(ctx: Context):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(ctx), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        poll(lambda: server.started, "the drop box to start")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(15)
        sock.close()


class Site:
    """A running drop box and what the tests look at: its data folder and database."""

    def __init__(self, base: str, ctx: Context):
        self.base, self.ctx = base, ctx
        self.settings, self.url = ctx.settings, ctx.url

    def client(self, login: str | None = None, password: str = PASSWORD) -> requests.Session:
        http = requests.Session()
        if login:
            response = self.sign_in(http, login, password)
            assert response.status_code == 200 and response.url.endswith("/envoyer"), response.text[:500]
        return http

    def sign_in(self, http: requests.Session, login: str, password: str) -> requests.Response:
        page = http.get(f"{self.base}/connexion")
        return http.post(
            f"{self.base}/connexion", data={"csrf": csrf_of(page.text), "login": login, "password": password}
        )

    def upload(
        self,
        http: requests.Session,
        path: Path,
        name: str | None = None,
        content: bytes | None = None,
        csrf: str | None = "page",
    ) -> requests.Response:
        if csrf == "page":
            csrf = csrf_of(http.get(f"{self.base}/envoyer").text)
        data = {"csrf": csrf} if csrf is not None else {}
        body = content if content is not None else path.read_bytes()
        return http.post(f"{self.base}/envoyer", data=data, files={"file": (name or path.name, body)})

    def query(self, sql: str, **params):
        with engine(self.url).connect() as conn:
            return conn.execute(sa.text(sql), params).all()

    def files(self, folder: Path) -> list[str]:
        return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def csrf_of(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, f"no CSRF field in the page: {html[:300]}"
    return match.group(1)


def sample(provider: str, prefix: str) -> Path:
    return next((SAMPLES / provider / "samples").glob(f"{prefix}*"))


def make_site(url: str, data_dir: Path, config: DropboxConfig) -> Context:
    settings = dataclasses.replace(
        get_settings(),
        data_dir=data_dir,
        warehouse_dir=data_dir.parent / "warehouse",
        warehouse_url=url,
        alert_webhook=None,
        dagster_home=data_dir.parent / "dagster_home",
    )
    ensure_warehouse(settings)
    ensure_schema(url)
    providers = {d.provider for d in load_definitions()}
    for login, provider in (("amina@wilaya", "wilaya"), ("karim@chambre", "chambre"), ("salma@ministere", "ministere")):
        add_user(url, login, provider, PASSWORD, providers)
    return Context(settings, url, config)


@pytest.fixture(scope="module")
def site(test_server, tmp_path_factory):
    url = test_server.new_database("tadamon_dropbox")
    ctx = make_site(url, tmp_path_factory.mktemp("dropbox") / "data", dropbox_config())
    with serve(ctx) as base:
        yield Site(base, ctx)
    test_server.drop_database(url)
