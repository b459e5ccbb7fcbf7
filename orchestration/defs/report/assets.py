"""The bilan, rebuilt after every publication of the marts."""

import dagster as dg

from orchestration.defs.resources import WarehouseResource
from orchestration.report.queries import marts_read

BILAN_KEY = dg.AssetKey(["report", "bilan"])


@dg.asset(
    key=BILAN_KEY,
    deps=[dg.AssetKey(["marts", name]) for name in marts_read()],
    group_name="report",
    description="The council's results report (bilan) in French and Arabic, HTML and PDF, in "
    "data/reports/<date>/ and data/reports/latest/.",
    kinds={"html", "pdf"},
)
def bilan(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    from orchestration.report.build import build_report

    settings = warehouse.settings()
    warehouse.url()
    written = build_report(settings)
    context.log.info("bilan written: %s", ", ".join(str(p) for p in written))
    return dg.MaterializeResult(metadata={
        "folder": dg.MetadataValue.path(str(written[0].parent)),
        "files": [p.name for p in written],
    })
