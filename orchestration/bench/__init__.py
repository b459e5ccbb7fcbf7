"""Synthetic deliveries (`tadamon generate`, `orchestration.bench.generate`) and the benchmark of the
warehouse (`tadamon bench`, `make bench`, `orchestration.bench.run`).

The command-line pieces live here and import nothing heavy, so the `tadamon` command stays quick:

    gen = sub.add_parser("generate", ...); add_generate_arguments(gen); gen.set_defaults(func=run_generate_command)
    bench = sub.add_parser("bench", ...); add_bench_arguments(bench); bench.set_defaults(func=run_bench_command)
"""

from __future__ import annotations

import argparse
from pathlib import Path

GENERATE_HELP = "write synthetic deliveries of every provider (contract formats and quirks) at any scale"
BENCH_HELP = "measure ingestion, the nightly load and BI queries at sample and region scale; update BENCHMARKS.md"


def add_generate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--scale",
        default="sample",
        help="number of organisations, or sample (~900), region (~30,000), nation (~330,000)",
    )
    parser.add_argument("--out", required=True, help="folder to write <provider>/<file> and truth.json into")
    parser.add_argument("--seed", type=int, default=42, help="same seed, same bytes (default 42)")
    parser.add_argument(
        "--delivery",
        type=int,
        default=0,
        metavar="N",
        help="0: the first delivery (October 2026) in OUT/<provider>/; N from 1 to 12: the nights of "
        "deliveries 0..N of the same world in OUT/night_NN/<provider>/, with struck-off, renamed "
        "and returning organisations, a corrected re-send, a skipped month and a late file, and "
        "truth.json saying what the marts must show after each night (docs/history.md)",
    )


def run_generate_command(args: argparse.Namespace) -> int:
    from orchestration.bench.generate import generate
    from orchestration.bench.generate.cli import print_history, print_summary
    from orchestration.bench.generate.nights import generate_history

    if args.delivery:
        print_history(generate_history(Path(args.out), args.scale, args.seed, args.delivery), Path(args.out))
    else:
        print_summary(generate(Path(args.out), args.scale, args.seed))
    return 0


def add_bench_arguments(parser: argparse.ArgumentParser) -> None:
    from orchestration.settings import PROJECT_ROOT

    parser.add_argument(
        "--scale",
        action="append",
        dest="scales",
        metavar="SCALE",
        help="scale to run (repeatable): sample, region, nation or a number of organisations "
        "(default: sample and region)",
    )
    parser.add_argument("--nation", action="store_true", help="also run the national scale (long)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--out",
        default=str(PROJECT_ROOT / "BENCHMARKS.md"),
        help="the markdown file whose results section is rewritten (default BENCHMARKS.md); '-' only prints",
    )
    parser.add_argument("--repeats", type=int, default=None, help="ingestion repeats (default 3, 1 at nation)")
    parser.add_argument("--query-runs", type=int, default=20)
    parser.add_argument(
        "--to-sql-cap",
        type=int,
        default=20_000,
        help="rows written by the to_sql baseline per file (the rate is extrapolated beyond)",
    )
    parser.add_argument(
        "--load-timeout",
        type=float,
        default=600,
        help="seconds after which a `tadamon run` is stopped and reported as a timeout",
    )
    parser.add_argument("--workdir", default=None, help="keep generated files, logs and data here")
    parser.add_argument(
        "--keep", action="store_true", help="keep the server, databases and files (debugging; stop the server yourself)"
    )
    parser.add_argument(
        "--parts",
        default="ingestion,load",
        help="what to measure: ingestion, load (the three nights and the BI queries), or both (default ingestion,load)",
    )
    parser.add_argument(
        "--render-only",
        action="store_true",
        help="rewrite the results section from the numbers already recorded in --out",
    )


def run_bench_command(args: argparse.Namespace) -> int:
    from orchestration.bench.run.harness import render_only, run_bench

    if args.render_only:
        print(render_only(Path(args.out)))
        return 0
    result = run_bench(
        scales=tuple(args.scales or ("sample", "region")),
        out=None if args.out == "-" else Path(args.out),
        seed=args.seed,
        nation=args.nation,
        workdir=Path(args.workdir) if args.workdir else None,
        repeats=args.repeats,
        to_sql_cap=args.to_sql_cap,
        query_runs=args.query_runs,
        keep=args.keep,
        load_timeout=args.load_timeout,
        parts=tuple(p.strip() for p in args.parts.split(",") if p.strip()),
    )
    failed = [
        scale
        for scale, r in result["results"].items()
        if "nights" in r and r["nights"].get("full", {}).get("exit_code") != 0
    ]
    return 1 if failed else 0
