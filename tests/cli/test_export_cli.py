"""``stakeholder-graph export``: round trips through networkx's readers, the window options,
the two views, and every bad input as a message with an exit code (no traceback)."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from analysis.network.export import export_graph
from analysis.report import program_subset
from stakeholder_graph import cli
from stakeholder_graph.common import resolve_source

AS_OF = "2024-06-30"
READERS = {
    "gexf": nx.read_gexf,
    "graphml": nx.read_graphml,
    "cyjs": lambda path: nx.cytoscape_graph(json.loads(Path(path).read_text(encoding="utf-8"))),
}


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def demo_graph() -> nx.Graph:
    import loaders

    return export_graph(loaders.read_dataset(resolve_source(Path("demo"))), as_of=AS_OF)


def _same(expected: Any, found: Any) -> bool:
    if isinstance(expected, float) or isinstance(found, float):
        return found == pytest.approx(expected, rel=1e-12)
    return bool(expected == found)


def _assert_round_trip(expected: nx.Graph, found: nx.Graph, *, skip: tuple[str, ...] = ()
                       ) -> None:
    assert sorted(found.nodes) == sorted(expected.nodes)
    for node, attributes in expected.nodes(data=True):
        back = {k: v for k, v in found.nodes[node].items() if k not in skip}
        assert set(back) == set(attributes), node
        for key, value in attributes.items():
            assert _same(value, back[key]), (node, key, value, back[key])
    assert found.number_of_edges() == expected.number_of_edges()
    for u, v, weight in expected.edges(data="weight"):
        assert found.edges[u, v]["weight"] == weight


@pytest.mark.parametrize("fmt", sorted(READERS))
def test_round_trip_through_networkx(fmt: str, demo_graph: nx.Graph, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / f"demo.{fmt}"
    code, _, err = run(["export", "demo", "--format", fmt, "--output", str(path),
                        "--as-of", AS_OF], capsys)
    assert code == 0, err
    assert f"{demo_graph.number_of_edges()} edges" in err
    # cytoscape_graph adds its own id/value/name keys
    _assert_round_trip(demo_graph, READERS[fmt](path), skip=("id", "value", "name"))


def test_the_export_carries_every_attribute_and_measure(demo_graph: nx.Graph) -> None:
    wanted = {"label", "kind", "sector", "country", "region", "subregion", "global_south",
              "membership", "degree", "strength", "betweenness", "eigenvector", "pagerank",
              "closeness", "kcore", "community", "ei_sector", "participation_region"}
    attributes = dict(demo_graph.nodes(data=True))
    assert all(wanted <= set(a) for a in attributes.values() if "closeness" in a)
    assert {a["kind"] for a in attributes.values()} == {"partner"}
    assert any(isinstance(a["global_south"], bool) and a["global_south"]
               for a in attributes.values())
    assert max(w for _, _, w in demo_graph.edges(data="weight")) > 1


def test_csv_is_gephi_tables_in_a_zip(demo_graph: nx.Graph, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "demo.zip"
    assert run(["export", "demo", "--format", "csv", "--output", str(path), "--as-of", AS_OF],
               capsys)[0] == 0
    with zipfile.ZipFile(path) as archive:
        nodes = list(csv.DictReader(io.StringIO(archive.read("nodes.csv").decode())))
        edges = list(csv.DictReader(io.StringIO(archive.read("edges.csv").decode())))
    assert [n["Id"] for n in nodes] == list(demo_graph.nodes)
    assert {"Id", "Label", "sector", "pagerank", "community"} <= set(nodes[0])
    assert len(edges) == demo_graph.number_of_edges()
    first = edges[0]
    assert int(first["Weight"]) == demo_graph.edges[first["Source"], first["Target"]]["weight"]
    assert first["Type"] == "Undirected"


def test_two_mode_view_has_rooms_and_the_program_filter(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    import loaders

    program = "Labor and the Economy"
    path = tmp_path / "labor.graphml"
    code, _, err = run(["export", "demo", "--format", "graphml", "--output", str(path),
                        "--view", "twomode", "--program", program, "--as-of", AS_OF,
                        "--since", "2022-01-01"], capsys)
    assert code == 0, err
    found = nx.read_graphml(path)
    data = program_subset(loaders.read_dataset(resolve_source(Path("demo"))), program)
    expected = export_graph(data, as_of=AS_OF, since="2022-01-01", view="twomode")
    _assert_round_trip(expected, found)
    rooms = [n for n, k in found.nodes(data="kind") if k in ("committee", "event")]
    assert rooms and all(found.nodes[r]["program"] == program for r in rooms)
    assert all(found.degree(r) >= 1 for r in rooms)
    assert found.graph["program"] == program and found.graph["since"] == "2022-01-01"


def test_control_characters_and_formulas_are_made_safe(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "partners.csv").write_text(
        "partner_id,name,sector,country\np1,Bad\x01Name,Industry,US\np2,=HYPERLINK(1),Media,FR\n",
        encoding="utf-8")
    (folder / "events.csv").write_text("event_id,name,date\ne1,Meet,2024-01-01\n")
    (folder / "attendance.csv").write_text("event_id,partner_id\ne1,p1\ne1,p2\n")
    for fmt in ("gexf", "graphml"):
        path = tmp_path / f"out.{fmt}"
        code, _, err = run(["export", str(folder), "--format", fmt, "--output", str(path),
                            "--as-of", AS_OF], capsys)
        assert code == 0, err
        assert READERS[fmt](path).nodes["p1"]["label"] == "Bad\ufffdName"
    path = tmp_path / "out.zip"
    assert run(["export", str(folder), "--format", "csv", "--output", str(path),
                "--as-of", AS_OF], capsys)[0] == 0
    with zipfile.ZipFile(path) as archive:
        nodes = {r["Id"]: r for r in csv.DictReader(io.StringIO(archive.read("nodes.csv").decode()))}
    assert nodes["p2"]["Label"] == "'=HYPERLINK(1)"
    assert float(nodes["p1"]["pagerank"]) == pytest.approx(0.5)  # numbers stay numbers


@pytest.mark.parametrize(("args", "code", "message"), [
    (["--format", "gexf", "--output", "{tmp}/x.gexf", "--min-cell", "5"], 1, "--min-cell 5"),
    (["--format", "gexf", "--output", "{tmp}/missing/x.gexf"], 1, "does not exist"),
    (["--format", "gexf", "--output", "{tmp}"], 1, "is a folder"),
    (["--format", "gexf", "--output", "{tmp}/x.gexf", "--program", "Nope"], 1,
     "no committee or event has this program"),
    (["--format", "pdf", "--output", "{tmp}/x"], 2, "--format"),
    (["--output", "{tmp}/x.gexf"], 2, "Missing option '--format'"),
    (["--format", "gexf"], 2, "Missing option '--output'"),
    (["--format", "gexf", "--output", "{tmp}/x.gexf", "--as-of", "2024-13-01"], 2, "--as-of"),
    (["--format", "gexf", "--output", "{tmp}/x.gexf", "--as-of", "2024-01-01", "--since",
      "2024-02-01"], 2, "--since must be before --as-of"),
    (["--format", "gexf", "--output", "{tmp}/x.gexf", "--view", "hairball"], 2, "--view"),
])
def test_bad_input_is_a_message_and_an_exit_code(args: list[str], code: int, message: str,
                                                  tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    found, out, err = run(["export", "demo", *(a.format(tmp=tmp_path) for a in args)], capsys)
    assert found == code
    assert message in err and "Traceback" not in out + err
    assert not (tmp_path / "x.gexf").exists()
    assert [p.name for p in tmp_path.iterdir()] == []  # no temporary file left behind


def test_a_failed_write_leaves_the_old_file(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "net.gexf"
    path.write_text("old")
    import os

    def broken(source: str, target: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken)
    code, _, err = run(["export", "demo", "--format", "gexf", "--output", str(path)], capsys)
    assert code == 1 and "cannot write: No space left on device" in err
    assert "Traceback" not in err
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["net.gexf"]


@pytest.mark.neo4j
def test_export_from_neo4j_reads_the_narrow_seams_and_equals_memory(
        neo4j_server: Any, neo4j_store: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        demo_graph: nx.Graph, capsys: pytest.CaptureFixture[str]) -> None:
    import loaders
    from graph.neo4j_store import Neo4jStore

    neo4j_store.load(loaders.read_dataset(resolve_source(Path("demo"))))

    def refuse(self: Neo4jStore) -> None:
        raise AssertionError("Neo4jStore.dataset() was called")

    monkeypatch.setattr(Neo4jStore, "dataset", refuse)
    for name, value in (("NEO4J_URI", neo4j_server.uri), ("NEO4J_USERNAME", neo4j_server.user),
                        ("NEO4J_PASSWORD", neo4j_server.password), ("NEO4J_DATABASE", "")):
        monkeypatch.setenv(name, value)
    path = tmp_path / "neo4j.gexf"
    code, _, err = run(["export", "--format", "gexf", "--output", str(path), "--as-of", AS_OF],
                       capsys)
    assert code == 0, err
    _assert_round_trip(demo_graph, nx.read_gexf(path))


def test_a_network_too_large_to_export_is_refused_plainly(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    import analysis.network.export as export_module

    # the demo's window: 3,744 co-participation links, far fewer two-mode ones
    monkeypatch.setattr(export_module, "EDGE_LIMIT", 1000)
    path = tmp_path / "big.gexf"
    code, out, err = run(["export", "demo", "--format", "gexf", "--output", str(path),
                          "--as-of", AS_OF], capsys)
    assert code == 1 and "more than an export holds (1,000)" in err
    assert "Traceback" not in out + err and not path.exists()
    assert run(["export", "demo", "--format", "gexf", "--output", str(path), "--as-of", AS_OF,
                "--view", "twomode"], capsys)[0] == 0
