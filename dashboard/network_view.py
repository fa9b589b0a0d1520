"""What the /network page shows, formatted from :mod:`analysis.views`.

:func:`network_view` is the page's main callback body (the benchmarks call it on one state and
on fresh ones): the measured graph of a window (:meth:`dashboard.state.AppState.network`),
filtered by :func:`analysis.views.select_partners`, turned into at most ``max_elements``
cytoscape elements by :func:`dashboard.elements.build_elements`, cached per dataset version
and choices.

Under ``--min-cell`` the dashboard is an aggregate-only publication and this page names
organisations one by one, so every function here answers "off" (:data:`OFF_NOTE`) instead.
"""

from __future__ import annotations

import base64
import datetime as _dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis import network
from analysis.network.export import COPARTICIPATION as COPARTICIPATION_EXPORT
from analysis.network.export import TWO_MODE as TWO_MODE_EXPORT
from analysis.network.export import export_graph
from analysis.report import program_subset
from analysis.views import (
    NODE_COLUMNS,
    GroupProfile,
    NetworkWindow,
    PartnerProfile,
    coparticipation_subgraph,
    group_profile,
    partner_profile,
    select_partners,
    timeline_years,
    two_mode_entries,
)
from core.model import Dataset
from core.window import Window
from dashboard.elements import AGGREGATE_PREFIX, DEFAULT_MAX_ELEMENTS, build_elements, legend
from dashboard.state import AppState, current_state
from reports.network_export import FORMATS, MEDIA_TYPE, SUFFIX, render_network

COPARTICIPATION = "coparticipation"
TWO_MODE = "two-mode"
#: the direct links of the ``links`` table (collaborations, grants, joint projects)
DIRECT = "direct"
MODES = (COPARTICIPATION, TWO_MODE, DIRECT)
NO_LINKS_NOTE = ("This dataset has no direct links: add a links table (source_id, target_id, "
                 "kind; optional since, until, weight) to record collaborations, grants and "
                 "joint projects.")
#: the class of a direct link drawn over the co-participation network
DIRECT_CLASS = "direct"
#: The co-participation view draws the strong ties by default, every link on request.
STRONG = "strong"
ALL_LINKS = "all"
LINKS = (STRONG, ALL_LINKS)
COLOR_CHOICES = ("sector", "region", "community")
SIZE_CHOICES = ("degree", "strength", "betweenness", "pagerank", "kcore", "bridging")
GROUP_CHOICES = ("community", "sector", "country")
OFF_NOTE = ("The network is off: this dashboard hides counts below {k} (--min-cell), and the "
            "network shows organisations one by one. The Overview and Representation pages "
            "show the aggregates.")


def off_note(state: AppState | None = None) -> str | None:
    """The sentence saying the page is off under ``--min-cell``; None when it is on."""
    state = state or current_state()
    return OFF_NOTE.format(k=state.min_cell) if state.aggregate_only else None


def window_of(as_of: _dt.date | None, since: _dt.date | None, program: str | None) -> Window:
    """The page's window: up to ``as_of`` (today), after ``since`` when it is earlier."""
    as_of = as_of or _dt.date.today()
    if since is not None and since >= as_of:
        since = None
    return Window.of(as_of=as_of, since=since, program=program or None)


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


def _two_mode_frames(win: NetworkWindow, keep: np.ndarray, *, committees: Sequence[str],
                     events: Sequence[str], max_elements: int | None = None
                     ) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    inc = win.incidence
    rows, cols = two_mode_entries(win, keep, committees=committees, events=events)
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


def _off(state: AppState) -> dict[str, Any]:
    return _empty(off_note(state), off=True)


def _empty(note: str | None, *, off: bool) -> dict[str, Any]:
    return {"elements": [], "note": note, "legend": [], "off": off,
            "summary": {"nodes": 0, "edges": 0, "method": {}, "modularity": None,
                        "caption": "", "caveat": None}}


