"""Tests of analysis.network against networkx's own functions and hand-computed answers.

Known answers come from an independent implementation (networkx) on the Davis Southern Women
two-mode data it ships, and from a 6-node graph computed by hand.
"""

from __future__ import annotations

import json
import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from analysis import network
from analysis.network import CoParticipation
from analysis.network import community as community_module
from benchmarks import networkx_baseline
from core.model import Dataset

AS_OF = "1936-01-01"


# ------------------------------------------------------------------------------------------
# fixtures
# ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def davis_graph() -> nx.Graph:
    return nx.davis_southern_women_graph()


def _davis_dataset(graph: nx.Graph) -> Dataset:
    women = sorted(graph.graph["top"])
    events = graph.graph["bottom"]
    sectors = ["Industry", "Academic", "Media"]
    regions = ["Americas", "Europe"]
    partners = pd.DataFrame({
        "partner_id": women,
        "name": women,
        "sector": [sectors[i % 3] for i in range(len(women))],
        "country": ["USA"] * len(women),
        "region": [regions[i % 2] for i in range(len(women))],
    })
    # Placeholder dates inside the window: only who attended what matters here.
    event_frame = pd.DataFrame({
        "event_id": events,
        "name": events,
        "date": [f"1935-{(i % 12) + 1:02d}-01" for i in range(len(events))],
    })
    attendance = pd.DataFrame(
        [(e, w) for w in women for e in graph[w]], columns=["event_id", "partner_id"]
    )
    return Dataset.from_frames(partners=partners, events=event_frame, attendance=attendance)


@pytest.fixture(scope="module")
def davis(davis_graph: nx.Graph) -> Dataset:
    return _davis_dataset(davis_graph)


@pytest.fixture(scope="module")
def davis_cp(davis: Dataset) -> CoParticipation:
    return network.coparticipation(davis, as_of=AS_OF)


def _random_dataset(partners: int, events: int, *, seed: int, size: int = 6) -> Dataset:
    """Random two-mode data: each event draws 2..size attendees among the partners."""
    rng = np.random.default_rng(seed)
    ids = [f"p{i:04d}" for i in range(partners)]
    rows = []
    for e in range(events):
        k = int(rng.integers(2, size + 1))
        for p in rng.choice(partners, size=k, replace=False):
            rows.append((f"e{e:04d}", ids[p]))
    return Dataset.from_frames(
        partners=pd.DataFrame({
            "partner_id": ids, "name": ids,
            "sector": rng.choice(["Industry", "Academic", "Civil Society"], size=partners),
            "country": ["USA"] * partners,
            "region": rng.choice(["Americas", "Europe", "Africa", "Asia"], size=partners),
        }),
        events=pd.DataFrame({"event_id": [f"e{e:04d}" for e in range(events)],
                             "name": "x", "date": "2024-01-01"}),
        attendance=pd.DataFrame(rows, columns=["event_id", "partner_id"]),
    )


@pytest.fixture(scope="module")
def medium() -> Dataset:
    # About 400 partners in one big component: enough for sampling to be meaningful.
    return _random_dataset(400, 260, seed=7)


def _hand_graph() -> tuple[CoParticipation, pd.DataFrame]:
    """a-b (2), a-c (1), a-e (1), c-d (3), d-e (1); f isolated.

    Sectors: a, b, f = X; c, d = Y; e = Z.
    """
    ids = np.array(["a", "b", "c", "d", "e", "f"], dtype=object)
    index = {p: i for i, p in enumerate(ids)}
    dense = np.zeros((6, 6), dtype=np.int32)
    for u, v, w in [("a", "b", 2), ("a", "c", 1), ("a", "e", 1), ("c", "d", 3), ("d", "e", 1)]:
        dense[index[u], index[v]] = dense[index[v], index[u]] = w
    cp = CoParticipation(ids, sp.csr_matrix(dense), pd.Timestamp("2024-01-01"), None)
    frame = pd.DataFrame({"partner_id": ids, "sector": ["X", "X", "Y", "Y", "Z", "X"]})
    return cp, frame


# ------------------------------------------------------------------------------------------
# projection
# ------------------------------------------------------------------------------------------


