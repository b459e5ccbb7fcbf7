"""The drop box in a real browser (Debian's chromium, driven by Selenium through Debian's
chromedriver; nothing is downloaded): sign in, upload a sample delivery, read the dry run, confirm,
run the nightly load, read the final receipt; the Arabic pages are right to left.

With TADAMON_DROPBOX_SHOTS=<folder>, screenshots of the upload and receipt pages in both languages
are written there."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from orchestration.dropbox.accounts import add_user, ensure_schema
from orchestration.dropbox.app import Context
from orchestration.scaffold.check import check_file
from tests.conftest import deliver_samples
from tests.dropbox.conftest import PASSWORD, Site, dropbox_config, poll, sample, serve

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
TIMEOUT = 30

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason=f"browser tests need Debian's chromium and chromium-driver ({CHROMIUM}, {CHROMEDRIVER}): "
    "apt-get install chromium chromium-driver",
)


@pytest.fixture
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1280,1100",
        "--lang=fr",
    ):
        options.add_argument(argument)
    # an explicit driver path: Selenium Manager is not asked to find (or download) anything
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.implicitly_wait(0)
    try:
        yield driver
    finally:
        driver.quit()


def shot(driver, name: str) -> None:
    folder = os.environ.get("TADAMON_DROPBOX_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(Path(folder) / f"{name}.png"))


def text_of(driver, element_id: str) -> str:
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    from selenium.webdriver.common.by import By

    def found():
        try:
            elements = driver.find_elements(By.ID, element_id)
            return elements[0].text if elements else None
        except WebDriverException as exc:  # the page was replaced between finding and reading: look again
            if isinstance(exc, StaleElementReferenceException) or "does not belong to the document" in str(exc):
                return None
            raise

    return poll(found, f"#{element_id} on {driver.current_url}", TIMEOUT)


@pytest.mark.slow
def test_a_provider_uploads_confirms_and_reads_the_receipt_in_french_and_arabic(warehouse, browser):
    import dagster as dg
    from selenium.webdriver.common.by import By

    from orchestration.dbt_manifest import prepare_manifest
    from orchestration.pipeline import run_load

    settings = warehouse
    ensure_schema(settings.warehouse_url)
    for login, provider in (("amina@wilaya", "wilaya"), ("karim@chambre", "chambre")):
        add_user(settings.warehouse_url, login, provider, PASSWORD, {"wilaya", "chambre"})
    # the other deliveries of the night arrive the usual way; the wilaya's projects come by the drop box
    deliver_samples(settings, ("ministere", "chambre"))
    path = sample("wilaya", "wilaya_indh_agr")
    (settings.incoming_dir / "wilaya").mkdir(parents=True)
    associations = sample("wilaya", "wilaya_jamiyat")
    shutil.copyfile(associations, settings.incoming_dir / "wilaya" / associations.name)
    expected = check_file("wilaya", path)
    assert (expected.rows_loaded, expected.rows_rejected) == (150, 1)

    ctx = Context(settings, settings.warehouse_url, dropbox_config(max_upload_bytes=10 << 20))
    with serve(ctx) as base:
        browser.get(f"{base}/connexion")
        browser.find_element(By.ID, "login").send_keys("amina@wilaya")
        browser.find_element(By.ID, "password").send_keys(PASSWORD)
        browser.find_element(By.ID, "sign-in").click()
        poll(lambda: browser.current_url.endswith("/envoyer"), "the upload page after signing in", TIMEOUT)
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("dir") == "ltr"
        shot(browser, "upload-fr")

        browser.find_element(By.ID, "file").send_keys(str(path))
        browser.find_element(By.ID, "check").click()
        assert text_of(browser, "check-status") == "serait chargé"
        assert text_of(browser, "check-rows-loaded") == "150"
        assert text_of(browser, "check-rows-rejected") == "1"
        line, _, reason = expected.set_aside[0]
        assert line in text_of(browser, "check-set-aside") and reason in text_of(browser, "check-set-aside")
        assert not list((settings.incoming_dir / "wilaya").glob("wilaya_indh_agr*"))
        shot(browser, "check-fr")

        browser.find_element(By.ID, "confirm").click()
        poll(lambda: text_of(browser, "stage") == "envoyé, en attente du chargement", "the confirmation", TIMEOUT)
        assert (settings.incoming_dir / "wilaya" / path.name).read_bytes() == path.read_bytes()

        prepare_manifest()
        with dg.DagsterInstance.ephemeral() as instance:
            summary = run_load(settings, instance)
        assert summary.success, summary.failure

        browser.refresh()
        assert text_of(browser, "stage") == "chargé"
        assert text_of(browser, "receipt-rows-loaded") == "150"
        assert text_of(browser, "receipt-rows-rejected") == "1"
        assert reason in text_of(browser, "receipt-set-aside")
        page = browser.find_element(By.TAG_NAME, "main").text
        for row in expected.preview:  # the rows' values are not shown back, only what the receipt says
            for column in ("project_code", "holder_name", "title"):
                assert row[column] not in page, (column, row[column])
        shot(browser, "receipt-fr")
        # the receipt as a file, for its provider only
        site = Site(base, ctx)
        receipt_url = browser.find_element(By.ID, "receipt-download").get_attribute("href")
        text = site.client("amina@wilaya").get(receipt_url)
        assert text.status_code == 200 and "Lignes chargées : 150" in text.text
        assert f"Accusé de réception — wilaya — {path.name}" in text.text
        assert site.client("karim@chambre").get(receipt_url).status_code == 404
        assert site.client("karim@chambre").get(receipt_url.removesuffix("/accuse.txt")).status_code == 404
        browser.find_element(By.ID, "nav-deliveries").click()
        assert "chargé" in text_of(browser, "deliveries")

        browser.back()
        browser.find_element(By.ID, "lang-ar").click()
        poll(
            lambda: browser.find_element(By.TAG_NAME, "html").get_attribute("dir") == "rtl", "the Arabic page", TIMEOUT
        )
        assert browser.execute_script("return getComputedStyle(document.body).direction") == "rtl"
        assert text_of(browser, "stage") == "تم تحميله"
        assert text_of(browser, "receipt-rows-loaded") == "150"
        # right to left: the brand is on the right of the header, the navigation on its left
        brand = browser.find_element(By.CSS_SELECTOR, "header .brand").rect
        nav = browser.find_element(By.CSS_SELECTOR, "header nav").rect
        assert brand["x"] > nav["x"]
        shot(browser, "receipt-ar")
        browser.find_element(By.ID, "nav-upload").click()
        poll(lambda: browser.current_url.endswith("/envoyer"), "the Arabic upload page", TIMEOUT)
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ar"
        assert "إرسال ملف" in browser.find_element(By.TAG_NAME, "h1").text
        shot(browser, "upload-ar")
