"""The network of one window as an attributed networkx graph, ready for Gephi, Cytoscape, networkx.

:func:`export_graph` carries every partner attribute (sector, country, region, sub-region, Global
South, membership), every measure of :func:`~analysis.network.summary.network_summary` (degree,
strength, betweenness, eigenvector, PageRank, closeness, k-core, community, bridging) and the
edge weights. Two views:

- ``"coparticipation"``: partners joined by the number of committees and events they share
  (``weight``);
- ``"twomode"``: partners and the committees and events of the window (ids ``committee::ID``
  and ``event::ID``, ``kind`` says which), a partner linked to each room it sat in (weight 1).

Attributes that are undefined for a node (closeness outside the largest component, an unknown
country) are left out of that node rather than stored as ``None``: GEXF and GraphML have no
null. Serialising is :mod:`reports.network_export`'s job.

>>> import pandas as pd
>>> from core.model import Dataset
>>> ds = Dataset.from_frames(
...     partners=pd.DataFrame({"partner_id": ["a", "b"], "name": ["A", "B"],
...         "sector": ["Industry", "Academic"], "country": ["USA", "KEN"]}),
...     events=pd.DataFrame({"event_id": ["e1"], "name": ["E1"], "date": ["2024-01-10"]}),
...     attendance=pd.DataFrame({"event_id": ["e1", "e1"], "partner_id": ["a", "b"]}))
>>> graph = export_graph(ds, as_of="2024-06-30")
>>> sorted(graph.nodes["a"])[:4], graph.edges["a", "b"]["weight"]
(['betweenness', 'closeness', 'community', 'country'], 1)
>>> sorted(export_graph(ds, as_of="2024-06-30", view="twomode").nodes)
['a', 'b', 'event::e1']
"""

from __future__ import annotations

import math
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from analysis import snapshot
from analysis.network.projection import COMMITTEE, EVENT, coparticipation, two_mode
from analysis.network.summary import NetworkResult, network_summary
from core.errors import RequestError
from core.model import Dataset

COPARTICIPATION = "coparticipation"
TWO_MODE = "twomode"
#: The most links an export holds. A networkx graph costs several hundred bytes per edge, so
#: the 15-20M co-participation links of 20,000 generated partners would need many GB (and no
#: desktop tool draws them); the two-mode view or a narrower window fits.
EDGE_LIMIT = 2_000_000
VIEWS = (COPARTICIPATION, TWO_MODE)
#: Partner columns every export carries (when the dataset has them).
PARTNER_ATTRIBUTES = ("sector", "country", "country_name", "region", "subregion", "global_south",
                      "membership")


def _value(value: Any) -> Any:
    """A plain Python scalar, or ``None`` for a missing value (NaN, NaT, empty text)."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer, int)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if math.isnan(float(value)) else float(value)
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    text = str(value)
    return text if text else None


def _present(attributes: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in ((k, _value(v)) for k, v in attributes.items()) if v is not None}


def _partner_nodes(ds: Dataset, summary: NetworkResult) -> list[tuple[str, dict[str, Any]]]:
    """(partner id, attributes) for every node of the window, in partner-id order."""
    columns = [c for c in PARTNER_ATTRIBUTES if c in ds.partners.columns]
    partners = ds.partners.drop_duplicates("partner_id").set_index("partner_id")[columns]
    rows = partners.reindex(pd.Index([n.partner_id for n in summary.nodes]))
    out = []
    for node, (_, row) in zip(summary.nodes, rows.iterrows(), strict=True):
        measures = node.to_dict()
        partner_id = measures.pop("partner_id")
        attributes = {"label": measures.pop("name") or partner_id, "kind": "partner",
                      **row.to_dict(), **measures}
        out.append((partner_id, _present(attributes)))
    return out


def _group_nodes(ds: Dataset, kinds: np.ndarray, ids: np.ndarray
                 ) -> list[tuple[str, dict[str, Any]]]:
    """(``kind::id``, attributes) of the committees and events of a two-mode view."""
    committees = ds.committees.drop_duplicates("committee_id").set_index("committee_id")
    events = ds.events.drop_duplicates("event_id").set_index("event_id")
    out = []
    for kind, group in zip(kinds.tolist(), ids.tolist(), strict=True):
        table = committees if kind == COMMITTEE else events
        row = table.loc[group]
        attributes = {"label": row.get("name") or group, "kind": kind,
                      "program": row.get("program")}
        if kind == EVENT:
            attributes["date"] = row.get("date")
        out.append((f"{kind}::{group}", _present(attributes)))
    return out


def export_graph(
    ds: Dataset,
    *,
    as_of: snapshot.DateLike | None,
    since: snapshot.DateLike | None = None,
    view: str = COPARTICIPATION,
    seed: int = 0,
) -> nx.Graph:
    """The window's network with every node attribute and edge weight, as a networkx Graph.

    Parameters
    ----------
    ds : Dataset
        Already restricted to one program if the export is of one program (the report's
        ``program_subset``), so the measures are the report's.
    as_of, since : date-like
        The window, as in :func:`~analysis.network.projection.coparticipation`.
    view : {"coparticipation", "twomode"}, default "coparticipation"
    seed : int, default 0
        Seeds communities and sampled measures, as in the report.

    Returns
    -------
    networkx.Graph
        Node attributes ``label``, ``kind``, the partner columns of :data:`PARTNER_ATTRIBUTES`
        and the report's node measures; edge attribute ``weight``; graph attributes ``view``,
        ``as_of`` and (when set) ``since``.

    Raises
    ------
    RequestError
        When the view has more than :data:`EDGE_LIMIT` links.
    """
    if view not in VIEWS:
        raise ValueError(f"view must be one of {list(VIEWS)}, got {view!r}")
    cp = coparticipation(ds, as_of=as_of, since=since)
    links = cp.n_edges if view == COPARTICIPATION else int(
        two_mode(ds, as_of=as_of, since=since).matrix.nnz)
    if links > EDGE_LIMIT:
        raise RequestError(
            f"the {view} network of this window has {links:,} links, more than an export holds "
            f"({EDGE_LIMIT:,}); export the two-mode view, or a narrower window (--since, "
            "--program)")
    summary = network_summary(ds, as_of=as_of, since=since, seed=seed)
    graph = nx.Graph(view=view, as_of=summary.as_of.date().isoformat())
    if summary.since is not None:
        graph.graph["since"] = summary.since.date().isoformat()
    graph.add_nodes_from(_partner_nodes(ds, summary))
    if view == COPARTICIPATION:
        rows, cols, weights = cp.edges()
        ids = cp.partner_ids
        graph.add_weighted_edges_from(
            zip(ids[rows].tolist(), ids[cols].tolist(), weights.tolist(), strict=True))
        return graph
    incidence = two_mode(ds, as_of=as_of, since=since)
    coo = incidence.matrix.tocoo()
    used = np.unique(coo.col)
    graph.add_nodes_from(_group_nodes(ds, incidence.group_kinds[used], incidence.group_ids[used]))
    group_names = [f"{k}::{g}" for k, g in zip(incidence.group_kinds.tolist(),
                                                incidence.group_ids.tolist(), strict=True)]
    graph.add_edges_from(
        ((incidence.partner_ids[r], group_names[c]) for r, c in
         zip(coo.row.tolist(), coo.col.tolist(), strict=True)), weight=1)
    return graph
