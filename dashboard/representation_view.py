"""What /representation shows: every committee and event, its composition, diversity and gaps.

Rows come from the report of the window (:meth:`dashboard.state.AppState.report`, so
``--min-cell`` suppression is the report's); downloads hold the server's rows, in the order and
subset the browser's tables show, written by :mod:`dashboard.downloads`.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from analysis import labels
from analysis.dimensions import MULTI_VALUED_NOTE, categorical_columns, is_multi_valued
from analysis.gaps import DEFAULT_DIMENSIONS
from analysis.report import build_report
from core.window import Window
from dashboard.downloads import to_csv, to_xlsx
from dashboard.state import AppState, current_state

DIMENSIONS = ("sector", "region", "global_south")
KINDS = ("committee", "event")

GROUP_COLUMNS = ("Kind", "Name", "Program", "Date", "Size", "Guests", "Composition", "Blau",
                 "Shannon", "Gaps", "Largest gap")
GAP_COLUMNS = ("Kind", "Name", "Program", "Date", "Dimension", "Category", "Count", "Size",
               "Share", "Expected", "Basis", "Shortfall", "Excess", "p-value", "q-value",
               "Significant", "Missing")


def _composition_text(counts: Mapping[str, Any], dimension: str) -> str:
    parts = []
    for category, count in counts.items():
        shown = "hidden" if count is None else str(count)
        parts.append(f"{labels.category(dimension, category)} {shown}")
    return " · ".join(parts)


def _round(value: Any, digits: int = 3) -> Any:
    return None if value is None else round(float(value), digits)


def group_rows(report: Mapping[str, Any], *, dimension: str = "sector",
               kind: str | None = None, gaps_only: bool = False) -> list[dict[str, Any]]:
    """One row per committee/event: size, composition on ``dimension``, diversity, gaps."""
    analysed = report.get("parameters", {}).get("dimensions", DIMENSIONS)
    if dimension not in analysed:
        raise ValueError(f"dimension must be one of {tuple(analysed)}, got {dimension!r}")
    rows = []
    for group in report.get("groups", []):
        if kind and group.get("kind") != kind:
            continue
        gaps = [g for g in group.get("gaps", []) if g.get("dimension") == dimension]
        if gaps_only and not gaps:
            continue
        indices = group.get("diversity", {}).get(dimension, {})
        significant = _significant(gaps)
        rows.append({
            "Kind": str(group.get("kind", "")).capitalize(),
            "Name": str(group.get("name", "")),
            "Program": str(group.get("program", "") or ""),
            "Date": group.get("date") or "",
            "Size": group.get("size"),
            "Guests": group.get("guests"),
            "Composition": _composition_text(group.get("composition", {}).get(dimension, {}),
                                             dimension),
            "Blau": _round(indices.get("blau")),
            "Shannon": _round(indices.get("shannon")),
            "Gaps": len(significant),
            "Largest gap": significant[0].get("sentence", "") if significant else "",
        })
    return rows


def _head_count(gap: Mapping[str, Any]) -> float:
    """How many people the gap is: its shortfall (under) or excess (over), unknown last."""
    value = gap.get("shortfall") if gap.get("shortfall") is not None else gap.get("excess")
    return -1.0 if value is None else float(value)


def _significant(gaps: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The significant gaps (q-value at most alpha), largest head-count first, as the report
    counts and ranks them."""
    return sorted((g for g in gaps if g.get("significant")), key=_head_count, reverse=True)


def _p(value: Any) -> float | None:
    # significant digits: the strongest gaps have p-values like 3e-12
    return None if value is None else float(f"{float(value):.3g}")


def gap_rows(report: Mapping[str, Any], *, dimension: str | None = None,
             kind: str | None = None) -> list[dict[str, Any]]:
    """One row per gap of every group (shortfall and exact-test p-value)."""
    rows = []
    for group in report.get("groups", []):
        if kind and group.get("kind") != kind:
            continue
        for gap in group.get("gaps", []):
            if dimension and gap.get("dimension") != dimension:
                continue
            rows.append({
                "Kind": str(group.get("kind", "")).capitalize(),
                "Name": str(group.get("name", "")),
                "Program": str(group.get("program", "") or ""),
                "Date": group.get("date") or "",
                "Dimension": str(gap.get("dimension", "")),
                "Category": labels.category(str(gap.get("dimension", "")), gap.get("group")),
                "Count": gap.get("count"),
                "Size": gap.get("size"),
                "Share": _round(gap.get("share")),
                "Expected": _round(gap.get("expected_share")),
                "Basis": str(gap.get("basis", "")),
                "Shortfall": gap.get("shortfall"),
                "Excess": gap.get("excess"),
                "p-value": _p(gap.get("p_value")),
                "q-value": _p(gap.get("q_value")),
                "Significant": "yes" if gap.get("significant") else "no",
                "Missing": "yes" if gap.get("missing") else "no",
            })
    return rows


def target_rows(targets: Any) -> Any:
    """The dataset's targets table as rows (empty when none are given)."""
    out = []
    for row in targets.itertuples(index=False):
        out.append({"Dimension": str(row.dimension), "Group": str(row.group),
                    "Minimum share": _round(row.min_share),
                    "Maximum share": None if row.max_share != row.max_share
                    else _round(row.max_share)})
    return out


