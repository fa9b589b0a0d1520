"""The report's network section: every measure of every partner plus graph-level summaries.

:func:`network_summary` runs the families (projection, centrality, communities, bridging and
mixing) on one window and returns a typed :class:`NetworkResult`; ``to_dict()`` is the report's
``network`` key, once, at the JSON edge.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis import snapshot
from analysis.network._common import check_positive_int, json_float, plain
from analysis.network.backbones import BACKBONE_EDGES, uses_backbone
from analysis.network.centrality import EXACT_BUDGET, centralities, structure
from analysis.network.community import Communities, communities
from analysis.network.mixing import bridging, mixing_matrix
from analysis.network.projection import SCALE_THRESHOLD, CoParticipation, coparticipation
from core.model import Dataset


@dataclass(frozen=True)
class NodeMeasures:
    """One partner's measures; ``ei`` and ``participation`` are keyed by attribute (bridging),
    ``None`` where undefined (an isolated partner)."""

    partner_id: str
    name: str
    degree: int
    strength: int
    betweenness: float
    community: int
    ei: Mapping[str, float | None]
    participation: Mapping[str, float | None]
    eigenvector: float | None = None
    pagerank: float | None = None
    closeness: float | None = None
    kcore: int = 0

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "partner_id": self.partner_id, "name": self.name, "degree": self.degree,
            "strength": self.strength, "betweenness": self.betweenness,
            "community": self.community,
        }
        for attribute in self.ei:
            out[f"ei_{attribute}"] = self.ei[attribute]
            out[f"participation_{attribute}"] = self.participation[attribute]
        out.update(eigenvector=self.eigenvector, pagerank=self.pagerank,
                   closeness=self.closeness, kcore=self.kcore)
        return out


@dataclass(frozen=True)
class Bridge:
    """A partner whose ties spread across the categories of ``attribute``."""

    partner_id: str
    name: str
    attribute: str
    category: str
    participation: float | None
    ei: float | None
    strength: int

    def to_dict(self) -> dict[str, Any]:
        return {"partner_id": self.partner_id, "name": self.name, self.attribute: self.category,
                "participation": self.participation, "ei": self.ei, "strength": self.strength}


@dataclass(frozen=True)
class NetworkResult:
    """The network section of the report: per-partner measures plus graph-level summaries.

    ``nodes`` are in partner-id order; ``bridges[a]`` lists the top bridging partners of
    attribute ``a``; ``mixing[a]`` is :func:`~analysis.network.mixing.mixing_matrix` of ``a``;
    ``method`` says how every measure was computed (exact or sampled, on the full graph or a
    backbone, seeds).
    """

    as_of: pd.Timestamp
    since: pd.Timestamp | None
    method: Mapping[str, Any]
    nodes: tuple[NodeMeasures, ...]
    edges: int
    communities: Communities
    bridges: Mapping[str, tuple[Bridge, ...]]
    mixing: Mapping[str, pd.DataFrame]

    @property
    def modularity(self) -> float | None:
        value = self.communities.modularity
        return None if value is None else json_float(value)

    def frame(self) -> pd.DataFrame:
        """The nodes as a table, one row per partner, columns as in ``to_dict()["nodes"]``."""
        return pd.DataFrame([node.to_dict() for node in self.nodes])

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.date().isoformat(),
            "since": None if self.since is None else self.since.date().isoformat(),
            "method": dict(self.method),
            "nodes": [node.to_dict() for node in self.nodes],
            "edges": int(self.edges),
            "communities": self.communities.sizes,
            "modularity": self.modularity,
            "bridging": {a: [b.to_dict() for b in found] for a, found in self.bridges.items()},
            "mixing": {
                attribute: {str(r): {str(c): plain(v) for c, v in row.items()}
                            for r, row in frame.to_dict("index").items()}
                for attribute, frame in self.mixing.items()
            },
        }


def top_bridges(frame: pd.DataFrame, nodes: pd.DataFrame, attribute: str, top: int
                ) -> tuple[Bridge, ...]:
    """Partners whose ties spread most evenly across ``attribute``'s categories (``frame`` is
    :func:`~analysis.network.mixing.bridging`'s result, ``nodes`` has name and strength)."""
    frame = frame.loc[frame["participation"] > 0]
    frame = frame.merge(nodes[["partner_id", "name", "strength"]], on="partner_id")
    frame = frame.sort_values(["participation", "ei", "strength", "partner_id"],
                              ascending=[False, False, False, True], kind="mergesort")
    return tuple(
        Bridge(partner_id=r.partner_id, name=r.name, attribute=attribute, category=r.category,
               participation=json_float(r.participation), ei=json_float(r.ei),
               strength=plain(r.strength))
        for r in frame.head(top).itertuples(index=False)
    )


def _node_measures(nodes: pd.DataFrame, attributes: tuple[str, ...]) -> tuple[NodeMeasures, ...]:
    """Typed rows of the measures table (plain Python values, NaN as ``None``)."""
    return tuple(
        NodeMeasures(
            partner_id=row["partner_id"], name=row["name"], degree=plain(row["degree"]),
            strength=plain(row["strength"]), betweenness=plain(row["betweenness"]),
            community=plain(row["community"]),
            ei={a: plain(row[f"ei_{a}"]) for a in attributes},
            participation={a: plain(row[f"participation_{a}"]) for a in attributes},
            eigenvector=plain(row["eigenvector"]), pagerank=plain(row["pagerank"]),
            closeness=plain(row["closeness"]), kcore=plain(row["kcore"]),
        )
        for row in nodes.to_dict("records")
    )


