"""The direct-links network: partners joined by the ``links`` table on one day.

Co-participation says who shared a room; the ``links`` table records what partners say they do
together (a collaboration, a grant, a joint project), the relation Kumu, Graph Commons and Onodo
are built on. :func:`direct_links` turns the links active on ``as_of`` (``since <= as_of <
until``, an empty end open) into a :class:`~analysis.network.projection.CoParticipation`-shaped
graph, so every measure of the co-participation network runs on it unchanged
(:func:`links_summary`).

The measures treat a link as undirected (a grant from A to B ties both), and a pair's weight is
the sum of the weights of its active links, of every kind and either direction; the stored
direction stays in the data and in Neo4j. Nodes are the partners :func:`coparticipation` would
show on that day (every active Partner, isolated ones with degree 0) plus anyone an active link
names, so the two views of one day share their nodes.

>>> import pandas as pd
>>> from core.model import Dataset
>>> ds = Dataset.from_frames(
...     partners=pd.DataFrame({"partner_id": ["a", "b", "c"], "name": ["A", "B", "C"],
...         "sector": ["Industry", "Academic", "Industry"], "country": ["USA", "FRA", "KEN"]}),
...     links=pd.DataFrame({"source_id": ["a", "b", "a"], "target_id": ["b", "a", "c"],
...         "kind": ["grant", "collaboration", "grant"], "weight": [2.0, 0.5, 1.0],
...         "until": [None, None, "2024-01-01"]}))
>>> graph = direct_links(ds, as_of="2024-06-30")
>>> graph.partner_ids.tolist(), graph.adjacency.toarray().tolist()
(['a', 'b', 'c'], [[0.0, 2.5, 0.0], [2.5, 0.0, 0.0], [0.0, 0.0, 0.0]])
>>> links_summary(ds, as_of="2024-06-30").kinds
{'collaboration': 1, 'grant': 1}
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from analysis import snapshot
from analysis.network.projection import CoParticipation
from analysis.network.summary import NetworkResult, graph_summary
from core.model import PARTNER, Dataset

METHOD = {
    "links_window": "links active on as_of (since <= as_of < until, an empty end open)",
    "links_weights": "a pair's weight sums its active links' weights, of every kind and in "
                     "either direction (measures treat links as undirected)",
    "links_nodes": "every Partner active on as_of plus anyone an active link names",
}


@dataclass(frozen=True)
class LinksNetwork:
    """The direct-links network of one day: :class:`NetworkResult` of every measure, plus how
    many links were active (``links``) and of which kind (``kinds``, sorted by label)."""

    network: NetworkResult
    links: int
    kinds: Mapping[str, int]
    kind_filter: tuple[str, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        out = self.network.to_dict()
        out.update(links=self.links, kinds=dict(self.kinds),
                   kind_filter=None if self.kind_filter is None else list(self.kind_filter))
        return out


def active_links(ds: Dataset, *, as_of: snapshot.DateLike | None,
                 kinds: Iterable[str] | None = None) -> pd.DataFrame:
    """Rows of ``ds.links`` active on ``as_of`` (``None``: today), of ``kinds`` only if given
    (matched trimmed and case-insensitively, as labels are)."""
    day = snapshot.to_timestamp(as_of)
    links = ds.links
    mask = snapshot.active_mask(links["since"], links["until"], day)
    wanted = _kind_keys(kinds)
    if wanted is not None:
        mask &= links["kind"].map(_key).isin(wanted)
    return links.loc[mask].reset_index(drop=True)


def direct_links(ds: Dataset, *, as_of: snapshot.DateLike | None,
                 kinds: Iterable[str] | None = None) -> CoParticipation:
    """The weighted, undirected graph of the links active on ``as_of``.

    Parameters
    ----------
    ds : Dataset
    as_of : date-like
        The day; ``None`` means today.
    kinds : iterable of str, optional
        Only links of these kinds (default: every kind).

    Returns
    -------
    CoParticipation
        ``adjacency`` is a symmetric float64 CSR matrix with a zero diagonal; ``groups`` is
        the number of active links.
    """
    day = snapshot.to_timestamp(as_of)
    links = active_links(ds, as_of=day, kinds=kinds)
    active = snapshot.active_partners(ds, day, membership=PARTNER)["partner_id"]
    ids = np.array(sorted(set(active) | set(links["source_id"]) | set(links["target_id"])),
                   dtype=object)
    index = pd.Index(ids)
    rows = index.get_indexer(links["source_id"]).astype(np.int64)
    cols = index.get_indexer(links["target_id"]).astype(np.int64)
    weights = links["weight"].to_numpy(dtype=np.float64)
    # Both directions, so that A -> B and B -> A add up on one undirected pair.
    matrix = sp.csr_matrix(
        (np.concatenate([weights, weights]), (np.concatenate([rows, cols]),
                                              np.concatenate([cols, rows]))),
        shape=(len(ids), len(ids)), dtype=np.float64)
    matrix.sum_duplicates()
    matrix.sort_indices()
    return CoParticipation(partner_ids=ids, adjacency=matrix, as_of=day, since=None,
                           groups=len(links))


def links_summary(
    ds: Dataset,
    *,
    as_of: snapshot.DateLike | None,
    kinds: Iterable[str] | None = None,
    seed: int = 0,
    attributes: tuple[str, ...] = ("sector", "region"),
    top: int = 10,
    **options: Any,
) -> LinksNetwork:
    """Every measure of the co-participation network (degree, strength, betweenness,
    communities, eigenvector, PageRank, closeness, k-core, bridging, mixing) on the direct
    links active on ``as_of``.

    ``seed``, ``attributes``, ``top`` and ``options`` are those of
    :func:`~analysis.network.summary.network_summary`. ``strength`` sums real weights here, so
    it may be fractional.
    """
    kind_filter = None if kinds is None else tuple(kinds)
    graph = direct_links(ds, as_of=as_of, kinds=kind_filter)
    active = active_links(ds, as_of=as_of, kinds=kind_filter)
    network = graph_summary(graph, ds, seed=seed, attributes=attributes, top=top, **options)
    method = {k: v for k, v in network.method.items() if k != "groups"}
    method.update(METHOD, links=len(active))
    counts = active["kind"].value_counts()
    return LinksNetwork(
        network=dataclasses.replace(network, method=method),
        links=len(active),
        kinds={str(k): int(counts[k]) for k in sorted(counts.index)},
        kind_filter=kind_filter,
    )


def links_of(ds: Dataset, partner_id: str, *, as_of: snapshot.DateLike | None) -> pd.DataFrame:
    """The links of one partner active on ``as_of``, both directions: columns ``kind``,
    ``direction`` (``"to"`` when the partner is the source, else ``"from"``), ``other_id``,
    ``other_name``, ``since``, ``until``, ``weight``; sorted by kind then the other's name.

    >>> ds = Dataset.from_frames(
    ...     partners=pd.DataFrame({"partner_id": ["a", "b"], "name": ["A", "B"],
    ...         "sector": ["Industry", "Academic"], "country": ["USA", "FRA"]}),
    ...     links=pd.DataFrame({"source_id": ["b"], "target_id": ["a"], "kind": ["grant"]}))
    >>> links_of(ds, "a", as_of="2024-01-01")[["kind", "direction", "other_name"]].values.tolist()
    [['grant', 'from', 'B']]
    """
    links = active_links(ds, as_of=as_of)
    outgoing = links["source_id"] == partner_id
    incoming = links["target_id"] == partner_id
    mine = links.loc[outgoing | incoming]
    other = mine["target_id"].where(outgoing[outgoing | incoming], mine["source_id"])
    names = ds.partners.set_index("partner_id")["name"]
    out = pd.DataFrame({
        "kind": mine["kind"].to_numpy(),
        "direction": ["to" if o else "from" for o in outgoing[outgoing | incoming]],
        "other_id": other.to_numpy(),
        "other_name": names.reindex(other).fillna("").to_numpy(),
        "since": mine["since"].to_numpy(),
        "until": mine["until"].to_numpy(),
        "weight": mine["weight"].to_numpy(),
    })
    return out.sort_values(["kind", "other_name", "other_id"], kind="stable").reset_index(
        drop=True)


def _key(label: str) -> str:
    return " ".join(str(label).split()).casefold()


def _kind_keys(kinds: Iterable[str] | None) -> set[str] | None:
    if kinds is None:
        return None
    if isinstance(kinds, str):
        raise ValueError(f"kinds must be a list of kind labels, got the string {kinds!r}")
    return {_key(k) for k in kinds}
