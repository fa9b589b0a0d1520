"""The analysis behind the dashboard's views: a window's measured graph, its subgraphs, counts.

The dashboard only formats what these functions return:

- :func:`network_window` joins one window's co-participation graph (edges once, ``i < j``),
  its partner-committee-event incidence and the report's per-partner measures into one
  :class:`NetworkWindow`;
- :func:`select_partners`, :func:`coparticipation_subgraph` and :func:`two_mode_entries`
  filter it (sectors, regions, committees, events);
- :func:`partners_per_country`, :func:`partner_profile` and :func:`group_profile` count and
  describe;
- :func:`timeline_years` gives the years a timeline can play over.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from analysis import network, snapshot
from analysis.snapshot import program_subset
from core.model import Dataset
from core.window import Window

__all__ = [
    "NODE_COLUMNS", "NetworkWindow", "PartnerProfile", "coparticipation_subgraph",
    "group_profile", "network_window", "partner_profile", "partners_per_country",
    "select_partners", "timeline_years", "two_mode_entries",
]

#: the columns of :attr:`NetworkWindow.nodes`, one row per partner of the window's graph
NODE_COLUMNS = ("id", "label", "kind", "sector", "region", "country", "membership", "degree",
                "strength", "betweenness", "eigenvector", "pagerank", "closeness", "kcore",
                "community", "bridging")


@dataclass(frozen=True)
class NetworkWindow:
    """The co-participation graph of one window, measured once.

    ``nodes`` has :data:`NODE_COLUMNS` in the projection's order; ``src``, ``dst`` (int32
    positions into ``nodes``, ``src < dst``) and ``weight`` (rooms shared) list each edge once;
    ``incidence`` is the partner x committee/event matrix of the same window. ``strong``
    marks the edges of the readable network (:func:`analysis.network.strong_ties`),
    described by ``strong_caption``; ``caveat`` warns when modularity is low.
    """

    window: Window
    nodes: pd.DataFrame
    src: np.ndarray
    dst: np.ndarray
    weight: np.ndarray
    incidence: network.TwoMode
    group_names: Mapping[tuple[str, str], str]
    method: Mapping[str, Any] = field(default_factory=dict)
    modularity: float | None = None
    strong: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    strong_caption: str = ""
    caveat: str | None = None


def _column(frame: pd.DataFrame, name: str, default: Any) -> np.ndarray:
    if name not in frame.columns:
        return np.full(len(frame), default)
    values: np.ndarray = frame[name].fillna(default).to_numpy()
    return values


def _node_table(data: Dataset, partner_ids: np.ndarray, measures: pd.DataFrame) -> pd.DataFrame:
    index = pd.Index(partner_ids)
    measures = measures.set_index("partner_id").reindex(index)
    partners = data.partners.set_index("partner_id").reindex(index)
    community = _column(measures, "community", -1).astype(int)
    # a category ("1" is the largest community, single partners "unconnected"), so colour
    # and grouping agree
    labels = (network.community_labels(community) if (community >= 0).all()
              else np.array([str(c + 1) for c in community], dtype=object))
    return pd.DataFrame({
        "id": partner_ids.astype(str),
        "label": _column(partners, "name", "").astype(str),
        "kind": "partner",
        "sector": _column(partners, "sector", "").astype(str),
        "region": _column(partners, "region", "").astype(str),
        "country": _column(partners, "country", "").astype(str),
        "membership": _column(partners, "membership", "").astype(str),
        "degree": _column(measures, "degree", 0).astype(int),
        "strength": _column(measures, "strength", 0).astype(int),
        "betweenness": _column(measures, "betweenness", 0.0).astype(float),
        "eigenvector": _column(measures, "eigenvector", np.nan).astype(float),
        "pagerank": _column(measures, "pagerank", 0.0).astype(float),
        "closeness": _column(measures, "closeness", np.nan).astype(float),
        "kcore": _column(measures, "kcore", 0).astype(int),
        "community": labels,
        "bridging": _column(measures, "participation_sector", 0.0).astype(float),
    })


def network_window(
    ds: Dataset,
    window: Window,
    network_section: Mapping[str, Any],
    *,
    projection: network.CoParticipation | None = None,
) -> NetworkWindow:
    """The measured graph of ``window``.

    Parameters
    ----------
    ds : Dataset
    window : Window
    network_section : mapping
        The report's ``network`` section of the same window (per-partner measures, method,
        modularity): the expensive measures are computed once, by the report.
    projection : CoParticipation, optional
        The window's projection when the caller already has it (it is built here otherwise).
    """
    data = program_subset(ds, window.program)
    cp = projection if projection is not None else network.coparticipation(
        data, as_of=window.as_of, since=window.since)
    measures = pd.DataFrame(list(network_section.get("nodes", [])))
    if measures.empty:
        measures = pd.DataFrame({"partner_id": pd.Series([], dtype=object)})
    src, dst, weight = cp.edges()
    names: dict[tuple[str, str], str] = {}
    names.update({(network.COMMITTEE, str(r.committee_id)): str(r.name)
                  for r in data.committees.itertuples(index=False)})
    names.update({(network.EVENT, str(r.event_id)): str(r.name)
                  for r in data.events.itertuples(index=False)})
    strong = network.strong_ties(cp)
    return NetworkWindow(
        window=window, nodes=_node_table(data, cp.partner_ids, measures),
        src=src.astype(np.int32, copy=False), dst=dst.astype(np.int32, copy=False),
        # rooms shared are counts; direct links may weigh 0.5
        weight=np.asarray(weight, dtype=np.float64 if weight.dtype.kind == "f" else np.int32),
        incidence=network.two_mode(data, as_of=window.as_of, since=window.since),
        group_names=names, method=dict(network_section.get("method", {})),
        modularity=network_section.get("modularity"),
        strong=strong.mask, strong_caption=strong.caption(),
        caveat=network.modularity_caveat(network_section.get("modularity")),
    )


def _members_of(inc: network.TwoMode, kind: str, wanted: Sequence[str]) -> set[str]:
    cols = np.flatnonzero((inc.group_kinds == kind) & np.isin(inc.group_ids, list(wanted)))
    if not len(cols):
        return set()
    rows = np.asarray(inc.matrix[:, cols].sum(axis=1)).ravel() > 0
    return set(inc.partner_ids[rows].tolist())


def select_partners(win: NetworkWindow, *, sectors: Sequence[str] = (),
                    regions: Sequence[str] = (), committees: Sequence[str] = (),
                    events: Sequence[str] = ()) -> np.ndarray:
    """Boolean mask over ``win.nodes`` of the partners matching every filter given (an empty
    filter keeps everyone; committees and events keep their members in the window)."""
    nodes = win.nodes
    keep = np.ones(len(nodes), dtype=bool)
    if sectors:
        keep &= nodes["sector"].isin(list(sectors)).to_numpy()
    if regions:
        keep &= nodes["region"].isin(list(regions)).to_numpy()
    for kind, wanted in ((network.COMMITTEE, committees), (network.EVENT, events)):
        if wanted:
            keep &= nodes["id"].isin(_members_of(win.incidence, kind, wanted)).to_numpy()
    return keep


def coparticipation_subgraph(win: NetworkWindow, keep: np.ndarray, *, strong_only: bool = False
                             ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The nodes kept and the edges between them (``source``/``target`` are positions into
    the returned nodes, ``weight`` rooms shared); only the strong ties with ``strong_only``."""
    nodes = win.nodes.loc[keep].reset_index(drop=True)
    # int32 throughout: a big window's subgraph holds millions of edges
    new_pos = (np.cumsum(keep, dtype=np.int64) - 1).astype(np.int32)
    mask = keep[win.src] & keep[win.dst] if len(win.src) else np.zeros(0, dtype=bool)
    if strong_only and len(win.strong) == len(mask):
        mask &= win.strong
    edges = pd.DataFrame({"source": new_pos[win.src[mask]], "target": new_pos[win.dst[mask]],
                          "weight": win.weight[mask]})
    return nodes, edges


