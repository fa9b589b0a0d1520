"""Who is central: degree, strength and betweenness of every partner.

Degree and strength are read from the sparse matrix (exact at any size); betweenness runs in
igraph, exact on ordinary graphs and estimated from seeded sampled sources (networkx's estimate)
when exact costs too much or the graph is large (then on the top-k backbone).

>>> import scipy.sparse as sp, numpy as np, pandas as pd
>>> from analysis.network.projection import CoParticipation
>>> path = sp.csr_matrix(np.array([[0, 2, 0], [2, 0, 1], [0, 1, 0]]))
>>> cp = CoParticipation(np.array(["a", "b", "c"], dtype=object), path, pd.Timestamp(0), None)
>>> centralities(cp)[["degree", "strength", "betweenness"]].to_dict("list")
{'degree': [1, 2, 1], 'strength': [2, 3, 1], 'betweenness': [0.0, 1.0, 0.0]}
"""

from __future__ import annotations

import random
from typing import Any

import igraph as ig
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.linalg import eigsh

from analysis.network._common import check_positive_int, row_sums, seeded_igraph
from analysis.network.backbones import (
    BACKBONE_EDGES,
    backbone,
    backbone_method,
    check_scale,
    uses_backbone,
)
from analysis.network.projection import SCALE_THRESHOLD, CoParticipation

# Edge traversals (nodes x 2 x edges) exact betweenness may cost before it is sampled instead.
EXACT_BUDGET = 2_000_000_000


def _sampled_sources(n: int, samples: int, seed: int) -> list[int]:
    # random.Random(seed).sample over n positions picks exactly the nodes that networkx's
    # betweenness_centrality(G, k=samples, seed=seed) picks from list(G) when G's nodes are in
    # partner-id order (CoParticipation.to_networkx), so both estimates agree exactly.
    return random.Random(seed).sample(range(n), samples)


def centralities(
    cp: CoParticipation,
    *,
    exact_threshold: int = 5000,
    samples: int = 64,
    seed: int = 0,
    exact_budget: int | None = EXACT_BUDGET,
    scale_threshold: int | None = SCALE_THRESHOLD,
    backbone_edges: int = BACKBONE_EDGES,
) -> pd.DataFrame:
    """Degree, strength and normalised betweenness of every partner.

    Parameters
    ----------
    cp : CoParticipation
    exact_threshold : int, default 5000
        Up to this many nodes betweenness is exact (Brandes, every source)...
    exact_budget : int or None, default 2_000_000_000
        ...provided the exact computation costs at most this many edge traversals
        (``nodes * 2 * edges``; about ten seconds in igraph here). Co-participation graphs
        are dense — one large conference joins every pair of its attendees — so 5,000
        partners can hold millions of edges, and exact betweenness would then take many
        minutes. ``None`` removes the budget (exact whenever ``nodes <= exact_threshold``).
    samples : int, default 64
        Otherwise, betweenness is estimated from this many source nodes drawn
        uniformly without replacement with ``seed`` — networkx's ``k``-sample estimate, scaled
        as networkx scales it (sources by ``1/((k-1)(n-2))``, other nodes by ``1/(k(n-2))``).
    seed : int, default 0
        Seed of the source sample.
    scale_threshold : int or None, default 2_000_000
        Above this many edges, betweenness is estimated from ``samples`` seeded sources on
        the :func:`backbone` of at most ``backbone_edges`` edges instead of the full graph (an
        igraph copy of a 15M-edge projection alone costs about 500 MB). It is then the
        betweenness of the strong-tie skeleton, an estimate of who brokers between groups,
        not the full graph's value; the method says so. Degree and strength are always exact
        (read from the sparse matrix). ``None``: never.
    backbone_edges : int, default 2_000_000
        Passed to :func:`backbone` as ``max_edges``.

    Returns
    -------
    DataFrame
        Columns ``partner_id, degree, strength, betweenness``, rows in partner-id order.
        ``degree`` counts neighbours, ``strength`` sums edge weights, ``betweenness`` is on
        the unweighted graph, normalised like networkx (``2/((n-1)(n-2))`` for undirected).
        ``frame.attrs["method"]`` says how betweenness was computed:
        ``{"betweenness": "exact"|"sampled", "samples": k|None, "seed": seed|None,
        "exact_threshold": ..., "exact_budget": ...}``; on a backbone also
        ``"graph": "backbone"`` and ``"backbone": backbone_method(...)``.
    """
    check_positive_int("exact_threshold", exact_threshold, 0)
    check_positive_int("samples", samples, 2)
    if exact_budget is not None:
        check_positive_int("exact_budget", exact_budget, 0)
    check_scale(scale_threshold, backbone_edges)
    n = cp.n_nodes
    on_backbone = uses_backbone(cp, scale_threshold)
    too_costly = exact_budget is not None and n * cp.adjacency.nnz > exact_budget
    sampled = (n > exact_threshold or too_costly or on_backbone) and samples < n
    graph = backbone(cp, max_edges=backbone_edges) if on_backbone else cp
    frame = pd.DataFrame({
        "partner_id": cp.partner_ids.astype(object),
        "degree": np.diff(cp.adjacency.indptr).astype(np.int64),
        "strength": row_sums(cp.adjacency),
        "betweenness": _betweenness(graph, samples=samples if sampled else None, seed=seed),
    })
    frame.attrs["method"] = {
        "betweenness": "sampled" if sampled else "exact",
        "samples": samples if sampled else None,
        "seed": seed if sampled else None,
        "exact_threshold": exact_threshold,
        "exact_budget": exact_budget,
    }
    if on_backbone:
        frame.attrs["method"]["graph"] = "backbone"
        frame.attrs["method"]["backbone"] = backbone_method(cp, max_edges=backbone_edges)
    return frame


