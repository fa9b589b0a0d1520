"""What the /network page shows, as plain functions of an :class:`~dashboard.app.AppState`.

:func:`network_view` is the page's main callback body (the benchmark
``dashboard_cached_vs_uncached`` calls it twice on one state, and once each on fresh states):
the co-participation graph (or the partner-committee-event two-mode graph) of a window,
filtered, measured by :mod:`analysis.network`, and turned into at most ``max_elements``
cytoscape elements by :func:`dashboard.elements.build_elements`. Every expensive step is cached
per dataset version and arguments.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis import network, snapshot
from analysis.report import program_subset
from core.model import Dataset
from dashboard.app import AppState
from dashboard.elements import AGGREGATE_PREFIX, DEFAULT_MAX_ELEMENTS, build_elements, legend
from dashboard.overview_view import cached_report

COPARTICIPATION = "coparticipation"
TWO_MODE = "two-mode"
MODES = (COPARTICIPATION, TWO_MODE)
COLOR_CHOICES = ("sector", "region", "community")
SIZE_CHOICES = ("degree", "strength", "betweenness", "bridging")
GROUP_CHOICES = ("community", "sector", "country")
NODE_COLUMNS = ("id", "label", "kind", "sector", "region", "country", "membership", "degree",
                "strength", "betweenness", "community", "bridging")


@dataclass(frozen=True)
class Window:
    """The graph of one window and program, measured once and cached."""

    nodes: pd.DataFrame  # NODE_COLUMNS, one row per partner of the graph, in cp order
    src: np.ndarray
    dst: np.ndarray
    weight: np.ndarray
    incidence: network.TwoMode
    group_names: dict[tuple[str, str], str]
    method: dict[str, Any]
    modularity: float | None


def _window(ds: Dataset, network_section: dict[str, Any], as_of: _dt.date,
            since: _dt.date | None, program: str | None) -> Window:
    # The measures (centralities, Louvain communities, bridging) come from the report's network
    # section, which the overview and representation pages already computed for this window:
    # the expensive part runs once per window, and every page shows the same numbers.
    data = program_subset(ds, program)
    cp = network.coparticipation(data, as_of=as_of, since=since)
    measures = pd.DataFrame(network_section.get("nodes", []))
    if measures.empty:
        measures = pd.DataFrame({"partner_id": pd.Series([], dtype=object)})
    measures = measures.set_index("partner_id").reindex(pd.Index(cp.partner_ids))
    partners = data.partners.set_index("partner_id").reindex(pd.Index(cp.partner_ids))

    def column(frame: pd.DataFrame, name: str, default: Any) -> np.ndarray:
        if name not in frame.columns:
            return np.full(len(frame), default)
        return frame[name].fillna(default).to_numpy()

    community = column(measures, "community", -1).astype(int)
    nodes = pd.DataFrame({
        "id": cp.partner_ids.astype(str),
        "label": column(partners, "name", "").astype(str),
        "kind": "partner",
        "sector": column(partners, "sector", "").astype(str),
        "region": column(partners, "region", "").astype(str),
        "country": column(partners, "country", "").astype(str),
        "membership": column(partners, "membership", "").astype(str),
        "degree": column(measures, "degree", 0).astype(int),
        "strength": column(measures, "strength", 0).astype(int),
        "betweenness": column(measures, "betweenness", 0.0).astype(float),
        # shown as a category ("1" is the largest community), so colour and grouping agree
        "community": [str(c + 1) for c in community],
        "bridging": column(measures, "participation_sector", 0.0).astype(float),
    })
    src, dst, weight = cp.edges()
    incidence = network.two_mode(data, as_of=as_of, since=since)
    names: dict[tuple[str, str], str] = {}
    names.update({(network.COMMITTEE, str(r.committee_id)): str(r.name)
                  for r in data.committees.itertuples(index=False)})
    names.update({(network.EVENT, str(r.event_id)): str(r.name)
                  for r in data.events.itertuples(index=False)})
    return Window(nodes=nodes, src=src, dst=dst, weight=np.asarray(weight, dtype=float),
                  incidence=incidence, group_names=names,
                  method=dict(network_section.get("method", {})),
                  modularity=network_section.get("modularity"))


def window(state: AppState, *, as_of: _dt.date, since: _dt.date | None,
           program: str | None) -> Window:
    """The cached :class:`Window` of the state's current dataset version."""
    section = cached_report(state, as_of, since=since, program=program or None)["network"]
    return state.cached("network-window", (as_of, since, program or None),
                        lambda ds: _window(ds, section, as_of, since, program or None))


