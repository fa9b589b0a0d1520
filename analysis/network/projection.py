"""The co-participation projection: the partner x group incidence and its ``B @ B.T``.

Two partners are joined when they share a committee (both hold a seat active on ``as_of``) or
an event (both attended one in the window ``(since, as_of]``); the edge weight is the number of
committees and events they share. The projection is built as ``B @ B.T`` of the sparse
partner x group incidence ``B`` (scipy), so it scales to the 20,000-partner / 10-million-edge
graphs of ../shared/DESIGN.md.

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
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

from analysis import snapshot
from analysis.network._common import block_rows, row_blocks, row_indices, sum_dtype
from core.model import PARTNER, Dataset

COMMITTEE = "committee"
EVENT = "event"

# Above this many edges, communities and betweenness run on a backbone of the projection
# (see :func:`analysis.network.backbones.backbone`). At 20,000 generated partners the projection
# has 15-20M edges: an igraph copy costs about 32 bytes per edge plus Louvain's working copy
# (2.9 GB and 40-100 s measured), beyond the report's 1 GB / seconds budget (issue 9). Up to 2M
# edges (every bundled dataset, 2,500 generated partners) the exact path runs unchanged.
SCALE_THRESHOLD = 2_000_000


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


def window_memberships(
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


def node_ids(active: pd.DataFrame, seats: pd.DataFrame, attendance: pd.DataFrame) -> list[str]:
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
    active, seats, events, attendance = window_memberships(ds, day, start)
    partner_ids = np.array(node_ids(active, seats, attendance), dtype=object)
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
    cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

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
        rows = row_indices(adj)
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

    def shared_igraph(self) -> ig.Graph:
        """The igraph Graph of :meth:`to_igraph`, built once and shared: never modify it."""
        # Shared by centralities and communities because the 10M-edge build costs seconds;
        # callers that change the graph take a copy from to_igraph().
        if "igraph" not in self.cache:
            rows, cols, weights = self.edges()
            graph = ig.Graph(n=self.n_nodes)
            # add_edges with an (m, 2) array is several times faster than the constructor.
            graph.add_edges(np.column_stack([rows, cols]).astype(np.int64))
            graph.es["weight"] = weights.astype(sum_dtype(self.adjacency)).tolist()
            graph.vs["name"] = self.partner_ids.tolist()
            self.cache["igraph"] = graph
        cached: ig.Graph = self.cache["igraph"]
        return cached

    def to_igraph(self) -> ig.Graph:
        """An undirected igraph Graph: vertex ``i`` is ``partner_ids[i]`` (attribute ``name``),
        edge attribute ``weight``."""
        return self.shared_igraph().copy()


def _drop_diagonal(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """``matrix`` without its diagonal, in place (co-participation counts are positive, so
    zeroing the diagonal and eliminating zeros removes exactly the diagonal).

    In place and block by block because at 20,000 partners the product holds 30M+ entries:
    a masked copy plus an all-entries row array would add about 400 MB to the peak.
    """
    indptr = matrix.indptr
    for a, b in row_blocks(indptr):
        lo, hi = int(indptr[a]), int(indptr[b])
        on_diagonal = matrix.indices[lo:hi] == block_rows(indptr, a, b)
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
