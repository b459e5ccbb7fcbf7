"""A tadamon command ends on SIGTERM even when the process that started it blocked or ignored the
signal (both are inherited across exec): a service manager, a deadline or an operator can stop it.
The case met: a shell script's `tadamon run &` starts it with SIGINT ignored, and Dagster gives
SIGTERM the handler SIGINT has, so neither stopped the run."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from orchestration.defs.transform.project import prepare_manifest

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
        url, deadline = None, time.monotonic() + 120
        while url is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            assert line or process.poll() is None, process.stderr.read()
            found = re.search(r"http://\S+", line)
            url = found.group(0) if found else None
        assert url, "tadamon docs --serve printed no URL within 120 s"
        status = Path(f"/proc/{process.pid}/status").read_text()
        ignored = int(re.search(r"SigIgn:\s*([0-9a-f]+)", status).group(1), 16)
        assert not ignored & (1 << (signal.SIGINT - 1)), "SIGINT still ignored"  # dagster dev needs it (tadamon ui)
        process.terminate()
        assert process.wait(timeout=30) == -signal.SIGTERM
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