def _selected(win: Window, *, sectors: Sequence[str], regions: Sequence[str],
              committees: Sequence[str], events: Sequence[str]) -> np.ndarray:
    """Boolean mask over the window's partners matching every filter given."""
    nodes = win.nodes
    keep = np.ones(len(nodes), dtype=bool)
    if sectors:
        keep &= nodes["sector"].isin(list(sectors)).to_numpy()
    if regions:
        keep &= nodes["region"].isin(list(regions)).to_numpy()
    inc = win.incidence
    for kind, wanted in ((network.COMMITTEE, committees), (network.EVENT, events)):
        if not wanted:
            continue
        cols = np.flatnonzero((inc.group_kinds == kind) & np.isin(inc.group_ids, list(wanted)))
        rows = np.asarray(inc.matrix[:, cols].sum(axis=1)).ravel() > 0 if len(cols) else \
            np.zeros(len(inc.partner_ids), dtype=bool)
        member_ids = set(inc.partner_ids[rows].tolist())
        keep &= nodes["id"].isin(member_ids).to_numpy()
    return keep


def _largest_groups_within(rows: np.ndarray, cols: np.ndarray, budget: int
                           ) -> tuple[np.ndarray, np.ndarray, str]:
    """Keep whole committees/events, largest first, while groups + partners + links fit."""
    n_groups = len(np.unique(cols))
    if n_groups + len(np.unique(rows)) + len(rows) <= budget:
        return rows, cols, ""
    sizes = np.bincount(cols)
    order = np.argsort(-sizes, kind="stable")
    by_group = pd.Series(rows).groupby(cols).agg(list).to_dict()
    seen: set[int] = set()
    chosen: list[int] = []
    used = 0
    for group in order:
        if sizes[group] == 0:
            break
        members = by_group.get(int(group), [])
        cost = 1 + len(set(members) - seen) + len(members)
        # a room too big to show next to others is skipped, so the view holds several rooms
        if cost > budget // 8 or used + cost > budget:
            continue
        chosen.append(int(group))
        seen.update(members)
        used += cost
    mask = np.isin(cols, chosen)
    note = (f"The full view has {n_groups} committees and events, too many to draw (capped at "
            f"{budget} elements): showing {len(chosen)} of the largest with all their members. "
            "Pick committees, events, a program or dates to see others.")
    return rows[mask], cols[mask], note


def _two_mode_frames(win: Window, keep: np.ndarray, *, committees: Sequence[str],
                     events: Sequence[str], max_elements: int | None = None
                     ) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    inc = win.incidence
    partner_pos = pd.Index(inc.partner_ids).get_indexer(win.nodes["id"].to_numpy())
    matrix = inc.matrix.tocsc()
    rows_kept = np.zeros(len(inc.partner_ids), dtype=bool)
    rows_kept[partner_pos[keep]] = True
    group_mask = np.ones(len(inc.group_ids), dtype=bool)
    if committees or events:
        wanted = {(network.COMMITTEE, c) for c in committees} | {(network.EVENT, e) for e in events}
        group_mask = np.array([(k, g) in wanted for k, g in zip(inc.group_kinds, inc.group_ids,
                                                                 strict=True)], dtype=bool)
    coo = matrix.tocoo()
    take = rows_kept[coo.row] & group_mask[coo.col]
    rows, cols = coo.row[take], coo.col[take]
    note = ""
    if max_elements is not None:
        rows, cols, note = _largest_groups_within(rows, cols, max_elements)
    used = np.unique(cols)
    partners = win.nodes.loc[keep].copy()
    kind_label = {network.COMMITTEE: "Committee", network.EVENT: "Event"}
    groups = pd.DataFrame({
        "id": [f"{inc.group_kinds[c]}::{inc.group_ids[c]}" for c in used],
        "label": [win.group_names.get((inc.group_kinds[c], str(inc.group_ids[c])),
                                      str(inc.group_ids[c])) for c in used],
        "kind": [str(inc.group_kinds[c]) for c in used],
        "degree": np.bincount(cols, minlength=len(inc.group_ids))[used],
    })
    for column in ("sector", "region", "community", "country"):
        groups[column] = [kind_label[str(inc.group_kinds[c])] for c in used]
    frame = pd.concat([partners, groups], ignore_index=True)
    frame = frame[[c for c in NODE_COLUMNS if c in frame.columns]]
    group_ids = np.array(groups["id"].tolist(), dtype=object)
    col_to_group = dict(zip(used.tolist(), range(len(used)), strict=True))
    edges = pd.DataFrame({
        "source": inc.partner_ids[rows].astype(str),
        "target": group_ids[[col_to_group[c] for c in cols.tolist()]] if len(cols) else [],
        "weight": np.ones(len(rows)),
    })
    if max_elements is not None:
        # partners with no kept group would only be dots without links: leave them out
        linked = set(edges["source"]) | set(edges["target"])
        frame = frame.loc[frame["id"].isin(linked)].reset_index(drop=True)
    return frame, edges, note


