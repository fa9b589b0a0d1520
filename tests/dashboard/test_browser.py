"""The dashboard in real headless Chromium: every page renders, the network draws, filters work,
no script in a name runs. Screenshots go to a tmp dir and /tmp/screens."""

from __future__ import annotations

import pytest
from selenium.common.exceptions import ElementClickInterceptedException, NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from dashboard import ids
from dashboard.app import create_app
from graph.memory import MemoryStore
from tests.dashboard.data import ACTIVE_ON_AS_OF, AS_OF, SCRIPT_NAME, small_dataset
from tests.plugins.browser import (
    dash_errors,
    save_full_screenshot,
    save_screenshot,
    severe_console,
    wait_for,
    wait_for_dash,
)

pytestmark = pytest.mark.browser

PAGES = [("overview", "/"), ("network", "/network"), ("representation", "/representation"),
         ("planner", "/planner")]


@pytest.fixture(scope="module")
def app():
    return create_app(MemoryStore(small_dataset()))


@pytest.fixture
def base_url(app, serve_app):
    return serve_app(app)


def _no_alert(driver) -> None:
    try:
        alert = driver.switch_to.alert
    except NoAlertPresentException:
        return
    text = alert.text
    alert.dismiss()
    raise AssertionError(f"a script ran in the page: alert({text!r})")


def _open(driver, url: str) -> None:
    driver.get(url)
    # the page body arrives through the Pages router callback: wait for its heading too
    wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "#_pages_content h2"),
             message=f"the page at {url}")
    wait_for_dash(driver)


@pytest.mark.parametrize(("name", "path"), PAGES)
def test_every_page_renders_without_errors(chrome_driver, base_url, screenshot_dir, name, path):
    severe_console(chrome_driver)  # drain what earlier tests left
    _open(chrome_driver, base_url + path)
    wait_for(lambda: chrome_driver.find_elements(By.TAG_NAME, "h2"), message=f"{name} heading")
    _no_alert(chrome_driver)
    save_screenshot(chrome_driver, screenshot_dir, f"page-{name}")
    assert dash_errors(chrome_driver) == []
    assert severe_console(chrome_driver) == []
    assert "Traceback" not in chrome_driver.page_source


def test_overview_shows_the_partner_count_at_a_date(chrome_driver, base_url, screenshot_dir):
    _open(chrome_driver, base_url + "/")
    # dash 4 puts the picker's id on its text input
    picker = chrome_driver.find_element(By.ID, ids.OV_DATE)
    picker.send_keys(Keys.CONTROL, "a")
    picker.send_keys(AS_OF, Keys.ENTER)
    chrome_driver.find_element(By.TAG_NAME, "h2").click()  # close the calendar
    wait_for(lambda: AS_OF in chrome_driver.find_element(By.ID, ids.OV_SUMMARY).text,
             message=f"the overview redrawn for {AS_OF}")
    wait_for(lambda: chrome_driver.find_element(By.ID, ids.OV_KPI_PARTNERS).text
             == str(ACTIVE_ON_AS_OF), message=f"{ACTIVE_ON_AS_OF} active partners on {AS_OF}")
    # the world map drew countries from the app's own topojson (no CDN)
    wait_for(lambda: chrome_driver.find_elements(By.CSS_SELECTOR, f"#{ids.OV_MAP} path.choroplethlocation"),
             message="choropleth countries")
    save_screenshot(chrome_driver, screenshot_dir, "overview-as-of")
    assert severe_console(chrome_driver) == []


