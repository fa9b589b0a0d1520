"""The dashboard as a service: a production server with a thread pool, allowed Host names,
throttled logins, a cache bounded by bytes that keeps nothing of a failed computation, and 404
for every path outside what it serves."""

from __future__ import annotations

import base64
import http.client
import logging
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest

from core.errors import RequestError
from dashboard import ids
from dashboard.app import app_state, create_app
from dashboard.security import AUTH_ENV, LoginThrottle, allowed_hosts, host_name
from dashboard.server import make_server
from dashboard.state import AnalysisCache, approx_bytes, cache_bytes_from_env
from graph.memory import MemoryStore
from tests.dashboard.data import small_dataset


@pytest.fixture(scope="module")
def store() -> MemoryStore:
    return MemoryStore(small_dataset())


def _basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


@pytest.fixture
def served(store: MemoryStore, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.delenv(AUTH_ENV, raising=False)
    app = create_app(store)
    server = make_server(app, host="127.0.0.1", port=0, threads=4,
                         allowed_hosts=["dashboard.example.org"])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        thread.join(timeout=10)


def _get(server: Any, path: str, headers: dict[str, str] | None = None) -> tuple[int, str, str]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.getheader("Server") or "", response.read().decode()
    finally:
        conn.close()


# --- a production server with a thread pool ---------------------------------------------------


def test_served_by_waitress_with_a_thread_pool_not_the_development_server(served: Any) -> None:
    status, server_header, body = _get(served, "/")
    assert status == 200 and "<html" in body.lower()
    assert "werkzeug" not in server_header.lower()
    assert "stakeholder-graph" in server_header
    assert served._server.task_dispatcher.threads  # a pool of worker threads
    with ThreadPoolExecutor(20) as pool:
        statuses = list(pool.map(lambda _: _get(served, "/network")[0], range(40)))
    assert statuses == [200] * 40


# --- Host names (DNS rebinding) ----------------------------------------------------------------


def test_a_foreign_host_name_is_refused(served: Any) -> None:
    assert _get(served, "/", {"Host": "attacker.example"})[0] == 400
    assert _get(served, "/_dash-layout", {"Host": "attacker.example:80"})[0] == 400
    for name in ("localhost", f"127.0.0.1:{served.port}", "dashboard.example.org"):
        assert _get(served, "/", {"Host": name})[0] == 200, name


def test_the_app_alone_answers_loopback_names_only(store: MemoryStore) -> None:
    client = create_app(store).server.test_client()
    assert client.get("/", headers={"Host": "attacker.example"}).status_code == 400
    assert client.get("/", headers={"Host": "[::1]:8050"}).status_code == 200


def test_allowed_hosts_follow_the_bound_name() -> None:
    assert {"localhost", "127.0.0.1", "::1"} <= allowed_hosts("127.0.0.1")
    assert allowed_hosts("10.1.2.3") == {"10.1.2.3"}
    assert allowed_hosts("10.1.2.3", ["Dash.Example.org:443"]) == {"10.1.2.3", "dash.example.org"}
    assert "localhost" in allowed_hosts("0.0.0.0")
    assert host_name("[::1]:8050") == "::1"


# --- throttled logins --------------------------------------------------------------------------


def test_failed_logins_are_throttled_per_client(store: MemoryStore) -> None:
    app = create_app(store, auth="lead:s3cret")
    client = app.server.test_client()
    me, other = {"REMOTE_ADDR": "10.0.0.7"}, {"REMOTE_ADDR": "10.0.0.8"}
    codes = [client.get("/", headers=_basic("lead", f"guess{i}"), environ_base=me).status_code
             for i in range(12)]
    assert codes[:10] == [401] * 10 and codes[10:] == [429, 429]
    locked = client.get("/", headers=_basic("lead", "s3cret"), environ_base=me)
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    # another client is not affected, and asking without credentials is no failed login
    assert client.get("/", headers=_basic("lead", "s3cret"), environ_base=other).status_code == 200
    for _ in range(15):
        assert client.get("/", environ_base=other).status_code == 401
    assert client.get("/", headers=_basic("lead", "s3cret"), environ_base=other).status_code == 200


def test_throttle_forgets_old_failures_and_bounds_its_memory() -> None:
    throttle = LoginThrottle(limit=3, window=10.0, max_clients=100)
    for t in range(3):
        throttle.failed("a", now=float(t))
    assert throttle.retry_after("a", now=3.0) == 7
    assert throttle.retry_after("a", now=12.5) == 0
    for i in range(1000):
        throttle.failed(f"client-{i}", now=20.0)
    assert len(throttle._failures) == 100


# --- a cache bounded by bytes, keeping nothing of a failure ----------------------------------


def test_cache_is_bounded_by_bytes() -> None:
    cache = AnalysisCache(max_bytes=3_000_000)
    for i in range(10):
        cache.get(("v", i), lambda: np.zeros(100_000))  # 800 kB each
    assert cache.bytes <= 3_000_000 and len(cache) == 3
    huge = cache.get(("v", "huge"), lambda: np.zeros(1_000_000))  # 8 MB: returned, not kept
    assert len(huge) == 1_000_000 and ("v", "huge") not in cache._data
    assert approx_bytes({"a": np.zeros(1000), "b": [np.zeros(1000)]}) >= 16_000


def test_cache_budget_from_the_environment() -> None:
    assert cache_bytes_from_env({}) == 1024 * 1024 * 1024
    assert cache_bytes_from_env({"STAKEHOLDER_GRAPH_CACHE_MB": "256"}) == 256 * 1024 * 1024
    with pytest.raises(Exception, match="whole number"):
        cache_bytes_from_env({"STAKEHOLDER_GRAPH_CACHE_MB": "lots"})


def test_a_failed_computation_leaves_nothing_behind() -> None:
    cache = AnalysisCache()

    def boom() -> int:
        raise RequestError("no such program")

    for i in range(150):
        with pytest.raises(RequestError):
            cache.get(("v", "report", i), boom)
    assert cache.pending == 0 and len(cache) == 0 and cache.bytes == 0


def test_crafted_failing_callbacks_leave_nothing_in_the_app(store: MemoryStore) -> None:
    app = create_app(store)
    client = app.server.test_client()
    deps = client.get("/_dash-dependencies").get_json()
    dep = next(d for d in deps if f"{ids.OV_MAP}.figure" in d["output"])
    outputs = [{"id": p.split(".")[0], "property": p.split(".")[1]}
               for p in dep["output"].strip(".").split("...")]
    for i in range(150):
        body = {"output": dep["output"], "outputs": outputs, "state": [],
                "inputs": [{"id": ids.OV_DATE, "property": "date", "value": "2024-06-30"},
                           {"id": ids.OV_PROGRAM, "property": "value", "value": f"nope-{i}"}],
                "changedPropIds": [f"{ids.OV_PROGRAM}.value"]}
        text = client.post("/_dash-update-component", json=body).get_data(as_text=True)
        assert "unknown program" in text
    cache = app_state(app).cache
    assert cache.pending == 0
    assert len(cache) <= 1  # the dataset, read once


# --- 404 outside the served paths ---------------------------------------------------------------


@pytest.mark.parametrize("path", [
    "/_dash-component-suites/..", "/_dash-component-suites/../x.js",
    "/_dash-component-suites/dash/not-a-file.js", "/_dash-component-suites/os/path.py",
    "/.env", "/wp-login.php", "/network/x", "/assets/nope.css", "/_reload-hash",
])
def test_paths_outside_the_served_assets_are_404_without_a_traceback(
        store: MemoryStore, path: str, caplog: pytest.LogCaptureFixture) -> None:
    client = create_app(store).server.test_client()
    with caplog.at_level(logging.ERROR):
        response = client.get(path)
    assert response.status_code == 404
    assert "Traceback" not in caplog.text and "Exception" not in caplog.text


def test_every_file_the_index_names_is_served(store: MemoryStore) -> None:
    import re

    client = create_app(store).server.test_client()
    index = client.get("/").get_data(as_text=True)
    files = re.findall(r'(?:src|href)="(/[^"]+)"', index)
    assert len(files) > 5
    for path in files:
        assert client.get(path).status_code == 200, path


def test_cache_misses_compute_in_a_bounded_number_of_threads_without_deadlock(
        store: MemoryStore) -> None:
    import time

    from dashboard.state import AppState

    state = AppState(store=store, compute_slots=2)
    running, most = [0], [0]
    lock = threading.Lock()

    def slow(tag: int) -> int:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.05)
        # a nested computation (as a view needs its window) reuses the caller's slot
        inner = state.cached("inner", (tag % 3,), lambda _ds: tag % 3)
        with lock:
            running[0] -= 1
        return tag + inner

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda t: state.cached("outer", (t,), lambda _ds: slow(t)),
                                range(24)))
    assert results == [t + t % 3 for t in range(24)]
    assert most[0] == 2
    assert state.cache.pending == 0
