"""The co-participation network of partners: projection, centralities, communities, bridging.

Two partners are joined when they share a committee (both hold a seat active on ``as_of``) or
an event (both attended one in the window ``(since, as_of]``); the edge weight is the number of
committees and events they share. The projection is built as ``B @ B.T`` of the sparse
partner x group incidence ``B`` (scipy), so it scales to the 20,000-partner / 10-million-edge
graphs of ../shared/DESIGN.md; centralities and communities run in igraph (C), never in a
networkx graph of that size. :func:`projection_networkx_baseline` is the plain networkx version
a user would otherwise write, kept for the benchmark and the tests to check equal results.

Scale. Up to :data:`SCALE_THRESHOLD` edges (2M: every bundled dataset, Davis, 2,500
generated partners) every measure is computed on the full graph exactly as before. Above it
(20,000 generated partners: 15-20M edges) an igraph copy of the graph alone would take most of
the report's 1 GB, so: degree, strength, bridging, mixing and modularity stay exact, computed
block by block on the sparse matrix; communities are found on a top-k :func:`backbone` of at
most :data:`BACKBONE_EDGES` edges and then refined by Louvain's own steps on the full graph;
betweenness is estimated from seeded sampled sources on the backbone. ``method`` in every
result says which path ran and with what parameters (``scale``, ``backbone``: rule, k, edges
kept; ``samples``, ``seed``).

Which partners are nodes: every Partner active on ``as_of`` (so isolated partners show up with
degree 0) plus everyone, Partners or Guests, who holds an active committee seat or attended an
event in the window. All temporal filtering goes through :mod:`analysis.snapshot`.

>>> import pandas as pd
>>> from core.model import Dataset
>>> ds = Dataset.from_frames(
...     partners=pd.DataFrame({"partner_id": ["a", "b", "c"], "name": ["A", "B", "C"],
...         "sector": ["Industry", "Academic", "Industry"], "country": ["USA", "FRA", "KEN"]}),
...     events=pd.DataFrame({"event_id": ["e1", "e2"], "name": ["E1", "E2"],
...         "date": ["2024-01-10", "2024-02-10"]}),
...     attendance=pd.DataFrame({"event_id": ["e1", "e1", "e2", "e2", "e2"],
...         "partner_id": ["a", "b", "a", "b", "c"]}))
>>> cp = coparticipation(ds, as_of="2024-06-30")
>>> cp.partner_ids.tolist(), cp.adjacency.toarray().tolist()
(['a', 'b', 'c'], [[0, 2, 1], [2, 0, 1], [1, 1, 0]])
>>> centralities(cp)[["partner_id", "degree", "strength"]].to_dict("list")
{'partner_id': ['a', 'b', 'c'], 'degree': [2, 2, 2], 'strength': [3, 3, 2]}
"""

from __future__ import annotations

import math
import random
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

from analysis import snapshot
from core.model import PARTNER, Dataset

__all__ = [
    "CoParticipation",
    "Communities",
    "NetworkResult",
    "TwoMode",
    "backbone",
    "backbone_method",
    "bridging",
    "centralities",
    "communities",
    "coparticipation",
    "equal_results",
    "json_float",
    "mixing_matrix",
    "modularity",
    "network_summary",
    "projection_networkx_baseline",
    "relabel_by_size",
    "two_mode",
]

COMMITTEE = "committee"
EVENT = "event"
UNKNOWN = "Unknown"
CENTRALITY_COLUMNS = ("partner_id", "degree", "strength", "betweenness")
COMMUNITY_ALGORITHMS = {
    "louvain": "igraph community_multilevel (Louvain), weighted",
    # Leiden optimises the same modularity without Louvain's working copy of the graph
    # (about 30 bytes per edge): the lever when memory, not time, is short at 10M+ edges.
    "leiden": "igraph community_leiden (modularity, until stable), weighted",
}
COMMUNITY_ALGORITHM = COMMUNITY_ALGORITHMS["louvain"]

# Edge traversals (nodes x 2 x edges) exact betweenness may cost before it is sampled instead.
EXACT_BUDGET = 2_000_000_000

# Above this many edges, communities and betweenness run on a backbone of the projection
# (see :func:`backbone`). At 20,000 generated partners the projection has 15-20M edges: an
# igraph copy costs about 32 bytes per edge plus Louvain's working copy (2.9 GB and 40-100 s
# measured), beyond the report's 1 GB / seconds budget (issue 9). Up to 2M edges (every
# bundled dataset, 2,500 generated partners) the exact path runs unchanged.
SCALE_THRESHOLD = 2_000_000
# Edges the backbone may keep: 2M edges cost about 70 MB in igraph and Louvain takes seconds.
BACKBONE_EDGES = 2_000_000

