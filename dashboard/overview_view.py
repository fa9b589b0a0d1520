"""What the "/" overview shows: KPIs, reach over time, the world map, composition, gaps, scorecard.

Every figure formats what :mod:`analysis` returns for one window: the report of
:meth:`dashboard.state.AppState.report` and :func:`analysis.views.partners_per_country`. Under
``--min-cell`` the per-country counts pass the same suppression as the report's tables.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from analysis.privacy import Policy, suppress_table
from analysis.views import partners_per_country, timeline_years
from core.window import Window
from dashboard.components import OKABE_ITO, SEQUENTIAL, colour_map, empty_figure, percent
from dashboard.state import AppState, current_state

GAP_ROWS = 8


@dataclass
class Overview:
    """Everything on the overview page, ready to render."""

    as_of: _dt.date
    kpis: dict[str, str]
    reach: go.Figure
    world: go.Figure
    sectors: go.Figure
    regions: go.Figure
    scorecard: go.Figure
    scorecard_rows: list[dict[str, Any]]
    scorecard_summary: str
    gaps: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    quality: list[str] = field(default_factory=list)


def _layout(fig: go.Figure, *, height: int = 300) -> go.Figure:
    fig.update_layout(template="plotly_white", height=height, colorway=list(OKABE_ITO),
                      margin={"l": 40, "r": 10, "t": 10, "b": 40},
                      legend={"orientation": "h", "y": -0.2})
    return fig


def kpis(totals: dict[str, Any]) -> dict[str, Any]:
    """Head-line figures from the report's ``totals`` (Partners active on its date)."""
    south = totals.get("global_south") or {}
    yes, no = south.get("True"), south.get("False")
    share = None
    if yes is not None and no is not None and (yes + no) > 0:
        share = yes / (yes + no)
    return {
        "partners": totals.get("partners"),
        "countries": totals.get("countries"),
        "regions": len(totals.get("regions") or {}),
        "global_south_share": share,
        "sectors": len(totals.get("sectors") or {}),
    }


@dataclass(frozen=True)
class Suppressed:
    """Counts after suppression (``None`` = hidden) and whether the number of categories
    holding someone must be hidden too (else a hidden count could still be worked out)."""

    counts: dict[str, int | None]
    hide_categories: bool = False


def suppress_counts(counts: Mapping[str, int], *, min_cell: int | None) -> Suppressed:
    """Partners per country as the map may show them (:func:`analysis.privacy.suppress_table`).

    The countries and the unknown country (``""``, not drawn) are one table whose total, the
    Partner count, is published; a large unknown count is published too (the Unknown region),
    so then the countries alone form the table. Its total is never hidden here: when the table
    cannot be protected without hiding it, the number of countries is hidden instead
    (``hide_categories``), which is what tells how many hidden countries share the rest.

    >>> suppress_counts({"A": 9, "B": 1, "C": 6}, min_cell=3).counts
    {'A': 9, 'B': None, 'C': None}
    >>> suppress_counts({"A": 1, "B": 1}, min_cell=3).hide_categories
    True
    """
    policy = Policy(min_cell)
    cells = {str(c): int(v) for c, v in counts.items()}
    unknown = cells.pop("", 0)
    if unknown and not policy.small(unknown):
        table = suppress_table(cells, total=sum(cells.values()), min_cell=min_cell)
        shown: dict[str, int | None] = {**table.counts, "": unknown}
    else:
        if unknown:
            cells[""] = unknown
        table = suppress_table(cells, total=sum(cells.values()), min_cell=min_cell)
        shown = dict(table.counts)
    return Suppressed(shown, hide_categories=policy.active and bool(cells)
                      and table.total is None)


