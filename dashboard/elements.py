"""Cytoscape elements for a graph of any size, never more than a fixed number of them.

:func:`build_elements` turns a node table and an edge table into dash-cytoscape elements with
server-side positions (``layout: preset``, so the browser runs no physics). Above
``max_elements`` it keeps every node and the strongest edges when the nodes alone fit, and
otherwise aggregates nodes by a column (community, sector, country) into one node per group,
with the strongest group-to-group links; ``focus`` drills into one group's members.
"""

from __future__ import annotations

import math
import random
import threading
from collections.abc import Mapping
from typing import Any

import igraph as ig
import numpy as np
import pandas as pd

from dashboard.components import OTHER_COLOUR, colour_map

DEFAULT_MAX_ELEMENTS = 3000
#: most aggregate nodes drawn; smaller groups are lumped into one OTHER node
MAX_GROUPS = 60
OTHER = "Other (smaller groups)"
#: share of the element budget kept for edges when every node is shown
NODE_SHARE = 0.6
MIN_SIZE, MAX_SIZE = 14.0, 54.0
AGGREGATE_PREFIX = "group::"
CANVAS = 1200.0
#: above this many linked nodes the force layout uses igraph's grid approximation
GRID_LAYOUT_ABOVE = 500
# igraph's layouts draw from one process-wide generator; seed it per call under a lock so the
# same view always gets the same picture, even with concurrent callbacks
_LAYOUT_LOCK = threading.Lock()


def _positions(n: int, src: np.ndarray, dst: np.ndarray, weight: np.ndarray, *, seed: int
               ) -> np.ndarray:
    """Server-side positions in a ``CANVAS``-wide square: Fruchterman-Reingold (igraph, C) for
    the linked nodes, and a ring around them for the isolated ones (left to the force layout,
    isolates drift far away and squeeze the graph itself into a dot)."""
    if n == 0:
        return np.zeros((0, 2))
    if n == 1:
        return np.array([[CANVAS / 2, CANVAS / 2]])
    linked = np.zeros(n, dtype=bool)
    linked[src] = True
    linked[dst] = True
    coords = np.zeros((n, 2))
    core = np.flatnonzero(linked)
    if len(core) > 1:
        index = np.full(n, -1, dtype=np.int64)
        index[core] = np.arange(len(core))
        graph = ig.Graph(n=len(core), edges=np.column_stack([index[src], index[dst]]).tolist())
        rng = np.random.default_rng(seed)
        start = rng.uniform(-1, 1, size=(len(core), 2)).tolist()
        density = 2 * len(src) / max(1, len(core))
        # weights sharpen clusters in sparse graphs; in dense ones they pull all into a ball
        weights = (1.0 + np.log1p(weight.astype(float))).tolist() if density < 8 else None
        with _LAYOUT_LOCK:
            ig.set_random_number_generator(random.Random(seed))
            try:
                # the grid variant is near-linear per iteration; exact repulsion (nogrid) is
                # quadratic: 19 s instead of 0.6 s at 1,800 nodes on a loaded 2-core machine
                layout = graph.layout_fruchterman_reingold(
                    weights=weights, seed=start, niter=500,
                    grid="grid" if len(core) > GRID_LAYOUT_ABOVE else "nogrid")
            finally:
                ig.set_random_number_generator(random)
        placed = np.asarray(layout.coords, dtype=float)
        placed -= placed.mean(axis=0)
        radius = float(np.sqrt((placed**2).sum(axis=1)).max()) or 1.0
        coords[core] = placed / radius
    lonely = np.flatnonzero(~linked) if len(core) > 1 else np.arange(n)
    if len(lonely):
        angles = np.linspace(0, 2 * np.pi, len(lonely), endpoint=False)
        ring = 1.15 if len(core) > 1 else 1.0
        coords[lonely] = np.column_stack([np.cos(angles), np.sin(angles)]) * ring
    # spread grows with sqrt(n) so big views are not a hairball, small ones not a desert
    half = CANVAS / 2 * max(0.5, math.sqrt(n) / 12.0)
    return np.round((coords + 1.2) * half, 1)