# igraph draws from one process-wide generator; seeding it for one call must not race with
# another thread (dashboard callbacks) doing the same.
_IGRAPH_RNG_LOCK = threading.Lock()


# --------------------------------------------------------------------------------------------
# Projection
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TwoMode:
    """The partner x group incidence of one window (groups = committees, then events).

    ``matrix[i, j] == 1`` when partner ``partner_ids[i]`` belongs to group ``group_ids[j]``
    (an active committee seat, or attendance at an event in the window). Rows are the partner
    ids sorted; ``group_kinds`` says ``"committee"`` or ``"event"`` for each column, because a
    committee and an event may share an id.
    """

    partner_ids: np.ndarray
    group_ids: np.ndarray
    group_kinds: np.ndarray
    matrix: sp.csr_matrix
    as_of: pd.Timestamp
    since: pd.Timestamp | None


def _window_memberships(
    ds: Dataset, as_of: pd.Timestamp, since: pd.Timestamp | None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Active partners, committee seats, window events and their attendance (snapshot rules)."""
    active = snapshot.active_partners(ds, as_of, membership=PARTNER)
    seats = snapshot.active_memberships(ds, as_of)[["committee_id", "partner_id"]]
    events = snapshot.events_in_window(ds, as_of=as_of, since=since)
    attendance = ds.attendance
    attendance = attendance.loc[
        attendance["event_id"].isin(events["event_id"]), ["event_id", "partner_id"]
    ]
    return active, seats, events, attendance


def _node_ids(active: pd.DataFrame, seats: pd.DataFrame, attendance: pd.DataFrame) -> list[str]:
    """Active Partners plus everyone holding a seat or attending in the window, sorted."""
    ids = set(active["partner_id"]) | set(seats["partner_id"]) | set(attendance["partner_id"])
    return sorted(ids)


def two_mode(
    ds: Dataset, *, as_of: snapshot.DateLike | None, since: snapshot.DateLike | None = None
) -> TwoMode:
    """The sparse partner x group incidence matrix of the window ``(since, as_of]``.

    Parameters
    ----------
    ds : Dataset
    as_of : date-like
        Committee seats active on this day and events dated on or before it count;
        ``None`` means today (as everywhere in :mod:`analysis.snapshot`).
    since : date-like, optional
        Events dated after this day only (exclusive); ``None`` = from the beginning.

    Returns
    -------
    TwoMode
        ``matrix`` is a CSR matrix of 0/1 (int32), rows = partner ids sorted, columns =
        every committee (sorted by id) then every event of the window (sorted by id).
    """
    day = snapshot.to_timestamp(as_of)
    start = None if since is None else snapshot.to_timestamp(since, name="since")
    active, seats, events, attendance = _window_memberships(ds, day, start)
    partner_ids = np.array(_node_ids(active, seats, attendance), dtype=object)
    committee_ids = np.array(sorted(ds.committees["committee_id"]), dtype=object)
    event_ids = np.array(sorted(events["event_id"]), dtype=object)
    group_ids = np.concatenate([committee_ids, event_ids])
    group_kinds = np.array(
        [COMMITTEE] * len(committee_ids) + [EVENT] * len(event_ids), dtype=object
    )

    rows_index = pd.Index(partner_ids)
    rows = np.concatenate([
        rows_index.get_indexer(seats["partner_id"]),
        rows_index.get_indexer(attendance["partner_id"]),
    ])
    cols = np.concatenate([
        pd.Index(committee_ids).get_indexer(seats["committee_id"]),
        len(committee_ids) + pd.Index(event_ids).get_indexer(attendance["event_id"]),
    ])
    matrix = sp.csr_matrix(
        (np.ones(len(rows), dtype=np.int32), (rows.astype(np.int64), cols.astype(np.int64))),
        shape=(len(partner_ids), len(group_ids)),
    )
    # Two seats of one partner on one committee (successive terms) are one membership.
    matrix.sum_duplicates()
    matrix.data[:] = 1
    return TwoMode(partner_ids, group_ids, group_kinds, matrix, day, start)


@dataclass(frozen=True)
class CoParticipation:
    """The weighted co-participation graph of one window.

    ``adjacency`` is a symmetric CSR matrix (int32 from :func:`coparticipation`) with a zero
    diagonal; ``adjacency[i, j]`` is the number of committees and events partners
    ``partner_ids[i]`` and ``partner_ids[j]`` share. Its indices are sorted within rows up to
    :data:`SCALE_THRESHOLD` edges. ``groups`` is how many committees and events the window held.
    """

    partner_ids: np.ndarray
    adjacency: sp.csr_matrix
    as_of: pd.Timestamp
    since: pd.Timestamp | None
    groups: int = 0
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def n_nodes(self) -> int:
        return len(self.partner_ids)

    @property
    def n_edges(self) -> int:
        return int(self.adjacency.nnz // 2)

    def edges(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each undirected edge once: (row index, column index, weight) with row < column."""
        # Not cached: at 10M+ edges these arrays cost hundreds of MB (int32 keeps them small).
        adj = self.adjacency
        rows = _row_indices(adj)
        upper = adj.indices > rows
        return rows[upper], adj.indices[upper].astype(np.int32, copy=False), adj.data[upper]

    def to_networkx(self) -> nx.Graph:
        """A networkx Graph (nodes = partner ids in sorted order, edge attribute ``weight``).

        Meant for graphs of ordinary size; use :meth:`to_igraph` above a few thousand nodes.
        """
        rows, cols, weights = self.edges()
        ids = self.partner_ids
        graph = nx.Graph()
        graph.add_nodes_from(ids.tolist())
        graph.add_weighted_edges_from(
            zip(ids[rows].tolist(), ids[cols].tolist(), weights.tolist(), strict=True)
        )
        return graph

    def _igraph(self) -> ig.Graph:
        # Built once and shared by centralities and communities (the 10M-edge build costs
        # seconds); callers outside this module get a copy from to_igraph().
        if "igraph" not in self._cache:
            rows, cols, weights = self.edges()
            graph = ig.Graph(n=self.n_nodes)
            # add_edges with an (m, 2) array is several times faster than the constructor.
            graph.add_edges(np.column_stack([rows, cols]).astype(np.int64))
            graph.es["weight"] = weights.astype(np.int64).tolist()
            graph.vs["name"] = self.partner_ids.tolist()
            self._cache["igraph"] = graph
        cached: ig.Graph = self._cache["igraph"]
        return cached

    def to_igraph(self) -> ig.Graph:
        """An undirected igraph Graph: vertex ``i`` is ``partner_ids[i]`` (attribute ``name``),
        edge attribute ``weight``."""
        return self._igraph().copy()


def _row_indices(matrix: sp.csr_matrix) -> np.ndarray:
    """The row of every stored entry of a CSR matrix (int32: half the memory of int64)."""
    return np.repeat(np.arange(matrix.shape[0], dtype=np.int32), np.diff(matrix.indptr))


# Stored entries handled at once by the row-block loops below: at 20,000 partners the
# adjacency holds 30M+ entries, and a per-entry int64 temporary of all of them costs 250 MB.
BLOCK_ENTRIES = 1 << 21


def _row_blocks(indptr: np.ndarray, entries: int = BLOCK_ENTRIES
                ) -> list[tuple[int, int]]:
    """Consecutive row ranges ``[a, b)`` holding about ``entries`` stored entries each."""
    n = len(indptr) - 1
    blocks = []
    start = 0
    while start < n:
        end = int(np.searchsorted(indptr, indptr[start] + entries, side="right")) - 1
        end = min(max(end, start + 1), n)
        blocks.append((start, end))
        start = end
    return blocks


def _block_rows(indptr: np.ndarray, a: int, b: int) -> np.ndarray:
    """The row of each stored entry of rows ``[a, b)`` (int32)."""
    return np.repeat(np.arange(a, b, dtype=np.int32), np.diff(indptr[a:b + 1]))


def _row_sums(matrix: sp.csr_matrix) -> np.ndarray:
    """Exact int64 row sums of an integer CSR matrix, block by block (no int64 copy of the
    whole data array, which is what ``matrix.sum(axis=1)`` makes)."""
    out = np.zeros(matrix.shape[0], dtype=np.int64)
    indptr = matrix.indptr
    for a, b in _row_blocks(indptr):
        lo = int(indptr[a])
        sums = np.concatenate([[0], np.cumsum(matrix.data[lo:indptr[b]], dtype=np.int64)])
        out[a:b] = sums[indptr[a + 1:b + 1] - lo] - sums[indptr[a:b] - lo]
    return out


def _drop_diagonal(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """``matrix`` without its diagonal, in place (co-participation counts are positive, so
    zeroing the diagonal and eliminating zeros removes exactly the diagonal).

    In place and block by block because at 20,000 partners the product holds 30M+ entries:
    a masked copy plus an all-entries row array would add about 400 MB to the peak.
    """
    indptr = matrix.indptr
    for a, b in _row_blocks(indptr):
        lo, hi = int(indptr[a]), int(indptr[b])
        on_diagonal = matrix.indices[lo:hi] == _block_rows(indptr, a, b)
        matrix.data[lo:hi][on_diagonal] = 0
    matrix.eliminate_zeros()
    # Canonical (sorted) indices up to the scale threshold. Above it the product's own,
    # deterministic order stays: sorting 30M entries costs about 2 s and nothing downstream
    # needs it (scipy tracks ``has_sorted_indices`` and sorts where an operation must).
    if matrix.nnz <= 2 * SCALE_THRESHOLD:
        matrix.sort_indices()
    return matrix


def coparticipation(
    ds: Dataset, *, as_of: snapshot.DateLike | None, since: snapshot.DateLike | None = None
) -> CoParticipation:
    """The weighted co-participation graph of partners in the window ``(since, as_of]``.

    Parameters
    ----------
    ds : Dataset
    as_of : date-like
        Committee seats active on this day and events dated on or before it; ``None`` = today.
    since : date-like, optional
        Only events after this day (exclusive). Default: from the beginning.

    Returns
    -------
    CoParticipation
        ``B @ B.T`` of :func:`two_mode`'s incidence without its diagonal.
    """
    incidence = two_mode(ds, as_of=as_of, since=since)
    b = incidence.matrix
    # int32 data and indices (scipy keeps int32 indices below 2**31 entries): 8 bytes per
    # stored entry, the smallest exact form of the counts.
    product = (b @ b.T.tocsr()).tocsr()
    return CoParticipation(
        partner_ids=incidence.partner_ids,
        adjacency=_drop_diagonal(product),
        as_of=incidence.as_of,
        since=incidence.since,
        groups=len(incidence.group_ids),
    )


# --------------------------------------------------------------------------------------------
# Backbone of a large projection
# --------------------------------------------------------------------------------------------


def _check_scale(scale_threshold: int | None, backbone_edges: int) -> None:
    if scale_threshold is not None:
        _check_positive_int("scale_threshold", scale_threshold, 0)
    _check_positive_int("backbone_edges", backbone_edges, 1)


def _uses_backbone(cp: CoParticipation, scale_threshold: int | None) -> bool:
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
    _check_positive_int("max_edges", max_edges, 1)
    key = f"backbone:{int(max_edges)}"
    if key in cp._cache:
        cached: CoParticipation = cp._cache[key]
        return cached
    if cp.n_edges <= max_edges:
        cp._cache[key] = cp
        cp._cache[f"backbone_k:{int(max_edges)}"] = None
        return cp
    adj = cp.adjacency
    n = cp.n_nodes
    indptr = adj.indptr
    degree = np.diff(indptr)
    with_ties = int(np.count_nonzero(degree))
    k = max(1, max_edges // max(with_ties, 1))
    strength = _row_sums(adj)
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
    chosen = sp.csr_matrix(
        (np.concatenate(weights_kept), (np.concatenate(rows_kept), np.concatenate(cols_kept))),
        shape=adj.shape)
    del rows_kept, cols_kept, weights_kept
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
    cp._cache[key] = result
    cp._cache[f"backbone_k:{int(max_edges)}"] = k
    return result


def backbone_method(cp: CoParticipation, *, max_edges: int = BACKBONE_EDGES) -> dict[str, Any]:
    """How :func:`backbone` reduced ``cp`` (computes it if needed): rule, k, edges kept."""
    kept = backbone(cp, max_edges=max_edges)
    return {
        "rule": "each partner keeps its k strongest ties (ties in weight: the neighbour with "
                "lower strength, then partner-id order); an edge is kept if either endpoint "
                "keeps it; full weights",
        "k": cp._cache[f"backbone_k:{int(max_edges)}"],
        "max_edges": int(max_edges),
        "edges": kept.n_edges,
        "edges_full": cp.n_edges,
        "weight_share": (json_float(kept.adjacency.data.sum(dtype=np.int64)
                                    / cp.adjacency.data.sum(dtype=np.int64))
                         if cp.n_edges else None),
    }


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
    total = float(adj.data.sum(dtype=np.int64))
    if total == 0:
        return None
    inside = 0.0
    indptr = adj.indptr
    for a, b in _row_blocks(indptr):
        lo, hi = int(indptr[a]), int(indptr[b])
        same = labels[_block_rows(indptr, a, b)] == labels[adj.indices[lo:hi]]
        inside += float(adj.data[lo:hi][same].sum(dtype=np.int64))
    by_community = np.bincount(labels - labels.min(), weights=_row_sums(adj).astype(float))
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
    strength = _row_sums(adj).astype(float)
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
    for a, b in _row_blocks(indptr):
        lo, hi = int(indptr[a]), int(indptr[b])
        source = compact[_block_rows(indptr, a, b)]
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


# --------------------------------------------------------------------------------------------
# Centralities
# --------------------------------------------------------------------------------------------


def _check_positive_int(name: str, value: int, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")


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
    _check_positive_int("exact_threshold", exact_threshold, 0)
    _check_positive_int("samples", samples, 2)
    if exact_budget is not None:
        _check_positive_int("exact_budget", exact_budget, 0)
    _check_scale(scale_threshold, backbone_edges)
    n = cp.n_nodes
    adj = cp.adjacency
    degree = np.diff(adj.indptr).astype(np.int64)
    strength = _row_sums(adj)
    on_backbone = _uses_backbone(cp, scale_threshold)
    too_costly = exact_budget is not None and n * adj.nnz > exact_budget
    sampled = (n > exact_threshold or too_costly or on_backbone) and samples < n
    betweenness = np.zeros(n, dtype=float)
    # Fewer than three nodes: no node can lie between two others (networkx gives 0 too).
    if n >= 3 and cp.n_edges:
        graph = (backbone(cp, max_edges=backbone_edges) if on_backbone else cp)._igraph()
        if not sampled:
            raw = np.asarray(graph.betweenness(directed=False), dtype=float)
            betweenness = raw * 2.0 / ((n - 1) * (n - 2))
        else:
            sources = _sampled_sources(n, samples, seed)
            # igraph halves subset betweenness on undirected graphs; networkx's accumulation
            # counts each (source, target) ordered pair, hence the factor 2.
            raw = 2.0 * np.asarray(graph.betweenness(directed=False, sources=sources), dtype=float)
            is_source = np.zeros(n, dtype=bool)
            is_source[sources] = True
            scale = np.where(
                is_source, 1.0 / ((samples - 1) * (n - 2)), 1.0 / (samples * (n - 2))
            )
            betweenness = raw * scale
    frame = pd.DataFrame({
        "partner_id": cp.partner_ids.astype(object),
        "degree": degree,
        "strength": strength,
        "betweenness": betweenness,
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


# --------------------------------------------------------------------------------------------
# Communities
# --------------------------------------------------------------------------------------------


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
    with _IGRAPH_RNG_LOCK:
        ig.set_random_number_generator(random.Random(seed))
        try:
            if algorithm == "leiden":
                clustering = graph.community_leiden(
                    objective_function="modularity", weights="weight",
                    resolution=resolution, n_iterations=-1)
            else:
                clustering = graph.community_multilevel(weights="weight", resolution=resolution)
        finally:
            ig.set_random_number_generator(random)
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
    _check_scale(scale_threshold, backbone_edges)
    described = COMMUNITY_ALGORITHMS[algorithm]
    n = cp.n_nodes
    if cp.n_edges == 0:
        # No edges, no structure: every partner is a community of its own.
        return Communities(cp.partner_ids, np.arange(n, dtype=np.int64), None, seed,
                           float(resolution), described)
    if not _uses_backbone(cp, scale_threshold):
        graph = cp._igraph()
        membership = relabel_by_size(
            _cluster(graph, seed=seed, resolution=resolution, algorithm=algorithm))
        value = graph.modularity(membership.tolist(), weights="weight", resolution=resolution)
        return Communities(cp.partner_ids, membership, float(value), seed, float(resolution),
                           described)

    skeleton = backbone(cp, max_edges=backbone_edges)
    first = _cluster(skeleton._igraph(), seed=seed, resolution=resolution, algorithm=algorithm)
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


# --------------------------------------------------------------------------------------------
# Bridging and mixing
# --------------------------------------------------------------------------------------------


def _categories(cp: CoParticipation, partners_frame: pd.DataFrame, attribute: str
                ) -> tuple[np.ndarray, np.ndarray]:
    """(category of each node, sorted categories); empty labels become ``"Unknown"``."""
    for column in ("partner_id", attribute):
        if column not in partners_frame.columns:
            raise ValueError(f"partners_frame has no column {column!r}")
    lookup = pd.Series(partners_frame[attribute].to_numpy(), index=partners_frame["partner_id"])
    lookup = lookup[~lookup.index.duplicated()]
    values = lookup.reindex(pd.Index(cp.partner_ids))
    missing = values.index[values.isna() & ~values.index.isin(lookup.index)]
    if len(missing):
        raise ValueError(f"partners_frame lacks partners of the graph, e.g. {missing[0]!r}")
    labels = np.array(
        [UNKNOWN if (v is None or (isinstance(v, float) and math.isnan(v)) or str(v) == "")
         else str(v) for v in values.tolist()],
        dtype=object,
    )
    return labels, np.array(sorted(set(labels.tolist())), dtype=object)


def _category_sums(cp: CoParticipation, labels: np.ndarray, categories: np.ndarray,
                   *, weighted: bool) -> np.ndarray:
    """Dense n x categories: each node's ties (or tie weights) into each category."""
    adj = cp.adjacency
    codes = pd.Index(categories).get_indexer(labels)
    width = len(categories)
    out = np.zeros((cp.n_nodes, width), dtype=float)
    indptr = adj.indptr
    # Block by block: a one-hot product would need a ones copy of all 30M+ entries at scale.
    # The sums are of integers, exact in float64, so the result equals the matrix product.
    for a, b in _row_blocks(indptr):
        lo, hi = int(indptr[a]), int(indptr[b])
        cells = (_block_rows(indptr, a, b) - a).astype(np.int64) * width + codes[
            adj.indices[lo:hi]]
        sums = np.bincount(cells, weights=adj.data[lo:hi] if weighted else None,
                           minlength=(b - a) * width)
        out[a:b] = sums.reshape(b - a, width)
    return out


def bridging(
    cp: CoParticipation,
    partners_frame: pd.DataFrame,
    *,
    attribute: str = "sector",
    weighted: bool = False,
) -> pd.DataFrame:
    """Who connects categories: E-I index and participation coefficient of each partner.

    Parameters
    ----------
    cp : CoParticipation
    partners_frame : DataFrame
        Has ``partner_id`` and ``attribute`` for every node of ``cp`` (e.g. ``ds.partners``).
    attribute : str, default "sector"
        The partner column whose categories are bridged; empty labels count as "Unknown".
    weighted : bool, default False
        Count ties (False) or sum their weights (True).

    Returns
    -------
    DataFrame
        ``partner_id, category, internal, external, ei, participation`` in node order:
        ``internal``/``external`` are ties (or weights) to the same / other categories;
        ``ei = (external - internal) / (external + internal)`` (Krackhardt and Stern) in
        [-1, 1]; ``participation = 1 - sum_s (k_is / k_i)**2`` over categories ``s`` (Guimerà
        and Amaral), 0 when all ties stay in one category. Both are NaN for isolated partners.

    >>> import scipy.sparse as sp, numpy as np, pandas as pd
    >>> cp = CoParticipation(np.array(["a", "b", "c"], dtype=object),
    ...     sp.csr_matrix(np.array([[0, 1, 1], [1, 0, 0], [1, 0, 0]])), pd.Timestamp(0), None)
    >>> frame = pd.DataFrame({"partner_id": ["a", "b", "c"], "sector": ["X", "X", "Y"]})
    >>> bridging(cp, frame)[["ei", "participation"]].to_dict("list")
    {'ei': [0.0, -1.0, 1.0], 'participation': [0.5, 0.0, 0.0]}
    """
    labels, categories = _categories(cp, partners_frame, attribute)
    by_category = _category_sums(cp, labels, categories, weighted=weighted)
    total = by_category.sum(axis=1)
    codes = pd.Index(categories).get_indexer(labels)
    internal = by_category[np.arange(len(labels)), codes] if len(labels) else np.zeros(0)
    external = total - internal
    with np.errstate(invalid="ignore", divide="ignore"):
        ei = np.where(total > 0, (external - internal) / total, np.nan)
        shares = by_category / total[:, None]
        participation = np.where(total > 0, 1.0 - np.nansum(shares**2, axis=1), np.nan)
    return pd.DataFrame({
        "partner_id": cp.partner_ids.astype(object),
        "category": labels,
        "internal": internal,
        "external": external,
        "ei": ei,
        "participation": participation,
    })


def mixing_matrix(
    cp: CoParticipation,
    partners_frame: pd.DataFrame,
    *,
    attribute: str = "sector",
    normalized: bool = False,
    weighted: bool = True,
) -> pd.DataFrame:
    """Edge weight between categories: rows and columns are the categories, sorted.

    Each undirected edge counts in both directions, as in networkx's
    ``attribute_mixing_matrix`` (so the matrix is symmetric and a within-category edge adds
    twice to the diagonal); with ``weighted=False`` the result equals networkx's.

    Parameters
    ----------
    cp : CoParticipation
    partners_frame : DataFrame
        Has ``partner_id`` and ``attribute`` for every node of ``cp``.
    attribute : str, default "sector"
    normalized : bool, default False
        Divide by the total so the entries sum to 1 (a joint distribution).
    weighted : bool, default True
        Sum edge weights (True) or count edges (False).

    Returns
    -------
    DataFrame
        Square, indexed and columned by category. All zeros when there are no edges.
    """
    labels, categories = _categories(cp, partners_frame, attribute)
    by_category = _category_sums(cp, labels, categories, weighted=weighted)
    codes = pd.Index(categories).get_indexer(labels)
    # Row sums of by_category grouped by the node's own category: C.T @ A @ C.
    matrix = np.zeros((len(categories), len(categories)))
    np.add.at(matrix, codes, by_category)
    total = matrix.sum()
    if normalized and total > 0:
        matrix = matrix / total
    elif not normalized:
        matrix = np.rint(matrix).astype(np.int64)  # counts and integer weights
    return pd.DataFrame(matrix, index=pd.Index(categories, name=attribute),
                        columns=pd.Index(categories, name=attribute))


# --------------------------------------------------------------------------------------------
# The report's "network" section
# --------------------------------------------------------------------------------------------


def json_float(value: Any) -> float | None:
    """A float for JSON: NaN and infinities become ``None``."""
    number = float(value)
    return None if math.isnan(number) or math.isinf(number) else number


def _plain(value: Any) -> Any:
    """numpy scalars to Python ones, NaN to None (the report is plain JSON)."""
    if isinstance(value, (float, np.floating)):
        return json_float(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


@dataclass(frozen=True)
class NetworkResult:
    """The network section of the report: per-partner measures plus graph-level summaries."""

    nodes: pd.DataFrame
    communities: Communities
    bridging: Mapping[str, pd.DataFrame]
    mixing: Mapping[str, pd.DataFrame]
    method: Mapping[str, Any]
    edges: int
    as_of: pd.Timestamp
    since: pd.Timestamp | None
    top: int = 10

    def top_bridges(self, attribute: str) -> list[dict[str, Any]]:
        """Partners whose ties spread most evenly across ``attribute``'s categories."""
        frame = self.bridging[attribute]
        frame = frame.loc[frame["participation"] > 0]
        frame = frame.merge(self.nodes[["partner_id", "name", "strength"]], on="partner_id")
        frame = frame.sort_values(["participation", "ei", "strength", "partner_id"],
                                  ascending=[False, False, False, True], kind="mergesort")
        return [
            {"partner_id": r.partner_id, "name": r.name, attribute: r.category,
             "participation": json_float(r.participation), "ei": json_float(r.ei),
             "strength": int(r.strength)}
            for r in frame.head(self.top).itertuples(index=False)
        ]

    def to_dict(self) -> dict[str, Any]:
        nodes = [{k: _plain(v) for k, v in row.items()} for row in self.nodes.to_dict("records")]
        return {
            "as_of": self.as_of.date().isoformat(),
            "since": None if self.since is None else self.since.date().isoformat(),
            "method": dict(self.method),
            "nodes": nodes,
            "edges": int(self.edges),
            "communities": self.communities.sizes,
            "modularity": (None if self.communities.modularity is None
                           else json_float(self.communities.modularity)),
            "bridging": {attribute: self.top_bridges(attribute) for attribute in self.bridging},
            "mixing": {
                attribute: {str(r): {str(c): _plain(v) for c, v in row.items()}
                            for r, row in frame.to_dict("index").items()}
                for attribute, frame in self.mixing.items()
            },
        }


def network_summary(
    ds: Dataset,
    *,
    as_of: snapshot.DateLike | None,
    since: snapshot.DateLike | None = None,
    seed: int = 0,
    exact_threshold: int = 5000,
    samples: int = 64,
    attributes: tuple[str, ...] = ("sector", "region"),
    top: int = 10,
    community_algorithm: str = "louvain",
    exact_budget: int | None = EXACT_BUDGET,
    scale_threshold: int | None = SCALE_THRESHOLD,
    backbone_edges: int = BACKBONE_EDGES,
) -> NetworkResult:
    """Everything the report and the dashboard show about the co-participation network.

    Parameters
    ----------
    ds : Dataset
    as_of, since : date-like
        The window, as in :func:`coparticipation`.
    seed : int, default 0
        Seeds both the betweenness sample (when sampled) and Louvain.
    exact_threshold, samples, exact_budget : int
        Passed to :func:`centralities`.
    attributes : tuple of str, default ("sector", "region")
        Partner columns for bridging (``ei_<a>``, ``participation_<a>`` per node) and mixing.
    top : int, default 10
        How many bridging partners to list per attribute.
    community_algorithm : {"louvain", "leiden"}, default "louvain"
        Passed to :func:`communities`.
    scale_threshold : int or None, default 2_000_000
        Graphs with more edges than this are "large": betweenness is sampled on the
        :func:`backbone` and communities are found on the backbone then refined on the full
        graph (see :func:`centralities` and :func:`communities`). Degree, strength, bridging,
        mixing and modularity stay exact on the full graph. Up to it (every bundled dataset,
        a few thousand partners) results are exactly those of the direct path. ``None``:
        never (needs several GB at 20,000 generated partners).
    backbone_edges : int, default 2_000_000
        Edges the backbone may keep.

    Returns
    -------
    NetworkResult
        ``to_dict()`` gives the report's ``network`` key (plain JSON types, no NaN);
        ``method["scale"]`` is ``"exact"`` or ``"backbone"``, with ``method["backbone"]``
        (rule, k, edges kept) and ``method["community_method"]`` in the latter case.
    """
    _check_positive_int("top", top, 0)
    cp = coparticipation(ds, as_of=as_of, since=since)
    cent = centralities(cp, exact_threshold=exact_threshold, samples=samples, seed=seed,
                        exact_budget=exact_budget, scale_threshold=scale_threshold,
                        backbone_edges=backbone_edges)
    comm = communities(cp, seed=seed, algorithm=community_algorithm,
                       scale_threshold=scale_threshold, backbone_edges=backbone_edges)
    # The igraph copies are the biggest objects held besides the matrix; bridging needs
    # neither them nor the backbone.
    cp._cache.clear()
    names = ds.partners.set_index("partner_id")["name"]
    nodes = cent.copy()
    nodes.insert(1, "name", names.reindex(pd.Index(cp.partner_ids)).fillna("").to_numpy())
    nodes["community"] = comm.membership
    bridges: dict[str, pd.DataFrame] = {}
    mixes: dict[str, pd.DataFrame] = {}
    for attribute in attributes:
        bridges[attribute] = bridging(cp, ds.partners, attribute=attribute)
        mixes[attribute] = mixing_matrix(cp, ds.partners, attribute=attribute)
        nodes[f"ei_{attribute}"] = bridges[attribute]["ei"].to_numpy()
        nodes[f"participation_{attribute}"] = bridges[attribute]["participation"].to_numpy()
    large = _uses_backbone(cp, scale_threshold)
    method = {
        "scale": "backbone" if large else "exact",
        "scale_threshold": scale_threshold,
        **cent.attrs["method"],
        "betweenness_weights": "unweighted",
        "community": comm.algorithm,
        "community_seed": seed,
        "resolution": comm.resolution,
        "bridging": "ties (unweighted)",
        "mixing": "edge weights, each edge counted in both directions",
        "nodes": cp.n_nodes,
        "groups": cp.groups,
    }
    if large:
        method["betweenness_graph"] = "backbone"
        method["community_method"] = {k: v for k, v in comm.method.items() if k != "backbone"}
        method["modularity_graph"] = "full"
    return NetworkResult(nodes=nodes, communities=comm, bridging=bridges, mixing=mixes,
                         method=method, edges=cp.n_edges, as_of=cp.as_of, since=cp.since, top=top)


# --------------------------------------------------------------------------------------------
# The networkx baseline (benchmarks and tests)
# --------------------------------------------------------------------------------------------


def projection_networkx_baseline(
    ds: Dataset,
    *,
    as_of: snapshot.DateLike | None,
    since: snapshot.DateLike | None = None,
    k: int | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """What a networkx user would write: bipartite graph, weighted projection, centralities.

    Same window and node set as :func:`coparticipation`; the projection is
    ``nx.bipartite.weighted_projected_graph`` and the measures are ``nx.degree``, weighted
    degree (strength) and ``nx.betweenness_centrality`` (``k`` sampled sources with ``seed``
    when ``k`` is given — the same sources :func:`centralities` draws with ``samples=k``).

    Returns
    -------
    DataFrame
        Columns ``partner_id, degree, strength, betweenness`` sorted by partner id, like
        :func:`centralities`.
    """
    day = snapshot.to_timestamp(as_of)
    start = None if since is None else snapshot.to_timestamp(since, name="since")
    active, seats, _events, attendance = _window_memberships(ds, day, start)
    partners = _node_ids(active, seats, attendance)
    bipartite = nx.Graph()
    bipartite.add_nodes_from(partners, bipartite=0)
    for committee, partner in seats.itertuples(index=False):
        bipartite.add_edge(partner, (COMMITTEE, committee))
    for event, partner in attendance.itertuples(index=False):
        bipartite.add_edge(partner, (EVENT, event))
    projected = nx.bipartite.weighted_projected_graph(bipartite, partners)
    degree = dict(projected.degree())
    strength = dict(projected.degree(weight="weight"))
    betweenness = nx.betweenness_centrality(projected, k=k, seed=seed)
    return pd.DataFrame({
        "partner_id": pd.Series(partners, dtype=object),
        "degree": [int(degree[p]) for p in partners],
        "strength": [int(strength[p]) for p in partners],
        "betweenness": [float(betweenness[p]) for p in partners],
    })


def equal_results(a: pd.DataFrame, b: pd.DataFrame, *, rtol: float = 1e-9, atol: float = 1e-12
                  ) -> bool:
    """Whether two centrality frames agree: same partners, equal degree and strength, and
    betweenness equal within ``rtol``/``atol`` (floating-point summation order differs)."""
    for frame in (a, b):
        missing = set(CENTRALITY_COLUMNS) - set(frame.columns)
        if missing:
            raise ValueError(f"centrality frame lacks columns {sorted(missing)}")
    left = a.sort_values("partner_id", kind="mergesort").reset_index(drop=True)
    right = b.sort_values("partner_id", kind="mergesort").reset_index(drop=True)
    if left["partner_id"].tolist() != right["partner_id"].tolist():
        return False
    return bool(
        np.array_equal(left["degree"].to_numpy(), right["degree"].to_numpy())
        and np.allclose(left["strength"].to_numpy(float), right["strength"].to_numpy(float),
                        rtol=rtol, atol=atol)
        and np.allclose(left["betweenness"].to_numpy(float),
                        right["betweenness"].to_numpy(float), rtol=rtol, atol=atol)
    )
