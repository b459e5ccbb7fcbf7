"""The bilan's PDF editions, each laid out by a process of its own, started before its page exists."""

from __future__ import annotations

from orchestration.report.pdf import PdfJob

PAGE = '<!DOCTYPE html><html lang="fr"><body><p>Bilan</p></body></html>'


def test_a_job_writes_its_pdf_and_leaves_no_page_behind(tmp_path):
    job = PdfJob(str(tmp_path))
    job.lay_out(PAGE, tmp_path / "bilan_fr.pdf")
    assert job.page.exists()
    assert job.wait() is None
    assert (tmp_path / "bilan_fr.pdf").read_bytes()[:5] == b"%PDF-"
    assert not job.page.exists()


def test_a_job_given_no_page_stops_and_writes_nothing(tmp_path):
    job = PdfJob(str(tmp_path))
    assert job.wait() is None
    assert job.process.returncode == 0
    assert list(tmp_path.iterdir()) == []


def test_a_job_that_fails_says_which_file_and_why(tmp_path):
    target = tmp_path / "missing-folder" / "bilan_ar.pdf"
    job = PdfJob(str(tmp_path))
    job.lay_out(PAGE, target)
    failure = job.wait()
    assert failure is not None
    assert f"{target} was not written (WeasyPrint exited with 1)" in failure
    assert "No such file or directory" in failure and "missing-folder" in failure
    assert not job.page.exists()
