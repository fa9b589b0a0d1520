"""The app factory: auth, loopback binding, secure headers, friendly errors, caching."""

from __future__ import annotations

import base64
import sys

import pytest

from core.errors import StakeholderGraphError, StoreError
from dashboard import ids
from dashboard.app import app_state, create_app, friendly_message
from dashboard.security import AUTH_ENV, check_bind, is_loopback
from dashboard.server import make_server, run
from dashboard.state import AnalysisCache
from graph.memory import MemoryStore
from tests.dashboard.data import post_overview_update, small_dataset


@pytest.fixture(scope="module")
def store():
    return MemoryStore(small_dataset())


def _basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def test_no_auth_by_default_and_secure_headers(store, monkeypatch):
    monkeypatch.delenv(AUTH_ENV, raising=False)
    app = create_app(store)
    response = app.server.test_client().get("/")
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]


def test_auth_gives_401_without_and_200_with_credentials(store):
    app = create_app(store, auth="alice:s3cret")
    client = app.server.test_client()
    for path in ("/", "/_dash-layout", "/assets/app.css", "/network"):
        denied = client.get(path)
        assert denied.status_code == 401, path
        assert denied.headers["WWW-Authenticate"].startswith("Basic")
    assert client.get("/", headers=_basic("alice", "wrong")).status_code == 401
    assert client.get("/", headers=_basic("bob", "s3cret")).status_code == 401
    assert client.get("/", headers={"Authorization": "Basic !!!"}).status_code == 401
    ok = client.get("/", headers=_basic("alice", "s3cret"))
    assert ok.status_code == 200
    assert ok.headers["Cache-Control"] == "no-store"


def test_auth_from_environment(store, monkeypatch):
    monkeypatch.setenv(AUTH_ENV, "u:p")
    app = create_app(store)
    client = app.server.test_client()
    assert client.get("/").status_code == 401
    assert client.get("/", headers=_basic("u", "p")).status_code == 200


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "localhost", "[::1]"])
def test_loopback_hosts(host):
    assert is_loopback(host)
    check_bind(host, auth=None)


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::", "example.org"])
def test_non_loopback_refused_without_auth(host):
    assert not is_loopback(host)
    with pytest.raises(StakeholderGraphError, match=AUTH_ENV):
        check_bind(host, auth=None)
    check_bind(host, auth="user:pw")
    with pytest.raises(StakeholderGraphError):
        check_bind(host, auth="nocolon")


def test_run_refuses_non_loopback_before_binding(store, monkeypatch):
    monkeypatch.delenv(AUTH_ENV, raising=False)
    app = create_app(store)
    printed: list[str] = []
    with pytest.raises(StakeholderGraphError, match="refusing"):
        run(app, host="0.0.0.0", port=0, echo=printed.append)
    assert printed == []


def test_debug_is_off(store):
    app = create_app(store)
    assert app.server.debug is False
    assert app._dev_tools.ui is False


def test_friendly_message_never_shows_internals():
    assert "KeyError" not in friendly_message(KeyError("partner_id"))
    assert "partner_id" not in friendly_message(KeyError("partner_id"))
    assert "Neo4j is down" in friendly_message(StoreError("Neo4j is down"))


def test_failing_callback_returns_a_friendly_alert_not_a_traceback(store):
    class Broken(MemoryStore):
        def tables(self, *args, **kwargs):  # the dashboard reads through tables()
            raise RuntimeError("secret internal detail")

    app = create_app(Broken(small_dataset()))
    client = app.server.test_client()
    client.get("/")
    text = post_overview_update(client)
    assert "secret internal detail" not in text
    assert "Traceback" not in text
    assert "Something went wrong" in text
    assert ids.ERROR_ALERT in text


def test_cache_is_keyed_by_version_and_computes_once():
    cache = AnalysisCache(max_bytes=2, sizeof=lambda _value: 1)
    calls: list[int] = []
    assert cache.get(("v1", "x"), lambda: calls.append(1) or 10) == 10
    assert cache.get(("v1", "x"), lambda: calls.append(1) or 99) == 10
    assert calls == [1] and cache.hits == 1 and cache.misses == 1
    cache.get(("v1", "y"), lambda: 2)
    cache.get(("v1", "z"), lambda: 3)
    assert len(cache) == 2  # LRU bound
    with pytest.raises(ValueError):
        AnalysisCache(max_bytes=0)


def test_dataset_is_reread_only_when_the_version_changes(store):
    app = create_app(MemoryStore(small_dataset()))
    state = app_state(app)
    first = state.dataset()
    assert state.dataset() is first
    ds = small_dataset()
    state.store.load(ds.merged_with(ds), replace=True)  # same content, same version
    assert state.dataset() is first


def test_two_apps_in_one_process_each_keep_their_callbacks(store):
    a, b = create_app(store), create_app(store)
    for app in (a, b):
        deps = app.server.test_client().get("/_dash-dependencies").get_json()
        outputs = " ".join(d["output"] for d in deps)
        assert ids.NET_GRAPH in outputs and ids.OV_MAP in outputs and ids.REP_TABLE in outputs


def test_every_page_module_registers(store):
    import dash

    create_app(store)
    paths = {page["path"] for page in dash.page_registry.values()}
    assert {"/", "/network", "/representation", "/planner"} <= paths
    assert "dashboard.pages.network" in sys.modules


def test_min_cell_must_be_positive(store):
    with pytest.raises(ValueError):
        create_app(store, min_cell=0)


def test_served_with_auth_env_answers_401_then_200_over_http(store, monkeypatch):
    import threading
    import urllib.error
    import urllib.request

    monkeypatch.setenv(AUTH_ENV, "lead:pw")
    app = create_app(store, auth="")  # nothing at construction: make_server reads the env
    server = make_server(app, host="127.0.0.1", port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/"
    try:
        with pytest.raises(urllib.error.HTTPError) as denied:
            urllib.request.urlopen(url, timeout=10)  # noqa: S310 - loopback
        assert denied.value.code == 401
        request = urllib.request.Request(url, headers=_basic("lead", "pw"))
        with urllib.request.urlopen(request, timeout=10) as ok:  # noqa: S310 - loopback
            assert ok.status == 200 and b"<html" in ok.read().lower()
    finally:
        server.shutdown()
        server.server_close()


def test_make_server_refuses_all_interfaces_without_auth(store, monkeypatch):
    monkeypatch.delenv(AUTH_ENV, raising=False)
    with pytest.raises(StakeholderGraphError, match="127.0.0.1"):
        make_server(create_app(store), host="0.0.0.0", port=0)