def _betweenness(cp: CoParticipation, *, samples: int | None, seed: int) -> np.ndarray:
    """Normalised unweighted betweenness, exact (``samples=None``) or from sampled sources."""
    n = cp.n_nodes
    betweenness = np.zeros(n, dtype=float)
    # Fewer than three nodes: no node can lie between two others (networkx gives 0 too).
    if n < 3 or not cp.n_edges:
        return betweenness
    graph = cp.shared_igraph()
    if samples is None:
        raw = np.asarray(graph.betweenness(directed=False), dtype=float)
        return raw * 2.0 / ((n - 1) * (n - 2))
    sources = _sampled_sources(n, samples, seed)
    # igraph halves subset betweenness on undirected graphs; networkx's accumulation counts
    # each (source, target) ordered pair, hence the factor 2.
    raw = 2.0 * np.asarray(graph.betweenness(directed=False, sources=sources), dtype=float)
    is_source = np.zeros(n, dtype=bool)
    is_source[sources] = True
    scale = np.where(is_source, 1.0 / ((samples - 1) * (n - 2)), 1.0 / (samples * (n - 2)))
    result: np.ndarray = raw * scale
    return result


# PageRank's damping factor: the probability the random walk follows a tie (Gephi's and
# networkx's default).
DAMPING = 0.85


def largest_component(graph: ig.Graph) -> np.ndarray:
    """Vertex indices of the largest connected component, sorted (ties: the component holding
    the smallest index, so the choice does not depend on igraph's numbering of components)."""
    if graph.vcount() == 0:
        return np.zeros(0, dtype=np.int64)
    labels = np.asarray(graph.connected_components().membership, dtype=np.int64)
    sizes = np.bincount(labels)
    first = np.full(len(sizes), len(labels), dtype=np.int64)
    np.minimum.at(first, labels, np.arange(len(labels)))
    best = int(np.lexsort((first, -sizes))[0])
    return np.flatnonzero(labels == best)


def _closeness(graph: ig.Graph, members: np.ndarray, *, samples: int | None, seed: int
               ) -> np.ndarray:
    """Unweighted closeness of the component ``members`` (vertex ids) of ``graph``:
    ``(n - 1) / sum of distances`` (networkx's), or from ``samples`` seeded sources of the
    component: ``k / sum of distances to the k sources`` (a node's own distance left out).
    Read on the whole graph: no vertex outside the component is reachable from inside it."""
    n = len(members)
    if n < 2:
        return np.full(n, np.nan)
    if samples is None or samples >= n:
        return np.asarray(graph.closeness(vertices=members.tolist(), normalized=True),
                          dtype=float)
    picks = _sampled_sources(n, samples, seed)
    distances = np.asarray(graph.distances(source=members[picks].tolist(),
                                           target=members.tolist()), dtype=float)
    counted = np.full(n, float(samples))
    counted[picks] -= 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        result: np.ndarray = counted / distances.sum(axis=0)
    return result