def world_map(counts: pd.DataFrame, *, min_cell: int | None = None) -> go.Figure:
    """Choropleth of :func:`analysis.views.partners_per_country`; under ``min_cell`` the
    counts pass :func:`suppress_counts` (the one privacy boundary, :mod:`analysis.privacy`)."""
    shown_counts = suppress_counts(dict(zip(counts["country"], counts["partners"], strict=True)),
                                   min_cell=min_cell).counts
    known = counts.loc[counts["country"] != ""]
    if known.empty:
        return empty_figure("No partners with a known country on this date.")
    values = known["country"].map(shown_counts)
    shown = known.loc[values.notna()].assign(partners=values[values.notna()].astype(int))
    hidden = int(values.isna().sum())
    fig = go.Figure(go.Choropleth(
        locations=shown["country"], locationmode="ISO-3", z=shown["partners"],
        text=shown["country_name"], colorscale=SEQUENTIAL, reversescale=True, zmin=0,
        marker_line_color="white", marker_line_width=0.5,
        hovertemplate="%{text}: %{z} partners<extra></extra>",
        colorbar={"title": "Partners", "thickness": 12},
    ))
    # plotly centres an unrotated world on the data (the Pacific for a US-heavy membership);
    # leadership expects the usual Greenwich-centred world map
    fig.update_geos(projection_type="natural earth", projection_rotation={"lon": 0, "lat": 0},
                    center={"lon": 0, "lat": 0}, lonaxis_range=[-180, 180], showcountries=True,
                    countrycolor="#cccccc", showframe=False, showcoastlines=False,
                    landcolor="#f2f2f2", showland=True)
    fig.update_layout(height=380, margin={"l": 0, "r": 0, "t": 0, "b": 0})
    if hidden:
        fig.add_annotation(text=f"{hidden} countries hidden (fewer than {min_cell} partners, "
                           "or enough to work one out)",
                           showarrow=False, xref="paper", yref="paper", x=0.01, y=0.01)
    return fig


def composition_bar(counts: dict[str, int | None], *, axis_title: str = "Partners"
                    ) -> go.Figure:
    """Horizontal bars of a report composition; ``None`` (suppressed) counts are left out."""
    if not counts:
        return empty_figure("No partners on this date.")
    colours = colour_map(counts)
    shown = sorted(((k, v) for k, v in counts.items() if v is not None), key=lambda kv: kv[1])
    hidden = len(counts) - len(shown)
    fig = go.Figure(go.Bar(
        x=[v for _, v in shown], y=[k or "Unknown" for k, _ in shown], orientation="h",
        marker_color=[colours[k] for k, _ in shown],
        text=[str(v) for _, v in shown], textposition="auto",
        hovertemplate="%{y}: %{x}<extra></extra>",
    ))
    _layout(fig, height=max(220, 36 * len(shown) + 60))
    fig.update_layout(margin={"l": 120, "r": 10, "t": 10, "b": 30}, xaxis_title=axis_title)
    if hidden:
        fig.add_annotation(text=f"{hidden} small groups hidden", showarrow=False,
                           xref="paper", yref="paper", x=1, y=0, xanchor="right")
    return fig


def reach_figure(years: list[dict[str, Any]]) -> go.Figure:
    """Partners, countries and regions at the convenings of each year (suppressed: gaps)."""
    if not years:
        return empty_figure("No convenings up to this date.")
    frame = pd.DataFrame(years)
    fig = go.Figure()
    # partners run to thousands while regions stay at five: two axes keep both readable
    for column, label, colour, axis in (("partners", "Partners at convenings", OKABE_ITO[4], "y"),
                                        ("countries", "Countries", OKABE_ITO[0], "y2"),
                                        ("regions", "Regions", OKABE_ITO[2], "y2")):
        if column in frame.columns:
            fig.add_trace(go.Scatter(x=frame["year"], y=frame[column], mode="lines+markers",
                                     name=label, yaxis=axis, line={"color": colour, "width": 3}))
    _layout(fig)
    fig.update_layout(
        yaxis={"title": "Partners", "rangemode": "tozero", "tickformat": ",d"},
        yaxis2={"title": "Countries, regions", "overlaying": "y", "side": "right",
                "rangemode": "tozero", "showgrid": False, "tickformat": ",d"},
        margin={"l": 50, "r": 50, "t": 10, "b": 40},
    )
    fig.update_xaxes(dtick=1, title="Year")
    return fig


def scorecard_figure(entries: list[dict[str, Any]]) -> go.Figure:
    if not entries:
        return empty_figure("No convenings up to this date.")
    frame = pd.DataFrame(entries)
    fig = go.Figure()
    lines = (("all_sectors_share", "Convenings with every sector", OKABE_ITO[2], "solid"),
             ("global_south_share", "Convenings with Global South voices", OKABE_ITO[4], "solid"),
             ("industry_seat_share", "Industry share of committee seats", OKABE_ITO[5], "dash"))
    for column, label, colour, dash in lines:
        if column not in frame.columns:
            continue
        fig.add_trace(go.Scatter(x=frame["year"], y=frame[column], mode="lines+markers",
                                 name=label, line={"color": colour, "width": 3, "dash": dash},
                                 hovertemplate="%{x}: %{y:.0%}<extra>" + label + "</extra>"))
    _layout(fig, height=320)
    fig.update_yaxes(tickformat=".0%", range=[0, 1.05])
    fig.update_xaxes(dtick=1, title="Year")
    return fig


SCORECARD_COLUMNS = ("Year", "Convenings", "With every sector", "With Global South voices",
                     "Industry seat share", "In plain words")