def test_the_timeline_plays_the_overview_through_the_years(chrome_driver, base_url,
                                                          screenshot_dir):
    _open(chrome_driver, base_url + "/")
    wait_for(lambda: chrome_driver.find_element(By.ID, ids.OV_KPI_PARTNERS).text not in ("", "…"),
             message="the overview drawn")
    slider = chrome_driver.find_element(By.ID, ids.OV_TIMELINE)
    marks = [m.text for m in slider.find_elements(By.CSS_SELECTOR, "*") if m.text.isdigit()]
    assert marks, "the timeline shows its years"
    first = min(int(m) for m in marks)
    chrome_driver.find_element(By.ID, ids.OV_PLAY).click()
    # playing restarts at the first year, then advances a year per tick; each step redraws
    wait_for(lambda: f"{first + 1}-12-31" in chrome_driver.find_element(By.ID, ids.OV_SUMMARY).text,
             timeout=30, message=f"the overview redrawn for the end of {first + 1}")
    assert "Pause" in chrome_driver.find_element(By.ID, ids.OV_PLAY).text
    chrome_driver.find_element(By.ID, ids.OV_PLAY).click()
    wait_for(lambda: "Play" in chrome_driver.find_element(By.ID, ids.OV_PLAY).text,
             message="the play button back to Play after pausing")
    save_screenshot(chrome_driver, screenshot_dir, "overview-timeline")
    assert severe_console(chrome_driver) == []


def test_representation_tables_sort_and_filter(chrome_driver, base_url, screenshot_dir):
    _open(chrome_driver, base_url + "/representation")
    cells = wait_for(lambda: chrome_driver.find_elements(
        By.CSS_SELECTOR, f"#{ids.REP_TABLE} .ag-center-cols-container .ag-row"),
        message="rows in the representation grid")
    before = len(cells)
    assert before > 1
    header = chrome_driver.find_element(
        By.CSS_SELECTOR, f"#{ids.REP_TABLE} .ag-header-cell[col-id='Size'] .ag-header-cell-label")
    header.click()
    wait_for(lambda: chrome_driver.find_elements(
        By.CSS_SELECTOR, f"#{ids.REP_TABLE} .ag-header-cell[col-id='Size'][aria-sort='ascending']"),
        message="the grid sorted by size")
    save_screenshot(chrome_driver, screenshot_dir, "representation-grid")
    assert severe_console(chrome_driver) == []


