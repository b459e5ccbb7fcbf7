"""What every provider's files of a delivery share: the folder, the truth recorded for each file, planted
duplicate lines, and how a province, an identifier and the amounts are written."""

from __future__ import annotations

import datetime as dt
import random
import re
from pathlib import Path

from orchestration.bench.generate.scales import BASE_DATE
from orchestration.bench.generate.truth import FileTruth
from orchestration.bench.generate.vocabulary import PROVINCES
from orchestration.bench.generate.world import Org, World
from orchestration.bench.generate.writings import month_end, receipt_writing, register_writing


def province_writing(org_or_index, rng: random.Random) -> str:
    index = org_or_index if isinstance(org_or_index, int) else org_or_index.province
    _, _, _, french, arabic = PROVINCES[index]
    return rng.choice(arabic) if rng.random() < 0.04 else rng.choice(french)


def identifier_writing(org: Org, rng: random.Random, arabic_digits: bool) -> str:
    if org.kind == "coop":
        city, year, seq = org.ident
        return register_writing(city, year, seq, rng, arabic_digits)
    if org.kind == "assoc":
        year, seq = org.ident
        return receipt_writing(year, seq, rng, arabic_digits)
    city, number = org.ident
    return rng.choice([f"RC {city} {number}", f"RC {number} {city}", f"R.C. {city} {number}"])


def amounts_text(amounts: dict[str, float]) -> dict[str, str]:
    """Amounts as exact decimal text (what the loader reads back from the cells)."""
    return {key: f"{value:.2f}" for key, value in amounts.items()}


class DeliveryFiles:
    """The files of one delivery of a world, and what they hold (`files`, `bad`, `violations`,
    `duplicates`)."""

    def __init__(self, world: World, out: Path, seed: int, delivery: int):
        self.world, self.out, self.seed, self.delivery = world, out, seed, delivery
        self.bad: list[dict] = []
        self.violations: list[dict] = []
        self.duplicates: list[dict] = []
        self.files: list[FileTruth] = []
        self.file_rng = random.Random(hash((seed, 99, delivery)))
        self.ministry_date = month_end(BASE_DATE, delivery)
        self.wilaya_period = f"{self.ministry_date:%Y%m}"
        self.chamber_date = self.ministry_date + dt.timedelta(days=1)

    @staticmethod
    def first_delivered_on(month: int) -> dt.date:
        """Date of the delivery of `month`: a project's dates are drawn before its first delivery, so
        the same project shows the same agreement and payment dates in every later file (as a provider's
        register would; a date that moved every month would be a correction every month)."""
        return month_end(BASE_DATE, month)

    def _folder(self, provider: str) -> Path:
        folder = self.out / provider
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def _plant_twins(self, rows: list[list], originals: int, plant, label: str) -> None:
        """Exact copies of lines among the first `originals`: the loader loads each once."""
        for _ in range(plant.count):
            twin = rows[plant.rng.randrange(originals)]
            rows.append(list(twin))
            self.duplicates.append({"file": label, "record": twin[0]})

    def _file(
        self, provider, name, source, fmt, rows, rejected, dups, violations, encoding=None, content=None
    ) -> FileTruth:
        path = self.out / provider / name
        truth = FileTruth(
            provider=provider,
            file=name,
            source=source,
            format=fmt,
            data_rows=rows,
            rejected=rejected,
            duplicates=dups,
            violations=violations,
            encoding=encoding,
            bytes=path.stat().st_size,
            period=re.search(r"_(\d{6,8})[ .]", name).group(1),
            content=content or {},
        )
        self.files.append(truth)
        return truth