def _sizes(values: pd.Series) -> np.ndarray:
    numbers: np.ndarray = pd.to_numeric(values, errors="coerce").fillna(0.0).to_numpy(dtype=float)
    if not len(numbers):
        return numbers
    low, high = float(numbers.min()), float(numbers.max())
    if high <= low:
        return np.full(len(numbers), (MIN_SIZE + MAX_SIZE) / 2, dtype=float)
    # area, not radius, proportional to the measure, so large values do not dominate
    scaled = np.sqrt((numbers - low) / (high - low))
    sizes: np.ndarray = np.round(MIN_SIZE + scaled * (MAX_SIZE - MIN_SIZE), 1)
    return sizes


def _edge_positions(nodes: pd.DataFrame, edges: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Edge endpoints as row positions of ``nodes`` (accepts ids or integer positions)."""
    src, dst = edges["source"].to_numpy(), edges["target"].to_numpy()
    if np.issubdtype(src.dtype, np.integer) and np.issubdtype(dst.dtype, np.integer):
        # int32 positions: a big window's subgraph holds millions of edges
        small = np.int32 if len(nodes) < 2**31 else np.int64
        return src.astype(small, copy=False), dst.astype(small, copy=False)
    index = pd.Index(nodes["id"])
    return index.get_indexer(src).astype(np.int64), index.get_indexer(dst).astype(np.int64)


def _strongest(weight: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` largest weights, stable (ties keep their order)."""
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    if k >= len(weight):
        return np.arange(len(weight))
    order = np.argsort(-weight, kind="stable")[:k]
    return np.sort(order)


def _plain(value: Any) -> Any:
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        number = float(value)
        return None if math.isnan(number) else round(number, 6)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, tuple):
        return list(value)
    return value


def _node_elements(
    frame: pd.DataFrame,
    coords: np.ndarray,
    *,
    color_by: str,
    size_by: str,
    colours: Mapping[str, str],
    highlight: str | None,
) -> list[dict[str, Any]]:
    sizes = _sizes(frame[size_by]) if size_by in frame.columns else np.full(len(frame), 24.0)
    colour_values = frame[color_by].astype(str) if color_by in frame.columns else None
    columns = list(frame.columns)
    out: list[dict[str, Any]] = []
    for i, row in enumerate(frame.itertuples(index=False, name=None)):
        data = {c: _plain(v) for c, v in zip(columns, row, strict=True)}
        data["id"] = str(data["id"])
        data["label"] = str(data.get("label", data["id"]))
        data["size"] = float(sizes[i])
        category = colour_values.iloc[i] if colour_values is not None else ""
        data["color"] = colours.get(category, OTHER_COLOUR)
        classes = "aggregate" if data.get("aggregate") else str(data.get("kind", "partner"))
        if highlight is not None and data["id"] == highlight:
            classes += " searched"
        out.append({
            "data": data,
            "position": {"x": float(coords[i, 0]), "y": float(coords[i, 1])},
            "classes": classes,
        })
    return out


def _edge_elements(ids: np.ndarray, src: np.ndarray, dst: np.ndarray, weight: np.ndarray
                   ) -> list[dict[str, Any]]:
    if not len(src):
        return []
    top = float(weight.max()) or 1.0
    widths = np.round(1.0 + 5.0 * np.sqrt(weight / top), 2)
    return [
        {"data": {"id": f"e{i}", "source": str(ids[s]), "target": str(ids[t]),
                  "weight": _plain(w), "width": float(wd)}}
        for i, (s, t, w, wd) in enumerate(zip(src, dst, weight, widths, strict=True))
    ]


def group_labels(nodes: pd.DataFrame, group_by: str, *, max_groups: int = MAX_GROUPS
                 ) -> pd.Series:
    """The aggregation label of each node: its ``group_by`` value, or ``OTHER`` beyond the
    ``max_groups`` largest groups (communities of isolated partners are singletons by the
    thousand; one "other" node says so instead of thousands of dots)."""
    labels = nodes[group_by].astype(str).replace("", "Unknown")
    sizes = labels.value_counts(sort=False)
    if len(sizes) <= max_groups:
        return labels
    ranked = sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0]))
    # a group of one is no group: singletons (isolated partners) always go to OTHER here
    keep = {label for label, size in ranked[: max_groups - 1] if size > 1}
    return labels.where(labels.isin(keep), OTHER)


