"""/representation: every committee and event at a date, its composition, diversity and gaps."""

from __future__ import annotations

import datetime as _dt
from typing import Any

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from dashboard import ids
from dashboard.components import (
    data_grid,
    loading,
    options,
    parse_date,
    register_page,
    section,
    send_bytes,
)
from dashboard.overview_view import programs
from dashboard.representation_view import (
    GAP_COLUMNS,
    GROUP_COLUMNS,
    dimension_options,
    download,
    tables,
    targets,
)

register_page(__name__, path="/representation", name="Representation",
              title="Representation · Stakeholder Graph", order=2)

NUMERIC = ("Size", "Guests", "Blau", "Shannon", "Gaps", "Count", "Share", "Expected",
           "Shortfall", "Excess", "p-value", "q-value")
#: rows per page of the two long tables
PAGE_SIZE = 15


def layout(**_query: Any) -> html.Div:
    program_options = options(programs())
    target_table: Any = targets()
    controls = dbc.Row([
        dbc.Col([dbc.Label("As of", html_for=ids.REP_DATE, className="small mb-0"),
                 html.Div(dcc.DatePickerSingle(id=ids.REP_DATE, date=_dt.date.today().isoformat(),
                                               display_format="YYYY-MM-DD"))], md="auto"),
        dbc.Col([dbc.Label("Events after", html_for=ids.REP_SINCE, className="small mb-0"),
                 html.Div(dcc.DatePickerSingle(id=ids.REP_SINCE, display_format="YYYY-MM-DD",
                                               clearable=True, placeholder="beginning"))],
                md="auto"),
        dbc.Col([dbc.Label("Show", className="small mb-0"),
                 dcc.Dropdown(id=ids.REP_KIND, clearable=True, placeholder="Committees and events",
                              options=[{"label": "Committees", "value": "committee"},
                                       {"label": "Events", "value": "event"}])], md=2),
        dbc.Col([dbc.Label("Program", className="small mb-0"),
                 dcc.Dropdown(id=ids.REP_PROGRAM, options=program_options, placeholder="All programs")],
                md=2),
        dbc.Col([dbc.Label("Dimension", className="small mb-0"),
                 dcc.Dropdown(id=ids.REP_DIMENSION, value="sector", clearable=False,
                              options=dimension_options())], md=2),
        dbc.Col(dbc.Checklist(id=ids.REP_GAPS_ONLY, switch=True, value=[],
                              options=[{"label": "Only rooms with gaps", "value": "gaps"}]),
                className="align-self-end", md="auto"),
    ], className="g-3 mb-3")
    downloads = html.Div([
        dbc.Button("Download CSV", id=ids.REP_CSV, color="primary", size="sm",
                   className="me-2"),
        dbc.Button("Download XLSX", id=ids.REP_XLSX, color="secondary", size="sm"),
        dcc.Download(id=ids.REP_DOWNLOAD),
    ], className="mb-3")
    return html.Div([
        html.H2("Representation", className="mb-1"),
        html.P("Who is at each table: every committee (seats active on the date) and every "
               "convening (everyone who attended), compared with the Partners of the day or "
               "with the targets.", className="text-muted"),
        controls,
        dbc.Alert(id=ids.REP_NOTE, color="secondary", is_open=False),
        downloads,
        section("Committees and events", loading(data_grid(
            ids.REP_TABLE, GROUP_COLUMNS, numeric=NUMERIC, page_size=PAGE_SIZE)),
            subtitle="Blau = 1 − Σp² (0: one kind only); Shannon in nats. Sort by clicking a "
            "header; filter under it."),
        section("Gaps", loading(data_grid(
            ids.REP_GAP_TABLE, GAP_COLUMNS, numeric=NUMERIC, page_size=PAGE_SIZE)),
            subtitle="A category the room lacks or holds below 80% of its expected share (or "
            "above a target's maximum). Shortfall / excess: members the room would need to add "
            "/ has too many; p-value: exact test against the baseline (or the target); "
            "q-value: Benjamini-Hochberg over every test of the report. Only significant gaps "
            "are counted in the rooms' Gaps column."),
        section("Targets", data_grid(
            ids.REP_TARGETS, ("Dimension", "Group", "Minimum share", "Maximum share"),
            rows=target_table, filters=False))
        if target_table else html.Div(id=ids.REP_TARGETS),
    ])


@callback(
    Output(ids.REP_TABLE, "rowData"),
    Output(ids.REP_GAP_TABLE, "rowData"),
    Output(ids.REP_NOTE, "children"),
    Output(ids.REP_NOTE, "is_open"),
    Input(ids.REP_DATE, "date"),
    Input(ids.REP_SINCE, "date"),
    Input(ids.REP_KIND, "value"),
    Input(ids.REP_PROGRAM, "value"),
    Input(ids.REP_DIMENSION, "value"),
    Input(ids.REP_GAPS_ONLY, "value"),
)
def update_tables(date: str | None, since: str | None, kind: str | None,
                  program: str | None, dimension: str | None, gaps_only: list[str] | None
                  ) -> tuple[Any, ...]:
    """The group and gap tables for the chosen date, window and filters."""
    made = tables(parse_date(date) or _dt.date.today(), parse_date(since), kind=kind or None,
                  program=program or None, dimension=dimension or "sector",
                  gaps_only=bool(gaps_only))
    return made.groups, made.gaps, made.note, bool(made.note)


@callback(
    Output(ids.REP_DOWNLOAD, "data"),
    Input(ids.REP_CSV, "n_clicks"),
    Input(ids.REP_XLSX, "n_clicks"),
    State(ids.REP_DATE, "date"),
    State(ids.REP_SINCE, "date"),
    State(ids.REP_KIND, "value"),
    State(ids.REP_PROGRAM, "value"),
    State(ids.REP_DIMENSION, "value"),
    State(ids.REP_GAPS_ONLY, "value"),
    State(ids.REP_TABLE, "virtualRowData"),
    State(ids.REP_GAP_TABLE, "virtualRowData"),
    prevent_initial_call=True,
)
def download_tables(_csv: int | None, _xlsx: int | None, date: str | None, since: str | None,
                    kind: str | None, program: str | None, dimension: str | None,
                    gaps_only: list[str] | None, shown_groups: list[dict[str, Any]] | None,
                    shown_gaps: list[dict[str, Any]] | None) -> Any:
    """Exactly the rows shown (after the tables' filters and sorting), as CSV or XLSX."""
    fmt = {ids.REP_CSV: "csv", ids.REP_XLSX: "xlsx"}.get(str(ctx.triggered_id))
    if fmt is None:
        return no_update
    name, content = download(fmt, parse_date(date) or _dt.date.today(), parse_date(since),
                             kind=kind or None, program=program or None,
                             dimension=dimension or "sector", gaps_only=bool(gaps_only),
                             shown_groups=shown_groups, shown_gaps=shown_gaps)
    return send_bytes(content, name)
