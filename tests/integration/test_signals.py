"""A tadamon command ends on SIGTERM even when the process that started it blocked or ignored the
signal (both are inherited across exec): a service manager, a deadline or an operator can stop it.
The case met: a shell script's `tadamon run &` starts it with SIGINT ignored, and Dagster gives
SIGTERM the handler SIGINT has, so neither stopped the run."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

from orchestration.dbt_manifest import prepare_manifest
from tests.conftest import served_url

TADAMON = Path(sys.executable).with_name("tadamon")


def _deaf_to_sigterm_and_sigint() -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})


def test_sigterm_stops_a_serving_command_started_deaf_to_it(tmp_path):
    prepare_manifest()
    process = subprocess.Popen(
        [str(TADAMON), "docs", "--out", str(tmp_path / "dictionary.html"), "--serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_deaf_to_sigterm_and_sigint,
    )
    try:
        served_url(process, "tadamon docs --serve")
        status = Path(f"/proc/{process.pid}/status").read_text()
        ignored = int(re.search(r"SigIgn:\s*([0-9a-f]+)", status).group(1), 16)
        assert not ignored & (1 << (signal.SIGINT - 1)), "SIGINT still ignored"  # dagster dev needs it (tadamon ui)
        process.terminate()
        assert process.wait(timeout=30) == -signal.SIGTERM
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
