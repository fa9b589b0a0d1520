"""The report, the planner and the dashboard read a Neo4jStore through its narrow read seams.

``Neo4jStore.dataset()`` (every property of every node and relationship, one dict per record) is
made to fail; each product path then runs against a real server and must still answer, with the
same report as from the same data in memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from typer.testing import CliRunner

from core.model import Dataset
from graph.memory import MemoryStore
from graph.neo4j_store import Neo4jStore

pytestmark = pytest.mark.neo4j


class Pulled(AssertionError):
    """Raised by the patched ``Neo4jStore.dataset``."""


@pytest.fixture
def no_pull(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    calls: list[str] = []

    def refuse(self: Neo4jStore) -> Dataset:
        calls.append("dataset")
        raise Pulled("Neo4jStore.dataset() was called")

    monkeypatch.setattr(Neo4jStore, "dataset", refuse)
    yield calls
    assert calls == []


@pytest.fixture
def demo() -> Dataset:
    import loaders
    from stakeholder_graph.datasets import bundled_path

    return loaders.read_dataset(bundled_path("demo"))


def _env(neo4j_server: Any) -> dict[str, str]:
    return {"NEO4J_URI": neo4j_server.uri, "NEO4J_USERNAME": neo4j_server.user,
            "NEO4J_PASSWORD": neo4j_server.password, "NEO4J_DATABASE": ""}


def test_report_from_neo4j_reads_no_dataset(neo4j_server: Any, neo4j_store: Neo4jStore,
                                            demo: Dataset, no_pull: list[str]) -> None:
    from stakeholder_graph.cli import app
    from stakeholder_graph.datasets import bundled_path

    neo4j_store.load(demo)
    runner = CliRunner()
    args = ["report", "--as-of", "2024-06-30", "--since", "2022-12-31"]
    got = runner.invoke(app, args, env=_env(neo4j_server))
    assert got.exit_code == 0, got.output
    want = runner.invoke(app, [*args[:1], str(bundled_path("demo")), *args[1:]])
    assert want.exit_code == 0, want.output
    assert json.loads(got.stdout) == json.loads(want.stdout)


def test_plan_from_neo4j_reads_no_dataset(neo4j_server: Any, neo4j_store: Neo4jStore,
                                          demo: Dataset, no_pull: list[str]) -> None:
    from stakeholder_graph.cli import app

    neo4j_store.load(demo)
    event = str(demo.events.sort_values("date")["event_id"].iloc[-1])
    got = CliRunner().invoke(app, ["plan", event, "--size", "3", "--format", "json"],
                             env=_env(neo4j_server))
    assert got.exit_code == 0, got.output
    plan = json.loads(got.stdout)
    assert plan["event_id"] == event and len(plan["recommendations"]) == 3


def test_dashboard_on_neo4j_reads_no_dataset(neo4j_store: Neo4jStore,
                                             no_pull: list[str]) -> None:
    from dashboard.app import create_app
    from tests.dashboard.data import small_dataset
    from tests.dashboard.test_privacy import SCENARIOS, _payload

    ds = small_dataset()
    neo4j_store.load(ds)
    client = create_app(neo4j_store).server.test_client()
    answered = []
    for dep in client.get("/_dash-dependencies").get_json():
        for values in SCENARIOS:
            response = client.post("/_dash-update-component", json=_payload(dep, values))
            text = response.get_data(as_text=True)
            assert "Neo4jStore.dataset() was called" not in text
            if response.status_code == 200:
                answered.append(dep["output"])
    # Every page's content and the overview, network, representation and planner callbacks
    # answered from the Neo4j store.
    assert any("_pages_content" in output for output in answered)
    assert len(set(answered)) >= 10
    # And the same answers the in-memory store gives, for the overview.
    memory = create_app(MemoryStore(ds)).server.test_client()
    dep = next(d for d in client.get("/_dash-dependencies").get_json()
               if "_pages_content" in d["output"])
    page = {("_pages_location", "pathname"): "/"}
    assert (client.post("/_dash-update-component", json=_payload(dep, page)).get_json()
            == memory.post("/_dash-update-component", json=_payload(dep, page)).get_json())
