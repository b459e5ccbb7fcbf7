"""What a generation wrote (`truth.json`): each file with its rows, set-aside rows and planted rule
violations, and the delivery as a whole."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass
class FileTruth:
    provider: str
    file: str
    source: str
    format: str
    data_rows: int
    rejected: int
    duplicates: int
    violations: int
    encoding: str | None = None
    bytes: int = 0
    period: str = ""
    content: dict = field(default_factory=dict)  # what the marts must show of this file (history truth)

    @property
    def path(self) -> str:
        return f"{self.provider}/{self.file}"


@dataclass
class GeneratedDelivery:
    out: Path
    scale: str
    seed: int
    delivery: int
    organisations: dict
    files: list[FileTruth]
    bad_rows: list[dict] = field(default_factory=list)
    rule_violations: list[dict] = field(default_factory=list)
    duplicates: list[dict] = field(default_factory=list)
    sessions: int = 0
    participations: int = 0
    sales: int = 0
    seconds: float = 0.0

    def file(self, source: str) -> FileTruth:
        return next(f for f in self.files if f.source == source)

    @property
    def total_rows(self) -> int:
        return sum(f.data_rows for f in self.files)

    def to_json(self) -> dict:
        data = asdict(self)
        data["out"] = str(self.out)
        data["total_rows"] = self.total_rows
        return data