def test_projection_equals_networkx_weighted_projection_edge_by_edge(
    davis_graph: nx.Graph, davis_cp: CoParticipation
) -> None:
    expected = nx.bipartite.weighted_projected_graph(davis_graph, davis_graph.graph["top"])
    ours = davis_cp.to_networkx()
    assert sorted(ours.nodes) == sorted(expected.nodes)
    assert davis_cp.n_edges == expected.number_of_edges() == ours.number_of_edges()
    for u, v, data in expected.edges(data=True):
        assert ours[u][v]["weight"] == data["weight"], (u, v)


def test_projection_matrix_is_symmetric_without_diagonal(davis_cp: CoParticipation) -> None:
    adj = davis_cp.adjacency
    assert (adj != adj.T).nnz == 0
    assert not adj.diagonal().any()
    assert davis_cp.partner_ids.tolist() == sorted(davis_cp.partner_ids.tolist())


def test_igraph_export_has_the_same_weighted_edges(davis_cp: CoParticipation) -> None:
    graph = davis_cp.to_igraph()
    assert graph.vcount() == davis_cp.n_nodes
    names = graph.vs["name"]
    ours = {frozenset((names[e.source], names[e.target])): e["weight"] for e in graph.es}
    nxg = davis_cp.to_networkx()
    assert ours == {frozenset((u, v)): d["weight"] for u, v, d in nxg.edges(data=True)}


def test_two_mode_counts_successive_terms_once_and_respects_the_window() -> None:
    ds = Dataset.from_frames(
        partners=pd.DataFrame({"partner_id": ["a", "b", "c", "d"], "name": list("abcd"),
                               "sector": "S", "country": "USA"}),
        committees=pd.DataFrame({"committee_id": ["c1"], "name": ["C1"]}),
        memberships=pd.DataFrame({
            "committee_id": ["c1", "c1", "c1", "c1", "c1"],
            "partner_id": ["a", "a", "b", "b", "c"],
            # a: two terms, the second active on as_of; b: two overlapping seats (chair and
            # member), one membership; c's seat ended before as_of.
            "since": ["2020-01-01", "2022-01-01", "2021-01-01", "2021-06-01", "2020-01-01"],
            "until": ["2022-01-01", None, None, None, "2021-06-01"],
        }),
        events=pd.DataFrame({"event_id": ["e1", "e2", "e3"], "name": "x",
                             "date": ["2023-01-01", "2023-06-01", "2024-06-01"]}),
        attendance=pd.DataFrame({"event_id": ["e1", "e1", "e2", "e2", "e3", "e3"],
                                 "partner_id": ["a", "d", "a", "d", "a", "b"]}),
    )
    incidence = network.two_mode(ds, as_of="2024-01-01", since="2023-01-01")
    # e1 is on `since` (excluded), e3 after as_of (excluded): only c1 and e2 are groups.
    assert incidence.group_ids.tolist() == ["c1", "e2"]
    assert incidence.group_kinds.tolist() == ["committee", "event"]
    assert incidence.matrix.toarray().tolist() == [[1, 1], [1, 0], [0, 0], [0, 1]]
    cp = network.coparticipation(ds, as_of="2024-01-01", since="2023-01-01")
    assert cp.adjacency.toarray().tolist() == [[0, 1, 0, 1], [1, 0, 0, 0],
                                               [0, 0, 0, 0], [1, 0, 0, 0]]


# ------------------------------------------------------------------------------------------
# centralities
# ------------------------------------------------------------------------------------------


def test_centralities_equal_networkx_on_davis(
    davis_graph: nx.Graph, davis_cp: CoParticipation
) -> None:
    projected = nx.bipartite.weighted_projected_graph(davis_graph, davis_graph.graph["top"])
    ours = network.centralities(davis_cp).set_index("partner_id")
    ids = ours.index.tolist()
    assert ours["degree"].tolist() == [projected.degree(p) for p in ids]
    assert ours["strength"].tolist() == [projected.degree(p, weight="weight") for p in ids]
    expected = nx.betweenness_centrality(projected)
    np.testing.assert_allclose(ours["betweenness"], [expected[p] for p in ids], atol=1e-12)
    assert ours.attrs["method"]["betweenness"] == "exact"
    # Davis' projection is nearly complete, but not all betweenness is zero.
    assert ours["betweenness"].max() > 0


