"""Accounts, sign-in and sessions of the drop box, and its audit events. One account per person,
attached to one provider; passwords hashed with argon2; ten wrong passwords in a row lock the account
for a while; a session is a random token whose hash is kept, expiring after a period without use."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from orchestration.dropbox.config import MAX_FAILED_PER_ADDRESS, MAX_FAILED_SIGN_INS, SESSION_MAX_HOURS, DropboxConfig
from orchestration.warehouse import engine

SCHEMA_SQL = Path(__file__).with_name("schema.sql")
LOGIN_RE = re.compile(r"[a-z0-9][a-z0-9._@-]{1,62}")
MIN_PASSWORD = 12

_hasher = PasswordHasher()
# each verification takes 64 MiB for a moment: a burst of sign-ins waits its turn instead
_VERIFYING = threading.BoundedSemaphore(4)
# Verified when the login is unknown or disabled, so that a wrong login costs what a wrong password does
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class AccountError(ValueError):
    pass


@dataclass(frozen=True)
class User:
    user_id: int
    login: str
    provider: str


@dataclass(frozen=True)
class Session:
    user: User
    csrf_token: str


@dataclass(frozen=True)
class SignIn:
    user: User | None
    refusal: str | None = None  # invalid, locked, address_locked
    token: str | None = None  # the new session's cookie value


def ensure_schema(url: str) -> None:
    """The drop box's tables, under the same lock as the warehouse's bootstrap."""
    with engine(url).begin() as conn:
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(hashtext('tadamon.bootstrap'))")
        conn.exec_driver_sql(SCHEMA_SQL.read_text())


def record(
    conn,
    kind: str,
    *,
    user: User | None = None,
    login: str | None = None,
    client: str | None = None,
    delivery_id: int | None = None,
    file_name: str | None = None,
    sha256: str | None = None,
    detail: str | None = None,
) -> None:
    conn.execute(
        sa.text("""insert into audit.dropbox_event (kind, login, user_id, provider, client_addr, delivery_id,
                                                    file_name, sha256, detail)
                   values (:kind, :login, :user_id, :provider, :client, :delivery_id, :file_name, :sha256, :detail)"""),
        {
            "kind": kind,
            "login": user.login if user else login,
            "user_id": user.user_id if user else None,
            "provider": user.provider if user else None,
            "client": client,
            "delivery_id": delivery_id,
            "file_name": file_name,
            "sha256": sha256,
            "detail": detail,
        },
    )


# -- accounts (the command line) -------------------------------------------------------------------
def add_user(url: str, login: str, provider: str, password: str, providers: set[str]) -> User:
    if not LOGIN_RE.fullmatch(login):
        raise AccountError(
            f"login {login!r}: 2 to 63 characters among a-z 0-9 . _ @ -, starting with a letter or digit"
        )
    if provider not in providers:
        raise AccountError(f"unknown provider {provider!r}: choose one of {', '.join(sorted(providers))}")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")
    with engine(url).begin() as conn:
        row = conn.execute(
            sa.text("""insert into audit.dropbox_user (login, provider, password_hash) values (:l, :p, :h)
                       on conflict (login) do nothing returning user_id"""),
            {"l": login, "p": provider, "h": _hasher.hash(password)},
        ).first()
        if row is None:
            raise AccountError(f"the login {login!r} exists already")
        user = User(row.user_id, login, provider)
        record(conn, "user_added", user=user, detail="tadamon dropbox user add")
    return user


def disable_user(url: str, login: str) -> None:
    with engine(url).begin() as conn:
        row = conn.execute(
            sa.text("""update audit.dropbox_user set disabled_at = coalesce(disabled_at, now())
                       where login = :l returning user_id, provider"""),
            {"l": login},
        ).first()
        if row is None:
            raise AccountError(f"no account {login!r}")
        conn.execute(sa.text("delete from audit.dropbox_session where user_id = :u"), {"u": row.user_id})
        record(
            conn, "user_disabled", user=User(row.user_id, login, row.provider), detail="tadamon dropbox user disable"
        )


def list_users(url: str) -> list[sa.Row]:
    with engine(url).connect() as conn:
        return conn.execute(
            sa.text(
                """select login, provider, created_at, disabled_at, locked_until > now() as locked,
                      (select max(at) from audit.dropbox_event e where e.user_id = u.user_id and e.kind = 'sign_in')
                        as last_sign_in
               from audit.dropbox_user u order by provider, login"""
            )
        ).all()


# -- sign-in and sessions (the web application) ----------------------------------------------------
def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign_in(url: str, config: DropboxConfig, login: str, password: str, client: str | None) -> SignIn:
    lock = dt.timedelta(minutes=config.lock_minutes)
    with engine(url).begin() as conn:
        failures_here = conn.execute(
            sa.text("""select count(*) from audit.dropbox_event where kind = 'sign_in_failed'
                       and client_addr is not distinct from :c and at > now() - :lock"""),
            {"c": client, "lock": lock},
        ).scalar()
        if failures_here >= MAX_FAILED_PER_ADDRESS:
            record(conn, "sign_in_locked", client=client, detail="too many failures from this address")
            return SignIn(None, "address_locked")
        row = conn.execute(
            sa.text("""select user_id, login, provider, password_hash, disabled_at, failed_attempts,
                              locked_until > now() as locked
                       from audit.dropbox_user where login = :l for update"""),
            {"l": login},
        ).first()
        if row is None or row.disabled_at is not None:
            _verify(_DUMMY_HASH, password)
            # an unknown login is not kept: it is often a password typed in the wrong field
            record(
                conn,
                "sign_in_failed",
                login=None if row is None else row.login,
                client=client,
                detail="unknown login" if row is None else "account disabled",
            )
            return SignIn(None, "invalid")
        user = User(row.user_id, row.login, row.provider)
        if row.locked:
            record(conn, "sign_in_locked", user=user, client=client)
            return SignIn(None, "locked")
        if not _verify(row.password_hash, password):
            failures = row.failed_attempts + 1
            record(conn, "sign_in_failed", user=user, client=client, detail=f"wrong password ({failures} in a row)")
            if failures >= MAX_FAILED_SIGN_INS:
                conn.execute(
                    sa.text("""update audit.dropbox_user set failed_attempts = 0,
                                        locked_until = now() + :lock where user_id = :u"""),
                    {"lock": lock, "u": user.user_id},
                )
                record(
                    conn,
                    "account_locked",
                    user=user,
                    client=client,
                    detail=f"{failures} wrong passwords; locked for {config.lock_minutes} minutes",
                )
                return SignIn(None, "locked")
            conn.execute(
                sa.text("update audit.dropbox_user set failed_attempts = :f where user_id = :u"),
                {"f": failures, "u": user.user_id},
            )
            return SignIn(None, "invalid")
        rehash = _hasher.hash(password) if _hasher.check_needs_rehash(row.password_hash) else row.password_hash
        conn.execute(
            sa.text("""update audit.dropbox_user set failed_attempts = 0, locked_until = null,
                                password_hash = :h where user_id = :u"""),
            {"h": rehash, "u": user.user_id},
        )
        token = secrets.token_urlsafe(32)
        conn.execute(
            sa.text("""insert into audit.dropbox_session (token_sha256, user_id, csrf_token, expires_at, client_addr)
                       values (:t, :u, :csrf, now() + :ttl, :c)"""),
            {
                "t": _token_hash(token),
                "u": user.user_id,
                "csrf": secrets.token_urlsafe(32),
                "ttl": dt.timedelta(minutes=config.session_minutes),
                "c": client,
            },
        )
        conn.execute(sa.text("delete from audit.dropbox_session where expires_at < now()"))
        record(conn, "sign_in", user=user, client=client)
    return SignIn(user, token=token)


def _verify(password_hash: str, password: str) -> bool:
    with _VERIFYING:
        try:
            return _hasher.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False


def session_for(url: str, config: DropboxConfig, token: str | None) -> Session | None:
    """The live session of a cookie, its expiry pushed back: it ends after a period without use, or
    SESSION_MAX_HOURS after signing in."""
    if not token or len(token) > 100:
        return None
    with engine(url).begin() as conn:
        row = conn.execute(
            sa.text("""update audit.dropbox_session s set expires_at = now() + :ttl
                       from audit.dropbox_user u
                       where s.token_sha256 = :t and s.expires_at > now() and s.created_at > now() - :max_age
                         and u.user_id = s.user_id and u.disabled_at is null
                       returning u.user_id, u.login, u.provider, s.csrf_token"""),
            {
                "t": _token_hash(token),
                "ttl": dt.timedelta(minutes=config.session_minutes),
                "max_age": dt.timedelta(hours=SESSION_MAX_HOURS),
            },
        ).first()
    return Session(User(row.user_id, row.login, row.provider), row.csrf_token) if row else None


def sign_out(url: str, token: str, user: User, client: str | None) -> None:
    with engine(url).begin() as conn:
        conn.execute(sa.text("delete from audit.dropbox_session where token_sha256 = :t"), {"t": _token_hash(token)})
        record(conn, "sign_out", user=user, client=client)