def _method(cp: CoParticipation, cent: pd.DataFrame, comm: Communities, measures: pd.DataFrame,
            *, seed: int, scale_threshold: int | None) -> dict[str, Any]:
    """The report's ``method`` of the network section."""
    large = uses_backbone(cp, scale_threshold)
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
        **measures.attrs["method"],
    }
    if large:
        method["betweenness_graph"] = "backbone"
        method["community_method"] = {k: v for k, v in comm.method.items() if k != "backbone"}
        method["modularity_graph"] = "full"
    return method


def network_summary(
    ds: Dataset,
    *,
    as_of: snapshot.DateLike | None,
    since: snapshot.DateLike | None = None,
    **options: Any,
) -> NetworkResult:
    """Everything the report and the dashboard show about the co-participation network.

    Parameters
    ----------
    ds : Dataset
    as_of, since : date-like
        The window, as in :func:`~analysis.network.projection.coparticipation`.
    **options
        Every option of :func:`graph_summary` (``seed``, ``attributes``, ``top``,
        ``scale_threshold``, ...), which runs the measures on the window's projection.

    Returns
    -------
    NetworkResult
        ``to_dict()`` gives the report's ``network`` key (plain JSON types, no NaN);
        ``method["scale"]`` is ``"exact"`` or ``"backbone"``, with ``method["backbone"]``
        (rule, k, edges kept) and ``method["community_method"]`` in the latter case.
    """
    if "top" in options:  # refused before the projection is built
        check_positive_int("top", options["top"], 0)
    cp = coparticipation(ds, as_of=as_of, since=since)
    return graph_summary(cp, ds, **options)


def graph_summary(
    cp: CoParticipation,
    ds: Dataset,
    *,
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
    """Every measure of a partner graph already built: the co-participation projection
    (:func:`network_summary`), or another graph of the same shape (the direct links of
    :mod:`analysis.network.links`).

    Parameters
    ----------
    cp : CoParticipation
    ds : Dataset
        Gives the partners' names and the ``attributes`` columns.
    seed : int, default 0
        Seeds both the betweenness sample (when sampled) and Louvain.
    exact_threshold, samples, exact_budget : int
        Passed to :func:`~analysis.network.centrality.centralities`.
    attributes : tuple of str, default ("sector", "region")
        Partner columns for bridging (``ei_<a>``, ``participation_<a>`` per node) and mixing.
    top : int, default 10
        How many bridging partners to list per attribute.
    community_algorithm : {"louvain", "leiden"}, default "louvain"
        Passed to :func:`~analysis.network.community.communities`.
    scale_threshold : int or None, default 2_000_000
        Graphs with more edges than this are "large": betweenness is sampled on the backbone
        and communities are found on the backbone then refined on the full graph. Degree,
        strength, bridging, mixing and modularity stay exact on the full graph. Up to it
        (every bundled dataset, a few thousand partners) results are exactly those of the
        direct path. ``None``: never (needs several GB at 20,000 generated partners).
    backbone_edges : int, default 2_000_000
        Edges the backbone may keep.
    """
    check_positive_int("top", top, 0)
    cent = centralities(cp, exact_threshold=exact_threshold, samples=samples, seed=seed,
                        exact_budget=exact_budget, scale_threshold=scale_threshold,
                        backbone_edges=backbone_edges)
    comm = communities(cp, seed=seed, algorithm=community_algorithm,
                       scale_threshold=scale_threshold, backbone_edges=backbone_edges)
    measures = structure(cp, sampled=cent.attrs["method"]["betweenness"] == "sampled",
                         samples=samples, seed=seed, scale_threshold=scale_threshold,
                         backbone_edges=backbone_edges)
    # The igraph copies are the biggest objects held besides the matrix; bridging needs
    # neither them nor the backbone.
    cp.cache.clear()
    names = ds.partners.set_index("partner_id")["name"]
    nodes = cent.copy()
    nodes.insert(1, "name", names.reindex(pd.Index(cp.partner_ids)).fillna("").to_numpy())
    nodes["community"] = comm.membership
    for column in ("eigenvector", "pagerank", "closeness", "kcore"):
        nodes[column] = measures[column].to_numpy()
    bridges: dict[str, tuple[Bridge, ...]] = {}
    mixes: dict[str, pd.DataFrame] = {}
    for attribute in attributes:
        found = bridging(cp, ds.partners, attribute=attribute)
        mixes[attribute] = mixing_matrix(cp, ds.partners, attribute=attribute)
        nodes[f"ei_{attribute}"] = found["ei"].to_numpy()
        nodes[f"participation_{attribute}"] = found["participation"].to_numpy()
        bridges[attribute] = top_bridges(found, nodes, attribute, top)
    return NetworkResult(
        as_of=cp.as_of, since=cp.since,
        method=_method(cp, cent, comm, measures, seed=seed, scale_threshold=scale_threshold),
        nodes=_node_measures(nodes, attributes), edges=cp.n_edges, communities=comm,
        bridges=bridges, mixing=mixes)