def test_baseline_agrees_with_fast_path_exact_and_sampled(medium: Dataset) -> None:
    cp = network.coparticipation(medium, as_of="2024-06-30")
    base = networkx_baseline.projection_networkx_baseline(medium, as_of="2024-06-30")
    ours = network.centralities(cp)
    assert networkx_baseline.equal_results(ours, base)
    sampled = network.centralities(cp, exact_threshold=10, samples=40, seed=3)
    base_sampled = networkx_baseline.projection_networkx_baseline(medium, as_of="2024-06-30", k=40, seed=3)
    assert sampled.attrs["method"] == {"betweenness": "sampled", "samples": 40, "seed": 3,
                                       "exact_threshold": 10,
                                       "exact_budget": network.EXACT_BUDGET}
    assert networkx_baseline.equal_results(sampled, base_sampled)
    # The helper is not vacuous: the sampled estimate differs from the exact values.
    assert not networkx_baseline.equal_results(sampled, base)


def test_sampled_betweenness_is_close_to_exact(medium: Dataset) -> None:
    cp = network.coparticipation(medium, as_of="2024-06-30")
    exact = network.centralities(cp)["betweenness"].to_numpy()
    estimate = network.centralities(cp, exact_threshold=100, samples=200, seed=11)
    values = estimate["betweenness"].to_numpy()
    assert estimate.attrs["method"]["betweenness"] == "sampled"
    assert np.corrcoef(exact, values)[0, 1] > 0.95
    assert abs(values.sum() - exact.sum()) / exact.sum() < 0.1
    # The most central partners are found by the estimate too.
    top_exact = set(np.argsort(exact)[-10:])
    assert len(top_exact & set(np.argsort(values)[-20:])) >= 8


def test_exact_betweenness_is_sampled_when_it_would_cost_too_much(medium: Dataset) -> None:
    cp = network.coparticipation(medium, as_of="2024-06-30")
    cost = cp.n_nodes * 2 * cp.n_edges
    within = network.centralities(cp, exact_budget=cost)
    over = network.centralities(cp, exact_budget=cost - 1, samples=30, seed=2)
    unlimited = network.centralities(cp, exact_threshold=10, exact_budget=None)
    assert within.attrs["method"]["betweenness"] == "exact"
    assert over.attrs["method"]["betweenness"] == "sampled"
    # exact_threshold still applies without a budget.
    assert unlimited.attrs["method"]["betweenness"] == "sampled"
    base = networkx_baseline.projection_networkx_baseline(medium, as_of="2024-06-30", k=30, seed=2)
    assert networkx_baseline.equal_results(over, base)


def test_sampled_betweenness_is_deterministic_per_seed(medium: Dataset) -> None:
    cp = network.coparticipation(medium, as_of="2024-06-30")
    first = network.centralities(cp, exact_threshold=10, samples=30, seed=5)
    again = network.centralities(cp, exact_threshold=10, samples=30, seed=5)
    other = network.centralities(cp, exact_threshold=10, samples=30, seed=6)
    assert first["betweenness"].tolist() == again["betweenness"].tolist()
    assert first["betweenness"].tolist() != other["betweenness"].tolist()


@pytest.mark.parametrize("kwargs", [{"samples": 1}, {"exact_threshold": -1}, {"samples": 2.5}])
def test_centralities_refuse_bad_options(davis_cp: CoParticipation, kwargs: dict) -> None:
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        network.centralities(davis_cp, **kwargs)


# ------------------------------------------------------------------------------------------
# communities
# ------------------------------------------------------------------------------------------

# The classic split of Davis, Gardner and Gardner (1941): women 1-9 and 10-18. Pearl
# Oglethorpe (8) is the best-known ambiguous member (Freeman 2003, "Finding social groups: a
# meta-analysis of the Southern Women data"): she attended events of both cliques and several
# analyses place her with the second group. Weighted Louvain on the projection does so.
CLASSIC_FIRST = {
    "Evelyn Jefferson", "Laura Mandeville", "Theresa Anderson", "Brenda Rogers",
    "Charlotte McDowd", "Frances Anderson", "Eleanor Nye", "Pearl Oglethorpe", "Ruth DeSand",
}
AMBIGUOUS = {"Pearl Oglethorpe"}


def test_davis_communities_match_the_classic_split(
    davis_graph: nx.Graph, davis_cp: CoParticipation
) -> None:
    found = network.communities(davis_cp, seed=0)
    women = set(davis_graph.graph["top"])
    assert found.sizes == [10, 8]
    first, second = (set(g) for g in found.groups())
    assert second == CLASSIC_FIRST - AMBIGUOUS
    assert first == (women - CLASSIC_FIRST) | AMBIGUOUS
    # The modularity igraph reports equals networkx's for the same partition.
    projected = nx.bipartite.weighted_projected_graph(davis_graph, davis_graph.graph["top"])
    assert found.modularity == pytest.approx(
        nx.community.modularity(projected, [first, second], weight="weight"), abs=1e-12
    )


