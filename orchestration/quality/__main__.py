"""`python -m orchestration.quality`: regenerate the GX project under expectations/gx/ from catalog.py."""

from orchestration.quality.project import build_project

print(f"GX project written to {build_project()}")
