"""Eigenvector, PageRank, closeness and k-core (analysis.network.centrality.structure) against
networkx on the Davis Southern Women projection and on a graph of several components."""

from __future__ import annotations

import json
import random

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd
import pytest

from analysis import network
from analysis.network.centrality import largest_component, structure
from analysis.network.projection import CoParticipation
from tests.analysis.test_network import AS_OF, _davis_dataset, _random_dataset


@pytest.fixture(scope="module")
def davis_projection() -> nx.Graph:
    """The weighted one-mode projection networkx itself makes of the women."""
    graph = nx.davis_southern_women_graph()
    return nx.bipartite.weighted_projected_graph(graph, graph.graph["top"])


@pytest.fixture(scope="module")
def davis_structure() -> pd.DataFrame:
    ds = _davis_dataset(nx.davis_southern_women_graph())
    return structure(network.coparticipation(ds, as_of=AS_OF)).set_index("partner_id")


@pytest.fixture(scope="module")
def scattered() -> CoParticipation:
    """Small events among many partners: several components and some isolated partners."""
    ds = _random_dataset(120, 40, seed=3, size=3)
    cp = network.coparticipation(ds, as_of="2024-06-30")
    components = nx.number_connected_components(cp.to_networkx())
    assert components > 3  # the fixture is what the tests below assume
    return cp


def _series(values: dict[str, float], index: pd.Index) -> np.ndarray:
    return np.array([values[p] for p in index], dtype=float)


def test_davis_eigenvector_equals_networkx(davis_structure: pd.DataFrame,
                                           davis_projection: nx.Graph) -> None:
    expected = _series(nx.eigenvector_centrality_numpy(davis_projection, weight="weight"),
                       davis_structure.index)
    np.testing.assert_allclose(davis_structure["eigenvector"], expected / expected.max(),
                               rtol=1e-9)
    assert davis_structure["eigenvector"].max() == 1.0


def test_davis_pagerank_equals_networkx(davis_structure: pd.DataFrame,
                                        davis_projection: nx.Graph) -> None:
    expected = nx.pagerank(davis_projection, alpha=0.85, weight="weight", tol=1e-14,
                           max_iter=10_000)
    np.testing.assert_allclose(davis_structure["pagerank"],
                               _series(expected, davis_structure.index), rtol=1e-9, atol=1e-12)
    assert davis_structure["pagerank"].sum() == pytest.approx(1.0, abs=1e-12)


def test_davis_closeness_and_kcore_equal_networkx(davis_structure: pd.DataFrame,
                                                  davis_projection: nx.Graph) -> None:
    closeness = nx.closeness_centrality(davis_projection)
    np.testing.assert_allclose(davis_structure["closeness"],
                               _series(closeness, davis_structure.index), rtol=1e-12)
    cores = nx.core_number(davis_projection)
    assert davis_structure["kcore"].tolist() == [cores[p] for p in davis_structure.index]


def test_closeness_and_eigenvector_only_on_the_largest_component(scattered: CoParticipation
                                                                 ) -> None:
    graph = scattered.to_networkx()
    giant = graph.subgraph(max(nx.connected_components(graph), key=len))
    out = structure(scattered).set_index("partner_id")
    inside = out.index.isin(list(giant.nodes))
    assert out.loc[~inside, ["closeness", "eigenvector"]].isna().all().all()
    assert out.loc[inside, ["closeness", "eigenvector"]].notna().all().all()
    ids = out.index[inside]
    np.testing.assert_allclose(out.loc[ids, "closeness"],
                               _series(nx.closeness_centrality(giant), ids), rtol=1e-12)
    expected = _series(nx.eigenvector_centrality_numpy(giant, weight="weight"), ids)
    np.testing.assert_allclose(out.loc[ids, "eigenvector"], expected / expected.max(),
                               rtol=1e-8, atol=1e-12)
    method = out.attrs["method"]
    assert method["largest_component"] == {"nodes": giant.number_of_nodes(),
                                           "of": scattered.n_nodes}
    assert "largest connected component" in method["closeness"]


