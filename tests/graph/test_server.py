"""graph.server: the real local server (start, status, second start, stop) and the parts
that need no server (config, missing tools, bad arguments, the CLI's status)."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path
from typing import Any

import pytest

from core.errors import StoreError
from graph import server


def test_status_second_start_stop_and_restart(neo4j_server: Any) -> None:
    home = neo4j_server.home
    info = server.status(home)
    assert info is not None
    assert info.uri == neo4j_server.uri and info.bolt_port == neo4j_server.port
    assert (home / "run" / "neo4j.pid").read_text().strip() == str(info.pid)

    again = server.start(home, bolt_port=neo4j_server.port, password=neo4j_server.password)
    assert again.already_running and again.pid == info.pid

    assert server.stop(home) is True
    assert server.status(home) is None
    assert not (home / "run" / "neo4j.pid").exists()
    assert server.stop(home) is False
    assert server._port_free(neo4j_server.port)  # nobody listens any more

    back = server.start(home, bolt_port=neo4j_server.port, password=neo4j_server.password)
    assert not back.already_running and back.pid != info.pid
    assert server._bolt_answers(back.uri, "neo4j", neo4j_server.password) is None
    assert server._bolt_answers(back.uri, "neo4j", "wrong-password") == "auth"


def test_conf_is_loopback_only_with_http_off(neo4j_server: Any) -> None:
    conf = (neo4j_server.home / "conf" / "neo4j.conf").read_text()
    assert f"server.bolt.listen_address=127.0.0.1:{neo4j_server.port}" in conf
    assert "server.default_listen_address=127.0.0.1" in conf
    assert "server.http.enabled=false" in conf and "server.https.enabled=false" in conf
    assert f"server.memory.heap.max_size={server.DEFAULT_HEAP}" in conf


def test_jars_are_cached_outside_the_home(neo4j_server: Any) -> None:
    lib = server.lib_dir()
    assert (lib / f"neo4j-{server.NEO4J_VERSION}.jar").exists()
    assert not (neo4j_server.home / "lib").exists() or not any((neo4j_server.home / "lib").iterdir())


def test_start_on_a_busy_port_says_so(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(StoreError, match=f"port {port}.*in use"):
            server.start(tmp_path / "h", bolt_port=port, password="long-enough")


def test_short_password_and_bad_sizes_are_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="at least 8"):
        server.start(tmp_path, password="short")
    with pytest.raises(StoreError, match="heap"):
        server.write_conf(tmp_path, bolt_port=7687, heap="lots", pagecache="1g")


@pytest.mark.parametrize("missing", ["java", "mvn"])
def test_without_java_or_maven_it_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, missing: str
) -> None:
    real = shutil.which
    monkeypatch.setattr(server.shutil, "which", lambda t: None if t == missing else real(t))
    monkeypatch.setenv("STAKEHOLDER_GRAPH_CACHE", str(tmp_path / "cache"))  # forces a fetch
    with pytest.raises(StoreError) as info:
        server.start(tmp_path / "home", bolt_port=server.free_port(), password="long-enough")
    text = str(info.value)
    assert f"`{missing}` is not installed" in text
    assert "apt-get install openjdk-17-jre-headless maven" in text
    assert "neo4j:5" in text and "Aura" in text and "NEO4J_URI" in text


def test_cache_root_follows_the_environment(monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    monkeypatch.setenv("STAKEHOLDER_GRAPH_CACHE", str(tmp_path))
    assert server.lib_dir("5.26.1") == tmp_path / "neo4j-5.26.1" / "lib"


def test_stale_pid_file_means_not_running(tmp_path: Path) -> None:
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "neo4j.pid").write_text("999999999\n")
    assert server.status(tmp_path) is None
    assert not (tmp_path / "run" / "neo4j.pid").exists()


def test_java_command_carries_the_recipe_options(tmp_path: Path) -> None:
    cmd = server.java_command(tmp_path, Path("/lib"), heap="1g")
    assert cmd[1:3] == ["-cp", "/lib/*"]
    assert "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED" in cmd and "-Xmx1g" in cmd
    assert cmd[-4:] == [server.ENTRY_POINT, f"--home-dir={tmp_path.resolve()}",
                        f"--config-dir={tmp_path.resolve() / 'conf'}", "--console-mode"]


def test_cli_status_and_stop_on_an_idle_home(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from stakeholder_graph.neo4j_cli import neo4j_app

    runner = CliRunner()
    status = runner.invoke(neo4j_app, ["status", "--home", str(tmp_path)])
    assert status.exit_code == 1 and "No Neo4j is running" in status.output
    stop = runner.invoke(neo4j_app, ["stop", "--home", str(tmp_path)])
    assert stop.exit_code == 0 and "No Neo4j is running" in stop.output


def test_password_falls_back_to_bolt_when_admin_tool_did_not_set_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if AdminTool had failed: the server comes up with neo4j/neo4j, expired; start()
    # changes it over Bolt (ALTER CURRENT USER on the system database).
    monkeypatch.setattr(server, "_set_initial_password", lambda *args: False)
    home = tmp_path / "fallback"
    info = server.start(home, bolt_port=server.free_port(), password="fallback-pw-1")
    try:
        assert server._bolt_answers(info.uri, "neo4j", "fallback-pw-1") is None
        assert server._bolt_answers(info.uri, "neo4j", "neo4j") == "auth"
    finally:
        assert server.stop(home)
