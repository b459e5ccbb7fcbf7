"""Months of history (`tadamon generate --delivery N`): the nights of deliveries of one world, with a
skipped month, a late file, a mistaken register and its corrected re-send, and what the marts must
show after each night (docs/history.md)."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

from orchestration.bench.generate.providers import DeliveryWriter
from orchestration.bench.generate.scales import BASE_DATE, MAX_DELIVERY, resolve_scale
from orchestration.bench.generate.truth import FileTruth
from orchestration.bench.generate.world import World, build_world
from orchestration.bench.generate.writings import month_end

# -- months of history (`tadamon generate --delivery N`) -------------------------------------------
SOURCES = ("register", "mouazara", "associations", "indh_agr", "adherents", "formations")
SNAPSHOT_SOURCES = ("register", "mouazara", "associations", "adherents")  # a later file replaces an earlier one


def history_plan(months: int) -> list[list[tuple[str, int, str]]]:
    """The nights of deliveries 0..`months`: (source, month, variant) per file. From 3 months on, every
    case of docs/history.md happens once: the Mouazara file skips month 1 (a skipped month) and
    arrives late in night 3, after month 2's (refused: older than the snapshot in force); the
    register of month 2 omits two cooperatives by mistake and is re-sent corrected in night 3 (a
    corrected re-send), when the register skips month 3."""
    nights = []
    for month in range(months + 1):
        night = [(source, month, "normal") for source in SOURCES]
        if months >= 3 and month == 1:
            night = [f for f in night if f[0] != "mouazara"]
        if months >= 3 and month == 2:
            night = [("register", 2, "mistaken") if f[0] == "register" else f for f in night]
        if months >= 3 and month == 3:
            night = [f for f in night if f[0] != "register"] + [("register", 2, "corrected"), ("mouazara", 1, "late")]
        nights.append(night)
    return nights


def _period_date(period: str) -> dt.date:
    return dt.datetime.strptime(period if len(period) == 8 else period + "01", "%Y%m%d").date()


def _latest_on(files: dict[str, FileTruth], day: dt.date) -> FileTruth | None:
    known = [p for p in files if _period_date(p) <= day]
    return files[max(known)] if known else None


def _history_expectations(world: World, in_force: dict[str, dict[str, FileTruth]], last_month: int) -> dict:
    """What the marts must show after a night, from the files in force (docs/history.md): on each
    month end, the latest snapshot on or before it; INDH, the latest delivery of each project."""
    month_ends = [month_end(BASE_DATE, m) for m in range(last_month + 1)]
    expected: dict = {"on": {}}
    for day in month_ends:
        on: dict = {}
        register = _latest_on(in_force["register"], day)
        if register:
            on["cooperatives_in_register"] = register.content["cooperatives"]
            on["active_cooperatives_by_province"] = register.content["active_by_province"]
        associations = _latest_on(in_force["associations"], day)
        if associations:
            on["associations_in_register"] = associations.content["associations"]
        mouazara = _latest_on(in_force["mouazara"], day)
        if mouazara:
            on["mouazara_committed_mad"] = f"{sum(float(v) for v in mouazara.content['committed'].values()):.2f}"
        indh: dict[str, str] = {}
        for period in sorted(p for p in in_force["indh_agr"] if _period_date(p) <= day):
            indh.update(in_force["indh_agr"][period].content["committed"])
        if indh:
            on["indh_committed_mad"] = f"{sum(float(v) for v in indh.values()):.2f}"
        expected["on"][day.isoformat()] = on
    registers = [in_force["register"][p] for p in sorted(in_force["register"])]
    latest, previous = registers[-1], (registers[-2] if len(registers) > 1 else None)
    seen_before = {n for f in registers[:-1] for n in f.content["numbers"]}
    now = set(latest.content["numbers"])
    expected["register_date"] = _period_date(latest.period).isoformat()
    expected["struck_off_now"] = sorted(seen_before - now)
    events: dict = {"struck_off": [], "returned": [], "renamed": [], "status_changed": [], "members_changed": []}
    if previous is not None:
        by_number = {o.register: o for o in world.coops}
        before, after = _period_month(previous.period), _period_month(latest.period)
        kept = set(previous.content["numbers"]) & now
        events["struck_off"] = sorted(set(previous.content["numbers"]) - now)
        events["returned"] = sorted((now & seen_before) - set(previous.content["numbers"]))
        events["renamed"] = sorted(n for n in kept if by_number[n].core_at(before) != by_number[n].core_at(after))
        events["status_changed"] = sorted(
            n for n in kept if by_number[n].status_at(before) != by_number[n].status_at(after)
        )
        events["members_changed"] = sorted(
            n for n in kept if by_number[n].members_at(before) != by_number[n].members_at(after)
        )
    expected["register_events"] = events
    mouazara = [in_force["mouazara"][p] for p in sorted(in_force["mouazara"])]
    expected["mouazara_dropped_now"] = sorted(
        {r for f in mouazara[:-1] for r in f.content["committed"]} - set(mouazara[-1].content["committed"])
    )
    return expected


def _period_month(period: str) -> int:
    day = _period_date(period)
    return (day.year - BASE_DATE.year) * 12 + day.month - BASE_DATE.month


def generate_history(out: Path, scale: float | int | str = "sample", seed: int = 42, months: int = 4) -> dict:
    """Write the nights of deliveries 0..`months` of one world under `out/night_NN/<provider>/`, and
    `out/truth.json`: per night, each file and what the loader must do with it (loaded, or refused
    as out of order), and what the marts must show after the night's load (counts in the register
    and money committed as known on every month end, the cooperatives struck off, returned, renamed,
    whose status or members changed). `history_plan` says which case happens when."""
    if not 1 <= months <= MAX_DELIVERY:
        raise ValueError(f"months of history: from 1 to {MAX_DELIVERY}")
    label, _, _ = resolve_scale(scale)
    out = Path(out)
    world = build_world(scale, seed)
    in_force: dict[str, dict[str, FileTruth]] = {source: {} for source in SOURCES}
    nights = []
    for number, night in enumerate(history_plan(months)):
        folder = out / f"night_{number:02d}"
        files = []
        writers: dict[int, DeliveryWriter] = {}
        for source, month, variant in night:
            writer = writers.setdefault(month, DeliveryWriter(world, folder, seed, month))
            if source == "register":
                omit = frozenset()
                if variant == "mistaken":
                    present = [o for o in world.coops if o.in_register(month) and o.month < month]
                    omit = frozenset(o.uid for o in random.Random(hash((seed, 202))).sample(present, 2))
                truth = writer.register(omit=omit, suffix=" (1)" if variant == "corrected" else "")
            elif source == "formations":
                writer.formations()
                truth = writer.files[-1]
            else:
                truth = {
                    "mouazara": writer.mouazara,
                    "associations": writer.associations,
                    "indh_agr": writer.indh,
                    "adherents": writer.adherents,
                }[source]()
            files.append((truth, variant))
        delivered = []
        # the loader takes the files of a folder in name order
        for truth, variant in sorted(files, key=lambda f: (f[0].provider, f[0].file)):
            periods = in_force[truth.source]
            status, superseded = "loaded", None
            if (
                truth.source in SNAPSHOT_SOURCES
                and truth.period not in periods
                and periods
                and truth.period < max(periods)
            ):
                status = "rejected"
            else:
                if truth.period in periods:
                    superseded = periods[truth.period].path
                periods[truth.period] = truth
            delivered.append(
                {
                    "path": truth.path,
                    "source": truth.source,
                    "period": truth.period,
                    "variant": variant,
                    "status": status,
                    "supersedes": superseded,
                    "data_rows": truth.data_rows,
                    "rejected": truth.rejected,
                    "duplicates": truth.duplicates,
                }
            )
        last_month = max(month for _, month, _ in night)
        nights.append(
            {
                "night": number,
                "folder": folder.name,
                "month": last_month,
                "files": delivered,
                "expected": _history_expectations(world, in_force, last_month),
            }
        )
    truth = {"scale": label, "seed": seed, "months": months, "nights": nights}
    (out / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    return truth
