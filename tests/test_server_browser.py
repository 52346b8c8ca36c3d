"""The pages in a real headless Chromium: the YASGUI query page (examples, permalinks,
downloads, pasteable IRIs, offline, layout) and the evidence page, over the real graph and
its real example queries. The screenshots in docs/img/ are taken here, so they cannot drift
from the pages: `IL2KG_SCREENSHOTS=docs/img` writes them there (a plain run writes them under
pytest's temporary directory and leaves the checkout as it was)."""

from __future__ import annotations

import csv
import io
import json
import os
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import NamedNode, Store

from il2kg.iris import prefixes
from il2kg.paths import QUERIES_DIR

from .server_fixtures import EXAMPLES, wait_until

ROOT = Path(__file__).parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
        reason="Debian's chromium and chromium-driver are not installed (.ci/run installs them)",
    ),
]
EDITOR = "return document.querySelector('.CodeMirror').CodeMirror"
RESOURCE = "https://w3id.org/il2kg/resource/"


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory, downloads: Path) -> Iterator[object]:
    """A headless Chromium driven by chromedriver, with a fresh profile and no network extras;
    it logs every request it makes and saves downloads to `downloads`."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    driver.set_page_load_timeout(30)
    driver.set_window_size(1400, 1000)
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: $IL2KG_SCREENSHOTS (docs/img to refresh the docs), else a
    temporary directory."""
    chosen = os.environ.get("IL2KG_SCREENSHOTS")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def screenshot(browser: object, folder: Path, name: str) -> Path:
    """Save the browser's window as NAME.png in `folder`."""
    path = folder / f"{name}.png"
    assert browser.save_screenshot(str(path)), f"could not save {path}"
    return path


def _open(browser: object, url: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.wait import WebDriverWait

    browser.get(url)
    WebDriverWait(browser, 20).until(
        lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready")
    )


def _rows(browser: object) -> tuple[list[str], list[list[str]]]:
    """The result table's headers and cells, once it shows."""
    from selenium.webdriver.support.wait import WebDriverWait

    WebDriverWait(browser, 20).until(
        lambda d: d.execute_script("return document.querySelector('.yasr table tbody tr')")
    )
    return browser.execute_script("""
      const table = document.querySelector('.yasr table');
      const text = (cells) => Array.from(cells).map((c) => c.textContent.trim());
      return [text(table.querySelectorAll('thead th')),
              Array.from(table.querySelectorAll('tbody tr')).map((r) => text(r.cells))];""")


def _run(browser: object) -> None:
    from selenium.webdriver.common.by import By

    browser.find_element(By.CSS_SELECTOR, ".yasqe_queryButton").click()


def _titles(direct: Store) -> set[str]:
    return {
        s["title"].value
        for s in direct.query(EXAMPLES["publications"], use_default_graph_as_union=True)
    }


def test_example_runs_in_one_click_and_shows_its_rows(
    browser: object, endpoint: str, direct: Store
) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, f"{endpoint}/")
    buttons = browser.find_elements(By.CSS_SELECTOR, "nav button[data-example]")
    assert sorted(b.get_attribute("data-example") for b in buttons) == sorted(EXAMPLES)
    next(b for b in buttons if b.get_attribute("data-example") == "publications").click()
    headers, rows = _rows(browser)
    assert headers[-2:] == ["publication", "title"]
    assert {row[-1] for row in rows} == _titles(direct)
    assert browser.execute_script(EDITOR + ".getValue()") == EXAMPLES["publications"]


def test_the_url_is_a_permalink(browser: object, endpoint: str, direct: Store) -> None:
    """Running a query puts it in the URL; opening that URL brings the query back. (An
    example link runs its query as it opens: clicking Run then would stop it.)"""
    _open(browser, f"{endpoint}/?example=publications")
    _rows(browser)
    shared = urllib.parse.parse_qs(urllib.parse.urlsplit(browser.current_url).query)
    assert shared["query"] == [EXAMPLES["publications"]]
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    _open(browser, f"{endpoint}/?" + urllib.parse.urlencode({"query": query}))
    assert browser.execute_script(EDITOR + ".getValue()") == query
    _run(browser)
    _, rows = _rows(browser)
    assert len(rows) == len(list(direct.query(query)))