GAP_COLUMNS = ("Where", "Gap", "Shortfall", "p-value")


def scorecard_rows(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Table rows, newest year first, shares as percentages."""
    rows = []
    for e in reversed(entries):
        rows.append({
            "Year": e["year"],
            "Convenings": e["convenings"],
            "With every sector": percent(e.get("all_sectors_share")),
            "With Global South voices": percent(e.get("global_south_share")),
            "Industry seat share": percent(e.get("industry_seat_share")),
            "In plain words": e.get("summary", ""),
        })
    return rows


def largest_gaps(report: Mapping[str, Any], *, limit: int = GAP_ROWS) -> list[dict[str, Any]]:
    """The report's largest gaps (missing first, most significant), as table rows."""
    rows: list[dict[str, Any]] = []
    for gap in report.get("largest_gaps", [])[:limit]:
        p = gap.get("p_value")
        rows.append({
            "Where": f"{str(gap.get('kind', '')).capitalize()}: {gap.get('name', '')}",
            "Gap": gap.get("sentence", ""),
            "Shortfall": gap.get("shortfall"),
            "p-value": None if p is None else float(f"{float(p):.3g}"),
        })
    return rows


def overview(as_of: _dt.date, program: str | None, *, state: AppState | None = None
             ) -> Overview:
    """Every overview figure of ``as_of`` and ``program`` (cached per dataset version)."""
    state = state or current_state()
    window = Window.of(as_of=as_of, program=program or None)
    report = state.report(window)
    return state.cached("overview", (window, state.min_cell),
                        lambda ds: _overview(report, partners_per_country(ds, window.as_of),
                                             as_of, state.min_cell))


def _overview(report: Mapping[str, Any], countries: pd.DataFrame, as_of: _dt.date,
              min_cell: int | None) -> Overview:
    totals = report["totals"]
    figures = kpis(totals)
    suppressed = suppress_counts(dict(zip(countries["country"], countries["partners"],
                                          strict=True)), min_cell=min_cell)
    if suppressed.hide_categories:
        # how many countries, with every country hidden and the total shown, would say
        # how many partners each hidden country has
        figures["countries"] = None

    def shown(value: Any) -> str:
        return "–" if value is None else str(value)

    kpi_text = {
        "partners": shown(figures["partners"]),
        "countries": shown(figures["countries"]),
        "regions": shown(figures["regions"]),
        "global_south": percent(figures["global_south_share"]),
        "sectors": shown(figures["sectors"]),
    }
    entries = list(report.get("scorecard", []))
    return Overview(
        as_of=as_of,
        kpis=kpi_text,
        reach=reach_figure(report.get("reach", {}).get("years", [])),
        world=world_map(countries, min_cell=min_cell),
        sectors=composition_bar(totals.get("sectors") or {}),
        regions=composition_bar(totals.get("regions") or {}),
        scorecard=scorecard_figure(entries),
        scorecard_rows=scorecard_rows(entries),
        scorecard_summary=str(report.get("scorecard_summary", "")),
        gaps=largest_gaps(report),
        quality=quality_sentences(report),
    )


def quality_sentences(report: Mapping[str, Any]) -> list[str]:
    """The report's data-quality section in words: its note, then every finding above 0.

    >>> quality_sentences({"data_quality": {"note": None, "planned_events": {"count": 2,
    ...     "sentence": "Planned events: 2."}, "undated_seats": {"count": 0, "sentence": "x"}}})
    ['Planned events: 2.']
    """
    quality = report.get("data_quality") or {}
    out = [str(quality["note"])] if quality.get("note") else []
    for finding in quality.values():
        if isinstance(finding, Mapping) and finding.get("count") and finding.get("sentence"):
            out.append(str(finding["sentence"]))
    return out


def data_summary(as_of: _dt.date, *, state: AppState | None = None) -> str:
    """The line under the controls: which data, which date, and whether counts are hidden."""
    from pathlib import Path

    state = state or current_state()
    ds = state.dataset()
    source = Path(ds.source).name if ds.source else state.store.name
    summary = f"Data: {source} · as of {as_of.isoformat()}"
    if state.min_cell:
        summary += f" · counts below {state.min_cell} hidden"
    return summary


def programs(*, state: AppState | None = None) -> list[str]:
    """Every program label of the committees and events, for the program filter."""
    ds = (state or current_state()).dataset()
    return [str(p) for p in list(ds.committees["program"]) + list(ds.events["program"])]


def years(*, state: AppState | None = None) -> list[int]:
    """The years the overview's timeline plays over."""
    return timeline_years((state or current_state()).dataset())

