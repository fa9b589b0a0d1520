"""Access to the dashboard and secrecy of the Neo4j password, through the command line.

tests/dashboard/test_app.py covers the library level (is_loopback, check_bind, make_server,
401/200 over HTTP on loopback, secure headers, app.server.debug). What is added here is the
path a user takes: the ``stakeholder-graph`` command itself.

- ``dashboard`` and ``demo`` bind to 127.0.0.1 when no --host is given;
- a non-loopback --host without STAKEHOLDER_GRAPH_AUTH (or with a malformed one) exits 1 with
  a message naming the variable, before anything listens, and without a traceback;
- the real console script with STAKEHOLDER_GRAPH_AUTH on --host 0.0.0.0: 401 without
  credentials, 200 with them, secure headers on both, no debugger even when FLASK_DEBUG=1;
- NEO4J_PASSWORD never appears in stdout, stderr or any log record for an unreachable server or
  a wrong password (``report`` and ``load``), and those runs exit 1 with a clear message.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from email.message import Message
from pathlib import Path
from typing import Any

import pytest

import dashboard.security as dashboard_security
import dashboard.server as dashboard_server
from stakeholder_graph import cli
from tests.dashboard.data import post_overview_update

AUTH_ENV = dashboard_security.AUTH_ENV
SECRET = "pw-" + "Zq9xK7-never-print-me"
SCRIPT = Path(sys.executable).with_name("stakeholder-graph")
SECURE_HEADERS = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
                  "Referrer-Policy": "no-referrer"}


def _basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Record what the CLI would serve instead of serving it."""
    calls: list[dict[str, Any]] = []

    def fake_run(app: Any, *, host: str = "127.0.0.1", port: int = 8050, **_: Any) -> None:
        calls.append({"host": host, "port": port})

    monkeypatch.setattr(dashboard_server, "run", fake_run)
    return calls


@pytest.mark.parametrize("argv", [["dashboard", "demo"], ["demo"]])
def test_the_cli_binds_to_loopback_by_default(argv: list[str], served: list[dict[str, Any]]) -> None:
    assert cli.main(argv) == 0
    assert served == [{"host": "127.0.0.1", "port": 8050}]


@pytest.mark.parametrize("auth", [None, "nocolon", ":pw", "user:"])
@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "::"])
def test_the_cli_refuses_a_public_host_without_valid_auth(
    host: str, auth: str | None, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if auth is None:
        monkeypatch.delenv(AUTH_ENV, raising=False)
    else:
        monkeypatch.setenv(AUTH_ENV, auth)
    binds: list[Any] = []
    import waitress

    monkeypatch.setattr(waitress, "create_server", lambda *a, **k: binds.append(a))
    code = cli.main(["dashboard", "demo", "--host", host, "--port", "8050"])
    out, err = capsys.readouterr()
    assert code in (1, 2), (out, err)
    assert binds == []  # refused before anything listens
    assert AUTH_ENV in err
    assert "Traceback" not in out + err and "internal error" not in err


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str, headers: dict[str, str] | None = None, data: bytes | None = None
         ) -> tuple[int, Message, bytes]:
    # the headers stay a case-insensitive Message: servers may spell names differently
    request = urllib.request.Request(url, headers=headers or {}, data=data)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


