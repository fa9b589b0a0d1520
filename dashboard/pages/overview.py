"""The "/" overview for leadership: KPIs, reach, the world map, composition, gaps, scorecard."""

from __future__ import annotations

import datetime as _dt
from typing import Any

import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html

from dashboard import ids
from dashboard.components import (
    PLOT_CONFIG,
    asset_url,
    data_grid,
    kpi_card,
    loading,
    options,
    parse_date,
    register_page,
    register_timeline,
    section,
    timeline,
)
from dashboard.overview_view import (
    GAP_COLUMNS,
    SCORECARD_COLUMNS,
    data_summary,
    overview,
    programs,
    years,
)

register_page(__name__, path="/", name="Overview", title="Overview · Stakeholder Graph", order=0)
register_timeline(ids.OV_TIMELINE, ids.OV_PLAY, ids.OV_TICK, ids.OV_DATE,
                  drawn=(ids.OV_SUMMARY, "children"))


def map_config() -> Any:
    # plotly.js fetches its topojson at run time; point it at our own assets so the map
    # renders with no internet access
    return {**PLOT_CONFIG, "topojsonURL": asset_url("topojson/")}


def layout(**_query: Any) -> html.Div:
    program_options = options(programs())
    today = _dt.date.today().isoformat()
    kpi_row = dbc.Row(
        [
            dbc.Col(kpi_card("Active partners", "…", card_id=ids.OV_KPI_PARTNERS,
                             hint="Partners (not Guests) on this date"), md=True),
            dbc.Col(kpi_card("Countries", "…", card_id=ids.OV_KPI_COUNTRIES), md=True),
            dbc.Col(kpi_card("Regions", "…", card_id=ids.OV_KPI_REGIONS, hint="UN M49"),
                    md=True),
            dbc.Col(kpi_card("Global South", "…", card_id=ids.OV_KPI_SOUTH,
                             hint="share of partners"), md=True),
            dbc.Col(kpi_card("Sectors", "…", card_id=ids.OV_KPI_SECTORS), md=True),
        ],
        className="g-3 mb-3",
        id=ids.OV_KPIS,
    )
    controls = dbc.Row(
        [
            dbc.Col([dbc.Label("As of", html_for=ids.OV_DATE),
                     html.Div(dcc.DatePickerSingle(id=ids.OV_DATE, date=today,
                                                   display_format="YYYY-MM-DD"))], md="auto"),
            dbc.Col([dbc.Label("Program", html_for=ids.OV_PROGRAM),
                     dcc.Dropdown(id=ids.OV_PROGRAM, options=program_options, placeholder="All programs",
                                  clearable=True)], md=3),
            dbc.Col(html.Div(id=ids.OV_SUMMARY, className="text-muted small"), className="align-self-end"),
        ],
        className="g-3 mb-3",
    )
    scorecard = section(
        "Theory of Change scorecard",
        [
            dbc.Alert(id=ids.OV_SCORECARD, color="info", className="mb-3"),
            dcc.Graph(id=ids.OV_SCORECARD_FIG, config=PLOT_CONFIG),
            data_grid(ids.OV_SCORECARD_TABLE, SCORECARD_COLUMNS, numeric=("Year", "Convenings")),
        ],
        subtitle="Convenings with diverse stakeholders across the world: per year, the share "
        "of convenings with every sector present, with Global South voices, and Industry's "
        "share of committee seats.",
    )
    return html.Div(
        [
            html.H2("Overview", className="mb-1"),
            html.P("Who is in the network, where, and whether its convenings bring every "
                   "voice to the table.", className="text-muted"),
            controls,
            timeline(ids.OV_TIMELINE, ids.OV_PLAY, ids.OV_TICK, years()),
            loading(kpi_row),
            dbc.Row([
                dbc.Col(section("Partners by country", loading(dcc.Graph(
                    id=ids.OV_MAP, config=map_config()))), lg=7),
                dbc.Col(section("Reach over time", loading(dcc.Graph(
                    id=ids.OV_REACH, config=PLOT_CONFIG)),
                    subtitle="Partners, countries and regions at each year's convenings"), lg=5),
            ], className="g-3"),
            loading(scorecard),
            dbc.Row([
                dbc.Col(section("Partners by sector", loading(dcc.Graph(
                    id=ids.OV_SECTORS, config=PLOT_CONFIG))), lg=6),
                dbc.Col(section("Partners by region", loading(dcc.Graph(
                    id=ids.OV_REGIONS, config=PLOT_CONFIG))), lg=6),
            ], className="g-3"),
            section("Data quality", html.Ul(id=ids.OV_QUALITY, className="small mb-0"),
                    subtitle="What the records leave unknown on this date, and what each does "
                    "to the figures above."),
            section("Largest gaps", loading(data_grid(
                ids.OV_GAPS, GAP_COLUMNS, numeric=("Shortfall", "p-value"))), subtitle="Committees and events furthest below the membership or the targets "
                "(missing first, then by exact-test p-value). Details on Representation."),
        ]
    )


@callback(
    Output(ids.OV_KPI_PARTNERS, "children"),
    Output(ids.OV_KPI_COUNTRIES, "children"),
    Output(ids.OV_KPI_REGIONS, "children"),
    Output(ids.OV_KPI_SOUTH, "children"),
    Output(ids.OV_KPI_SECTORS, "children"),
    Output(ids.OV_MAP, "figure"),
    Output(ids.OV_REACH, "figure"),
    Output(ids.OV_SECTORS, "figure"),
    Output(ids.OV_REGIONS, "figure"),
    Output(ids.OV_SCORECARD, "children"),
    Output(ids.OV_SCORECARD_FIG, "figure"),
    Output(ids.OV_SCORECARD_TABLE, "rowData"),
    Output(ids.OV_GAPS, "rowData"),
    Output(ids.OV_SUMMARY, "children"),
    Output(ids.OV_QUALITY, "children"),
    Input(ids.OV_DATE, "date"),
    Input(ids.OV_PROGRAM, "value"),
)
def update_overview(date: str | None, program: str | None) -> tuple[Any, ...]:
    """Every overview figure for the chosen date and program (thin: analysis does the work)."""
    as_of = parse_date(date) or _dt.date.today()
    view = overview(as_of, program or None)
    k = view.kpis
    return (k["partners"], k["countries"], k["regions"], k["global_south"], k["sectors"],
            view.world, view.reach, view.sectors, view.regions, view.scorecard_summary,
            view.scorecard, view.scorecard_rows, view.gaps, data_summary(as_of),
            [html.Li(sentence) for sentence in view.quality]
            or html.Li("No unknown dates or countries, undated seats, empty or planned "
                       "convenings on this date."))
