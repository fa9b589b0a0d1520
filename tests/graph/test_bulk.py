"""``load --bulk``: neo4j-admin's offline import into the empty database of a local server.

Runs on the session's real server (it is stopped for the import and started again on the same
port), and checks the imported graph reads back equal to the source, keyed exactly as a
transactional load keys it (an upsert afterwards creates nothing).
"""

from __future__ import annotations

from typing import Any

import neo4j
import pytest

from core.errors import StoreError
from core.model import TABLES
from graph import cypher, server
from graph.bulk import bulk_load
from graph.neo4j_store import Neo4jStore
from tests.graph.test_conformance import assert_same, tiny

pytestmark = pytest.mark.neo4j


def _store(srv: Any) -> Neo4jStore:
    info = server.status(srv.home)
    assert info is not None
    return Neo4jStore(neo4j.GraphDatabase.driver(info.uri, auth=(srv.user, srv.password)),
                      location=info.uri)


def test_bulk_import_reads_back_the_source(neo4j_server: Any, neo4j_store: Neo4jStore) -> None:
    ds = tiny()
    summary = bulk_load(ds, neo4j_server.home, password=neo4j_server.password)
    assert summary.written == ds.counts()
    assert summary.phases["admin_import_s"] > 0
    store = _store(neo4j_server)
    try:
        assert_same(store.dataset(), ds)
        assert store.version() == ds.version
        assert {c["name"] for c in store.constraints()} >= set(cypher.CONSTRAINTS)
        again = store.load(ds)
        assert again.created == dict.fromkeys(TABLES, 0)
        # A database that holds data is refused before the server is touched.
        pid = server.status(neo4j_server.home).pid  # type: ignore[union-attr]
        with pytest.raises(StoreError, match="empty database only"):
            bulk_load(ds, neo4j_server.home, password=neo4j_server.password)
        assert server.status(neo4j_server.home).pid == pid  # type: ignore[union-attr]
    finally:
        store.close()


def test_load_bulk_command_refuses_a_database_with_data(
    neo4j_server: Any, neo4j_store: Neo4jStore, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from stakeholder_graph import cli
    from stakeholder_graph.datasets import bundled_path

    neo4j_store.load(tiny())
    monkeypatch.setenv("NEO4J_URI", neo4j_server.uri)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_server.password)
    code = cli.main(["load", str(bundled_path("demo")), "--bulk", "--home",
                     str(neo4j_server.home)])
    err = capsys.readouterr().err
    assert code == 1, err
    assert "empty database only" in err
    assert "Traceback" not in err