def two_mode_entries(win: NetworkWindow, keep: np.ndarray, *, committees: Sequence[str] = (),
                     events: Sequence[str] = ()) -> tuple[np.ndarray, np.ndarray]:
    """The incidence entries (partner row, group column) of kept partners, restricted to the
    chosen committees and events when any are chosen."""
    inc = win.incidence
    partner_pos = pd.Index(inc.partner_ids).get_indexer(win.nodes["id"].to_numpy())
    rows_kept = np.zeros(len(inc.partner_ids), dtype=bool)
    rows_kept[partner_pos[keep]] = True
    group_mask = np.ones(len(inc.group_ids), dtype=bool)
    if committees or events:
        wanted = ({(network.COMMITTEE, c) for c in committees}
                  | {(network.EVENT, e) for e in events})
        group_mask = np.array([(k, g) in wanted for k, g in zip(inc.group_kinds, inc.group_ids,
                                                                 strict=True)], dtype=bool)
    coo = inc.matrix.tocoo()
    take = rows_kept[coo.row] & group_mask[coo.col]
    return coo.row[take], coo.col[take]


def partners_per_country(ds: Dataset, as_of: _dt.date | pd.Timestamp) -> pd.DataFrame:
    """Partners active on ``as_of`` per country: ``country`` (ISO3, ``""`` for unknown),
    ``country_name`` and ``partners``, largest first."""
    active = snapshot.active_partners(ds, as_of)
    names = active.get("country_name", active["country"]).astype(str)
    frame = pd.DataFrame({"country": active["country"].fillna("").astype(str),
                          "country_name": names})
    counts = frame.groupby(["country", "country_name"]).size().reset_index(name="partners")
    return counts.sort_values(["partners", "country"], ascending=[False, True],
                              kind="mergesort").reset_index(drop=True)


