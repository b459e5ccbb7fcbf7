"""Synthetic deliveries of the three providers, at any scale, written exactly as the contract
(`/work/shared/feeds/README.md`) says they arrive: the ministry's workbooks with their title block,
header found by its first cell and total line; the wilaya's `;`-separated CRLF CSV in Windows-1256
(or UTF-8 with a byte-order mark), Arabic headers and decimal comma; the chamber's JSON exports.

The quirks come in proportion: every writing of the register and receipt numbers (Arabic-Indic digits
where the encoding can hold them), ICE cells stored as numbers, names spelled differently from one
file to another (hamza forms, ة/ه, tatweel, stray spaces, legal-form word, transliterations, capitals),
province writings in both scripts, amounts as numbers or French text with U+0020/U+00A0/U+202F
thousands and ` DH`, a few rows that cannot be loaded, exact duplicate lines and planted business-rule
violations. `truth.json` beside the provider folders says what is in the files.

Deterministic: the same scale, seed and delivery give the same bytes (the workbooks are rewritten
with fixed zip dates and document properties). Writings of a record are drawn from a generator seeded
by the record, so they stay the same from one delivery to the next; only what really changes changes.

    generate(Path("out"), "region", seed=42)               # the first delivery (October 2026)
    generate(Path("out2"), "region", seed=42, delivery=1)  # the next month's delivery of the same world
"""

from __future__ import annotations

import json
from pathlib import Path

from orchestration.bench.generate.providers import DeliveryWriter
from orchestration.bench.generate.scales import MAX_DELIVERY, resolve_scale
from orchestration.bench.generate.truth import GeneratedDelivery
from orchestration.bench.generate.world import build_world


def generate(out: Path, scale: float | int | str = "sample", seed: int = 42, delivery: int = 0) -> GeneratedDelivery:
    """Write one delivery of every provider under `out/<provider>/` and `out/truth.json`.

    `scale`: a number of organisations or `sample` (~900), `region` (~30,000), `nation` (~330,000).
    `delivery`: 0 for the first delivery (October 2026), 1 for the next month's, ... (at most 12):
    the same world, some organisations, projects, members and sessions more, some statuses changed,
    one session corrected.
    """
    import time

    if not 0 <= delivery <= MAX_DELIVERY:
        raise ValueError(f"delivery is a month index from 0 to {MAX_DELIVERY}")
    started = time.perf_counter()
    label, coops, assocs = resolve_scale(scale)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    world = build_world(scale, seed)
    writer = DeliveryWriter(world, out, seed, delivery)
    writer.register()
    writer.mouazara()
    writer.associations()
    writer.indh()
    writer.adherents()
    sessions, participations, sales = writer.formations()
    orgs_now = {
        kind: sum(1 for o in world.orgs if o.kind == kind and o.month <= delivery) for kind in ("coop", "assoc", "gie")
    }
    result = GeneratedDelivery(
        out=out,
        scale=label,
        seed=seed,
        delivery=delivery,
        organisations={
            "cooperatives": orgs_now["coop"],
            "associations": orgs_now["assoc"],
            "gie": orgs_now["gie"],
            "total": sum(orgs_now.values()),
        },
        files=writer.files,
        bad_rows=writer.bad,
        rule_violations=writer.violations,
        duplicates=writer.duplicates,
        sessions=sessions,
        participations=participations,
        sales=sales,
    )
    result.seconds = round(time.perf_counter() - started, 2)
    truth = result.to_json()
    truth.pop("seconds")
    truth.pop("out")
    (out / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    return result
