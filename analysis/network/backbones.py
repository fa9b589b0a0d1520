"""Backbones of the co-participation graph: the strong ties that carry its structure.

:func:`backbone` is the top-k backbone the large-graph path runs communities and betweenness on
(above :data:`~analysis.network.projection.SCALE_THRESHOLD` edges).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from analysis.network._common import check_positive_int, json_float, row_sums
from analysis.network.projection import CoParticipation

# Edges the backbone may keep: 2M edges cost about 70 MB in igraph and Louvain takes seconds.
BACKBONE_EDGES = 2_000_000


def check_scale(scale_threshold: int | None, backbone_edges: int) -> None:
    """Check the large-graph options shared by centralities and communities."""
    if scale_threshold is not None:
        check_positive_int("scale_threshold", scale_threshold, 0)
    check_positive_int("backbone_edges", backbone_edges, 1)


def uses_backbone(cp: CoParticipation, scale_threshold: int | None) -> bool:
    """Whether ``cp`` is "large": more edges than ``scale_threshold`` (``None``: never)."""
    return scale_threshold is not None and cp.n_edges > scale_threshold


def backbone(cp: CoParticipation, *, max_edges: int = BACKBONE_EDGES) -> CoParticipation:
    """The top-k backbone: every partner keeps its ``k`` strongest ties, union over partners.

    ``k = max(1, max_edges // t)`` where ``t`` is the number of partners with at least one
    tie, so the backbone has at most ``max_edges`` edges (each partner adds at most ``k``).
    An edge is kept when it is among the ``k`` strongest of either endpoint, with its full
    weight. Ties in weight are broken deterministically: first the neighbour with the lower
    strength (a tie to a partner with fewer other ties is the more specific one: the same
    preference as a ratio to the configuration model's expected weight, which modularity
    uses), then the neighbour earlier in partner-id order. Every node of ``cp`` stays a node;
    every partner with a tie keeps at least one.

    Parameters
    ----------
    cp : CoParticipation
    max_edges : int, default 2_000_000

    Returns
    -------
    CoParticipation
        Same nodes and window; ``adjacency`` is the backbone (cached on ``cp``). The rule and
        its parameters are in ``backbone_method(cp, max_edges=...)``. When ``cp`` has at most
        ``max_edges`` edges the backbone is ``cp`` itself.
    """
    check_positive_int("max_edges", max_edges, 1)
    key = f"backbone:{int(max_edges)}"
    if key in cp.cache:
        cached: CoParticipation = cp.cache[key]
        return cached
    if cp.n_edges <= max_edges:
        cp.cache[key] = cp
        cp.cache[f"backbone_k:{int(max_edges)}"] = None
        return cp
    adj = cp.adjacency
    with_ties = int(np.count_nonzero(np.diff(adj.indptr)))
    k = max(1, max_edges // max(with_ties, 1))
    chosen = _top_k_choices(adj, k)
    # Union of both endpoints' choices; an edge has the same weight from either side, so the
    # elementwise maximum is that weight.
    union = chosen.maximum(chosen.T.tocsr()).tocsr()
    del chosen
    union.sort_indices()
    result = CoParticipation(
        partner_ids=cp.partner_ids,
        adjacency=union.astype(adj.data.dtype, copy=False),
        as_of=cp.as_of,
        since=cp.since,
        groups=cp.groups,
    )
    cp.cache[key] = result
    cp.cache[f"backbone_k:{int(max_edges)}"] = k
    return result


def _top_k_choices(adj: sp.csr_matrix, k: int) -> sp.csr_matrix:
    """Each row's ``k`` strongest entries (ties: the column with lower strength, then lower
    index), as a CSR matrix of the same shape; not symmetric."""
    n = adj.shape[0]
    indptr = adj.indptr
    degree = np.diff(indptr)
    strength = row_sums(adj)
    # preference[j]: n-1 for the best neighbour (lowest strength, then lowest index) ... 0.
    order = np.lexsort((np.arange(n), strength))
    preference = np.empty(n, dtype=np.int64)
    preference[order] = np.arange(n - 1, -1, -1, dtype=np.int64)  # larger = preferred
    rows_kept: list[np.ndarray] = []
    cols_kept: list[np.ndarray] = []
    weights_kept: list[np.ndarray] = []
    for i in np.flatnonzero(degree > 0).tolist():
        lo, hi = int(indptr[i]), int(indptr[i + 1])
        neighbours = adj.indices[lo:hi]
        weights = adj.data[lo:hi]
        if hi - lo > k:
            # One int64 key orders by weight, then preference: all keys in a row differ.
            keys = weights.astype(np.int64) * n + preference[neighbours]
            keep = keys >= np.partition(keys, hi - lo - k)[hi - lo - k]
            neighbours, weights = neighbours[keep], weights[keep]
        rows_kept.append(np.full(len(neighbours), i, dtype=np.int32))
        cols_kept.append(neighbours)
        weights_kept.append(weights)
    return sp.csr_matrix(
        (np.concatenate(weights_kept), (np.concatenate(rows_kept), np.concatenate(cols_kept))),
        shape=adj.shape)


def backbone_method(cp: CoParticipation, *, max_edges: int = BACKBONE_EDGES) -> dict[str, Any]:
    """How :func:`backbone` reduced ``cp`` (computes it if needed): rule, k, edges kept."""
    kept = backbone(cp, max_edges=max_edges)
    return {
        "rule": "each partner keeps its k strongest ties (ties in weight: the neighbour with "
                "lower strength, then partner-id order); an edge is kept if either endpoint "
                "keeps it; full weights",
        "k": cp.cache[f"backbone_k:{int(max_edges)}"],
        "max_edges": int(max_edges),
        "edges": kept.n_edges,
        "edges_full": cp.n_edges,
        "weight_share": (json_float(kept.adjacency.data.sum(dtype=np.int64)
                                    / cp.adjacency.data.sum(dtype=np.int64))
                         if cp.n_edges else None),
    }
