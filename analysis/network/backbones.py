"""Backbones of the co-participation graph: the strong ties that carry its structure.

:func:`backbone` is the top-k backbone the large-graph path runs communities and betweenness on
(above :data:`~analysis.network.projection.SCALE_THRESHOLD` edges); :func:`strong_ties` is the
same rule with a small fixed ``k``, the readable network the dashboard draws by default.

Why top-k and not the disparity filter (Serrano, Boguñá and Vespignani 2009): a co-participation
graph is dense with near-uniform weights (one convening joins every pair of its attendees with
weight 1), so the disparity filter finds few ties significant: at alpha 0.05 it keeps 44 of the
demo's 3,744 links (17 of 106 partners with ties) and none of the PAI roster's 96. Top-k keeps
every partner that has a tie on the map, by its strongest ties.

>>> import scipy.sparse as sp, numpy as np, pandas as pd
>>> from analysis.network.projection import CoParticipation
>>> star = sp.csr_matrix(np.array([[0, 3, 1, 1], [3, 0, 0, 0], [1, 0, 0, 1], [1, 0, 1, 0]]))
>>> cp = CoParticipation(np.array(list("abcd"), dtype=object), star, pd.Timestamp(0), None)
>>> found = strong_ties(cp, k=1)
>>> found.mask.tolist(), found.edges, found.edges_full
([True, False, False, True], 2, 4)
>>> found.caption()
"Strong ties: each partner's strongest link (equal weights: the partner with fewer other links first), 2 of 4 links, 67% of the shared rooms."
"""

from __future__ import annotations

from dataclasses import dataclass
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
    with_ties = int(np.count_nonzero(np.diff(cp.adjacency.indptr)))
    k = max(1, max_edges // max(with_ties, 1))
    result = _top_k(cp, k)
    cp.cache[key] = result
    cp.cache[f"backbone_k:{int(max_edges)}"] = k
    return result


def _top_k(cp: CoParticipation, k: int) -> CoParticipation:
    """The union over partners of each one's ``k`` strongest ties, with their full weights."""
    adj = cp.adjacency
    chosen = _top_k_choices(adj, k)
    # Union of both endpoints' choices; an edge has the same weight from either side, so the
    # elementwise maximum is that weight.
    union = chosen.maximum(chosen.T.tocsr()).tocsr()
    del chosen
    union.sort_indices()
    return CoParticipation(partner_ids=cp.partner_ids,
                           adjacency=union.astype(adj.data.dtype, copy=False),
                           as_of=cp.as_of, since=cp.since, groups=cp.groups)


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


#: Ties per partner the readable network keeps by default.
READABLE_K = 3


@dataclass(frozen=True)
class StrongTies:
    """Which edges of a graph are strong ties: ``mask[e]`` for the ``e``-th edge of
    :meth:`~analysis.network.projection.CoParticipation.edges` (row < column order)."""

    k: int
    mask: np.ndarray
    edges: int
    edges_full: int
    weight_share: float | None

    def caption(self) -> str:
        """One sentence stating the rule and what it kept (the page shows it)."""
        which = "strongest link" if self.k == 1 else f"{self.k} strongest links"
        share = "" if self.weight_share is None else f", {self.weight_share:.0%} of the shared rooms"
        return (f"Strong ties: each partner's {which} (equal weights: the partner with fewer "
                f"other links first), {self.edges:,} of {self.edges_full:,} links{share}.")

    def to_dict(self) -> dict[str, Any]:
        return {"rule": f"top-k per partner, k = {self.k}", "k": self.k, "edges": self.edges,
                "edges_full": self.edges_full, "weight_share": self.weight_share}


def strong_ties(cp: CoParticipation, *, k: int = READABLE_K) -> StrongTies:
    """The top-``k`` backbone of ``cp`` as a mask over its edges (the rule of :func:`backbone`
    with a fixed ``k``: an edge is kept when it is among the ``k`` strongest of either end).

    Parameters
    ----------
    cp : CoParticipation
    k : int, default 3
        Ties each partner keeps.
    """
    check_positive_int("k", k, 1)
    rows, cols, weights = cp.edges()
    kept = _top_k(cp, k)
    n = np.int64(cp.n_nodes)
    kept_rows, kept_cols, _ = kept.edges()
    mask = np.isin(rows.astype(np.int64) * n + cols, kept_rows.astype(np.int64) * n + kept_cols)
    total = float(weights.sum(dtype=np.int64))
    share = json_float(weights[mask].sum(dtype=np.int64) / total) if total else None
    return StrongTies(k=int(k), mask=mask, edges=int(mask.sum()), edges_full=len(mask),
                      weight_share=share)