def _click(driver, element) -> None:
    """Click after scrolling the element to the middle of the window (nothing overlaps it)."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    try:
        element.click()
    except ElementClickInterceptedException:
        # a tooltip or the loading overlay of a redraw lies over it for a moment: click the
        # element itself, which is what a user's click on it does
        driver.execute_script("arguments[0].click();", element)


def _node_count(driver) -> int:
    return int(driver.execute_script(
        "const el = document.getElementById(arguments[0]);"
        "const cy = el && (el._cyreg && el._cyreg.cy);"
        "return cy ? cy.nodes().length : -1;", ids.NET_GRAPH))


def _pick(driver, dropdown_id: str, text: str) -> None:
    """Choose the option containing ``text`` in a dash 4 dropdown (a button with a listbox)."""
    driver.find_element(By.ID, dropdown_id).click()
    option = wait_for(lambda: [o for o in driver.find_elements(By.CSS_SELECTOR, "[role=option]")
                               if text in o.text], message=f"option {text!r} of {dropdown_id}")
    option[0].click()
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)


def test_network_draws_and_a_filter_changes_it(chrome_driver, base_url, screenshot_dir):
    _open(chrome_driver, base_url + "/network")
    wait_for(lambda: chrome_driver.find_elements(By.CSS_SELECTOR, f"#{ids.NET_GRAPH} canvas"),
             message="the cytoscape canvas")
    wait_for(lambda: _node_count(chrome_driver) > 0, message="network nodes")
    before = _node_count(chrome_driver)
    save_screenshot(chrome_driver, screenshot_dir, "network-all")
    _pick(chrome_driver, ids.NET_SECTOR, "Industry")
    wait_for(lambda: 0 < _node_count(chrome_driver) < before, message="fewer nodes after filter")
    after = _node_count(chrome_driver)
    save_screenshot(chrome_driver, screenshot_dir, "network-industry")
    assert after < before
    _no_alert(chrome_driver)
    assert severe_console(chrome_driver) == []


def test_a_script_in_a_name_does_not_run(chrome_driver, base_url, screenshot_dir):
    _open(chrome_driver, base_url + "/network")
    wait_for(lambda: _node_count(chrome_driver) > 0, message="network nodes")
    _pick(chrome_driver, ids.NET_SEARCH, SCRIPT_NAME)
    wait_for(lambda: SCRIPT_NAME in chrome_driver.find_element(By.ID, ids.NET_DETAILS).text,
             message="the details panel showing the name as text")
    _no_alert(chrome_driver)
    save_screenshot(chrome_driver, screenshot_dir, "network-script-name")
    _open(chrome_driver, base_url + "/representation")
    _no_alert(chrome_driver)
    assert chrome_driver.execute_script("return window.__xss === undefined")


def _demo_active_partners_today() -> int:
    """Counted straight from the bundled CSV with the csv module, independent of the loaders."""
    import csv
    import datetime as dt

    from stakeholder_graph.datasets import bundled_path

    today = dt.date.today().isoformat()
    with open(bundled_path("demo") / "partners.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return sum(
        1 for r in rows
        if (r.get("membership") or "Partner").strip().lower() == "partner"
        and (not r["joined"] or r["joined"] <= today) and (not r["left"] or today < r["left"])
    )


def test_demo_overview_shows_the_right_partner_count(chrome_driver, serve_app, screenshot_dir):
    from loaders import read_dataset
    from stakeholder_graph.datasets import bundled_path

    app = create_app(MemoryStore(read_dataset(bundled_path("demo"))))
    base = serve_app(app)
    expected = _demo_active_partners_today()
    assert expected > 100  # the demo is "about 120 partners"
    severe_console(chrome_driver)
    for name, path in PAGES:
        _open(chrome_driver, base + path)
        wait_for(lambda: chrome_driver.find_elements(By.TAG_NAME, "h2"), message=name)
        if name == "overview":
            wait_for(lambda: chrome_driver.find_element(By.ID, ids.OV_KPI_PARTNERS).text
                     == str(expected), message=f"{expected} active demo partners")
            wait_for(lambda: chrome_driver.find_elements(
                By.CSS_SELECTOR, f"#{ids.OV_MAP} path.choroplethlocation"), message="the map")
            save_full_screenshot(chrome_driver, screenshot_dir, "demo-overview-full")
        if name == "network":
            wait_for(lambda: _node_count(chrome_driver) > 100, message="the demo network")
        save_full_screenshot(chrome_driver, screenshot_dir, f"demo-{name}")
        assert dash_errors(chrome_driver) == []
        assert severe_console(chrome_driver) == [], name


def test_a_failing_callback_shows_a_friendly_message(chrome_driver, serve_app, screenshot_dir,
                                                     monkeypatch):
    import sys

    app = create_app(MemoryStore(small_dataset()))
    page = sys.modules["dashboard.pages.overview"]  # the module this app's callbacks run in

    def broken(*_args, **_kwargs):
        raise RuntimeError("internal detail that must stay on the server")

    monkeypatch.setattr(page, "overview", broken)
    base = serve_app(app)
    severe_console(chrome_driver)
    _open(chrome_driver, base + "/")
    alert = wait_for(lambda: [e for e in chrome_driver.find_elements(By.ID, ids.ERROR_ALERT)
                              if e.is_displayed() and e.text], message="the error alert")
    assert "Something went wrong" in alert[0].text
    assert "internal detail" not in chrome_driver.page_source
    assert "Traceback" not in chrome_driver.page_source
    assert dash_errors(chrome_driver) == []
    save_screenshot(chrome_driver, screenshot_dir, "friendly-error")
    assert severe_console(chrome_driver) == []


def test_with_min_cell_the_browser_shows_no_organisation_and_no_derivable_count(
        chrome_driver, serve_app, screenshot_dir):
    from tests.dashboard.privacy_check import (
        leaked,
        map_problems,
        organisation_markers,
        true_country_counts,
    )

    ds = small_dataset()
    url = serve_app(create_app(MemoryStore(ds), min_cell=3))
    markers = organisation_markers(ds)
    severe_console(chrome_driver)
    texts = {}
    for name, path in PAGES:
        _open(chrome_driver, url + path)
        if name == "overview":
            wait_for(lambda: "hidden" in chrome_driver.find_element(By.ID, ids.OV_SUMMARY).text,
                     message="the overview drawn")
        if name == "representation":
            wait_for(lambda: chrome_driver.find_elements(
                By.CSS_SELECTOR, f"#{ids.REP_TABLE} .ag-cell"), message="the representation table")
        texts[name] = chrome_driver.page_source
        save_screenshot(chrome_driver, screenshot_dir, f"min-cell-{name}")
        assert leaked(texts[name], markers) == [], name
    assert "The network is off" in texts["network"]
    assert "The planner is off" in texts["planner"]

    _open(chrome_driver, url + "/")
    picker = chrome_driver.find_element(By.ID, ids.OV_DATE)
    picker.send_keys(Keys.CONTROL, "a")
    picker.send_keys(AS_OF, Keys.ENTER)
    chrome_driver.find_element(By.TAG_NAME, "h2").click()
    wait_for(lambda: AS_OF in chrome_driver.find_element(By.ID, ids.OV_SUMMARY).text,
             message=f"the overview redrawn for {AS_OF}")
    trace = chrome_driver.execute_script(
        "const p = document.querySelector('#' + arguments[0] + ' .js-plotly-plot');"
        "const t = p && p.data && p.data[0];"
        "return t ? {locations: Array.from(t.locations), z: Array.from(t.z)} : null;",
        ids.OV_MAP)
    total = int(chrome_driver.find_element(By.ID, ids.OV_KPI_PARTNERS).text)
    countries = chrome_driver.find_element(By.ID, ids.OV_KPI_COUNTRIES).text
    locations, z = (trace["locations"], trace["z"]) if trace else ([], [])
    assert map_problems(locations, z, true_country_counts(ds, AS_OF), total, 3,
                        countries_shown=countries != "–") == []
    assert severe_console(chrome_driver) == []


def _edge_count(driver) -> int:
    return int(driver.execute_script(
        "const el = document.getElementById(arguments[0]);"
        "const cy = el && (el._cyreg && el._cyreg.cy);"
        "return cy ? cy.edges().length : -1;", ids.NET_GRAPH))


def _downloaded(folder, suffix: str) -> list:
    return [p for p in folder.iterdir() if p.name.endswith(suffix) and p.stat().st_size > 0]


def test_network_backbone_default_all_links_and_downloads(chrome_driver, base_url, screenshot_dir,
                                                          tmp_path):
    chrome_driver.execute_cdp_cmd("Browser.setDownloadBehavior",
                                  {"behavior": "allow", "downloadPath": str(tmp_path)})
    _open(chrome_driver, base_url + "/network")
    wait_for(lambda: _edge_count(chrome_driver) > 0, message="network links")
    caption = wait_for(lambda: chrome_driver.find_element(By.ID, ids.NET_CAPTION).text,
                       message="the strong-tie caption")
    assert "Strong ties: each partner's 3 strongest links" in caption
    strong = _edge_count(chrome_driver)
    save_screenshot(chrome_driver, screenshot_dir, "network-strong-ties")
    _click(chrome_driver, next(e for e in chrome_driver.find_elements(
        By.CSS_SELECTOR, f"#{ids.NET_LINKS} label") if e.text == "All links"))
    wait_for(lambda: _edge_count(chrome_driver) > strong, message="every link after one click")
    assert "Strong ties" not in chrome_driver.find_element(By.ID, ids.NET_CAPTION).text
    save_screenshot(chrome_driver, screenshot_dir, "network-all-links")
    _click(chrome_driver, chrome_driver.find_element(By.ID, ids.NET_EXPORT_GEXF))
    gexf = wait_for(lambda: _downloaded(tmp_path, ".gexf"), message="the GEXF download")
    assert b"<gexf" in gexf[0].read_bytes()
    _click(chrome_driver, chrome_driver.find_element(By.ID, ids.NET_IMAGE_PNG))
    png = wait_for(lambda: _downloaded(tmp_path, ".png"), message="the PNG of the view")
    assert png[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    _click(chrome_driver, chrome_driver.find_element(By.ID, ids.NET_IMAGE_SVG))
    svg = wait_for(lambda: _downloaded(tmp_path, ".svg"), message="the SVG of the view")
    assert b"<svg" in svg[0].read_bytes()[:400]
    assert dash_errors(chrome_driver) == []
    assert severe_console(chrome_driver) == []