def test_communities_are_deterministic_per_seed_and_relabelled_by_size(medium: Dataset) -> None:
    cp = network.coparticipation(medium, as_of="2024-06-30")
    first = network.communities(cp, seed=3)
    again = network.communities(cp, seed=3)
    assert first.membership.tolist() == again.membership.tolist()
    sizes = first.sizes
    assert sizes == sorted(sizes, reverse=True)
    assert sum(sizes) == cp.n_nodes
    # Equal sizes are ordered by their smallest member id.
    groups = first.groups()
    for a, b in zip(groups, groups[1:], strict=False):
        if len(a) == len(b):
            assert a[0] < b[0]
    # Louvain beats a trivial partition on this random graph.
    assert first.modularity is not None and first.modularity > 0.2


def test_relabel_orders_by_size_then_smallest_member() -> None:
    raw = np.array([5, 5, 2, 7, 7, 2, 9])
    # sizes: 5 -> 2 (first at 0), 2 -> 2 (first at 2), 7 -> 2 (first at 3), 9 -> 1
    assert network.relabel_by_size(raw).tolist() == [0, 0, 1, 2, 2, 1, 3]


def test_communities_refuse_bad_resolution(davis_cp: CoParticipation) -> None:
    with pytest.raises(ValueError, match="resolution"):
        network.communities(davis_cp, resolution=0)


# ------------------------------------------------------------------------------------------
# bridging and mixing
# ------------------------------------------------------------------------------------------


def test_ei_index_and_participation_by_hand() -> None:
    cp, frame = _hand_graph()
    ties = network.bridging(cp, frame, attribute="sector").set_index("partner_id")
    # a: b (X), c (Y), e (Z): internal 1, external 2.
    expected_ei = {"a": 1 / 3, "b": -1.0, "c": 0.0, "d": 0.0, "e": 1.0}
    expected_p = {"a": 2 / 3, "b": 0.0, "c": 0.5, "d": 0.5, "e": 0.5}
    for p, value in expected_ei.items():
        assert ties.loc[p, "ei"] == pytest.approx(value)
        assert ties.loc[p, "participation"] == pytest.approx(expected_p[p])
    assert math.isnan(ties.loc["f", "ei"]) and math.isnan(ties.loc["f", "participation"])
    weights = network.bridging(cp, frame, attribute="sector", weighted=True).set_index(
        "partner_id")
    # a: weight 2 inside X, 1 to Y, 1 to Z. c: 3 to d (Y), 1 to a (X).
    expected_ei = {"a": 0.0, "b": -1.0, "c": -0.5, "d": -0.5, "e": 1.0}
    expected_p = {"a": 1 - (0.25 + 0.0625 + 0.0625), "b": 0.0, "c": 0.375, "d": 0.375, "e": 0.5}
    for p, value in expected_ei.items():
        assert weights.loc[p, "ei"] == pytest.approx(value)
        assert weights.loc[p, "participation"] == pytest.approx(expected_p[p])
    assert weights.loc["c", "internal"] == 3 and weights.loc["c", "external"] == 1


def test_bridging_needs_every_node_in_the_frame() -> None:
    cp, frame = _hand_graph()
    with pytest.raises(ValueError, match="lacks partners"):
        network.bridging(cp, frame.iloc[:3])
    with pytest.raises(ValueError, match="no column 'region'"):
        network.bridging(cp, frame, attribute="region")


def _multigraph(graph: nx.Graph) -> nx.MultiGraph:
    """An integer-weighted graph as parallel edges, for networkx's unweighted mixing."""
    multi = nx.MultiGraph()
    multi.add_nodes_from(graph.nodes(data=True))
    for u, v, w in graph.edges(data="weight"):
        multi.add_edges_from([(u, v)] * int(w))
    return multi


