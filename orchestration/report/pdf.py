"""The PDF editions. WeasyPrint lays out an edition's HTML with the system's fonts (through Pango)
and embeds the glyphs it uses. It is pure Python, one core for one edition, so each edition is laid
out by a process of its own (`python -m orchestration.report.pdf BASE_URL`), all at once. The
processes start before the pages exist: loading WeasyPrint takes them about a second, spent while
the caller runs the figures; each then reads `PAGE.html<TAB>TARGET.pdf` on its standard input."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

PDF_TIMEOUT_S = 300  # an edition takes a few seconds at any scale: its pages hold aggregates


class PdfJob:
    """One edition laid out by a child process: started first, handed its page by `lay_out`;
    `wait()` returns once the PDF is written (or, without a page, once the process has stopped)."""

    def __init__(self, base_url: str):
        self.target: Path | None = None
        self.page: Path | None = None
        self.process = subprocess.Popen(
            [sys.executable, "-m", __name__, base_url],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )

    def lay_out(self, html: str, target: Path) -> None:
        self.target = target
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".html", delete=False) as page:
            page.write(html)
        self.page = Path(page.name)
        try:
            self.process.stdin.write(f"{self.page}\t{target}\n")
            self.process.stdin.flush()
        except BrokenPipeError:
            pass  # the process has stopped: wait() says why

    def wait(self) -> str | None:
        """None once the PDF is written (or the process stopped without a page), else what went wrong."""
        try:
            _, errors = self.process.communicate(timeout=PDF_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.communicate()
            return f"{self.target}: WeasyPrint took more than {PDF_TIMEOUT_S} s and was stopped"
        finally:
            if self.page is not None:
                self.page.unlink(missing_ok=True)
        if self.process.returncode != 0:
            return f"{self.target} was not written (WeasyPrint exited with {self.process.returncode}):\n{errors}"
        sys.stderr.write(errors)  # WeasyPrint's warnings, as when it ran in the caller's process
        return None


if __name__ == "__main__":
    import weasyprint

    base_url = sys.argv[1]
    order = sys.stdin.readline().rstrip("\n")
    if order:  # no page: the caller stopped before it had one
        source, target = order.split("\t")
        weasyprint.HTML(string=Path(source).read_text(encoding="utf-8"), base_url=base_url).write_pdf(target)