def _aggregate(nodes: pd.DataFrame, src: np.ndarray, dst: np.ndarray, weight: np.ndarray,
               *, group_by: str, color_by: str) -> tuple[pd.DataFrame, np.ndarray, np.ndarray,
                                                         np.ndarray]:
    labels = group_labels(nodes, group_by)
    codes, groups = pd.factorize(labels, sort=True)
    counts = np.bincount(codes, minlength=len(groups))
    frame = pd.DataFrame({
        "id": [AGGREGATE_PREFIX + g for g in groups],
        "label": [f"{g} ({c})" for g, c in zip(groups, counts, strict=True)],
        group_by: list(groups),
        "members": counts,
        "aggregate": True,
    })
    if color_by != group_by and color_by in nodes.columns:
        # an aggregate is coloured by its members' most common category
        tab = pd.crosstab(codes, nodes[color_by].astype(str).to_numpy())
        frame[color_by] = tab.idxmax(axis=1).reindex(range(len(groups))).fillna("").to_numpy()
    gs, gd = codes[src], codes[dst]
    cross = gs != gd
    lo, hi = np.minimum(gs[cross], gd[cross]), np.maximum(gs[cross], gd[cross])
    g = len(groups)
    # one bincount over pair codes sums millions of edge weights in a single C pass
    summed = np.bincount(lo.astype(np.int64) * g + hi, weights=weight[cross], minlength=g * g)
    pairs = np.flatnonzero(summed)
    return frame, pairs // g, pairs % g, summed[pairs]


