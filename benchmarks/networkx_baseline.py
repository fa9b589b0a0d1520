"""The plain networkx version of the co-participation measures, the benchmark's baseline.

What a networkx user would write (bipartite graph, ``weighted_projected_graph``, degree,
strength and ``betweenness_centrality``); ``projection_vs_networkx`` times it against
:mod:`analysis.network` and :func:`equal_results` checks both agree.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd

from analysis import snapshot
from analysis.network.projection import COMMITTEE, EVENT, node_ids, window_memberships
from core.model import Dataset

CENTRALITY_COLUMNS = ("partner_id", "degree", "strength", "betweenness")


def projection_networkx_baseline(
    ds: Dataset,
    *,
    as_of: snapshot.DateLike | None,
    since: snapshot.DateLike | None = None,
    k: int | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """What a networkx user would write: bipartite graph, weighted projection, centralities.

    Same window and node set as :func:`analysis.network.coparticipation`; the projection is
    ``nx.bipartite.weighted_projected_graph`` and the measures are ``nx.degree``, weighted
    degree (strength) and ``nx.betweenness_centrality`` (``k`` sampled sources with ``seed``
    when ``k`` is given — the same sources :func:`analysis.network.centralities` draws with ``samples=k``).

    Returns
    -------
    DataFrame
        Columns ``partner_id, degree, strength, betweenness`` sorted by partner id, like
        :func:`analysis.network.centralities`.
    """
    day = snapshot.to_timestamp(as_of)
    start = None if since is None else snapshot.to_timestamp(since, name="since")
    active, seats, _events, attendance = window_memberships(ds, day, start)
    partners = node_ids(active, seats, attendance)
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