@pytest.mark.parametrize("attribute", ["sector", "region"])
@pytest.mark.parametrize("normalized", [False, True])
def test_mixing_matrix_equals_networkx(
    davis: Dataset, davis_cp: CoParticipation, attribute: str, normalized: bool
) -> None:
    graph = davis_cp.to_networkx()
    nx.set_node_attributes(graph, davis.partners.set_index("partner_id")[attribute].to_dict(),
                           attribute)
    categories = sorted(davis.partners[attribute].unique())
    mapping = {c: i for i, c in enumerate(categories)}
    counts = network.mixing_matrix(davis_cp, davis.partners, attribute=attribute,
                                   normalized=normalized, weighted=False)
    assert counts.index.tolist() == categories == counts.columns.tolist()
    np.testing.assert_allclose(counts.to_numpy(), nx.attribute_mixing_matrix(
        graph, attribute, mapping=mapping, normalized=normalized))
    weighted = network.mixing_matrix(davis_cp, davis.partners, attribute=attribute,
                                     normalized=normalized)
    np.testing.assert_allclose(weighted.to_numpy(), nx.attribute_mixing_matrix(
        _multigraph(graph), attribute, mapping=mapping, normalized=normalized))


def test_mixing_matrix_by_hand() -> None:
    cp, frame = _hand_graph()
    matrix = network.mixing_matrix(cp, frame)
    # X-X: a-b (2) twice; X-Y: a-c (1); X-Z: a-e (1); Y-Y: c-d (3) twice; Y-Z: d-e (1).
    assert matrix.to_numpy().tolist() == [[4, 1, 1], [1, 6, 1], [1, 1, 0]]


# ------------------------------------------------------------------------------------------
# the report's network section
# ------------------------------------------------------------------------------------------


def test_network_summary_json_shape(davis: Dataset) -> None:
    result = network.network_summary(davis, as_of=AS_OF)
    out = result.to_dict()
    text = json.dumps(out, allow_nan=False)  # plain JSON, no NaN
    assert json.loads(text) == out
    ids = [n["partner_id"] for n in out["nodes"]]
    assert ids == sorted(davis.partners["partner_id"])
    keys = {"partner_id", "degree", "strength", "betweenness", "community", "ei_sector",
            "participation_sector", "ei_region", "participation_region"}
    assert all(keys <= set(n) for n in out["nodes"])
    assert out["edges"] == 139
    assert out["communities"] == [10, 8]
    assert out["modularity"] == pytest.approx(result.communities.modularity)
    assert out["method"]["betweenness"] == "exact"
    assert out["method"]["community_seed"] == 0
    assert set(out["mixing"]) == {"sector", "region"}
    assert out["mixing"]["region"]["Americas"]["Europe"] == out["mixing"]["region"]["Europe"][
        "Americas"]
    bridges = out["bridging"]["sector"]
    assert bridges and bridges == sorted(bridges, key=lambda b: -b["participation"])
    assert {"partner_id", "name", "sector", "participation", "ei"} <= set(bridges[0])
    nodes = {n["partner_id"]: n for n in out["nodes"]}
    cent = network.centralities(network.coparticipation(davis, as_of=AS_OF))
    assert [nodes[p]["betweenness"] for p in cent["partner_id"]] == cent["betweenness"].tolist()


def test_network_summary_says_when_betweenness_is_sampled(medium: Dataset) -> None:
    out = network.network_summary(medium, as_of="2024-06-30", exact_threshold=50, samples=20,
                                  seed=4).to_dict()
    assert out["method"]["betweenness"] == "sampled"
    assert out["method"]["samples"] == 20 and out["method"]["seed"] == 4
    json.dumps(out, allow_nan=False)


def test_empty_window_gives_an_empty_result() -> None:
    ds = Dataset.from_frames(
        partners=pd.DataFrame({"partner_id": ["a", "b"], "name": ["A", "B"], "sector": "S",
                               "country": "USA", "joined": ["2030-01-01", "2030-01-01"]}),
        events=pd.DataFrame({"event_id": ["e1"], "name": "x", "date": ["2030-02-01"]}),
        attendance=pd.DataFrame({"event_id": ["e1", "e1"], "partner_id": ["a", "b"]}),
    )
    result = network.network_summary(ds, as_of="2024-01-01")
    out = result.to_dict()
    json.dumps(out, allow_nan=False)
    assert out["nodes"] == [] and out["edges"] == 0 and out["communities"] == []
    assert out["modularity"] is None
    assert out["bridging"] == {"sector": [], "region": []}
    assert network.centralities(network.coparticipation(ds, as_of="2024-01-01")).empty