def test_result_iris_paste_back_into_a_query_and_link_to_their_pages(
    browser: object, endpoint: str, direct: Store
) -> None:

    query = (
        "PREFIX il2kg: <https://w3id.org/il2kg/ontology/>\n"
        "SELECT DISTINCT ?outcome ?category WHERE { ?outcome il2kg:hasCategory ?category }\n"
        "ORDER BY ?outcome LIMIT 30"
    )  # one page of the table
    _open(browser, f"{endpoint}/?" + urllib.parse.urlencode({"query": query}))
    _run(browser)
    _rows(browser)
    links = browser.execute_script(
        "return Array.from(document.querySelectorAll('.yasr table a.iri'))"
        ".map((a) => [a.textContent, a.href])"
    )
    assert links
    declared = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes().items())
    shown = {}
    for text, href in links:
        [solution] = direct.query(f"{declared}SELECT ?x WHERE {{ VALUES ?x {{ {text} }} }}")
        iri = solution["x"].value
        shown[iri] = href
        local = iri.startswith(RESOURCE)
        assert href == (f"{endpoint}/resource/{iri[len(RESOURCE) :]}" if local else iri)
    want = {
        str(s[v].value)
        for s in direct.query(query, use_default_graph_as_union=True)
        for v in ("outcome", "category")
    }
    assert set(shown) == want
    assert any("/" in iri[len(RESOURCE) :] for iri in shown if iri.startswith(RESOURCE))
    outcome = next(iri for iri in shown if iri.startswith(RESOURCE))
    browser.get(shown[outcome])
    assert NamedNode(outcome).value in browser.page_source


def _downloaded(folder: Path, suffix: str) -> Path:
    """The file with `suffix` once Chromium has finished writing it: Chromium creates the
    final name empty first and renames its `.crdownload` over it at the end."""

    def found() -> list[Path]:
        names = list(folder.iterdir())
        if any(p.suffix == ".crdownload" for p in names):
            return []
        return [p for p in names if p.suffix == suffix and p.stat().st_size > 0]

    wait_until(found, f"a {suffix} file is downloaded into {folder}", seconds=20)
    return found()[0]


def test_results_download_as_csv_and_json(
    browser: object, endpoint: str, direct: Store, downloads: Path
) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, f"{endpoint}/?example=publications")  # it runs as it opens
    _rows(browser)
    browser.find_element(By.CSS_SELECTOR, ".yasr_downloadIcon").click()
    text = _downloaded(downloads, ".csv").read_text(encoding="utf-8")
    header, *rows = csv.reader(io.StringIO(text))
    assert header == ["publication", "title"] and {r[1] for r in rows} == _titles(direct)
    browser.find_element(By.CSS_SELECTOR, ".yasr .select_response").click()
    browser.find_element(By.CSS_SELECTOR, ".yasr_downloadIcon").click()
    result = json.loads(_downloaded(downloads, ".json").read_text(encoding="utf-8"))
    assert {b["title"]["value"] for b in result["results"]["bindings"]} == _titles(direct)


def test_page_shows_a_syntax_error(browser: object, endpoint: str) -> None:
    from selenium.webdriver.support.wait import WebDriverWait

    _open(browser, f"{endpoint}/")
    browser.execute_script(EDITOR + ".setValue('SELECT * WHERE {')")
    _run(browser)
    message = WebDriverWait(browser, 20).until(
        lambda d: d.execute_script(
            "const e = document.querySelector('.yasr .errorResult'); return e && e.textContent"
        )
    )
    assert "syntax error" in message and "1:17" in message  # the parser's message, line:column


def test_page_reaches_no_other_server(browser: object, endpoint: str) -> None:
    """Every request the page makes, including running an example, goes to this server."""
    from selenium.webdriver.common.by import By

    for kind in ("performance", "browser"):
        browser.get_log(kind)  # drop what earlier tests logged
    _open(browser, f"{endpoint}/")
    browser.find_element(By.CSS_SELECTOR, "nav button[data-example]").click()
    _rows(browser)
    urls = [
        json.loads(e["message"])["message"]["params"]["request"]["url"]
        for e in browser.get_log("performance")
        if json.loads(e["message"])["message"]["method"] == "Network.requestWillBeSent"
    ]
    assert any(u.endswith("/static/yasgui/yasgui.min.js") for u in urls)
    assert all(u.startswith(endpoint + "/") or u.startswith("data:") for u in urls), urls
    errors = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors


LAYOUT = """
  const box = (e) => e.getBoundingClientRect();
  const buttons = box(document.querySelector('.yasqe_buttons'));
  const range = document.createRange();
  range.selectNodeContents(document.querySelector('.CodeMirror-line'));
  const firstLine = Array.from(range.getClientRects());
  const row = document.querySelector('.yasr table tbody tr');
  const number = box(row.cells[0].querySelector('.rowNumber'));
  range.selectNodeContents(row.cells[1].firstElementChild);
  const firstCell = box(range);
  const cut = Array.from(document.querySelectorAll('.yasr table th .dt-column-title'))
    .filter((t) => t.scrollWidth > t.clientWidth + 1).map((t) => t.textContent);
  const cells = Array.from(document.querySelectorAll('.yasr table tbody td'))
    .map((td) => td.textContent);
  const pager = Array.from(document.querySelectorAll('.dt-paging-button')).map((b) => box(b).top);
  return {underButtons: firstLine.filter((r) => r.right > buttons.left && r.top < buttons.bottom)
            .length,
          numberRight: number.right, cellLeft: firstCell.left, cut, cells, pager};
"""


def test_real_query_page_example_link_runs_and_reads_well(
    browser: object, release_endpoint: str, shots: Path
) -> None:
    """/?example=NAME opens and runs it; numbers are plain values; nothing is cut or
    overlapped; the pager is one row. The screenshot is docs/img/query-page.png."""
    from selenium.webdriver.common.by import By

    _open(browser, f"{release_endpoint}/?example=adverse-events")
    buttons = browser.find_elements(By.CSS_SELECTOR, "#example-list button[data-example]")
    assert len(buttons) == len(list(QUERIES_DIR.glob("*.rq")))
    current = [
        b.get_attribute("data-example")
        for b in buttons
        if b.get_attribute("aria-current") == "true"
    ]
    assert current == ["adverse-events"]
    _rows(browser)  # it ran without a click
    layout = browser.execute_script(LAYOUT)
    assert layout["underButtons"] == 0
    assert layout["numberRight"] < layout["cellLeft"]
    assert layout["cut"] == []
    assert "270" in layout["cells"] and not any("^^" in c or '"' in c for c in layout["cells"])
    assert layout["pager"] and len(set(layout["pager"])) == 1
    screenshot(browser, shots, "query-page")


def test_evidence_page_shows_plots_and_table(
    browser: object, release_endpoint: str, shots: Path
) -> None:
    """One title; plot text readable at page width; wide cells; the context of outcomes a
    cohort was selected on says so. The screenshot is docs/img/evidence-page.png."""
    from selenium.webdriver.common.by import By

    browser.set_window_size(1400, 1800)
    browser.get(f"{release_endpoint}/evidence")
    plots = browser.find_elements(By.CSS_SELECTOR, "figure.forest svg")
    assert plots and all(p.size["width"] > 400 and p.size["height"] > 100 for p in plots)
    smallest = browser.execute_script("""
      const svg = document.querySelector('figure.forest svg');
      const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
      return Math.min(...Array.from(svg.querySelectorAll('text'))
        .map((t) => parseFloat(getComputedStyle(t).fontSize) * scale));""")
    assert smallest >= 11, f"plot text {smallest:.1f} px"
    page = browser.page_source
    assert page.count("Response outcomes") == 1 and "high-dose IL-2</h1>" not in page
    assert "†" not in page and "how the cohort was selected" in page
    cohort = browser.find_element(By.CSS_SELECTOR, "table.evidence tr td:nth-child(2)")
    assert cohort.size["width"] >= 200
    rows = browser.find_elements(By.CSS_SELECTOR, "table.evidence tr td:last-child a")
    assert rows
    first = rows[0].get_attribute("href")
    assert screenshot(browser, shots, "evidence-page").stat().st_size > 10_000
    rows[0].click()
    assert browser.current_url == first and "/outcome/" in first
    browser.set_window_size(1400, 1000)
