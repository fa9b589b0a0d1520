"""What the "/" overview shows: KPIs, reach over time, the world map, composition, gaps, scorecard.

:func:`overview_figures` is a pure function of a Dataset (the page caches it per dataset
version and arguments); every figure comes from :mod:`analysis`.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from analysis import snapshot
from analysis.report import build_report
from core.model import Dataset
from dashboard.app import AppState
from dashboard.components import OKABE_ITO, SEQUENTIAL, colour_map, empty_figure, percent

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


def _layout(fig: go.Figure, *, height: int = 300) -> go.Figure:
    fig.update_layout(template="plotly_white", height=height, colorway=list(OKABE_ITO),
                      margin={"l": 40, "r": 10, "t": 10, "b": 40},
                      legend={"orientation": "h", "y": -0.2})
    return fig


def _hide(count: int, min_cell: int | None) -> bool:
    return min_cell is not None and 0 < count < min_cell


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


def world_map(active: pd.DataFrame, *, min_cell: int | None = None) -> go.Figure:
    """Choropleth of active partners per country (ISO3); small counts hidden under min_cell."""
    counts = (active.loc[active["country"].astype(str) != ""]
              .groupby(["country", "country_name"]).size().reset_index(name="partners"))
    if counts.empty:
        return empty_figure("No partners with a known country on this date.")
    shown = counts.loc[[not _hide(int(c), min_cell) for c in counts["partners"]]]
    hidden = len(counts) - len(shown)
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
        fig.add_annotation(text=f"{hidden} countries with fewer than {min_cell} partners hidden",
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


def largest_gaps(report: dict[str, Any], *, limit: int = GAP_ROWS) -> list[dict[str, Any]]:
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


def overview_figures(
    ds: Dataset,
    as_of: _dt.date | None = None,
    *,
    program: str | None = None,
    min_cell: int | None = None,
    report: dict[str, Any] | None = None,
) -> Overview:
    """All overview content for ``as_of`` (default today).

    ``report`` is :func:`analysis.report.build_report` ``(...).to_dict()`` for the same
    arguments (the page passes its cached one); without it, it is built here.
    """
    as_of = as_of or _dt.date.today()
    if report is None:
        report = build_report(ds, as_of=as_of, program=program or None,
                              min_cell=min_cell).to_dict()
    totals = report["totals"]
    figures = kpis(totals)
    active = snapshot.active_partners(ds, as_of)

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
        world=world_map(active, min_cell=min_cell),
        sectors=composition_bar(totals.get("sectors") or {}),
        regions=composition_bar(totals.get("regions") or {}),
        scorecard=scorecard_figure(entries),
        scorecard_rows=scorecard_rows(entries),
        scorecard_summary=str(report.get("scorecard_summary", "")),
        gaps=largest_gaps(report),
    )


def cached_report(state: AppState, as_of: _dt.date, *, since: _dt.date | None = None,
                  program: str | None = None) -> dict[str, Any]:
    """``build_report(...).to_dict()`` cached per dataset version and arguments."""
    return state.cached(
        "report", (as_of, since, program or None, state.min_cell),
        lambda ds: build_report(ds, as_of=as_of, since=since, program=program or None,
                                min_cell=state.min_cell).to_dict(),
    )


def cached_overview(state: AppState, as_of: _dt.date, program: str | None) -> Overview:
    report = cached_report(state, as_of, program=program)
    return state.cached(
        "overview", (as_of, program or None, state.min_cell),
        lambda ds: overview_figures(ds, as_of, program=program or None,
                                    min_cell=state.min_cell, report=report),
    )
