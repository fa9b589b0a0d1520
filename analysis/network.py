"""The co-participation network of partners: projection, centralities, communities, bridging.

Two partners are joined when they share a committee (both hold a seat active on ``as_of``) or
an event (both attended one in the window ``(since, as_of]``); the edge weight is the number of
committees and events they share. The projection is built as ``B @ B.T`` of the sparse
partner x group incidence ``B`` (scipy), so it scales to the 20,000-partner / 10-million-edge
graphs of ../shared/DESIGN.md; centralities and communities run in igraph (C), never in a
networkx graph of that size. :func:`projection_networkx_baseline` is the plain networkx version
a user would otherwise write, kept for the benchmark and the tests to check equal results.

Which partners are nodes: every Partner active on ``as_of`` (so isolated partners show up with
degree 0) plus everyone, Partners or Guests, who holds an active committee seat or attended an
event in the window. All temporal filtering goes through :mod:`analysis.snapshot`.

>>> import pandas as pd
>>> from graph.model import Dataset
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
from graph.model import PARTNER, Dataset

__all__ = [
    "CoParticipation",
    "Communities",
    "NetworkResult",
    "TwoMode",
    "bridging",
    "centralities",
    "communities",
    "coparticipation",
    "equal_results",
    "json_float",
    "mixing_matrix",
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

    ``adjacency`` is a symmetric CSR matrix (int) with a zero diagonal; ``adjacency[i, j]`` is
    the number of committees and events partners ``partner_ids[i]`` and ``partner_ids[j]``
    share. ``groups`` is how many committees and events the window held.
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


def _drop_diagonal(matrix: sp.csr_matrix) -> sp.csr_matrix:
    # Masking the stored entries avoids setdiag(), which would store explicit zeros for
    # partners in no group and warn about changing the sparsity structure.
    rows = _row_indices(matrix)
    keep = matrix.indices != rows
    counts = np.bincount(rows[keep], minlength=matrix.shape[0])
    indptr = np.concatenate([[0], np.cumsum(counts)])
    out = sp.csr_matrix((matrix.data[keep], matrix.indices[keep], indptr), shape=matrix.shape)
    out.sort_indices()
    return out


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
    product = (b @ b.T).tocsr()
    return CoParticipation(
        partner_ids=incidence.partner_ids,
        adjacency=_drop_diagonal(product),
        as_of=incidence.as_of,
        since=incidence.since,
        groups=len(incidence.group_ids),
    )


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

    Returns
    -------
    DataFrame
        Columns ``partner_id, degree, strength, betweenness``, rows in partner-id order.
        ``degree`` counts neighbours, ``strength`` sums edge weights, ``betweenness`` is on
        the unweighted graph, normalised like networkx (``2/((n-1)(n-2))`` for undirected).
        ``frame.attrs["method"]`` says how betweenness was computed:
        ``{"betweenness": "exact"|"sampled", "samples": k|None, "seed": seed|None,
        "exact_threshold": ..., "exact_budget": ...}``.
    """
    _check_positive_int("exact_threshold", exact_threshold, 0)
    _check_positive_int("samples", samples, 2)
    if exact_budget is not None:
        _check_positive_int("exact_budget", exact_budget, 0)
    n = cp.n_nodes
    adj = cp.adjacency
    degree = np.diff(adj.indptr).astype(np.int64)
    strength = np.asarray(adj.sum(axis=1)).ravel().astype(np.int64)
    too_costly = exact_budget is not None and n * adj.nnz > exact_budget
    sampled = (n > exact_threshold or too_costly) and samples < n
    betweenness = np.zeros(n, dtype=float)
    # Fewer than three nodes: no node can lie between two others (networkx gives 0 too).
    if n >= 3 and cp.n_edges:
        graph = cp._igraph()
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


def communities(
    cp: CoParticipation, *, seed: int = 0, resolution: float = 1.0, algorithm: str = "louvain"
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

    Returns
    -------
    Communities
    """
    if not (isinstance(resolution, (int, float)) and math.isfinite(resolution) and resolution > 0):
        raise ValueError(f"resolution must be a positive number, got {resolution!r}")
    if algorithm not in COMMUNITY_ALGORITHMS:
        raise ValueError(f"algorithm must be one of {sorted(COMMUNITY_ALGORITHMS)}, "
                         f"got {algorithm!r}")
    described = COMMUNITY_ALGORITHMS[algorithm]
    n = cp.n_nodes
    if cp.n_edges == 0:
        # No edges, no structure: every partner is a community of its own.
        return Communities(cp.partner_ids, np.arange(n, dtype=np.int64), None, seed,
                           float(resolution), described)
    graph = cp._igraph()
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
    membership = relabel_by_size(np.asarray(clustering.membership, dtype=np.int64))
    modularity = graph.modularity(membership.tolist(), weights="weight", resolution=resolution)
    return Communities(cp.partner_ids, membership, float(modularity), seed, float(resolution),
                       described)


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


def _one_hot(labels: np.ndarray, categories: np.ndarray, dtype: Any) -> sp.csr_matrix:
    codes = pd.Index(categories).get_indexer(labels)
    n = len(labels)
    return sp.csr_matrix((np.ones(n, dtype=dtype), (np.arange(n), codes)),
                         shape=(n, len(categories)))


def _category_sums(cp: CoParticipation, labels: np.ndarray, categories: np.ndarray,
                   *, weighted: bool) -> np.ndarray:
    """Dense n x categories: each node's ties (or tie weights) into each category."""
    adj = cp.adjacency
    data = adj.data if weighted else np.ones_like(adj.data)
    # Same dtype on both sides, sharing the adjacency's index arrays: scipy then multiplies
    # without an upcast copy of a matrix that holds tens of millions of entries at scale.
    same = sp.csr_matrix((data, adj.indices, adj.indptr), shape=adj.shape)
    product = same @ _one_hot(labels, categories, data.dtype)
    return np.asarray(product.toarray(), dtype=float)


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

    Returns
    -------
    NetworkResult
        ``to_dict()`` gives the report's ``network`` key (plain JSON types, no NaN).
    """
    _check_positive_int("top", top, 0)
    cp = coparticipation(ds, as_of=as_of, since=since)
    cent = centralities(cp, exact_threshold=exact_threshold, samples=samples, seed=seed,
                        exact_budget=exact_budget)
    comm = communities(cp, seed=seed, algorithm=community_algorithm)
    # The igraph copy of a large graph is the biggest object held; bridging does not need it.
    cp._cache.pop("igraph", None)
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
    method = {
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