@dataclass(frozen=True)
class PartnerProfile:
    """One partner: attributes, seats and convenings in a window, and network measures."""

    partner_id: str
    attributes: Mapping[str, str]
    committees: Sequence[str]
    events: Sequence[str]
    measures: Mapping[str, Any]


def _measures(win: NetworkWindow | None, partner_id: str) -> dict[str, Any]:
    if win is None:
        return {}
    rows = win.nodes.loc[win.nodes["id"] == partner_id]
    if rows.empty:
        return {}
    m = rows.iloc[0]
    outside = "outside the largest component"
    return {"Degree (partners met)": int(m["degree"]),
            "Strength (shared rooms)": int(m["strength"]),
            "Betweenness": round(float(m["betweenness"]), 4),
            "Eigenvector": outside if pd.isna(m["eigenvector"]) else round(float(m["eigenvector"]), 4),
            "PageRank": round(float(m["pagerank"]), 4),
            "Closeness": outside if pd.isna(m["closeness"]) else round(float(m["closeness"]), 4),
            "k-core": int(m["kcore"]),
            "Community": str(m["community"]),
            "Bridging across sectors": round(float(m["bridging"]), 3)}


def partner_profile(ds: Dataset, window: Window, partner_id: str,
                    win: NetworkWindow | None = None) -> PartnerProfile | None:
    """The profile of ``partner_id`` in ``window`` (None for an unknown id)."""
    rows = ds.partners.loc[ds.partners["partner_id"] == partner_id]
    if rows.empty:
        return None
    row = rows.iloc[0]
    data = program_subset(ds, window.program)
    seats = snapshot.active_memberships(data, window.as_of)
    seat_ids = seats.loc[seats["partner_id"] == partner_id, "committee_id"].tolist()
    committee_names = data.committees.set_index("committee_id")["name"]
    held = snapshot.events_in_window(data, as_of=window.as_of, since=window.since)
    attended = data.attendance.loc[data.attendance["partner_id"] == partner_id, "event_id"]
    visited = held.loc[held["event_id"].isin(attended)].sort_values("date", ascending=False)
    attributes = {
        "Name": str(row["name"]), "Sector": str(row["sector"]),
        "Country": str(row.get("country_name") or row["country"]), "Region": str(row["region"]),
        "Global South": "yes" if bool(row["global_south"]) else "no",
        "Membership": str(row["membership"]),
        "Joined": "" if pd.isna(row["joined"]) else row["joined"].date().isoformat(),
    }
    if not pd.isna(row["left"]):
        attributes["Left"] = row["left"].date().isoformat()
    return PartnerProfile(
        partner_id=partner_id, attributes=attributes,
        committees=[str(committee_names.get(c, c)) for c in seat_ids],
        events=[f"{r.date.date().isoformat()} · {r.name}" for r in visited.itertuples()],
        measures=_measures(win, partner_id),
    )


@dataclass(frozen=True)
class GroupProfile:
    """The members of one community, sector or country of a window's graph."""

    group_by: str
    value: str
    members: int
    sectors: Mapping[str, int]
    best_connected: Sequence[str]


def group_profile(win: NetworkWindow, group_by: str, value: str, *, top: int = 10
                  ) -> GroupProfile:
    """Size, sector mix and best-connected members of the partners whose ``group_by`` is
    ``value``."""
    nodes = win.nodes
    members = (nodes.loc[nodes[group_by].astype(str) == value] if group_by in nodes.columns
               else nodes.iloc[0:0])
    mix = members["sector"].value_counts().sort_index()
    best = members.sort_values("degree", ascending=False, kind="mergesort")["label"]
    return GroupProfile(group_by=group_by, value=value, members=int(len(members)),
                        sectors={str(k): int(v) for k, v in mix.items()},
                        best_connected=[str(x) for x in best.head(top)])


def timeline_years(ds: Dataset, today: _dt.date | None = None) -> list[int]:
    """Every year from the first dated record (a join, a seat, an event) to this year.

    A timeline that starts before the data would play empty years; one that stops at the last
    event would never show today.

    >>> from core.model import Dataset
    >>> import pandas as pd
    >>> ds = Dataset.from_frames(events=pd.DataFrame({
    ...     "event_id": ["e1"], "name": ["E"], "date": [pd.Timestamp("2019-05-01")]}))
    >>> timeline_years(ds, today=_dt.date(2021, 3, 1))
    [2019, 2020, 2021]
    """
    now = (today or _dt.date.today()).year
    dated = [ds.partners.get("joined"), ds.memberships.get("since"), ds.events.get("date")]
    firsts = [col.min() for col in dated if col is not None and col.notna().any()]
    first = min(int(pd.Timestamp(f).year) for f in firsts) if firsts else now
    return list(range(min(first, now), now + 1))

