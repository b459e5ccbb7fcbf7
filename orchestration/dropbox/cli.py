"""`tadamon dropbox` (the web application) and `tadamon dropbox user add|disable|list`, ready to be
added to orchestration/cli.py:

    from orchestration.dropbox.cli import add_dropbox_commands
    add_dropbox_commands(sub)          # sub: the parser's add_subparsers(...)
"""

from __future__ import annotations

import argparse
import getpass
import ipaddress
import os
import sys

DEFAULT_PORT = 8040


def _warehouse():
    from orchestration.dropbox.accounts import ensure_schema
    from orchestration.settings import get_settings
    from orchestration.warehouse import ensure_warehouse

    settings = get_settings()
    url = ensure_warehouse(settings)
    ensure_schema(url)
    return settings, url


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from orchestration.datadir import prepare_data_dir
    from orchestration.dropbox.app import Context, create_app
    from orchestration.dropbox.config import get_config
    from orchestration.settings import get_settings

    if prepare_data_dir(get_settings()):  # as `tadamon run` and `tadamon ui` do
        print(f"data folder created with the sample deliveries: {get_settings().incoming_dir}")
    settings, url = _warehouse()
    app = create_app(Context(settings, url, get_config()))
    print(f"drop box on http://{args.host}:{args.port} (Ctrl-C stops it)", flush=True)
    if not _loopback(args.host):
        print(
            f"listening on {args.host}, not only this machine: serve it behind a reverse proxy with TLS "
            "and set TADAMON_DROPBOX_SECURE_COOKIES=1 (README, 'The providers' drop box')",
            flush=True,
        )
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        proxy_headers=True,
        forwarded_allow_ips=os.environ.get("TADAMON_DROPBOX_TRUSTED_PROXIES", "127.0.0.1"),
        log_level="info" if args.verbose else "warning",
        access_log=args.verbose,
        server_header=False,
    )
    return 0


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _providers() -> set[str]:
    from orchestration.ingest.definitions import load_definitions

    return {d.provider for d in load_definitions()}


def cmd_user(args: argparse.Namespace) -> int:
    from orchestration.dropbox.accounts import AccountError, add_user, disable_user, list_users

    _, url = _warehouse()
    try:
        if args.user_action == "add":
            password = _read_password(args.password_stdin)
            user = add_user(url, args.login.strip().lower(), args.provider, password, _providers())
            print(f"account {user.login} added for {user.provider}")
        elif args.user_action == "disable":
            disable_user(url, args.login.strip().lower())
            print(f"account {args.login} disabled (its sessions ended)")
        else:
            rows = list_users(url)
            if not rows:
                print("no account yet: tadamon dropbox user add <login> --provider <provider>")
            for row in rows:
                state = "disabled" if row.disabled_at else "locked" if row.locked else "active"
                last = f"{row.last_sign_in:%Y-%m-%d %H:%M}" if row.last_sign_in else "never"
                print(f"{row.login:<30} {row.provider:<12} {state:<9} last sign-in: {last}")
    except AccountError as exc:
        print(f"tadamon dropbox user {args.user_action}: {exc}", file=sys.stderr)
        return 2
    return 0


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise SystemExit("tadamon dropbox user add: the two passwords differ")
    return first


def add_dropbox_commands(sub) -> argparse.ArgumentParser:
    dropbox = sub.add_parser(
        "dropbox",
        help="the providers' drop box: a web page to upload deliveries and read their receipts",
        description="Start the drop box (a web application on 127.0.0.1 by default), or manage its accounts "
        "with `tadamon dropbox user add|disable|list`.",
    )
    dropbox.add_argument(
        "--host",
        default=os.environ.get("TADAMON_DROPBOX_HOST", "127.0.0.1"),
        help="address to listen on (default 127.0.0.1; elsewhere, put TLS in front)",
    )
    dropbox.add_argument("--port", type=int, default=int(os.environ.get("TADAMON_DROPBOX_PORT", DEFAULT_PORT)))
    dropbox.add_argument("--verbose", action="store_true", help="log every request")
    dropbox.set_defaults(func=cmd_serve)
    actions = dropbox.add_subparsers(dest="dropbox_action", metavar="ACTION")
    user = actions.add_parser(
        "user",
        help="add, disable or list the accounts of the providers' staff",
        description="One account per person, attached to one provider.",
    )
    user_actions = user.add_subparsers(dest="user_action", required=True, metavar="ACTION")
    add = user_actions.add_parser("add", help="add an account (asks for its password)")
    add.add_argument("login", help="e.g. prenom.nom@wilaya (lower case; letters, digits, . _ @ -)")
    add.add_argument("--provider", required=True, help="the provider this person delivers for, e.g. wilaya")
    add.add_argument("--password-stdin", action="store_true", help="read the password from the standard input")
    disable = user_actions.add_parser("disable", help="disable an account and end its sessions")
    disable.add_argument("login")
    user_actions.add_parser("list", help="list the accounts")
    user.set_defaults(func=cmd_user)
    return dropbox
