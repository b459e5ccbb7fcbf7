"""Freshness: each source declares how often its provider is expected to deliver
(`expected_every_days`); a source whose last delivery is older than that is late."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from orchestration.ingest.definitions import SourceDefinition, load_definitions
from orchestration.warehouse import engine


@dataclass
class Freshness:
    definition: SourceDefinition
    last_received: dt.datetime | None

    def is_late(self, now: dt.datetime) -> bool:
        if self.last_received is None:
            return True
        return now - self.last_received > dt.timedelta(days=self.definition.expected_every_days)

    def describe(self, now: dt.datetime) -> str:
        if self.last_received is None:
            return (
                f"{self.definition.table}: never delivered (expected every {self.definition.expected_every_days} days)"
            )
        age = (now - self.last_received).days
        return (
            f"{self.definition.table}: last delivery {self.last_received:%Y-%m-%d}, {age} days ago "
            f"(expected every {self.definition.expected_every_days} days)"
        )


def source_freshness(url: str) -> list[Freshness]:
    with engine(url).connect() as conn:
        last = dict(
            conn.execute(
                sa.text(
                    "select source_name, max(received_at) from audit.load_file "
                    "where status in ('loaded', 'duplicate') group by source_name"
                )
            ).all()
        )
    return [Freshness(d, last.get(d.table)) for d in load_definitions()]
