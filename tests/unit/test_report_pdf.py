"""The bilan's PDF editions, each laid out by a process of its own."""

from __future__ import annotations

from orchestration.report.pdf import PdfJob

PAGE = '<!DOCTYPE html><html lang="fr"><body><p>Bilan</p></body></html>'


def test_a_job_writes_its_pdf_and_leaves_no_page_behind(tmp_path):
    job = PdfJob(PAGE, tmp_path / "bilan_fr.pdf", str(tmp_path))
    assert job.page.exists()
    assert job.wait() is None
    assert (tmp_path / "bilan_fr.pdf").read_bytes()[:5] == b"%PDF-"
    assert not job.page.exists()


def test_a_job_that_fails_says_which_file_and_why(tmp_path):
    target = tmp_path / "missing-folder" / "bilan_ar.pdf"
    job = PdfJob(PAGE, target, str(tmp_path))
    failure = job.wait()
    assert failure is not None
    assert f"{target} was not written (WeasyPrint exited with 1)" in failure
    assert "No such file or directory" in failure and "missing-folder" in failure
    assert not job.page.exists()
