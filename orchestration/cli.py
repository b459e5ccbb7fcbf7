"""`tadamon`: the command line of the warehouse."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys

from orchestration.settings import PROJECT_ROOT, SettingsError, get_settings


def warehouse_down(settings) -> str | None:
    """What is down and how to start it, when the embedded warehouse is not running; read-only
    commands say this instead of starting anything."""
    if settings.warehouse_url:
        return None
    from orchestration.warehouse import embedded

    server = embedded(settings)
    if not server.initialised:
        return f"the warehouse is not created yet ({server.root}): `tadamon warehouse start` creates and starts it"
    if not server.is_running():
        return (
            f"the warehouse is stopped (127.0.0.1:{server.credentials().port}, data in {server.pgdata}): "
            f"`tadamon warehouse start` starts it"
        )
    return None


def cmd_init(args: argparse.Namespace) -> int:
    from orchestration.datadir import create_data_dir
    from orchestration.dbt_manifest import prepare_manifest
    from orchestration.instance import write_dagster_yaml

    settings = get_settings()
    copied = create_data_dir(settings, samples=args.samples)
    print(
        f"data folder ready: {settings.data_dir}"
        + (f" ({copied} sample deliveries in {settings.incoming_dir})" if args.samples else "")
    )
    prepare_manifest()
    write_dagster_yaml(settings.dagster_home)
    print(f"dbt manifest and Dagster's configuration ready ({settings.dagster_home / 'dagster.yaml'})")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    import dagster as dg

    from orchestration.console import RunOutput, StepProgress, run_log_path
    from orchestration.datadir import prepare_data_dir
    from orchestration.dbt_manifest import prepare_manifest
    from orchestration.instance import prepare_dagster_home
    from orchestration.pipeline import format_summary, run_load
    from orchestration.warehouse import ensure_warehouse

    settings = get_settings()
    seeded = prepare_data_dir(settings)
    with RunOutput(run_log_path(settings.logs_dir), verbose=args.verbose) as out:
        if seeded:
            out.say(f"data folder created with the sample deliveries: {settings.incoming_dir}")
        out.say(f"log of this run (dbt's and Dagster's own output): {out.log_path}")
        url = ensure_warehouse(settings)
        out.say("warehouse ready; preparing the dbt manifest")
        prepare_manifest(url)
        prepare_dagster_home(settings, url)
        progress = StepProgress(out.say)
        out.say("running the load (ingest, dbt build, quality checks, publish):")
        with dg.DagsterInstance.get() as instance:
            summary = run_load(settings, instance, log_level="DEBUG", rebuild=args.rebuild, on_event=progress)
        progress.finish()
        for line in format_summary(summary, settings).splitlines():
            out.say(line)
    return 0 if summary.success else 1


def cmd_warehouse(args: argparse.Namespace) -> int:
    from orchestration.warehouse import embedded, ensure_warehouse, role_url

    settings = get_settings()
    if args.action == "url":
        down = warehouse_down(settings)
        if down and not embedded(settings).initialised:
            print(f"tadamon warehouse url: {down}", file=sys.stderr)
            return 3
        print(role_url(args.role, settings))
        if down:
            print(f"tadamon warehouse url: {down}", file=sys.stderr)
            return 3
        return 0
    if settings.warehouse_url:
        if args.action == "status":
            from sqlalchemy.engine import make_url

            print(f"external warehouse (TADAMON_WAREHOUSE_URL): {make_url(settings.warehouse_url)}")
            return 0
        print("TADAMON_WAREHOUSE_URL is set: the warehouse is that server, not started or stopped by tadamon")
        return 1
    server = embedded(settings)
    if args.action == "start":
        ensure_warehouse(settings)
        print(f"warehouse running on 127.0.0.1:{server.credentials().port} (data in {server.pgdata})")
    elif args.action == "stop":
        print("warehouse stopped" if server.stop() else "warehouse was not running")
    elif args.action == "status":
        if not server.initialised:
            print(f"warehouse not initialised ({server.root}); `tadamon warehouse start` creates it")
            return 3
        running = server.is_running()
        print(
            f"warehouse {'running' if running else 'stopped'} on 127.0.0.1:{server.credentials().port} "
            f"(data in {server.pgdata})" + ("" if running else "; `tadamon warehouse start` starts it")
        )
        return 0 if running else 3
    return 0


def cmd_ui(args: argparse.Namespace) -> int:
    from orchestration.datadir import prepare_data_dir
    from orchestration.dbt_manifest import prepare_manifest
    from orchestration.instance import prepare_dagster_home
    from orchestration.quality.report import report_url, write_report
    from orchestration.quality.site import serve_reports
    from orchestration.warehouse import ensure_warehouse

    settings = get_settings()
    prepare_data_dir(settings)
    url = ensure_warehouse(settings)
    prepare_manifest(url)
    prepare_dagster_home(settings, url)
    try:
        reports = serve_reports(args.host, settings.report_port)
    except OSError as exc:
        print(f"tadamon ui: {exc}", file=sys.stderr)
        return 2
    write_report(url)
    dagster = os.path.join(os.path.dirname(sys.executable), "dagster")
    print(f"Dagster UI on http://{args.host}:{args.port} (webserver and daemon; Ctrl-C stops both)", flush=True)
    print(f"Quality report on {report_url(settings)}", flush=True)
    command = [dagster, "dev", "-w", str(PROJECT_ROOT / "workspace.yaml"), "-h", args.host, "-p", str(args.port)]
    child = subprocess.Popen(command, cwd=PROJECT_ROOT)
    # dagster dev shuts its webserver and daemon down on an interrupt, not on SIGTERM: pass it on
    signal.signal(signal.SIGTERM, lambda *_: child.send_signal(signal.SIGINT))
    try:
        return child.wait()
    except KeyboardInterrupt:  # Ctrl-C reached dagster dev too: let it finish shutting down
        return child.wait()
    finally:
        reports.shutdown()


def cmd_status(args: argparse.Namespace) -> int:
    import dagster as dg

    from orchestration.dbt_manifest import prepare_manifest
    from orchestration.instance import prepare_dagster_home
    from orchestration.status import status_report
    from orchestration.warehouse import admin_url

    settings = get_settings()
    down = warehouse_down(settings)
    if down:
        print(f"tadamon status: {down}", file=sys.stderr)
        return 3
    url = admin_url(settings, start=False)
    prepare_manifest(url)
    prepare_dagster_home(settings, url)
    with dg.DagsterInstance.get() as instance:
        print(status_report(url, instance))
    return 0


def cmd_reload(args: argparse.Namespace) -> int:
    import dagster as dg

    from orchestration.console import RunOutput, StepProgress, run_log_path
    from orchestration.datadir import require_data_dir
    from orchestration.dbt_manifest import prepare_manifest
    from orchestration.instance import prepare_dagster_home
    from orchestration.pipeline import ReloadError, reload_delivery
    from orchestration.warehouse import ensure_warehouse

    settings = get_settings()
    require_data_dir(settings)
    with RunOutput(run_log_path(settings.logs_dir), verbose=args.verbose) as out:
        out.say(f"log of this run (dbt's and Dagster's own output): {out.log_path}")
        url = ensure_warehouse(settings)
        prepare_manifest(url)
        prepare_dagster_home(settings, url)
        progress = StepProgress(out.say)
        try:
            with dg.DagsterInstance.get() as instance:
                outcome, rebuilt = reload_delivery(
                    settings, args.delivery, instance, log_level="DEBUG", on_event=progress
                )
        except ReloadError as exc:
            error = exc
        else:
            error = None
            progress.finish()
            out.say(
                f"{outcome.provider}/{outcome.file_name}: {outcome.status}, {outcome.rows_loaded} rows loaded, "
                f"{outcome.rows_rejected + outcome.rows_duplicate} set aside (receipt: {outcome.receipt_path})"
            )
            out.say(
                "marts rebuilt and published"
                if rebuilt
                else "the rebuild FAILED: the published marts were left as they were"
            )
    if error is not None:
        print(f"tadamon reload: {error}", file=sys.stderr)
        return 2
    return 0 if rebuilt and outcome.status == "loaded" else 1


def cmd_docs(args: argparse.Namespace) -> int:
    from pathlib import Path

    from orchestration.dbt_manifest import load_manifest, prepare_manifest
    from orchestration.dictionary import DictionaryError, build, render

    prepare_manifest()
    try:
        tables = build(load_manifest())
    except DictionaryError as exc:
        print(f"tadamon docs: {exc}", file=sys.stderr)
        return 1
    out = Path(args.out) if args.out else get_settings().data_dir / "docs" / "dictionary.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(tables), encoding="utf-8")
    print(f"BI data dictionary ({len(tables)} tables, French and Arabic): {out}")
    if args.serve:
        import functools
        import http.server

        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(out.parent))
        with http.server.ThreadingHTTPServer((args.host, args.port), handler) as server:
            print(f"serving it on http://{args.host}:{server.server_port}/{out.name} (Ctrl-C to stop)")
            try:
                server.serve_forever()
            except KeyboardInterrupt:
                pass
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from orchestration.report.build import ReportError, build_report
    from orchestration.report.queries import Scope
    from orchestration.warehouse import ensure_warehouse

    settings = get_settings()
    ensure_warehouse(settings)
    scope = Scope(as_of=args.as_of, province=args.province, programme=args.programme)
    try:
        written = build_report(
            settings,
            scope,
            langs=tuple(args.lang or ("fr", "ar")),
            digits=args.digits,
            pdf=not args.no_pdf,
            out_dir=args.out,
        )
    except ReportError as error:
        print(f"tadamon report: {error}", file=sys.stderr)
        return 2
    print(f"bilan written in {written[0].parent}")
    if args.verbose:
        for path in written:
            print(f"  {path}")
    return 0


def _date(text: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: write it YYYY-MM-DD, e.g. 2025-12-31") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tadamon",
        description="Tadamon: the SSE warehouse of the Fès-Meknès Regional Council.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    init = sub.add_parser(
        "init",
        help="create the data folder (with --samples, the sample deliveries), the dbt "
        "manifest and DAGSTER_HOME's dagster.yaml",
        description="Create the data folder's layout (incoming/, archive/, quarantine/, receipts/, "
        "logs/), the dbt manifest and $DAGSTER_HOME/dagster.yaml (for the plain Dagster CLI). "
        "Sample deliveries are put into incoming/ only with --samples: on a real "
        "warehouse they would load as real data.",
    )
    init.add_argument(
        "--samples",
        action="store_true",
        help="put the project's sample deliveries (sources/<provider>/samples/) into incoming/",
    )
    init.set_defaults(func=cmd_init)

    run = sub.add_parser(
        "run",
        help="run the whole load once (ingest, dbt, quality checks, publish)",
        description="Run the whole load once through Dagster's asset graph: ingest the "
        "pending deliveries, build the dbt models, run the quality checks, publish the marts; "
        "then print a summary.",
    )
    run.add_argument(
        "--verbose",
        action="store_true",
        help="show dbt's and Dagster's own output while it runs (the log under data/logs/ keeps it anyway)",
    )
    run.add_argument(
        "--rebuild",
        action="store_true",
        help="rebuild every model from every load (no incremental step), check and publish the marts, "
        "even when nothing is new since the last publication",
    )
    run.set_defaults(func=cmd_run)

    warehouse = sub.add_parser(
        "warehouse",
        help="start, stop, inspect the warehouse or print its URL",
        description="Manage the embedded PostgreSQL warehouse under .warehouse/ "
        "(or report on the server in TADAMON_WAREHOUSE_URL).",
    )
    warehouse.add_argument("action", choices=["start", "stop", "status", "url"])
    warehouse.add_argument(
        "--role",
        choices=["admin", "bi_reader", "bi_analyst"],
        default="admin",
        help="with url: the role to connect as (default admin)",
    )
    warehouse.set_defaults(func=cmd_warehouse)

    ui = sub.add_parser(
        "ui",
        help="start the Dagster UI and daemon on the project",
        description="Start the Dagster webserver and daemon (schedules and sensors tick).",
    )
    ui.add_argument("--host", default="127.0.0.1")
    ui.add_argument("--port", type=int, default=int(os.environ.get("TADAMON_UI_PORT", "3000")))
    ui.set_defaults(func=cmd_ui)

    docs = sub.add_parser(
        "docs",
        help="write (and serve) the BI data dictionary of the published marts",
        description="Write the data dictionary of the published marts, in French and Arabic, "
        "as one HTML file that opens offline (from the dbt project: no warehouse needed).",
    )
    docs.add_argument("--out", help="the HTML file to write (default: <data folder>/docs/dictionary.html)")
    docs.add_argument("--serve", action="store_true", help="then serve it over http until Ctrl-C")
    docs.add_argument("--host", default="127.0.0.1")
    docs.add_argument("--port", type=int, default=8090)
    docs.set_defaults(func=cmd_docs)

    from orchestration.bench import (
        BENCH_HELP,
        GENERATE_HELP,
        add_bench_arguments,
        add_generate_arguments,
        run_bench_command,
        run_generate_command,
    )

    generate = sub.add_parser("generate", help=GENERATE_HELP)
    add_generate_arguments(generate)
    generate.set_defaults(func=run_generate_command)
    bench = sub.add_parser("bench", help=BENCH_HELP)
    add_bench_arguments(bench)
    bench.set_defaults(func=run_bench_command)

    from orchestration.scaffold.cli import add_source_commands

    add_source_commands(sub)

    from orchestration.dropbox.cli import add_dropbox_commands

    add_dropbox_commands(sub)

    status = sub.add_parser(
        "status",
        help="last runs, failed checks, late providers, next scheduled run",
        description="The morning summary of the warehouse.",
    )
    status.set_defaults(func=cmd_status)

    reload = sub.add_parser(
        "reload",
        help="load an archived delivery again, then rebuild and publish",
        description="Load an archived delivery again (after fixing a mapping, say) in place "
        "of its earlier load, leaving no duplicate rows; then rebuild and publish the marts.",
    )
    reload.add_argument("delivery", help="the file name as delivered, or its sha256 (at least 6 characters)")
    reload.add_argument("--verbose", action="store_true", help="show dbt's and Dagster's own output while it runs")
    reload.set_defaults(func=cmd_reload)

    from pathlib import Path

    report = sub.add_parser(
        "report",
        help="write the bilan (results report) in French and Arabic, HTML and PDF",
        description="Write the council's results report from the published marts into "
        "data/reports/<date>/ (the whole region's of today also into data/reports/latest/).",
    )
    report.add_argument(
        "--as-of",
        type=_date,
        metavar="DATE",
        help="the state known on that date (YYYY-MM-DD), from the marts' history "
        "(docs/report.md says what each figure takes)",
    )
    report.add_argument("--province", metavar="CODE", help="one province, by HCP code (e.g. 03.231 for Fès)")
    report.add_argument("--programme", metavar="CODE", help="one programme, by code (e.g. MOUAZARA)")
    report.add_argument(
        "--lang", choices=["fr", "ar"], action="append", help="only this edition (repeatable; default both)"
    )
    report.add_argument(
        "--digits",
        choices=["western", "arabic-indic"],
        default="western",
        help="digits of the Arabic edition (default western: 0123; arabic-indic: ٠١٢٣)",
    )
    report.add_argument("--out", type=Path, metavar="DIR", help="write into this folder instead")
    report.add_argument("--no-pdf", action="store_true", help="HTML only")
    report.add_argument("--verbose", action="store_true", help="list the files written")
    report.set_defaults(func=cmd_report)
    return parser


def _stoppable() -> None:
    """SIGTERM and SIGINT stop tadamon whatever the process that started it left blocked or ignored
    (a mask and an ignored signal are inherited): a load nobody watches must end when the service
    manager, a deadline or an operator asks. A script's `tadamon run &` starts with SIGINT ignored,
    and Dagster gives SIGTERM the handler SIGINT has: without this, neither would stop the run."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    if signal.getsignal(signal.SIGTERM) == signal.SIG_IGN:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # an ignored SIGINT would also pass to `dagster dev`, which `tadamon ui` stops with one
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def main(argv: list[str] | None = None) -> int:
    from orchestration.warehouse import WarehouseError

    _stoppable()
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (SettingsError, WarehouseError) as exc:
        print(f"tadamon {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
