"""Bar charts: one row per table row, its label written in HTML (so that the browser or Pango shapes
Arabic and orders it right to left) beside an inline SVG of its bars, which grow from the start of
the line: from the left in French, from the right in Arabic."""

from __future__ import annotations

from decimal import Decimal

from orchestration.report.figures import FigureSpec
from orchestration.report.labels import word
from orchestration.report.numbers import value_of_column
from orchestration.report.texts import COLUMNS

PALETTE = ("#1f6f8b", "#e8a33d", "#6a994e")
BAR_HEIGHT = 8  # SVG units per bar, the viewBox being 100 wide
BAR_GAP = 2


def _amount(value) -> float:
    if value is None:
        return 0.0
    return max(float(Decimal(str(value))), 0.0)


def bar_chart(spec: FigureSpec, rows: list[dict], labels: list[str], lang: str, digits: str) -> dict | None:
    """What the template draws: series (legend) and one item per row with its bars' geometry."""
    if not spec.bars or not rows:
        return None
    top = max(_amount(row.get(c)) for row in rows for c in spec.bars) or 1.0
    rtl = lang == "ar"
    series = [{"name": word(COLUMNS[c], lang), "color": PALETTE[i % len(PALETTE)]} for i, c in enumerate(spec.bars)]
    items = []
    for row, text in zip(rows, labels):
        bars = []
        for i, column in enumerate(spec.bars):
            width = round(100 * _amount(row.get(column)) / top, 3)
            bars.append(
                {
                    "x": round(100 - width, 3) if rtl else 0,
                    "y": i * (BAR_HEIGHT + BAR_GAP),
                    "width": width,
                    "height": BAR_HEIGHT,
                    "color": series[i]["color"],
                    "text": value_of_column(column, row.get(column), lang, digits),
                }
            )
        items.append({"label": text, "bars": bars})
    height = len(spec.bars) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP
    return {"series": series, "bars_rows": items, "height": height}
