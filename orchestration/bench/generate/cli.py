"""`python -m orchestration.bench.generate` and the summaries `tadamon generate` prints."""

from __future__ import annotations

from pathlib import Path

from orchestration.bench.generate.truth import GeneratedDelivery


def main(argv: list[str] | None = None) -> int:
    """`python -m orchestration.bench.generate --scale region --out DIR --seed 42 [--delivery 1]`."""
    import argparse

    import orchestration.bench.generate as package
    from orchestration.bench import add_generate_arguments, run_generate_command

    parser = argparse.ArgumentParser(prog="tadamon generate", description=package.__doc__.split("\n\n")[0])
    add_generate_arguments(parser)
    return run_generate_command(parser.parse_args(argv))


def print_history(truth: dict, out: Path) -> None:
    print(f"{truth['months'] + 1} months of deliveries (scale {truth['scale']}, seed {truth['seed']}) -> {out}")
    for night in truth["nights"]:
        refused = [f["path"] for f in night["files"] if f["status"] == "rejected"]
        corrected = [f["path"] for f in night["files"] if f["supersedes"]]
        events = night["expected"]["register_events"]
        print(
            f"  {night['folder']}: {len(night['files'])} files"
            + (f", refused as out of order: {', '.join(refused)}" if refused else "")
            + (f", corrected re-send: {', '.join(corrected)}" if corrected else "")
            + f"; register: {len(events['struck_off'])} struck off, {len(events['returned'])} back, "
            f"{len(events['renamed'])} renamed, {len(events['status_changed'])} status changes"
        )


def print_summary(result: GeneratedDelivery) -> None:
    print(
        f"{result.organisations['total']} organisations (scale {result.scale}, seed {result.seed}, "
        f"delivery {result.delivery}) in {result.seconds} s -> {result.out}"
    )
    for f in result.files:
        print(
            f"  {f.path}: {f.data_rows} rows ({f.rejected} bad, {f.duplicates} duplicate, "
            f"{f.violations} rule violations){' ' + f.encoding if f.encoding else ''}, {f.bytes:,} bytes"
        )
    print(f"  sessions: {result.sessions}, participations: {result.participations}, sales: {result.sales}")