@dataclass(frozen=True)
class Tables:
    """The page's two tables and the note above them."""

    groups: list[dict[str, Any]]
    gaps: list[dict[str, Any]]
    note: str


def tables(as_of: _dt.date, since: _dt.date | None, *, kind: str | None = None,
           program: str | None = None, dimension: str = "sector", gaps_only: bool = False,
           state: AppState | None = None) -> Tables:
    """The group and gap rows of a window (``since`` on or after ``as_of`` is ignored, said)."""
    state = state or current_state()
    note = ""
    if since is not None and since >= as_of:
        note = "“Events after” must be before “As of”; showing every event instead."
        since = None
    window = Window.of(as_of=as_of, since=since, program=program or None)
    report = _report(state, window, dimension)
    groups = group_rows(report, dimension=dimension, kind=kind or None, gaps_only=gaps_only)
    gaps = gap_rows(report, dimension=dimension, kind=kind or None)
    if state.min_cell:
        note = (note + " " if note else "") + (
            f"Counts below {state.min_cell} (and shares and tests derived from them) are hidden.")
    if dimension in report.get("method", {}).get("multi_valued_dimensions", {}):
        note = (note + " " if note else "") + f"{dimension}: {MULTI_VALUED_NOTE}."
    return Tables(groups=groups, gaps=gaps, note=note)


def _report(state: AppState, window: Window, dimension: str) -> dict[str, Any]:
    """The window's report; with a partner column of the dataset's own as a further dimension."""
    if dimension in DEFAULT_DIMENSIONS:
        return state.report(window)
    dims = (*DEFAULT_DIMENSIONS, dimension)
    return state.cached("representation-dimension", (window, dimension, state.min_cell),
                        lambda ds: build_report(ds, window, min_cell=state.min_cell,
                                                dimensions=dims).to_dict())


def dimension_options(*, state: AppState | None = None) -> list[dict[str, str]]:
    """Sector, region, Global South, then every categorical column the partners table carries."""
    ds = (state or current_state()).dataset()
    extra = [{"label": c.replace("_", " ").capitalize()
              + (" (several per partner)" if is_multi_valued(ds.partners, c) else ""),
              "value": c} for c in categorical_columns(ds)]
    return [{"label": "Sector", "value": "sector"}, {"label": "Region", "value": "region"},
            {"label": "Global South", "value": "global_south"}, *extra]


def _row_key(row: Mapping[str, Any], columns: Sequence[str]) -> tuple[str, ...]:
    return tuple(str(row.get(c, "") if row.get(c) is not None else "") for c in columns)


def as_shown(rows: Sequence[Mapping[str, Any]], shown: Sequence[Mapping[str, Any]] | None,
             columns: Sequence[str]) -> list[Mapping[str, Any]]:
    """The server's ``rows`` in the order and subset of ``shown`` (the browser's filtered and
    sorted table): a row the server did not make is never written, whatever a request says.

    >>> as_shown([{"A": 1}, {"A": 2}], [{"A": 2}, {"A": 9}], ("A",))
    [{'A': 2}]
    """
    if shown is None:
        return list(rows)
    by_key: dict[tuple[str, ...], list[Mapping[str, Any]]] = {}
    for row in rows:
        by_key.setdefault(_row_key(row, columns), []).append(row)
    out: list[Mapping[str, Any]] = []
    for row in shown:
        same = by_key.get(_row_key(row, columns)) if isinstance(row, Mapping) else None
        if same:
            out.append(same.pop(0))
    return out


def export(fmt: str, groups: Sequence[Mapping[str, Any]], gaps: Sequence[Mapping[str, Any]]
           ) -> tuple[str, bytes]:
    """File name and content of the two tables as ``fmt`` ("csv" or "xlsx")."""
    stamp = _dt.date.today().isoformat()
    if fmt == "csv":
        text = to_csv(groups, GROUP_COLUMNS) + "\r\n" + to_csv(gaps, GAP_COLUMNS)
        return f"representation-{stamp}.csv", text.encode("utf-8")
    if fmt == "xlsx":
        data = to_xlsx({"Committees and events": (GROUP_COLUMNS, groups),
                        "Gaps": (GAP_COLUMNS, gaps)})
        return f"representation-{stamp}.xlsx", data
    raise ValueError(f"fmt must be 'csv' or 'xlsx', got {fmt!r}")


def download(fmt: str, as_of: _dt.date, since: _dt.date | None, *, kind: str | None,
             program: str | None, dimension: str, gaps_only: bool,
             shown_groups: Sequence[Mapping[str, Any]] | None,
             shown_gaps: Sequence[Mapping[str, Any]] | None,
             state: AppState | None = None) -> tuple[str, bytes]:
    """The download of what the tables show, rebuilt from the server's own rows."""
    made = tables(as_of, since, kind=kind, program=program, dimension=dimension,
                  gaps_only=gaps_only, state=state)
    return export(fmt, as_shown(made.groups, shown_groups, GROUP_COLUMNS),
                  as_shown(made.gaps, shown_gaps, GAP_COLUMNS))


def targets(*, state: AppState | None = None) -> list[dict[str, Any]]:
    """The dataset's targets table, as rows."""
    return target_rows((state or current_state()).dataset().targets)  # type: ignore[no-any-return]