def link_layer(links: NetworkWindow | None, elements: list[dict[str, Any]], budget: int
               ) -> tuple[list[dict[str, Any]], str]:
    """Direct-link edges between the partners drawn in ``elements`` (class :data:`DIRECT_CLASS`),
    the strongest first, at most ``budget``; and a sentence saying what was drawn."""
    if links is None:
        return [], NO_LINKS_NOTE
    drawn = {str(e["data"]["id"]) for e in elements
             if "source" not in e["data"] and not e["data"].get("aggregate")}
    if not drawn:
        return [], "Direct links join partners: click a group to see its members and theirs."
    ids = links.nodes["id"].to_numpy(dtype=object)
    src, dst = ids[links.src], ids[links.dst]
    mask = np.isin(src, list(drawn)) & np.isin(dst, list(drawn))
    order = np.argsort(-links.weight[mask], kind="stable")
    src, dst, weight = src[mask][order], dst[mask][order], links.weight[mask][order]
    shown = min(len(src), max(budget, 0))
    top = float(weight.max()) if len(weight) else 1.0
    layer = [{"data": {"id": f"direct::{a}::{b}", "source": str(a), "target": str(b),
                       "weight": float(w), "width": round(1.5 + 3.0 * float(w) / top, 2)},
              "classes": DIRECT_CLASS}
             for a, b, w in zip(src[:shown], dst[:shown], weight[:shown], strict=True)]
    note = f"{shown:,} direct links drawn over it (dashed)"
    if shown < len(src):
        note += f", the strongest of {len(src):,} (the view is capped)"
    return layer, note + "."


def network_view(
    state: AppState | None = None,
    *,
    mode: str = COPARTICIPATION,
    links: str = STRONG,
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
    layer: bool = False,
) -> dict[str, Any]:
    """Elements, note, legend and summary of the /network page for these choices (cached).

    ``mode`` :data:`DIRECT` draws the direct links of the ``links`` table active on
    ``as_of`` (every link, measured like co-participation); ``layer`` draws them over the
    co-participation view as dashed edges (:func:`link_layer`).

    Returns
    -------
    dict
        ``elements`` (≤ ``max_elements``), ``note`` (what was aggregated or left out),
        ``legend`` [(category, colour)], ``summary`` (nodes, edges, method, modularity,
        ``caption``: the strong-tie rule when only strong ties are drawn, ``caveat``: the
        low-modularity warning), ``off`` (True under ``--min-cell``: no elements at all).
    """
    state = state or current_state()
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    if links not in LINKS:
        raise ValueError(f"links must be one of {LINKS}, got {links!r}")
    if state.aggregate_only:
        return _off(state)
    window = window_of(as_of, since, program)
    key = (mode, links, window, tuple(sectors), tuple(regions), tuple(committees), tuple(events),
           color_by, size_by, group_by, focus, highlight, max_elements, layer)

    def compute(_ds: Dataset) -> dict[str, Any]:
        win = state.links_network(window) if mode == DIRECT else state.network(window)
        if win is None:
            return _empty(NO_LINKS_NOTE, off=False)
        keep = select_partners(win, sectors=sectors, regions=regions, committees=committees,
                               events=events)
        strong_only = mode == COPARTICIPATION and links == STRONG
        if mode != TWO_MODE:  # co-participation, or the direct links (always all of them)
            nodes, edges = coparticipation_subgraph(win, keep, strong_only=strong_only)
            grouping, selection = group_by, ""
        else:
            nodes, edges, selection = _two_mode_frames(win, keep, committees=committees,
                                                       events=events, max_elements=max_elements)
            grouping = ""  # groups are nodes here: keep whole rooms, never merge them
        elements, note = build_elements(nodes, edges, color_by=color_by, size_by=size_by,
                                        group_by=grouping, max_elements=max_elements,
                                        focus=focus if grouping else None, highlight=highlight)
        layer_note = ""
        if layer and mode == COPARTICIPATION:
            extra, layer_note = link_layer(state.links_network(window), elements,
                                           max_elements - len(elements))
            elements = elements + extra
        note = " ".join(part for part in (selection, note, layer_note) if part)
        return {
            "elements": elements, "note": note, "legend": legend(elements, color_by),
            "off": False,
            "summary": {"nodes": int(len(nodes)), "edges": int(len(edges)),
                        "direct": mode == DIRECT,
                        "method": dict(win.method), "modularity": win.modularity,
                        "caption": win.strong_caption if strong_only else "",
                        "caveat": win.caveat},
        }

    return state.cached("network-view", key, compute)


def focus_of(node_id: str | None) -> str | None:
    """The group value of an aggregate node id, else None."""
    if node_id and node_id.startswith(AGGREGATE_PREFIX):
        return node_id[len(AGGREGATE_PREFIX):]
    return None


