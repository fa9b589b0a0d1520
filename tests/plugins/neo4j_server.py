"""One real Neo4j server per test session, started with the project's own graph.server.

Fixtures:

- ``neo4j_server`` (session): ``Neo4jServer(uri, user, password)`` — unpacks as a 3-tuple;
  ``.home`` and ``.port`` are there too (the crash test kills and restarts it).
- ``neo4j_store`` (function): a Neo4jStore on an emptied database.

The jars come from the shared cache (graph.server.lib_dir), so only a machine's first run
downloads them. A server that cannot start is a test error, never a skip (CI=true or not).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from graph import server


class Neo4jServer(NamedTuple):
    uri: str
    user: str
    password: str
    home: Path = Path()
    port: int = 0


def _driver(srv: Neo4jServer, **config: Any) -> Any:
    import neo4j

    return neo4j.GraphDatabase.driver(srv.uri, auth=(srv.user, srv.password), **config)


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Neo4jServer]:
    home = tmp_path_factory.mktemp("neo4j-home")
    port = server.free_port()
    password = "test-" + secrets.token_hex(8)
    # Any StoreError here (no java, no Maven Central, a port race) errors every test using it.
    info = server.start(home, bolt_port=port, password=password)
    try:
        yield Neo4jServer(info.uri, "neo4j", password, home, port)
    finally:
        server.stop(home)


@pytest.fixture
def neo4j_driver(neo4j_server: Neo4jServer) -> Iterator[Any]:
    # Short retry budget: a test that kills the server should fail fast, not retry for 30 s.
    driver = _driver(neo4j_server, max_transaction_retry_time=3.0)
    try:
        yield driver
    finally:
        driver.close()


@pytest.fixture
def neo4j_store(neo4j_server: Neo4jServer, neo4j_driver: Any) -> Iterator[Any]:
    from graph.neo4j_store import Neo4jStore

    if server.status(neo4j_server.home) is None:  # a crash test left it down: bring it back
        server.start(neo4j_server.home, bolt_port=neo4j_server.port,
                     password=neo4j_server.password)
    store = Neo4jStore(neo4j_driver, location=neo4j_server.uri)
    store.clear()
    yield store
