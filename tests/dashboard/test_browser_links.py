"""Direct links on the network page in real headless Chromium: their own view, then a dashed
layer over co-participation."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from dashboard import ids
from dashboard.app import create_app
from dashboard.network_view import DIRECT_CLASS
from graph.memory import MemoryStore
from tests.dashboard.test_browser import _click, _edge_count, _open
from tests.dashboard.test_network_links import linked_dataset
from tests.plugins.browser import dash_errors, save_screenshot, severe_console, wait_for

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def links_app():
    return create_app(MemoryStore(linked_dataset()))


@pytest.fixture
def links_url(links_app, serve_app):
    return serve_app(links_app)


def _direct_edges(driver) -> int:
    return int(driver.execute_script(
        "const el = document.getElementById(arguments[0]);"
        "const cy = el && (el._cyreg && el._cyreg.cy);"
        "return cy ? cy.edges('.' + arguments[1]).length : -1;", ids.NET_GRAPH, DIRECT_CLASS))


def _label(driver, container: str, text: str):
    return next(e for e in driver.find_elements(By.CSS_SELECTOR, f"#{container} label")
                if e.text.startswith(text))


def test_direct_links_view_and_layer(chrome_driver, links_url, screenshot_dir):
    severe_console(chrome_driver)  # drain what earlier tests left
    _open(chrome_driver, links_url + "/network")
    wait_for(lambda: _edge_count(chrome_driver) > 0, message="the co-participation links")
    assert _direct_edges(chrome_driver) == 0

    _click(chrome_driver, _label(chrome_driver, ids.NET_MODE, "Direct links"))
    # today both open links are active: p01-p03 (a grant and a collaboration) and p01-p08
    wait_for(lambda: _edge_count(chrome_driver) == 2, message="the two direct links")
    summary = chrome_driver.find_element(By.ID, ids.NET_SUMMARY).text
    assert "2 direct links active on the last day" in summary
    save_screenshot(chrome_driver, screenshot_dir, "network-direct-links")

    _click(chrome_driver, _label(chrome_driver, ids.NET_MODE, "Partners who meet"))
    wait_for(lambda: _edge_count(chrome_driver) > 2, message="co-participation again")
    plain = _edge_count(chrome_driver)
    _click(chrome_driver, _label(chrome_driver, ids.NET_LINK_LAYER, "Direct links over"))
    wait_for(lambda: _direct_edges(chrome_driver) == 2, message="the dashed layer")
    assert _edge_count(chrome_driver) == plain + 2
    style = chrome_driver.execute_script(
        "const cy = document.getElementById(arguments[0])._cyreg.cy;"
        "return cy.edges('.' + arguments[1])[0].style('line-style');", ids.NET_GRAPH,
        DIRECT_CLASS)
    assert style == "dashed"
    save_screenshot(chrome_driver, screenshot_dir, "network-direct-layer")
    assert dash_errors(chrome_driver) == []
    assert severe_console(chrome_driver) == []