def test_partners_without_ties_are_isolated_nodes() -> None:
    ds = Dataset.from_frames(
        partners=pd.DataFrame({"partner_id": ["a", "b", "c"], "name": list("ABC"),
                               "sector": ["S", "T", "S"], "country": "USA"}),
        events=pd.DataFrame({"event_id": ["e1"], "name": "x", "date": ["2024-02-01"]}),
        attendance=pd.DataFrame({"event_id": ["e1", "e1"], "partner_id": ["a", "b"]}),
    )
    out = network.network_summary(ds, as_of="2024-06-30").to_dict()
    c = out["nodes"][2]
    assert (c["partner_id"], c["degree"], c["strength"], c["ei_sector"]) == ("c", 0, 0, None)
    assert out["communities"] == [2, 1]


def test_leiden_finds_the_same_davis_split_deterministically(davis_cp: CoParticipation) -> None:
    louvain = network.communities(davis_cp, seed=0)
    leiden = network.communities(davis_cp, seed=0, algorithm="leiden")
    assert leiden.groups() == louvain.groups()
    assert leiden.modularity == pytest.approx(louvain.modularity)
    assert "leiden" in leiden.algorithm and "Louvain" in louvain.algorithm
    again = network.communities(davis_cp, seed=0, algorithm="leiden")
    assert again.membership.tolist() == leiden.membership.tolist()
    with pytest.raises(ValueError, match="algorithm"):
        network.communities(davis_cp, algorithm="girvan-newman")


# ------------------------------------------------------------------------------------------
# invariants
# ------------------------------------------------------------------------------------------


def _renamed(ds: Dataset, mapping: dict[str, str]) -> Dataset:
    partners = ds.partners.assign(partner_id=ds.partners["partner_id"].map(mapping))
    attendance = ds.attendance.assign(partner_id=ds.attendance["partner_id"].map(mapping))
    return Dataset.from_frames(partners=partners, events=ds.events, attendance=attendance)


def _measures(ds: Dataset) -> pd.DataFrame:
    cp = network.coparticipation(ds, as_of="2024-06-30")
    return network.centralities(cp).merge(
        network.bridging(cp, ds.partners, attribute="region"), on="partner_id")