def _eigenvector(adjacency: sp.csr_matrix, members: np.ndarray) -> np.ndarray:
    """Weighted eigenvector centrality of the component ``members``, scaled so the maximum is
    1: the principal eigenvector of its adjacency (ARPACK from a fixed start, so the digits
    repeat run to run; LAPACK for small components)."""
    sub = adjacency[members][:, members].astype(float)
    if sub.nnz == 0:
        return np.full(len(members), np.nan)
    if len(members) <= 64:
        vector = np.linalg.eigh(sub.toarray())[1][:, -1]
    else:
        vector = eigsh(sub, k=1, which="LA", v0=np.ones(len(members)))[1][:, 0]
    values = np.abs(vector)
    scaled: np.ndarray = values / values.max()
    return scaled


def structure(
    cp: CoParticipation,
    *,
    sampled: bool = False,
    samples: int = 64,
    seed: int = 0,
    scale_threshold: int | None = SCALE_THRESHOLD,
    backbone_edges: int = BACKBONE_EDGES,
) -> pd.DataFrame:
    """Eigenvector, PageRank, closeness and k-core of every partner (Gephi's measures).

    Parameters
    ----------
    cp : CoParticipation
    sampled : bool, default False
        Estimate closeness from ``samples`` seeded sources (what :func:`centralities` does to
        betweenness when exact costs too much; pass its decision).
    samples, seed : int
        The sources of the closeness estimate (the same draw as sampled betweenness).
    scale_threshold, backbone_edges : int
        Above ``scale_threshold`` edges every measure here runs on the top-k backbone, as
        betweenness does; the method says so.

    Returns
    -------
    DataFrame
        ``partner_id, eigenvector, pagerank, closeness, kcore`` in partner-id order.
        ``eigenvector`` (weighted, maximum 1) and ``closeness`` (unweighted, networkx's
        ``closeness_centrality``) are computed on the largest connected component and are NaN
        elsewhere: both are undefined across components. ``pagerank`` (weighted, damping
        0.85, sums to 1) and ``kcore`` (core number, unweighted) cover every partner.
        ``frame.attrs["method"]`` describes each.

    >>> import scipy.sparse as sp
    >>> star = sp.csr_matrix(np.array([[0, 1, 1, 0], [1, 0, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0]]))
    >>> cp = CoParticipation(np.array(list("abcd"), dtype=object), star, pd.Timestamp(0), None)
    >>> out = structure(cp)
    >>> out["closeness"].tolist(), out["kcore"].tolist()
    ([1.0, 0.6666666666666666, 0.6666666666666666, nan], [1, 1, 1, 0])
    """
    check_positive_int("samples", samples, 2)
    check_scale(scale_threshold, backbone_edges)
    on_backbone = uses_backbone(cp, scale_threshold)
    measured = backbone(cp, max_edges=backbone_edges) if on_backbone else cp
    graph = measured.shared_igraph()
    n = cp.n_nodes
    members = largest_component(graph)
    eigenvector = np.full(n, np.nan)
    closeness = np.full(n, np.nan)
    eigenvector[members] = _eigenvector(measured.adjacency, members)
    closeness[members] = _closeness(graph, members, samples=samples if sampled else None,
                                    seed=seed)
    pagerank = np.zeros(0)
    if n:
        # ARPACK starts from a random vector: seeded, the last digits repeat run to run.
        with seeded_igraph(seed):
            pagerank = np.asarray(graph.pagerank(weights="weight", damping=DAMPING,
                                                 implementation="arpack"), dtype=float)
    frame = pd.DataFrame({
        "partner_id": cp.partner_ids.astype(object),
        "eigenvector": eigenvector,
        "pagerank": pagerank,
        "closeness": closeness,
        "kcore": np.asarray(graph.coreness(), dtype=np.int64) if n else np.zeros(0, np.int64),
    })
    frame.attrs["method"] = _structure_method(n, len(members), sampled=sampled and
                                              samples < len(members), samples=samples, seed=seed)
    if on_backbone:
        frame.attrs["method"]["structure_graph"] = "backbone"
    return frame


def _structure_method(n: int, component: int, *, sampled: bool, samples: int, seed: int
                      ) -> dict[str, Any]:
    """The ``method`` entries of :func:`structure`."""
    return {
        "eigenvector": "weighted, on the largest connected component (others null), "
                       "scaled so the maximum is 1 (principal eigenvector, scipy eigsh)",
        "pagerank": f"weighted, damping {DAMPING}, every partner, sums to 1 (igraph, ARPACK)",
        "closeness": ("unweighted, on the largest connected component (others null): "
                      + (f"inverse mean distance to {samples} sampled sources (seed {seed})"
                         if sampled else "(n - 1) / sum of distances, exact")),
        "kcore": "core number (largest k such that the partner is in the k-core), unweighted",
        "largest_component": {"nodes": component, "of": n},
    }