def network_view(
    state: AppState,
    *,
    mode: str = COPARTICIPATION,
    as_of: _dt.date | None = None,
    since: _dt.date | None = None,
    program: str | None = None,
    sectors: Sequence[str] = (),
    regions: Sequence[str] = (),
    committees: Sequence[str] = (),
    events: Sequence[str] = (),
    color_by: str = "sector",
    size_by: str = "degree",
    group_by: str = "community",
    focus: str | None = None,
    highlight: str | None = None,
    max_elements: int = DEFAULT_MAX_ELEMENTS,
) -> dict[str, Any]:
    """Elements, note, legend and summary of the /network page for these choices (cached).

    Returns
    -------
    dict
        ``elements`` (≤ ``max_elements``), ``note`` (what was aggregated or left out),
        ``legend`` [(category, colour)], ``summary`` (nodes, edges, method, modularity).
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    as_of = as_of or _dt.date.today()
    if since is not None and since >= as_of:
        since = None
    key = (mode, as_of, since, program or None, tuple(sectors), tuple(regions),
           tuple(committees), tuple(events), color_by, size_by, group_by, focus, highlight,
           max_elements)

    def compute(_ds: Dataset) -> dict[str, Any]:
        win = window(state, as_of=as_of, since=since, program=program)
        keep = _selected(win, sectors=sectors, regions=regions, committees=committees,
                         events=events)
        if mode == COPARTICIPATION:
            nodes = win.nodes.loc[keep].reset_index(drop=True)
            new_pos = np.cumsum(keep) - 1
            mask = keep[win.src] & keep[win.dst] if len(win.src) else np.zeros(0, dtype=bool)
            edges = pd.DataFrame({"source": new_pos[win.src[mask]],
                                  "target": new_pos[win.dst[mask]],
                                  "weight": win.weight[mask]})
            grouping = group_by
            selection = ""
        else:
            nodes, edges, selection = _two_mode_frames(win, keep, committees=committees,
                                                       events=events, max_elements=max_elements)
            grouping = ""  # groups are nodes here: keep whole rooms, never merge them
        elements, note = build_elements(nodes, edges, color_by=color_by, size_by=size_by,
                                        group_by=grouping, max_elements=max_elements,
                                        focus=focus if grouping else None, highlight=highlight)
        if mode == TWO_MODE:
            note = " ".join(part for part in (selection, note) if part)
        return {
            "elements": elements,
            "note": note,
            "legend": legend(elements, color_by),
            "summary": {"nodes": int(len(nodes)), "edges": int(len(edges)),
                        "method": win.method, "modularity": win.modularity},
        }

    return state.cached("network-view", key, compute)


def focus_of(node_id: str | None) -> str | None:
    """The group value of an aggregate node id, else None."""
    if node_id and node_id.startswith(AGGREGATE_PREFIX):
        return node_id[len(AGGREGATE_PREFIX):]
    return None


def partner_details(state: AppState, partner_id: str, *, as_of: _dt.date,
                    since: _dt.date | None, program: str | None) -> dict[str, Any] | None:
    """Attributes, committees, events, centralities and bridging of one partner."""
    ds = state.dataset()
    rows = ds.partners.loc[ds.partners["partner_id"] == partner_id]
    if rows.empty:
        return None
    row = rows.iloc[0]
    win = window(state, as_of=as_of, since=since, program=program)
    measures = win.nodes.loc[win.nodes["id"] == partner_id]
    data = program_subset(ds, program)
    seats = snapshot.active_memberships(data, as_of)
    seat_ids = seats.loc[seats["partner_id"] == partner_id, "committee_id"].tolist()
    committee_names = data.committees.set_index("committee_id")["name"]
    in_window = snapshot.events_in_window(data, as_of=as_of, since=since)
    attended = data.attendance.loc[data.attendance["partner_id"] == partner_id, "event_id"]
    visited = in_window.loc[in_window["event_id"].isin(attended)].sort_values("date",
                                                                              ascending=False)
    attributes = {
        "Name": str(row["name"]),
        "Sector": str(row["sector"]),
        "Country": str(row.get("country_name") or row["country"]),
        "Region": str(row["region"]),
        "Global South": "yes" if bool(row["global_south"]) else "no",
        "Membership": str(row["membership"]),
        "Joined": "" if pd.isna(row["joined"]) else row["joined"].date().isoformat(),
    }
    if not pd.isna(row["left"]):
        attributes["Left"] = row["left"].date().isoformat()
    out: dict[str, Any] = {
        "id": partner_id,
        "attributes": attributes,
        "committees": [str(committee_names.get(c, c)) for c in seat_ids],
        "events": [f"{r.date.date().isoformat()} · {r.name}" for r in visited.itertuples()],
        "measures": {},
    }
    if not measures.empty:
        m = measures.iloc[0]
        out["measures"] = {
            "Degree (partners met)": int(m["degree"]),
            "Strength (shared rooms)": int(m["strength"]),
            "Betweenness": round(float(m["betweenness"]), 4),
            "Community": str(m["community"]),
            "Bridging across sectors": round(float(m["bridging"]), 3),
        }
    return out


def group_details(state: AppState, node: dict[str, Any], *, group_by: str, as_of: _dt.date,
                  since: _dt.date | None, program: str | None) -> dict[str, Any]:
    """Size and sector mix of an aggregate node's members."""
    value = focus_of(str(node.get("id", ""))) or ""
    win = window(state, as_of=as_of, since=since, program=program)
    members = win.nodes.loc[win.nodes[group_by].astype(str) == value] \
        if group_by in win.nodes.columns else win.nodes.iloc[0:0]
    mix = members["sector"].value_counts().sort_index()
    return {"group_by": group_by, "value": value, "members": int(len(members)),
            "sectors": {str(k): int(v) for k, v in mix.items()},
            "top": members.sort_values("degree", ascending=False)["label"].head(10).tolist()}