def test_measures_do_not_depend_on_partner_ids(medium: Dataset) -> None:
    ids = medium.partners["partner_id"].tolist()
    # Reversing the id order reverses the row order of every matrix.
    mapping = dict(zip(ids, [f"x{i:04d}" for i in range(len(ids))][::-1], strict=True))
    back = {v: k for k, v in mapping.items()}
    original = _measures(medium)
    renamed = _measures(_renamed(medium, mapping))
    renamed["partner_id"] = renamed["partner_id"].map(back)
    renamed = renamed.sort_values("partner_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(original, renamed, check_exact=False, rtol=1e-12)


def test_bridging_bounds_and_category_relabelling(medium: Dataset) -> None:
    cp = network.coparticipation(medium, as_of="2024-06-30")
    ties = network.bridging(cp, medium.partners, attribute="sector")
    linked = ties.dropna(subset=["ei"])
    categories = medium.partners["sector"].nunique()
    assert linked["ei"].between(-1, 1).all()
    assert linked["participation"].between(0, 1 - 1 / categories + 1e-12).all()
    relabelled = medium.partners.assign(sector=medium.partners["sector"].map(
        {"Industry": "B", "Academic": "C", "Civil Society": "A"}))
    again = network.bridging(cp, relabelled, attribute="sector")
    np.testing.assert_allclose(again["ei"], ties["ei"])
    np.testing.assert_allclose(again["participation"], ties["participation"])
    mixing = network.mixing_matrix(cp, medium.partners)
    assert (mixing.to_numpy() == mixing.to_numpy().T).all()
    # Both count each edge's weight once per direction.
    assert mixing.to_numpy().sum() == cp.adjacency.sum()


# ------------------------------------------------------------------------------------------
# large graphs: the backbone path (forced with a low scale_threshold)
# ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    """A medium dataset from the project's own generator (heavy-tailed event sizes)."""
    from loaders import read_dataset
    from loaders.generate import generate

    folder = tmp_path_factory.mktemp("generated")
    generate(folder, partners=800, seed=1)
    return read_dataset(folder)


GEN_AS_OF = "2025-12-31"
# Forces the large-graph path on the ~150k-edge generated graph, with a backbone of 1/8.
FORCED = 1000


@pytest.fixture(scope="module")
def generated_cp(generated: Dataset) -> CoParticipation:
    cp = network.coparticipation(generated, as_of=GEN_AS_OF)
    assert cp.n_edges > 50 * FORCED  # the fixture is what the tests below assume
    return cp


def test_backbone_by_hand() -> None:
    cp, _ = _hand_graph()
    # Five partners have ties: k = max(1, 4 // 5) = 1. a keeps b (2), b keeps a, c and d
    # keep each other (3); e's ties to a and d both weigh 1 and a, d both have strength 4,
    # so partner order picks a. f has no tie and stays a node.
    kept = network.backbone(cp, max_edges=4)
    info = network.backbone_method(cp, max_edges=4)
    assert (info["k"], info["edges"], info["edges_full"]) == (1, 3, 5)
    assert info["weight_share"] == pytest.approx(6 / 8)
    assert kept.partner_ids.tolist() == cp.partner_ids.tolist()
    index = {p: i for i, p in enumerate(cp.partner_ids)}
    expected = np.zeros((6, 6), dtype=int)
    for u, v, w in [("a", "b", 2), ("c", "d", 3), ("a", "e", 1)]:
        expected[index[u], index[v]] = expected[index[v], index[u]] = w
    assert kept.adjacency.toarray().tolist() == expected.tolist()
    # A graph already small enough is its own backbone.
    assert network.backbone(cp, max_edges=5) is cp


def test_backbone_keeps_every_partners_strongest_ties(generated_cp: CoParticipation) -> None:
    cp = generated_cp
    limit = cp.n_edges // 8
    kept = network.backbone(cp, max_edges=limit)
    info = network.backbone_method(cp, max_edges=limit)
    adj, small = cp.adjacency.tocsr(), kept.adjacency.tocsr()
    degree = np.diff(adj.indptr)
    k = info["k"]
    assert k == max(1, limit // int((degree > 0).sum()))
    assert 0 < kept.n_edges == info["edges"] <= limit
    assert (small != small.T).nnz == 0 and not small.diagonal().any()
    # Every kept edge has its full weight; every partner with a tie keeps one.
    assert (small.multiply(small > 0) != adj.multiply(small > 0)).nnz == 0
    assert ((np.diff(small.indptr) > 0) == (degree > 0)).all()
    # Brute force: each partner's k strongest (weight, then lower neighbour strength, then
    # partner order) are all kept.
    strength = np.asarray(adj.sum(axis=1)).ravel()
    for i in range(0, cp.n_nodes, 7):
        row = adj.getrow(i)
        order = sorted(zip(row.indices, row.data, strict=True),
                       key=lambda t: (-t[1], strength[t[0]], t[0]))
        wanted = {int(j) for j, _ in order[:k]}
        assert wanted <= set(small.getrow(i).indices.tolist()), i


def test_modularity_equals_networkx(davis_graph: nx.Graph, davis_cp: CoParticipation,
                                    generated_cp: CoParticipation) -> None:
    for cp in (davis_cp, generated_cp):
        graph = cp.to_networkx()
        rng = np.random.default_rng(0)
        for membership in (network.communities(cp).membership,
                           rng.integers(0, 5, size=cp.n_nodes)):
            groups = [set(cp.partner_ids[membership == c]) for c in np.unique(membership)]
            for resolution in (1.0, 1.5):
                assert network.modularity(cp, membership, resolution=resolution) == \
                    pytest.approx(nx.community.modularity(
                        graph, groups, weight="weight", resolution=resolution), abs=1e-12)
    with pytest.raises(ValueError, match="membership"):
        network.modularity(davis_cp, np.zeros(3))


def test_collapsed_graph_keeps_the_full_modularity(generated_cp: CoParticipation) -> None:
    cp = generated_cp
    labels = np.random.default_rng(1).integers(0, 40, size=cp.n_nodes)
    collapsed, vertex = community_module._aggregate(cp, labels)
    # Each vertex on its own = the partition itself; any grouping of vertices = the merge.
    assert collapsed.modularity(np.arange(collapsed.vcount()).tolist(), weights="weight") == \
        pytest.approx(network.modularity(cp, labels), abs=1e-12)
    grouping = np.arange(collapsed.vcount()) % 3
    assert collapsed.modularity(grouping.tolist(), weights="weight") == \
        pytest.approx(network.modularity(cp, grouping[vertex]), abs=1e-12)


def test_local_moving_raises_full_graph_modularity(generated_cp: CoParticipation) -> None:
    cp = generated_cp
    start = np.random.default_rng(2).integers(0, 30, size=cp.n_nodes)
    moved, count = community_module._local_moving(cp, start, resolution=1.0)
    assert count > 0
    assert network.modularity(cp, moved) > network.modularity(cp, start) + 0.01
    # Partners without ties keep their label.
    isolated = np.diff(cp.adjacency.indptr) == 0
    assert (moved[isolated] == start[isolated]).all()


def test_backbone_communities_are_close_to_exact_louvain(generated_cp: CoParticipation) -> None:
    cp = generated_cp
    limit = cp.n_edges // 8
    exact = network.communities(cp, seed=0)
    assert exact.method == {}
    found = network.communities(cp, seed=0, scale_threshold=FORCED, backbone_edges=limit)
    again = network.communities(cp, seed=0, scale_threshold=FORCED, backbone_edges=limit)
    assert found.membership.tolist() == again.membership.tolist()
    assert found.method["graph"] == "backbone"
    assert found.method["backbone"] == network.backbone_method(cp, max_edges=limit)
    assert found.method["backbone"]["edges"] <= limit
    assert "backbone" in found.algorithm
    # The reported modularity is the FULL graph's, and close to exact Louvain's.
    assert found.modularity == pytest.approx(network.modularity(cp, found.membership),
                                             abs=1e-12)
    assert exact.modularity is not None and found.modularity is not None
    assert found.modularity >= 0.9 * exact.modularity
    assert found.modularity >= found.method["modularity_after_moving"] - 1e-12
    assert sorted(found.sizes, reverse=True) == found.sizes and sum(found.sizes) == cp.n_nodes


def test_backbone_betweenness_is_networkx_sampled_on_the_backbone(
    generated_cp: CoParticipation,
) -> None:
    cp = generated_cp
    limit = cp.n_edges // 8
    ours = network.centralities(cp, scale_threshold=FORCED, backbone_edges=limit, samples=30,
                                seed=2)
    method = ours.attrs["method"]
    assert (method["betweenness"], method["samples"], method["seed"], method["graph"]) == (
        "sampled", 30, 2, "backbone")
    assert method["backbone"]["k"] == network.backbone_method(cp, max_edges=limit)["k"]
    # Degree and strength stay exact: those of the full graph.
    full = network.centralities(cp, exact_threshold=0, samples=30, seed=2)
    assert ours["degree"].tolist() == full["degree"].tolist()
    assert ours["strength"].tolist() == full["strength"].tolist()
    skeleton = network.backbone(cp, max_edges=limit).to_networkx()
    expected = nx.betweenness_centrality(skeleton, k=30, seed=2)
    np.testing.assert_allclose(ours["betweenness"], [expected[p] for p in ours["partner_id"]],
                               rtol=1e-9, atol=1e-12)


def test_network_summary_says_when_it_used_the_backbone(generated: Dataset) -> None:
    cp = network.coparticipation(generated, as_of=GEN_AS_OF)
    limit = cp.n_edges // 8
    exact = network.network_summary(generated, as_of=GEN_AS_OF)
    large = network.network_summary(generated, as_of=GEN_AS_OF, scale_threshold=FORCED,
                                    backbone_edges=limit, samples=20, seed=4)
    assert exact.method["scale"] == "exact" and "backbone" not in exact.method
    out = large.to_dict()
    json.loads(json.dumps(out, allow_nan=False))
    method = out["method"]
    assert (method["scale"], method["scale_threshold"], method["betweenness_graph"]) == (
        "backbone", FORCED, "backbone")
    assert (method["samples"], method["seed"], method["community_seed"]) == (20, 4, 4)
    assert method["backbone"]["k"] >= 1 and method["backbone"]["edges"] <= limit
    assert method["community_method"]["moved"] >= 0
    assert method["modularity_graph"] == "full"
    assert out["edges"] == cp.n_edges
    assert out["modularity"] == pytest.approx(
        network.modularity(cp, large.frame()["community"].to_numpy()), abs=1e-12)
    # Everything but betweenness and communities is exact on the full graph either way.
    keep = ["partner_id", "degree", "strength", "ei_sector", "participation_region"]
    pd.testing.assert_frame_equal(large.frame()[keep], exact.frame()[keep])
    assert out["mixing"] == exact.to_dict()["mixing"]


@pytest.mark.parametrize("kwargs", [{"scale_threshold": -1}, {"backbone_edges": 0}])
def test_scale_options_are_checked(davis_cp: CoParticipation, kwargs: dict) -> None:
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        network.centralities(davis_cp, **kwargs)
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        network.communities(davis_cp, **kwargs)