@pytest.fixture(scope="module")
def public_server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The installed console script serving the demo on 0.0.0.0 with auth (and FLASK_DEBUG=1)."""
    assert SCRIPT.exists(), f"the console script is not installed at {SCRIPT}"
    port = _free_port()
    log = tmp_path_factory.mktemp("served") / "server.log"
    env = {**os.environ, AUTH_ENV: "lead:" + SECRET, "FLASK_DEBUG": "1", "DASH_DEBUG": "true"}
    env.pop("STAKEHOLDER_GRAPH_DEBUG", None)
    with log.open("wb") as sink:
        proc = subprocess.Popen([str(SCRIPT), "dashboard", "demo", "--host", "0.0.0.0",
                                 "--port", str(port)], stdout=sink, stderr=subprocess.STDOUT,
                                env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):  # up to a minute for the demo to load, then it must answer
            if proc.poll() is not None:
                pytest.fail(f"the dashboard exited {proc.returncode}: {log.read_text()}")
            try:
                _get(base + "/")
                break
            except (ConnectionError, urllib.error.URLError, OSError):
                time.sleep(0.1)
        else:
            pytest.fail(f"the dashboard never answered: {log.read_text()}")
        yield base, log
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_public_host_with_auth_asks_for_credentials(public_server: Any) -> None:
    base, log = public_server
    for path in ("/", "/network", "/_dash-layout", "/_dash-dependencies", "/assets/x.css"):
        code, headers, _ = _get(base + path)
        assert code == 401, path
        assert headers["WWW-Authenticate"].startswith("Basic")
        for name, value in SECURE_HEADERS.items():
            assert headers.get(name) == value, (path, name)
    assert _get(base + "/", _basic("lead", "wrong"))[0] == 401
    code, headers, body = _get(base + "/", _basic("lead", SECRET))
    assert code == 200
    assert b"Stakeholder Graph" in body
    for name, value in SECURE_HEADERS.items():
        assert headers.get(name) == value, name
    assert "Content-Security-Policy" in headers
    text = log.read_text()
    assert "HTTP basic auth is on" in text
    assert SECRET not in text  # the startup message names the variable, not its value


def test_debug_stays_off_even_when_asked_for(public_server: Any) -> None:
    base, _ = public_server
    auth = _basic("lead", SECRET)
    # a malformed callback request: with debug on, werkzeug/dash would answer with a traceback
    code, _, body = _get(base + "/_dash-update-component",
                         {**auth, "Content-Type": "application/json"}, data=b"{not json")
    assert code >= 400
    assert b"Traceback" not in body and b"Werkzeug Debugger" not in body
    code, _, body = _get(base + "/console", auth)  # werkzeug's debugger console
    assert code == 404 or b"Werkzeug" not in body
    # dash always routes /_reload-hash; with dev tools (debug) on it carries a hash to poll
    code, _, body = _get(base + "/_reload-hash", auth)
    assert code != 200 or json.loads(body)["reloadHash"] is None


# --- the Neo4j password -----------------------------------------------------------------------


def _assert_secret_absent(*texts: str) -> None:
    for text in texts:
        assert SECRET not in text


@pytest.fixture
def all_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)  # the root and the neo4j driver's own loggers
    logging.getLogger("neo4j").setLevel(logging.DEBUG)
    return caplog


@pytest.mark.parametrize("argv", [
    ["report", "--neo4j", "bolt://127.0.0.1:1"],
    ["report", "--neo4j", "bolt://127.0.0.1:1", "--format", "markdown"],
    ["load", "demo"],
])
def test_unreachable_neo4j_is_a_clear_error_without_the_password(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    all_logs: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:1")
    monkeypatch.setenv("NEO4J_USERNAME", "neo4j")
    monkeypatch.setenv("NEO4J_PASSWORD", SECRET)
    code = cli.main(argv)
    out, err = capsys.readouterr()
    assert code == 1, (out, err)
    assert err.startswith("error: ") and "127.0.0.1:1" in err, err
    assert "Traceback" not in err and "internal error" not in err
    _assert_secret_absent(out, err, all_logs.text,
                          *(str(r.args) for r in all_logs.records))


def test_unreachable_neo4j_from_the_console_script(tmp_path: Path) -> None:
    env = {**os.environ, "NEO4J_PASSWORD": SECRET, "NEO4J_USERNAME": "neo4j"}
    env.pop("STAKEHOLDER_GRAPH_DEBUG", None)
    done = subprocess.run([str(SCRIPT), "report", "--neo4j", "bolt://127.0.0.1:1"],
                          capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "error:" in done.stderr and "Traceback" not in done.stderr
    _assert_secret_absent(done.stdout, done.stderr)


@pytest.mark.neo4j
@pytest.mark.parametrize("argv", [["report"], ["load", "demo"]])
def test_wrong_password_is_a_clear_error_without_the_password(
    argv: list[str], neo4j_server: Any, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], all_logs: pytest.LogCaptureFixture,
) -> None:
    assert SECRET != neo4j_server.password
    monkeypatch.setenv("NEO4J_URI", neo4j_server.uri)
    monkeypatch.setenv("NEO4J_USERNAME", neo4j_server.user)
    monkeypatch.setenv("NEO4J_PASSWORD", SECRET)
    code = cli.main(argv)
    out, err = capsys.readouterr()
    assert code == 1, (out, err)
    assert err.startswith("error: ") and "Traceback" not in err, err
    assert any(word in err.casefold() for word in ("password", "credential", "auth")), err
    _assert_secret_absent(out, err, all_logs.text, *(str(r.args) for r in all_logs.records))


def test_the_console_script_exists_for_the_subprocess_tests() -> None:
    assert SCRIPT.exists() and shutil.which(str(SCRIPT)) is not None


# --- the dashboard while Neo4j goes away and comes back ---------------------------------------

def _overview_kpis(client: Any) -> str:
    """POST the overview's callback as the browser does; the response text."""
    text = post_overview_update(client)
    assert "Traceback" not in text
    return text


@pytest.mark.neo4j
def test_dashboard_survives_neo4j_going_away_and_recovers(
    neo4j_server: Any, neo4j_store: Any, all_logs: pytest.LogCaptureFixture,
) -> None:
    from dashboard import ids
    from dashboard.app import create_app
    from graph import server
    from tests.dashboard.data import small_dataset

    neo4j_store.load(small_dataset())
    client = create_app(neo4j_store).server.test_client()
    assert client.get("/").status_code == 200
    before = _overview_kpis(client)
    assert ids.ERROR_ALERT not in before  # a normal answer first

    assert server.kill(neo4j_server.home) is True
    try:
        down = _overview_kpis(client)
        assert ids.ERROR_ALERT in down and "Could not show this view" in down, down[:500]
        assert "Neo4j" in down
        assert neo4j_server.password not in down
    finally:
        server.start(neo4j_server.home, bolt_port=neo4j_server.port,
                     password=neo4j_server.password)
    again = _overview_kpis(client)
    assert ids.ERROR_ALERT not in again
    assert again == before  # the same figures once it is back
    assert neo4j_server.password not in all_logs.text
