"""Whether a process is alive, for the parts that find a pid in a file or a tag (dbt's early parses,
runs killed mid-night, the embedded server). Imports nothing heavy: the light commands use it."""

from __future__ import annotations

import os


def process_alive(pid: int) -> bool:
    """True when a process has this pid (one we may not signal counts: it exists)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