def filter_options(ds: Dataset) -> dict[str, list[str]]:
    """Distinct values for the filter dropdowns."""
    def distinct(values: pd.Series) -> list[str]:
        return sorted({str(v) for v in values if str(v)}, key=str.casefold)

    return {
        "sector": distinct(ds.partners["sector"]),
        "region": distinct(ds.partners["region"]),
        "program": distinct(pd.concat([ds.committees["program"], ds.events["program"]])),
    }


#: up to this many partners the search dropdown holds every name; above, it asks the server
SEARCH_ALL_UP_TO = 1000
SEARCH_LIMIT = 50


def partner_options(ds: Dataset, search: str | None = None, *, selected: str | None = None,
                    limit: int = SEARCH_LIMIT) -> list[dict[str, str]]:
    """Dropdown options of partners whose name contains ``search`` (case-insensitive).

    With no search, the first ``limit`` names; the ``selected`` partner always stays in the
    list so the dropdown can still show it.
    """
    partners = ds.partners[["partner_id", "name"]]
    names = partners["name"].astype(str)
    if search:
        partners = partners.loc[names.str.casefold().str.contains(search.casefold(), regex=False)]
    chosen = partners.sort_values("name", key=lambda s: s.str.casefold(), kind="stable").head(limit)
    if selected and selected not in set(chosen["partner_id"]):
        extra = ds.partners.loc[ds.partners["partner_id"] == selected, ["partner_id", "name"]]
        chosen = pd.concat([extra, chosen])
    return [{"label": str(r.name), "value": str(r.partner_id)}
            for r in chosen.itertuples(index=False)]
