"""pytest plugin: serve a dashboard on a free loopback port and drive it in headless Chromium.

Fixtures
--------
``chrome_driver`` (session)
    A selenium Chrome driver on Debian's ``/usr/bin/chromium`` and ``/usr/bin/chromedriver``
    with a fresh profile. Missing binaries are a **failure** with a clear message, never a skip.
``serve_app`` (function)
    ``serve_app(app) -> base_url``: serves a Dash app with the dashboard's server (a Flask app
    with werkzeug) in a
    background thread for the duration of the test.
``screenshot_dir`` (session)
    A tmp dir for the run's screenshots; :func:`save_screenshot` also copies each into
    ``/tmp/screens`` so a human can look at them.

Helpers: :func:`wait_for`, :func:`wait_for_dash`, :func:`severe_console`, :func:`dash_errors`.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("STAKEHOLDER_GRAPH_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("STAKEHOLDER_GRAPH_CHROMEDRIVER", "/usr/bin/chromedriver")
SCREENS = Path(os.environ.get("STAKEHOLDER_GRAPH_SCREENS", "/tmp/screens"))
CHROME_ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1440,1000",
)


def _missing_browser() -> str | None:
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not (Path(p).is_file() and os.access(p, os.X_OK))]
    if not missing:
        return None
    return (
        f"headless browser tests need {' and '.join(missing)}: install Debian's "
        "`chromium` and `chromium-driver` (apt-get install chromium chromium-driver), or set "
        "STAKEHOLDER_GRAPH_CHROMIUM / STAKEHOLDER_GRAPH_CHROMEDRIVER"
    )


@pytest.fixture(scope="session")
def chrome_driver() -> Iterator[Any]:
    problem = _missing_browser()
    if problem:
        pytest.fail(problem, pytrace=False)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="sg-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in CHROME_ARGS:
        options.add_argument(arg)
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


class _ServerThread(threading.Thread):
    """A Dash app on the dashboard's own production server (waitress), a bare Flask app on
    werkzeug; port 0, so the OS picks a free port and parallel runs never collide."""

    def __init__(self, app: Any):
        super().__init__(daemon=True)
        if hasattr(app, "server"):
            from dashboard.server import make_server

            self.server: Any = make_server(app, host="127.0.0.1", port=0, threads=4)
        else:
            from werkzeug.serving import make_server as werkzeug_server

            self.server = werkzeug_server("127.0.0.1", 0, app, threaded=True)
        self.port = self.server.server_port

    def run(self) -> None:
        self.server.serve_forever()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def serve_app() -> Iterator[Callable[[Any], str]]:
    threads: list[_ServerThread] = []

    def start(app: Any) -> str:
        thread = _ServerThread(app)
        thread.start()
        threads.append(thread)
        return f"http://127.0.0.1:{thread.port}"

    yield start
    for thread in threads:
        thread.stop()


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("screens")


def save_screenshot(driver: Any, directory: Path, name: str) -> Path:
    """Save a PNG into ``directory`` and copy it into /tmp/screens for a human to look at."""
    path = directory / f"{name}.png"
    driver.save_screenshot(str(path))
    try:
        SCREENS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, SCREENS / path.name)
    except OSError:
        pass  # the copy is a convenience; the test's own tmp dir has the file
    return path


def save_full_screenshot(driver: Any, directory: Path, name: str) -> Path:
    """The whole scrollable page in one PNG (Chrome DevTools), without resizing the window."""
    import base64

    metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
    size = metrics.get("cssContentSize") or metrics["contentSize"]
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True, "fromSurface": True,
        "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1},
    })
    path = directory / f"{name}.png"
    path.write_bytes(base64.b64decode(shot["data"]))
    try:
        SCREENS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, SCREENS / path.name)
    except OSError:
        pass
    return path


def wait_for(predicate: Callable[[], Any], *, timeout: float = 30.0, interval: float = 0.2,
             message: str = "condition") -> Any:
    """Poll ``predicate`` until it returns something truthy; fail with ``message`` on timeout."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except Exception as err:  # noqa: BLE001 - the DOM changes under us while polling
            last_error = err
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}"
                         + (f" (last error: {last_error})" if last_error else ""))


def wait_for_dash(driver: Any, *, timeout: float = 30.0) -> None:
    """Wait until the Dash renderer has mounted and no callback is pending."""
    def ready() -> bool:
        return bool(driver.execute_script(
            "return !!document.querySelector('#react-entry-point > *') && "
            "document.querySelectorAll('[data-dash-is-loading=\"true\"]').length === 0 && "
            "document.querySelectorAll('.dash-spinner, ._dash-loading').length === 0;"
        ))

    wait_for(ready, timeout=timeout, message="the Dash app to finish loading")


def severe_console(driver: Any) -> list[dict[str, Any]]:
    """SEVERE entries of the browser console since the last call (the log is drained)."""
    return [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]


def dash_errors(driver: Any) -> list[str]:
    """Texts of Dash front-end error overlays, if any."""
    from selenium.webdriver.common.by import By

    return [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".dash-fe-error, .dash-fe-error__title")]
