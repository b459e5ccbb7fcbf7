"""`tadamon source new` and `tadamon source check`, ready to be added to orchestration/cli.py:

from orchestration.scaffold.cli import add_source_commands
add_source_commands(sub)          # sub: the parser's add_subparsers(...)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from orchestration.settings import DBT_PROJECT_DIR, EXPECTATIONS_DIR, PROJECT_ROOT, SOURCES_DIR


def cmd_source_new(args: argparse.Namespace) -> int:
    from orchestration.scaffold import ScaffoldError, new_source

    try:
        result = new_source(
            args.provider,
            args.kind,
            args.sample,
            force=args.force,
            sources_dir=getattr(args, "sources_dir", None) or SOURCES_DIR,
            dbt_dir=getattr(args, "dbt_dir", None) or DBT_PROJECT_DIR,
            expectations_dir=getattr(args, "expectations_dir", None) or EXPECTATIONS_DIR,
            tests_dir=getattr(args, "tests_dir", None) or PROJECT_ROOT / "tests",
        )
    except ScaffoldError as exc:
        print(f"tadamon source new: {exc}", file=sys.stderr)
        return 2
    print(result.format(), end="")
    return 0


def cmd_source_check(args: argparse.Namespace) -> int:
    from orchestration.scaffold import check_file

    report = check_file(args.provider, args.file, sources_dir=getattr(args, "sources_dir", None) or SOURCES_DIR)
    print(report.to_json() if args.json else report.format(), end="" if not args.json else "\n")
    return report.exit_code


def add_source_commands(sub) -> argparse.ArgumentParser:
    source = sub.add_parser(
        "source",
        help="add a provider's file to the warehouse, or check a delivery against its definition",
        description="Add a new kind of provider file (source new) or check a delivery without loading it "
        "(source check). See docs/adding-a-source.md.",
    )
    actions = source.add_subparsers(dest="action", required=True, metavar="ACTION")

    new = actions.add_parser(
        "new",
        help="draft a source definition, dbt staging model, GX suite and test from a sample file",
        description="Read a sample delivery (xlsx, csv or json): detect its encoding, separator, header and "
        "columns, propose types and a key, and write sources/<provider>/<kind>.yml, the dbt staging model "
        "stg_<provider>__<kind> with its YAML, a GX starter suite and a test that loads the sample.",
    )
    new.add_argument("provider", help="provider folder name, e.g. anapec (lower-case snake_case)")
    new.add_argument("kind", help="kind of file, e.g. insertions: the raw table is raw.<provider>__<kind>")
    new.add_argument("--sample", type=Path, required=True, help="a delivered file to learn from")
    new.add_argument("--force", action="store_true", help="replace files that exist already")
    new.set_defaults(func=cmd_source_new)

    check = actions.add_parser(
        "check",
        help="say what a file would load and set aside, without touching the warehouse",
        description="Read a delivery with its source definition as the loader would and print the receipt "
        "in advance: rows that would be loaded, set aside (with reasons) or duplicates. Exit code 0: every "
        "row loads; 1: some rows would be set aside; 2: the file would be rejected; 3: no definition.",
    )
    check.add_argument("provider", help="provider folder name, e.g. wilaya")
    check.add_argument("file", type=Path, help="the delivered file")
    check.add_argument("--json", action="store_true", help="print the report as JSON")
    check.set_defaults(func=cmd_source_check)
    return source
