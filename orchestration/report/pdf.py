"""The PDF editions. WeasyPrint lays out an edition's HTML with the system's fonts (through Pango)
and embeds the glyphs it uses. It is pure Python, one core for one edition, so each edition is laid
out by a process of its own (`python -m orchestration.report.pdf PAGE.html TARGET.pdf BASE_URL`),
all at once, while the caller goes on with the HTML files."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

PDF_TIMEOUT_S = 300  # an edition takes a few seconds at any scale: its pages hold aggregates


def write_pdf(html: str, target: Path, base_url: str) -> None:
    import weasyprint

    weasyprint.HTML(string=html, base_url=base_url).write_pdf(target)


class PdfJob:
    """One edition laid out in a child process; `wait()` returns when its PDF is written."""

    def __init__(self, html: str, target: Path, base_url: str):
        self.target = target
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".html", delete=False) as page:
            page.write(html)
        self.page = Path(page.name)
        self.process = subprocess.Popen(
            [sys.executable, "-m", __name__, str(self.page), str(target), base_url],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )

    def wait(self) -> str | None:
        """None once the PDF is written, else what went wrong."""
        try:
            _, errors = self.process.communicate(timeout=PDF_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.communicate()
            return f"{self.target}: WeasyPrint took more than {PDF_TIMEOUT_S} s and was stopped"
        finally:
            self.page.unlink(missing_ok=True)
        if self.process.returncode != 0:
            return f"{self.target} was not written (WeasyPrint exited with {self.process.returncode}):\n{errors}"
        sys.stderr.write(errors)  # WeasyPrint's warnings, as when it ran in this process
        return None


if __name__ == "__main__":
    source, target, base_url = sys.argv[1:]
    write_pdf(Path(source).read_text(encoding="utf-8"), Path(target), base_url)