def _prepared(nodes: pd.DataFrame, edges: pd.DataFrame
              ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    """Nodes indexed 0..n-1 and the edges as position arrays (edges to unknown ids dropped)."""
    for column in ("id", "label"):
        if column not in nodes.columns:
            raise ValueError(f"nodes needs a {column!r} column")
    nodes = nodes.reset_index(drop=True)
    src, dst = _edge_positions(nodes, edges)
    weight = edges["weight"].to_numpy(dtype=float) if len(edges) else np.zeros(0)
    valid = (src >= 0) & (dst >= 0)
    return nodes, src[valid], dst[valid], weight[valid]


def _best_connected(nodes: pd.DataFrame, src: np.ndarray, dst: np.ndarray, weight: np.ndarray,
                    *, size_by: str, cap: int
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.DataFrame, str]:
    """Too many groups to aggregate: the best-connected nodes and their strongest links."""
    n = len(nodes)
    # a third of the budget for nodes, so most shown nodes keep some of their links
    k = max(1, cap // 3)
    score = (pd.to_numeric(nodes[size_by], errors="coerce").fillna(0.0).to_numpy()
             if size_by in nodes.columns else np.zeros(n))
    keep = np.zeros(n, dtype=bool)
    keep[np.argsort(-score, kind="stable")[:k]] = True
    src, dst, weight, nodes = _subgraph(keep, src, dst, weight, nodes)
    kept = _strongest(weight, cap - len(nodes))
    links = len(src)
    note = (f"Showing the {len(nodes):,} nodes with the highest {size_by} of {n:,} "
            f"and the {len(kept):,} strongest of {links:,} links among them (the view "
            f"is capped at {cap:,} elements).")
    return src[kept], dst[kept], weight[kept], nodes, note


def build_elements(
    nodes: pd.DataFrame,
    edges: pd.DataFrame,
    *,
    color_by: str = "sector",
    size_by: str = "degree",
    group_by: str = "community",
    max_elements: int = DEFAULT_MAX_ELEMENTS,
    focus: str | None = None,
    highlight: str | None = None,
    seed: int = 0,
) -> tuple[list[dict[str, Any]], str]:
    """Cytoscape elements (with preset positions) and a sentence saying what is shown.

    Parameters
    ----------
    nodes : DataFrame
        One row per node: ``id`` (str), ``label``, and the columns named by ``color_by``,
        ``size_by`` and ``group_by``; every column is copied into the node's ``data``.
    edges : DataFrame
        ``source``, ``target`` (node ids, or integer row positions of ``nodes``), ``weight``.
    color_by, size_by, group_by : str
        Node columns for the colour (categorical), the size (numeric) and the aggregation.
    max_elements : int, default 3000
        The most nodes + edges ever returned.
    focus : str, optional
        A ``group_by`` value: show only that group's members (drill-down).
    highlight : str, optional
        A node id to mark with the ``searched`` class.
    seed : int, default 0
        Seed of the layout's starting positions (same input, same picture).

    Returns
    -------
    (list of dict, str)
        The elements and a note: empty when everything is shown, else what was left out.

    >>> nodes = pd.DataFrame({"id": ["a", "b", "c"], "label": ["A", "B", "C"],
    ...     "sector": ["X", "Y", "X"], "degree": [2, 1, 1], "community": [0, 0, 1]})
    >>> edges = pd.DataFrame({"source": ["a", "a"], "target": ["b", "c"], "weight": [3, 1]})
    >>> elements, note = build_elements(nodes, edges)
    >>> len(elements), note
    (5, '')
    >>> elements, note = build_elements(nodes, edges, max_elements=4, group_by="")
    >>> len(elements), note
    (4, 'Showing all 3 nodes and the 1 strongest of 2 links (the view is capped at 4 elements).')
    """
    if isinstance(max_elements, bool) or not isinstance(max_elements, int) or max_elements < 1:
        raise ValueError(f"max_elements must be a positive int, got {max_elements!r}")
    nodes, src, dst, weight = _prepared(nodes, edges)
    notes: list[str] = []

    if focus is not None and group_by in nodes.columns:
        keep = (group_labels(nodes, group_by) == str(focus)).to_numpy()
        src, dst, weight, nodes = _subgraph(keep, src, dst, weight, nodes)
        what = focus if focus == OTHER else f"{group_by} {focus}"
        notes.append(f"Members of {what}: {len(nodes):,}.")

    n, m = len(nodes), len(src)
    cap = max_elements
    aggregated = False
    # inside a drilled-into group, grouping again by the same column would give one node
    can_group = group_by in nodes.columns and focus is None
    if n + m <= cap:
        pass
    elif n <= int(cap * NODE_SHARE) or (n < cap and not can_group):
        kept = _strongest(weight, cap - n)
        notes.append(f"Showing all {n:,} nodes and the {len(kept):,} strongest of {m:,} links "
                     f"(the view is capped at {cap:,} elements).")
        src, dst, weight = src[kept], dst[kept], weight[kept]
    elif can_group:
        aggregated, size_by = True, "members"
        nodes, src, dst, weight = _aggregate(nodes, src, dst, weight, group_by=group_by,
                                             color_by=color_by)
        links = len(src)
        kept = _strongest(weight, cap - len(nodes))
        src, dst, weight = src[kept], dst[kept], weight[kept]
        notes.append(
            f"{n:,} nodes and {m:,} links are too many to draw (the view is capped at {cap:,} "
            f"elements), so partners are grouped by {group_by}: {len(nodes)} groups and the "
            f"{len(kept):,} strongest of {links:,} links between them. Click a group to see its "
            f"members."
        )
    else:
        src, dst, weight, nodes, note = _best_connected(nodes, src, dst, weight,
                                                        size_by=size_by, cap=cap)
        notes.append(note)

    coords = _positions(len(nodes), src, dst, weight, seed=seed)
    categories = nodes[color_by].astype(str) if color_by in nodes.columns else pd.Series([], dtype=str)
    colours = colour_map(categories)
    node_elements = _node_elements(nodes, coords, color_by=color_by, size_by=size_by,
                                   colours=colours, highlight=highlight)
    ids = nodes["id"].astype(str).to_numpy()
    elements = node_elements + _edge_elements(ids, src, dst, weight)
    if highlight is not None and aggregated:
        notes.append("The partner you searched for is inside one of the groups.")
    if len(elements) > cap:  # the one promise this module makes; never silently break it
        raise RuntimeError(f"{len(elements)} elements built for a cap of {cap}")
    return elements, " ".join(notes)


def _subgraph(keep: np.ndarray, src: np.ndarray, dst: np.ndarray, weight: np.ndarray,
              nodes: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.DataFrame]:
    """The induced subgraph on ``keep`` with edge endpoints renumbered."""
    new_pos = np.cumsum(keep) - 1
    mask = keep[src] & keep[dst] if len(src) else np.zeros(0, dtype=bool)
    return (new_pos[src[mask]], new_pos[dst[mask]], weight[mask],
            nodes.loc[keep].reset_index(drop=True))


def legend(elements: list[dict[str, Any]], color_by: str) -> list[tuple[str, str]]:
    """(category, colour) pairs of the nodes shown, sorted by category."""
    seen: dict[str, str] = {}
    for element in elements:
        data = element["data"]
        if "source" in data:
            continue
        seen.setdefault(str(data.get(color_by, "")), str(data.get("color", OTHER_COLOUR)))
    return sorted(seen.items())
