"""Weighted modularity communities of the co-participation graph (Louvain or Leiden, igraph).

Up to :data:`~analysis.network.projection.SCALE_THRESHOLD` edges the algorithm runs on the full
graph; above it, on the top-k :func:`~analysis.network.backbones.backbone`, refined by Louvain's
own steps on the full sparse graph (:func:`communities` says how).

>>> import scipy.sparse as sp, numpy as np, pandas as pd
>>> from analysis.network.projection import CoParticipation
>>> two_pairs = sp.csr_matrix(np.array([[0, 3, 0, 0], [3, 0, 1, 0], [0, 1, 0, 3], [0, 0, 3, 0]]))
>>> cp = CoParticipation(np.array(list("abcd"), dtype=object), two_pairs, pd.Timestamp(0), None)
>>> found = communities(cp)
>>> found.groups(), round(found.modularity, 4)
([['a', 'b'], ['c', 'd']], 0.3571)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import igraph as ig
import numpy as np
import scipy.sparse as sp

from analysis.network._common import (
    BLOCK_ENTRIES,
    block_rows,
    json_float,
    row_blocks,
    row_sums,
    seeded_igraph,
    sum_dtype,
)
from analysis.network.backbones import (
    BACKBONE_EDGES,
    backbone,
    backbone_method,
    check_scale,
    uses_backbone,
)
from analysis.network.projection import SCALE_THRESHOLD, CoParticipation

COMMUNITY_ALGORITHMS = {
    "louvain": "igraph community_multilevel (Louvain), weighted",
    # Leiden optimises the same modularity without Louvain's working copy of the graph
    # (about 30 bytes per edge): the lever when memory, not time, is short at 10M+ edges.
    "leiden": "igraph community_leiden (modularity, until stable), weighted",
}
COMMUNITY_ALGORITHM = COMMUNITY_ALGORITHMS["louvain"]

def modularity(cp: CoParticipation, membership: np.ndarray, *, resolution: float = 1.0
               ) -> float | None:
    """Weighted Newman modularity of a partition of ``cp`` (igraph's and networkx's definition).

    ``Q = sum_c [ w_c / (2m) - resolution * (s_c / (2m))**2 ]`` where ``w_c`` sums the weights
    of ordered pairs inside community ``c``, ``s_c`` the strengths of its members and ``2m``
    all strengths. Computed block by block on the sparse matrix, so it needs no graph object:
    this is how a backbone partition is judged on the full graph. ``None`` without edges.
    """
    labels = np.asarray(membership, dtype=np.int64)
    if len(labels) != cp.n_nodes:
        raise ValueError(f"membership has {len(labels)} entries for {cp.n_nodes} nodes")
    adj = cp.adjacency
    dtype = sum_dtype(adj)
    total = float(adj.data.sum(dtype=dtype))
    if total == 0:
        return None
    inside = 0.0
    indptr = adj.indptr
    for a, b in row_blocks(indptr):
        lo, hi = int(indptr[a]), int(indptr[b])
        same = labels[block_rows(indptr, a, b)] == labels[adj.indices[lo:hi]]
        inside += float(adj.data[lo:hi][same].sum(dtype=dtype))
    by_community = np.bincount(labels - labels.min(), weights=row_sums(adj).astype(float))
    return inside / total - resolution * float(np.sum((by_community / total) ** 2))


def _local_moving(cp: CoParticipation, membership: np.ndarray, *, resolution: float
                  ) -> tuple[np.ndarray, int]:
    """One Louvain local-moving pass on the full graph, nodes in index order.

    Each node moves to the neighbouring community with the largest modularity gain when that
    beats staying (ties: stay, then the smallest label). Gains are compared exactly: with
    integer weights and resolution 1 every term is an integer in float64. Returns the new
    membership and how many nodes moved.
    """
    adj = cp.adjacency
    indptr = adj.indptr
    result = np.array(membership, dtype=np.int64)
    # Partners without ties never move and are nobody's neighbour: the communities of the
    # others are renumbered 0..K-1 in label order (the smallest label still wins ties).
    tied = np.diff(indptr) > 0
    original, compact = np.unique(result[tied], return_inverse=True)
    labels = np.full(len(result), -1, dtype=np.int64)
    labels[tied] = compact
    size = len(original)
    strength = row_sums(adj).astype(float)
    total = float(strength.sum())
    tot = np.bincount(labels[tied], weights=strength[tied], minlength=size)
    moved = 0
    # Few communities (the usual case): one bincount over all labels per node is cheaper
    # than sorting the node's neighbour labels.
    few = size <= 4096
    everyone = np.arange(size)
    for i in np.flatnonzero(tied).tolist():
        lo, hi = int(indptr[i]), int(indptr[i + 1])
        current = int(labels[i])
        k_i = strength[i]
        tot[current] -= k_i
        if few:
            to_each = np.bincount(labels[adj.indices[lo:hi]], weights=adj.data[lo:hi],
                                  minlength=size)
            found = everyone[to_each > 0]
            to_each = to_each[found]
        else:
            found, inverse = np.unique(labels[adj.indices[lo:hi]], return_inverse=True)
            to_each = np.bincount(inverse, weights=adj.data[lo:hi])
        # Gain (times 2m) of joining each community: w_i,d * 2m - resolution * k_i * tot_d.
        gains = to_each * total - resolution * k_i * tot[found]
        at = np.searchsorted(found, current)
        stay = (to_each[at] if at < len(found) and found[at] == current else 0.0) * total \
            - resolution * k_i * tot[current]
        best = int(np.argmax(gains))
        if gains[best] > stay:
            labels[i] = found[best]
            moved += 1
        tot[labels[i]] += k_i
    result[tied] = original[labels[tied]]
    return result, moved


def _aggregate(cp: CoParticipation, labels: np.ndarray) -> tuple[ig.Graph, np.ndarray]:
    """The full graph collapsed by ``labels`` (one per node): one vertex per community, its
    internal weight as a loop, so igraph's modularity of any grouping of its vertices equals
    the full graph's modularity of the merged partition. Also returns each node's vertex."""
    adj = cp.adjacency
    indptr = adj.indptr
    tied = np.diff(indptr) > 0
    # Vertices 0..size-1: communities holding a partner with ties; after them, partners
    # without ties (isolated vertices, no entries), so the sums below stay small.
    found = np.unique(labels[tied])
    size = len(found)
    compact = np.empty(len(labels), dtype=np.int64)
    compact[tied] = np.searchsorted(found, labels[tied])
    compact[~tied] = size + np.arange(int((~tied).sum()))
    dense = size * size <= BLOCK_ENTRIES
    summed: Any = (np.zeros(size * size, dtype=np.int64) if dense
                   else sp.csr_matrix((size, size), dtype=np.int64))
    for a, b in row_blocks(indptr):
        lo, hi = int(indptr[a]), int(indptr[b])
        source = compact[block_rows(indptr, a, b)]
        target = compact[adj.indices[lo:hi]]
        if dense:
            summed += np.bincount(source * size + target, weights=adj.data[lo:hi],
                                  minlength=size * size).astype(np.int64)
        else:
            summed = summed + sp.csr_matrix(
                (adj.data[lo:hi].astype(np.int64), (source, target)), shape=(size, size))
    summed = sp.csr_matrix(summed.reshape(size, size)) if dense else summed
    upper = sp.triu(summed, k=1).tocoo()
    loops = summed.diagonal() // 2  # ordered pairs inside a community count each edge twice
    has_loop = np.flatnonzero(loops)
    graph = ig.Graph(n=len(labels) - int(tied.sum()) + size)
    graph.add_edges(np.concatenate([np.column_stack([upper.row, upper.col]),
                                    np.column_stack([has_loop, has_loop])]).astype(np.int64))
    graph.es["weight"] = np.concatenate([upper.data, loops[has_loop]]).astype(float).tolist()
    return graph, compact


@dataclass(frozen=True)
class Communities:
    """Weighted modularity communities: ``membership[i]`` is the community of ``partner_ids[i]``.

    Community 0 is the largest; ties go to the community holding the smallest partner id.
    ``modularity`` is ``None`` for a graph without edges (modularity is undefined there).
    """

    partner_ids: np.ndarray
    membership: np.ndarray
    modularity: float | None
    seed: int
    resolution: float
    algorithm: str = COMMUNITY_ALGORITHM
    #: How the partition was found when not directly on the full graph (backbone, k, passes).
    method: Mapping[str, Any] = field(default_factory=dict)

    @property
    def sizes(self) -> list[int]:
        if not len(self.membership):
            return []
        return [int(c) for c in np.bincount(self.membership)]

    def groups(self) -> list[list[str]]:
        """Member ids of each community, in community order, each sorted."""
        return [sorted(self.partner_ids[self.membership == c].tolist())
                for c in range(len(self.sizes))]


def relabel_by_size(raw: np.ndarray) -> np.ndarray:
    """Renumber groups by size (largest first), ties by their smallest member index.

    >>> relabel_by_size(np.array([5, 5, 2, 7, 7, 2, 9])).tolist()
    [0, 0, 1, 2, 2, 1, 3]
    """
    if not len(raw):
        return raw.astype(np.int64)
    labels, first, counts = np.unique(raw, return_index=True, return_counts=True)
    order = np.lexsort((first, -counts))  # rows sorted by partner id: first index = smallest id
    new_label = np.empty(len(labels), dtype=np.int64)
    new_label[order] = np.arange(len(labels))
    return new_label[np.searchsorted(labels, raw)]


def _cluster(graph: ig.Graph, *, seed: int, resolution: float, algorithm: str) -> np.ndarray:
    """Seeded igraph clustering of ``graph`` (edge attribute ``weight``), raw labels."""
    with seeded_igraph(seed):
        if algorithm == "leiden":
            clustering = graph.community_leiden(
                objective_function="modularity", weights="weight",
                resolution=resolution, n_iterations=-1)
        else:
            clustering = graph.community_multilevel(weights="weight", resolution=resolution)
    return np.asarray(clustering.membership, dtype=np.int64)


def communities(
    cp: CoParticipation,
    *,
    seed: int = 0,
    resolution: float = 1.0,
    algorithm: str = "louvain",
    scale_threshold: int | None = SCALE_THRESHOLD,
    backbone_edges: int = BACKBONE_EDGES,
) -> Communities:
    """Weighted modularity communities by Louvain (igraph ``community_multilevel``).

    Parameters
    ----------
    cp : CoParticipation
    seed : int, default 0
        Seeds igraph's generator for this call only: equal seeds give equal partitions.
    resolution : float, default 1.0
        Modularity resolution (larger finds smaller communities).
    algorithm : {"louvain", "leiden"}, default "louvain"
        ``"leiden"`` (igraph ``community_leiden`` on modularity, iterated until stable)
        needs no working copy of the graph, so it peaks lower on very large graphs.
    scale_threshold : int or None, default 2_000_000
        Above this many edges the full graph is not handed to igraph (its copy plus Louvain's
        working copy cost 2.9 GB at 15M edges). Instead: (1) the algorithm runs on the
        :func:`backbone` (at most ``backbone_edges`` edges); (2) one Louvain local-moving pass
        on the FULL sparse graph moves each node to the neighbouring community with the best
        full-graph modularity gain; (3) the full graph collapsed by those communities (exact
        weights, a few thousand vertices) is clustered again with the same algorithm, which
        merges communities only when that raises the full graph's modularity. Steps 2 and 3
        are Louvain's own steps on the full graph, started from the backbone's partition.
        ``modularity`` is always measured on the full graph. ``None``: never.
    backbone_edges : int, default 2_000_000
        Passed to :func:`backbone` as ``max_edges``.

    Returns
    -------
    Communities
        ``method`` is empty on the direct path; on the backbone path it holds
        ``{"graph": "backbone", "backbone": backbone_method(...), "moved": nodes moved in
        step 2, "modularity_after_moving": full-graph modularity after step 2, ...}``.
    """
    if not (isinstance(resolution, (int, float)) and math.isfinite(resolution) and resolution > 0):
        raise ValueError(f"resolution must be a positive number, got {resolution!r}")
    if algorithm not in COMMUNITY_ALGORITHMS:
        raise ValueError(f"algorithm must be one of {sorted(COMMUNITY_ALGORITHMS)}, "
                         f"got {algorithm!r}")
    check_scale(scale_threshold, backbone_edges)
    described = COMMUNITY_ALGORITHMS[algorithm]
    n = cp.n_nodes
    if cp.n_edges == 0:
        # No edges, no structure: every partner is a community of its own.
        return Communities(cp.partner_ids, np.arange(n, dtype=np.int64), None, seed,
                           float(resolution), described)
    if not uses_backbone(cp, scale_threshold):
        graph = cp.shared_igraph()
        membership = relabel_by_size(
            _cluster(graph, seed=seed, resolution=resolution, algorithm=algorithm))
        value = graph.modularity(membership.tolist(), weights="weight", resolution=resolution)
        return Communities(cp.partner_ids, membership, float(value), seed, float(resolution),
                           described)
    return _backbone_communities(cp, seed=seed, resolution=resolution, algorithm=algorithm,
                                 backbone_edges=backbone_edges)


def _backbone_communities(cp: CoParticipation, *, seed: int, resolution: float,
                          algorithm: str, backbone_edges: int) -> Communities:
    """The large-graph path of :func:`communities` (steps 1-3 of its docstring)."""
    described = COMMUNITY_ALGORITHMS[algorithm]
    skeleton = backbone(cp, max_edges=backbone_edges)
    first = _cluster(skeleton.shared_igraph(), seed=seed, resolution=resolution,
                     algorithm=algorithm)
    moved_labels, moved = _local_moving(cp, first, resolution=resolution)
    # Partners without ties are vertices without edges there: they stay on their own.
    collapsed, compact = _aggregate(cp, moved_labels)
    # Modularity on the collapsed graph equals the full graph's (no second pass over it).
    moved_q = collapsed.modularity(np.arange(collapsed.vcount()).tolist(), weights="weight",
                                   resolution=resolution)
    merged = _cluster(collapsed, seed=seed, resolution=resolution, algorithm=algorithm)
    value = collapsed.modularity(merged.tolist(), weights="weight", resolution=resolution)
    membership = relabel_by_size(merged[compact])
    method = {
        "graph": "backbone",
        "steps": "1. algorithm on the backbone; 2. one local-moving pass on the full graph; "
                 "3. algorithm on the full graph collapsed by step 2's communities",
        "backbone": backbone_method(cp, max_edges=backbone_edges),
        "moved": int(moved),
        "modularity_after_moving": json_float(moved_q),
        "modularity_graph": "full",
    }
    return Communities(cp.partner_ids, membership, float(value), seed, float(resolution),
                       f"{described}, on a top-k backbone, refined on the full graph", method)


#: The label of partners who are a community of their own (no ties, or none that group them).
UNCONNECTED = "unconnected"
#: Below this modularity the communities are a weak partition (Newman: 0.3 and up is the
#: range where community structure is usually meaningful).
LOW_MODULARITY = 0.3


def community_labels(membership: np.ndarray) -> np.ndarray:
    """Display labels of communities: ``"1"`` for the largest ... and every community of one
    partner folded into :data:`UNCONNECTED` (75 of PAI's 78 communities are single partners).

    >>> community_labels(np.array([0, 0, 1, 1, 2, 3])).tolist()
    ['1', '1', '2', '2', 'unconnected', 'unconnected']
    """
    labels = np.asarray(membership, dtype=np.int64)
    if not len(labels):
        return np.array([], dtype=object)
    sizes = np.bincount(labels - labels.min())[labels - labels.min()]
    return np.array([str(c + 1) if size > 1 else UNCONNECTED
                     for c, size in zip(labels.tolist(), sizes.tolist(), strict=True)],
                    dtype=object)


def modularity_caveat(modularity: float | None, *, threshold: float = LOW_MODULARITY
                      ) -> str | None:
    """A sentence to show beside the communities when their modularity is low, else None.

    >>> modularity_caveat(0.05)
    'Community modularity is 0.05 (below 0.3): the communities overlap heavily; read them as a rough split of one well-mixed network, not as separate groups.'
    >>> modularity_caveat(0.45) is None
    True
    """
    if modularity is None or modularity >= threshold:
        return None
    return (f"Community modularity is {modularity:.2f} (below {threshold:g}): the communities "
            "overlap heavily; read them as a rough split of one well-mixed network, not as "
            "separate groups.")
