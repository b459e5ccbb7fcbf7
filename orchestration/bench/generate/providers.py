"""The files of every provider for one delivery of a world: the ministry's workbooks (`ministry.py`), the
wilaya's CSV files (`wilaya.py`) and the chamber's JSON exports (`chamber.py`), with their quirks, bad
rows, duplicates and rule violations."""

from __future__ import annotations

from orchestration.bench.generate.chamber import ChamberFiles
from orchestration.bench.generate.ministry import MinistryFiles
from orchestration.bench.generate.wilaya import WilayaFiles


class DeliveryWriter(MinistryFiles, WilayaFiles, ChamberFiles):
    """Writes the files of one delivery, one method per file: `register`, `mouazara`, `associations`,
    `indh`, `adherents`, `formations`."""
