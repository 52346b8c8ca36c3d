"""The query page in a real headless Chromium: load it, pick an example, run it, see rows."""


from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import Store

from .server_fixtures import EXAMPLES

ROOT = Path(__file__).parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="Debian's chromium and chromium-driver are not installed (.ci/run installs them)",
)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A headless Chromium driven by chromedriver, with a fresh profile and no network extras."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def test_page_runs_an_example_and_shows_its_rows(browser: object, endpoint: str,
                                                 direct: Store) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.select import Select
    from selenium.webdriver.support.wait import WebDriverWait

    browser.get(f"{endpoint}/")
    wait = WebDriverWait(browser, 20)
    wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready"))
    choices = Select(browser.find_element(By.ID, "examples"))
    assert sorted(o.get_attribute("value") for o in choices.options[1:]) == sorted(EXAMPLES)
    choices.select_by_value("publications")
    assert "il2kg:Publication" in browser.find_element(By.ID, "query").get_attribute("value")
    browser.find_element(By.ID, "run").click()
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#results table"))
    cells = browser.find_elements(By.CSS_SELECTOR, "#results table tr")
    headers = [th.text for th in cells[0].find_elements(By.TAG_NAME, "th")]
    assert headers == ["publication", "title"]
    want = {s["title"].value for s in direct.query(EXAMPLES["publications"],
                                                     use_default_graph_as_union=True)}
    shown = {row.find_elements(By.TAG_NAME, "td")[1].text for row in cells[1:]}
    assert want and shown == want


def test_page_shows_a_syntax_error(browser: object, endpoint: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.wait import WebDriverWait

    browser.get(f"{endpoint}/")
    editor = browser.find_element(By.ID, "query")
    editor.clear()
    editor.send_keys("SELECT * WHERE {")
    browser.find_element(By.ID, "run").click()
    status = WebDriverWait(browser, 20).until(
        lambda d: d.find_element(By.CSS_SELECTOR, "#status.error"))
    assert "400" in status.text and "syntax error" in status.text


def screenshot(browser: object, name: str) -> Path:
    """Save the browser's window as build/screenshots/NAME.png (or under $IL2KG_SCREENSHOTS)."""
    folder = Path(os.environ.get("IL2KG_SCREENSHOTS", ROOT / "build" / "screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    assert browser.save_screenshot(str(path)), f"could not save {path}"
    return path


def test_evidence_page_shows_plots_and_table(browser: object, endpoint: str) -> None:
    from selenium.webdriver.common.by import By

    browser.set_window_size(1400, 1800)
    browser.get(f"{endpoint}/evidence")
    plots = browser.find_elements(By.CSS_SELECTOR, "figure.forest svg")
    assert plots and all(p.size["width"] > 400 and p.size["height"] > 100 for p in plots)
    rows = browser.find_elements(By.CSS_SELECTOR, "table.evidence tr td:last-child a")
    assert rows
    first = rows[0].get_attribute("href")
    assert screenshot(browser, "evidence").stat().st_size > 10_000
    rows[0].click()
    assert browser.current_url == first and "/outcome/" in first
