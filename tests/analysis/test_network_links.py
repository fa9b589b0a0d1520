"""The direct-links network: the window, the weights, the nodes, and every measure against
networkx on the same weighted graph; the report's ``links`` section."""

from __future__ import annotations

import json

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from analysis.network import active_links, direct_links, links_summary
from analysis.report import build_report
from core.model import Dataset
from core.window import Window

AS_OF = "2024-06-30"


def dataset(links: pd.DataFrame | None = None) -> Dataset:
    """Six partners (one a Guest, one gone by 2024) and links of every shape the window and
    the weights must handle."""
    partners = pd.DataFrame({
        "partner_id": ["a", "b", "c", "d", "e", "g"],
        "name": ["A", "B", "C", "D", "E", "Guesty"],
        "sector": ["Industry", "Academic", "Industry", "Civil Society", "Media", "Government"],
        "country": ["USA", "FRA", "KEN", "BRA", "IND", "DEU"],
        "left": [None, None, None, None, "2023-01-01", None],
        "membership": ["Partner"] * 5 + ["Guest"],
    })
    if links is None:
        links = pd.DataFrame({
            "source_id": ["a", "b", "a", "c", "a", "b", "d", "c"],
            "target_id": ["b", "a", "c", "d", "d", "g", "e", "b"],
            "kind": ["grant", "collaboration", "grant", "joint project", "grant",
                     "collaboration", "collaboration", "grant"],
            "since": [None, "2020-01-01", "2024-06-30", None, None, None, None, None],
            "until": [None, None, None, "2024-06-30", "2030-01-01", None, None, "2024-07-01"],
            "weight": [2.0, 0.5, 1.0, 3.0, 1.5, 1.0, 1.0, 0.25],
        })
    return Dataset.from_frames(partners=partners, links=links)


def test_the_window_is_since_inclusive_until_exclusive() -> None:
    active = active_links(dataset(), as_of=AS_OF)
    pairs = set(zip(active["source_id"], active["target_id"], strict=True))
    assert ("a", "c") in pairs  # since == as_of: active
    assert ("c", "d") not in pairs  # until == as_of: ended
    assert ("c", "b") in pairs  # until the day after: active
    assert len(active) == 7


def test_kinds_filter_matches_labels_loosely_and_refuses_a_bare_string() -> None:
    active = active_links(dataset(), as_of=AS_OF, kinds=[" GRANT "])
    assert set(active["kind"]) == {"grant"}
    with pytest.raises(ValueError, match="kinds must be a list"):
        active_links(dataset(), as_of=AS_OF, kinds="grant")


def test_weights_sum_over_both_directions_and_every_kind() -> None:
    graph = direct_links(dataset(), as_of=AS_OF)
    ids = graph.partner_ids.tolist()
    # Active Partners (a-d), a Guest named by a link (g) and a departed partner named by a
    # link (e) are nodes; the matrix is symmetric with no diagonal.
    assert ids == ["a", "b", "c", "d", "e", "g"]
    adj = graph.adjacency.toarray()
    assert np.array_equal(adj, adj.T) and not adj.diagonal().any()
    at = {p: i for i, p in enumerate(ids)}
    assert adj[at["a"], at["b"]] == 2.5  # a->b grant 2.0 + b->a collaboration 0.5
    assert adj[at["c"], at["d"]] == 0.0
    assert graph.groups == 7 and graph.n_edges == 6


def test_an_isolated_active_partner_is_a_node_with_degree_zero() -> None:
    links = pd.DataFrame({"source_id": ["a"], "target_id": ["b"], "kind": ["grant"]})
    found = links_summary(dataset(links), as_of=AS_OF)
    degree = {n.partner_id: n.degree for n in found.network.nodes}
    assert degree == {"a": 1, "b": 1, "c": 0, "d": 0}


def _networkx(ds: Dataset) -> nx.Graph:
    """The same graph built the plain way: one networkx edge per pair, weights added."""
    graph = nx.Graph()
    graph.add_nodes_from(direct_links(ds, as_of=AS_OF).partner_ids.tolist())
    for row in active_links(ds, as_of=AS_OF).itertuples(index=False):
        old = graph.get_edge_data(row.source_id, row.target_id, {"weight": 0.0})["weight"]
        graph.add_edge(row.source_id, row.target_id, weight=old + row.weight)
    return graph


def test_measures_equal_networkx_on_the_weighted_graph() -> None:
    ds = dataset()
    found = links_summary(ds, as_of=AS_OF)
    reference = _networkx(ds)
    nodes = {n.partner_id: n for n in found.network.nodes}
    strength = dict(reference.degree(weight="weight"))
    betweenness = nx.betweenness_centrality(reference)
    pagerank = nx.pagerank(reference, weight="weight")
    for pid, node in nodes.items():
        assert node.degree == reference.degree(pid)
        assert node.strength == pytest.approx(strength[pid])
        assert node.betweenness == pytest.approx(betweenness[pid])
        assert node.pagerank == pytest.approx(pagerank[pid], abs=1e-6)
        assert node.kcore == nx.core_number(reference)[pid]
    assert nodes["a"].strength == 5.0  # 2.5 to b, 1 to c, 1.5 to d: fractional weights kept
    groups: dict[int, set[str]] = {}
    for pid, node in nodes.items():
        groups.setdefault(node.community, set()).add(pid)
    expected = nx.community.modularity(reference, list(groups.values()), weight="weight")
    assert found.network.modularity == pytest.approx(expected)
    assert found.links == 7
    assert found.kinds == {"collaboration": 3, "grant": 4}


def test_the_summary_says_how_it_was_made() -> None:
    data = links_summary(dataset(), as_of=AS_OF, kinds=["grant"]).to_dict()
    assert data["links"] == 4 and data["kinds"] == {"grant": 4}
    assert data["kind_filter"] == ["grant"]
    assert data["method"]["links"] == 4
    assert "since <= as_of < until" in data["method"]["links_window"]
    assert "either direction" in data["method"]["links_weights"]
    assert "groups" not in data["method"]
    assert json.loads(json.dumps(data)) == data


def test_no_active_link_gives_an_empty_graph_not_an_error() -> None:
    links = pd.DataFrame({"source_id": ["a"], "target_id": ["b"], "kind": ["grant"],
                          "since": ["2020-01-01"]})
    found = links_summary(dataset(links), as_of="2010-01-01")
    assert found.links == 0 and found.kinds == {} and found.network.edges == 0
    assert found.network.modularity is None


def test_the_report_has_a_links_section_only_when_the_dataset_has_links() -> None:
    window = Window.of(as_of=AS_OF)
    without = build_report(Dataset.from_frames(partners=dataset().partners), window).to_dict()
    assert "links" not in without
    report = build_report(dataset(), window).to_dict()
    section = report["links"]
    assert section["links"] == 7 and section["edges"] == 6
    assert {n["partner_id"] for n in section["nodes"]} == {"a", "b", "c", "d", "e", "g"}
    assert json.loads(json.dumps(report)) == report


def test_the_links_section_lists_no_organisation_under_min_cell() -> None:
    report = build_report(dataset(), Window.of(as_of=AS_OF), min_cell=5).to_dict()
    section = report["links"]
    assert "nodes" not in section and "bridging" not in section
    assert section["organisations"] == 6
    # 3 collaborations and 4 grants, both below 5: hidden, and so is nothing derivable.
    assert section["kinds"] == {"collaboration": None, "grant": None}
