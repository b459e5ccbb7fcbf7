"""The http server `tadamon ui` runs beside Dagster: GX's uncommitted/ folder (the offline quality
report, and GX's Data Docs), so the links in the checks' metadata open from the Dagster UI."""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

from orchestration.quality import report


class _QuietHandler(SimpleHTTPRequestHandler):
    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".html": "text/html; charset=utf-8",
        ".css": "text/css; charset=utf-8",
        ".js": "text/javascript; charset=utf-8",
    }

    def log_message(self, format, *args):  # noqa: A002 - the standard library's signature
        pass


def serve_reports(host: str, port: int) -> ThreadingHTTPServer:
    """Serve the reports' folder on host:port in a daemon thread; `.shutdown()` stops it."""
    root = report.REPORT_DIR.parent
    root.mkdir(parents=True, exist_ok=True)
    try:
        server = ThreadingHTTPServer((host, port), functools.partial(_QuietHandler, directory=str(root)))
    except OSError as exc:
        raise OSError(
            f"the quality report's port {host}:{port} is not free ({exc.strerror}): "
            f"choose another with TADAMON_REPORT_PORT=<port>"
        ) from None
    threading.Thread(target=server.serve_forever, daemon=True, name="quality-report").start()
    return server
