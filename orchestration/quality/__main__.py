"""`python -m orchestration.quality [--sources DIR] [--expectations DIR]`: regenerate the GX project
(<expectations>/gx/) from the catalog: the suites of the sources in <sources> and of the marts."""

import argparse
from pathlib import Path

from orchestration.quality.project import PROJECT_ROOT, build_project
from orchestration.settings import SOURCES_DIR

parser = argparse.ArgumentParser(prog="python -m orchestration.quality", description=__doc__)
parser.add_argument("--sources", type=Path, default=SOURCES_DIR, help="the source definitions (default: sources/)")
parser.add_argument(
    "--expectations", type=Path, default=PROJECT_ROOT, help="the folder of the GX project (default: expectations/)"
)
args = parser.parse_args()
print(f"GX project written to {build_project(project_root=args.expectations, sources_dir=args.sources)}")
