"""The bilan, rebuilt after every publication of the marts."""

import os

import dagster as dg

from orchestration.defs import asset_keys
from orchestration.defs.resources import WarehouseResource
from orchestration.report.queries import marts_read

BILAN_KEY = asset_keys.BILAN


@dg.asset(
    key=BILAN_KEY,
    deps=[asset_keys.published_mart(name) for name in marts_read()],
    group_name="report",
    description="The council's results report (bilan) in French and Arabic, HTML and PDF, in "
    "data/reports/<date>/ and data/reports/latest/ (Arabic edition's digits: TADAMON_REPORT_DIGITS).",
    kinds={"html", "pdf"},
)
def bilan(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    from orchestration.report.build import build_report
    from orchestration.report.numbers import check_digits

    digits = os.environ.get("TADAMON_REPORT_DIGITS") or "western"
    try:
        check_digits(digits)
    except ValueError as error:
        raise ValueError(f"TADAMON_REPORT_DIGITS: {error}") from None
    settings = warehouse.settings()
    warehouse.url()
    written = build_report(settings, digits=digits)
    context.log.info("bilan written: %s", ", ".join(str(p) for p in written))
    return dg.MaterializeResult(
        metadata={
            "folder": dg.MetadataValue.path(str(written[0].parent)),
            "files": [p.name for p in written],
        }
    )
