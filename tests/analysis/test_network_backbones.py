"""The readable network: strong ties (top-k per partner), community labels with single
partners folded into "unconnected", and the low-modularity caveat."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from analysis import network
from analysis.network.projection import CoParticipation
from tests.analysis.test_network import AS_OF, _davis_dataset, _random_dataset


@pytest.fixture(scope="module")
def davis_cp() -> CoParticipation:
    return network.coparticipation(_davis_dataset(nx.davis_southern_women_graph()), as_of=AS_OF)


def _reference(graph: nx.Graph, k: int) -> set[frozenset[str]]:
    """Top-k per node written plainly with networkx: weight first, then the neighbour with the
    lower strength, then the lower id."""
    strength = dict(graph.degree(weight="weight"))
    kept: set[frozenset[str]] = set()
    for node in graph:
        ranked = sorted(graph[node], key=lambda m: (-graph[node][m]["weight"], strength[m], m))
        kept.update(frozenset((node, m)) for m in ranked[:k])
    return kept


@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_strong_ties_equal_a_plain_top_k(davis_cp: CoParticipation, k: int) -> None:
    found = network.strong_ties(davis_cp, k=k)
    rows, cols, _ = davis_cp.edges()
    ids = davis_cp.partner_ids
    chosen = {frozenset((ids[r], ids[c])) for r, c, m in zip(rows, cols, found.mask, strict=True)
              if m}
    assert chosen == _reference(davis_cp.to_networkx(), k)
    assert found.edges == len(chosen) < davis_cp.n_edges
    assert found.edges_full == davis_cp.n_edges


def test_every_partner_with_a_tie_keeps_one_and_the_caption_says_so() -> None:
    cp = network.coparticipation(_random_dataset(150, 60, seed=11), as_of="2024-06-30")
    found = network.strong_ties(cp)
    rows, cols, weights = cp.edges()
    tied = set(rows.tolist()) | set(cols.tolist())
    kept = set(rows[found.mask].tolist()) | set(cols[found.mask].tolist())
    assert kept == tied
    share = weights[found.mask].sum() / weights.sum()
    assert found.weight_share == pytest.approx(share)
    caption = found.caption()
    assert "3 strongest links" in caption and f"{found.edges:,} of {cp.n_edges:,}" in caption
    assert found.to_dict()["rule"] == "top-k per partner, k = 3"


def test_strong_ties_refuse_a_bad_k(davis_cp: CoParticipation) -> None:
    with pytest.raises(ValueError, match="k must be an integer >= 1"):
        network.strong_ties(davis_cp, k=0)


def test_single_partner_communities_fold_into_unconnected() -> None:
    ds = _random_dataset(60, 8, seed=2, size=3)
    cp = network.coparticipation(ds, as_of="2024-06-30")
    found = network.communities(cp)
    labels = network.community_labels(found.membership)
    sizes = np.bincount(found.membership)
    assert (sizes == 1).sum() > 1  # the fixture has several single partners
    for community, label in zip(found.membership, labels, strict=True):
        assert label == (network.UNCONNECTED if sizes[community] == 1 else str(community + 1))
    assert network.community_labels(np.array([], dtype=np.int64)).tolist() == []


@pytest.mark.parametrize(("value", "shown"), [(None, False), (0.05, True), (0.299, True),
                                              (0.3, False), (0.6, False)])
def test_the_caveat_appears_only_when_modularity_is_low(value: float | None, shown: bool
                                                         ) -> None:
    caveat = network.modularity_caveat(value)
    assert (caveat is not None) == shown
    if shown:
        assert f"{value:.2f}" in str(caveat)