def test_pagerank_and_kcore_cover_every_component(scattered: CoParticipation) -> None:
    graph = scattered.to_networkx()
    out = structure(scattered).set_index("partner_id")
    expected = nx.pagerank(graph, weight="weight", tol=1e-14, max_iter=10_000)
    np.testing.assert_allclose(out["pagerank"], _series(expected, out.index), rtol=1e-8,
                               atol=1e-12)
    assert out["kcore"].tolist() == [nx.core_number(graph)[p] for p in out.index]
    assert (out["kcore"] == 0).any()  # isolated partners are in no 1-core


def test_sampled_closeness_is_the_stated_estimate(scattered: CoParticipation) -> None:
    out = structure(scattered, sampled=True, samples=5, seed=9)
    assert "5 sampled sources (seed 9)" in out.attrs["method"]["closeness"]
    graph = scattered.shared_igraph()
    members = largest_component(graph)
    core = graph.induced_subgraph(members.tolist())
    sources = random.Random(9).sample(range(len(members)), 5)
    distances = np.asarray(core.distances(source=sources), dtype=float)
    counted = np.full(len(members), 5.0)
    counted[sources] -= 1
    np.testing.assert_allclose(out["closeness"].to_numpy()[members],
                               counted / distances.sum(axis=0), rtol=1e-12)


def test_largest_component_ties_go_to_the_smallest_index() -> None:
    graph = ig.Graph(n=6, edges=[(3, 4), (0, 5)])
    assert largest_component(graph).tolist() == [0, 5]
    assert largest_component(ig.Graph(n=0)).tolist() == []


def test_the_report_nodes_carry_the_measures_and_the_method_says_how() -> None:
    ds = _davis_dataset(nx.davis_southern_women_graph())
    out = network.network_summary(ds, as_of=AS_OF).to_dict()
    json.dumps(out, allow_nan=False)
    node = out["nodes"][0]
    assert {"eigenvector", "pagerank", "closeness", "kcore"} <= set(node)
    assert out["method"]["largest_component"] == {"nodes": 18, "of": 18}
    assert "damping 0.85" in out["method"]["pagerank"]


def test_empty_graph_gives_empty_measures() -> None:
    import scipy.sparse as sp
    empty = CoParticipation(np.array([], dtype=object), sp.csr_matrix((0, 0), dtype=np.int32),
                            pd.Timestamp(0), None)
    out = structure(empty)
    assert out.empty and list(out.columns) == ["partner_id", "eigenvector", "pagerank",
                                               "closeness", "kcore"]


def test_on_the_large_graph_path_the_measures_run_on_the_backbone() -> None:
    ds = _random_dataset(200, 120, seed=5)
    cp = network.coparticipation(ds, as_of="2024-06-30")
    out = structure(cp, scale_threshold=10, backbone_edges=cp.n_edges // 4)
    assert out.attrs["method"]["structure_graph"] == "backbone"
    skeleton = network.backbone(cp, max_edges=cp.n_edges // 4).to_networkx()
    cores = nx.core_number(skeleton)
    assert out["kcore"].tolist() == [cores[p] for p in out["partner_id"]]


def test_eigenvector_of_a_large_component_equals_networkx() -> None:
    # above 64 partners the eigenvector comes from ARPACK (eigsh), below from LAPACK
    cp = network.coparticipation(_random_dataset(300, 150, seed=8), as_of="2024-06-30")
    graph = cp.to_networkx()
    giant = graph.subgraph(max(nx.connected_components(graph), key=len))
    assert giant.number_of_nodes() > 64
    out = structure(cp).set_index("partner_id")
    ids = pd.Index(sorted(giant.nodes))
    expected = _series(nx.eigenvector_centrality_numpy(giant, weight="weight"), ids)
    np.testing.assert_allclose(out.loc[ids, "eigenvector"], expected / expected.max(),
                               rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(out.loc[ids, "closeness"],
                               _series(nx.closeness_centrality(giant), ids), rtol=1e-12)