def partner_details(state: AppState | None, partner_id: str, *, as_of: _dt.date | None,
                    since: _dt.date | None, program: str | None) -> PartnerProfile | None:
    """The profile of one partner in the window; None when unknown or the page is off."""
    state = state or current_state()
    if state.aggregate_only:
        return None
    window = window_of(as_of, since, program)
    return partner_profile(state.dataset(), window, partner_id, state.network(window))


def link_lines(state: AppState | None, partner_id: str, *, as_of: _dt.date | None
               ) -> list[str] | None:
    """One line per direct link of the partner active on ``as_of`` ("grant to B since
    2021-03-01, weight 2"); None when the dataset has no links or the page is off."""
    state = state or current_state()
    if state.aggregate_only:
        return None
    ds = state.dataset()
    if ds.links.empty:
        return None
    found = network.links_of(ds, partner_id, as_of=window_of(as_of, None, None).as_of)
    lines = []
    for row in found.itertuples(index=False):
        since = "" if pd.isna(row.since) else f" since {row.since.date().isoformat()}"
        weight = "" if row.weight == 1 else f", weight {row.weight:g}"
        lines.append(f"{row.kind} {row.direction} {row.other_name or row.other_id}"
                     f"{since}{weight}")
    return lines


def group_details(state: AppState | None, node_id: str, *, group_by: str,
                  as_of: _dt.date | None, since: _dt.date | None, program: str | None
                  ) -> GroupProfile | None:
    """Size and sector mix of an aggregate node's members; None when the page is off."""
    state = state or current_state()
    if state.aggregate_only:
        return None
    win = state.network(window_of(as_of, since, program))
    return group_profile(win, group_by, focus_of(node_id) or "")


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


def layout_choices(state: AppState | None = None) -> dict[str, Any] | None:
    """Everything the page's controls offer (None when the page is off)."""
    state = state or current_state()
    if state.aggregate_only:
        return None
    ds = state.dataset()
    events = ds.events.sort_values("date", ascending=False)
    # every name when few; for thousands the server answers each keystroke (search)
    limit = SEARCH_ALL_UP_TO if len(ds.partners) <= SEARCH_ALL_UP_TO else SEARCH_LIMIT
    return {
        **filter_options(ds),
        "committee": [{"label": str(r.name), "value": str(r.committee_id)}
                      for r in ds.committees.itertuples(index=False)],
        "event": [{"label": f"{r.date.date().isoformat() if r.date == r.date else ''} {r.name}",
                   "value": str(r.event_id)} for r in events.itertuples(index=False)],
        "partner": partner_options(ds, limit=limit),
        "years": timeline_years(ds),
        "links": not ds.links.empty,
    }


def search(text: str | None, selected: str | None, *, state: AppState | None = None
           ) -> list[dict[str, str]] | None:
    """Partner options matching ``text`` for big datasets (None: keep what the page has)."""
    state = state or current_state()
    if state.aggregate_only:
        return []
    ds = state.dataset()
    if len(ds.partners) <= SEARCH_ALL_UP_TO or not text:
        return None
    return partner_options(ds, text, selected=selected)


def export_download(state: AppState | None, fmt: str, *, mode: str, as_of: _dt.date | None,
                    since: _dt.date | None, program: str | None) -> dict[str, Any] | None:
    """The window's network as a ``dcc.Download`` payload in ``fmt`` (the ``export`` command's
    formats and attributes); None when the page is off (``--min-cell``)."""
    state = state or current_state()
    if state.aggregate_only:
        return None
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}, got {fmt!r}")
    window = window_of(as_of, since, program)
    view = TWO_MODE_EXPORT if mode == TWO_MODE else COPARTICIPATION_EXPORT
    graph = export_graph(program_subset(state.dataset(), window.program), as_of=window.as_of,
                         since=window.since, view=view)
    if window.program is not None:
        graph.graph["program"] = window.program
    name = f"network-{view}-{window.as_of.date().isoformat()}{SUFFIX[fmt]}"
    # what dcc.send_bytes returns, built here because dash's helper is untyped
    return {"content": base64.b64encode(render_network(graph, fmt)).decode("ascii"),
            "filename": name, "type": MEDIA_TYPE[fmt], "base64": True}
