"""``/planner``: whom to invite so the room represents the membership (see
:mod:`dashboard.planner_view`); this module holds the layout and thin callbacks."""

from __future__ import annotations

import datetime as _dt
from typing import Any

import dash
import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import Input, Output, State, callback, dcc, html

from dashboard import ids
from dashboard.components import PLOT_CONFIG, empty_figure, register_page, section
from dashboard.planner_view import (
    DIMENSIONS,
    FLAG_FIRST_TIMERS,
    FLAG_GUESTS,
    MODE_EVENT,
    MODE_NEW,
    OBJECTIVE_TEXT,
    add_options_for,
    before_after_table,
    export_for,
    layout_choices,
    mode_controls,
    objective_view,
    off_note,
    pick_options,
    plan_note,
    recommend_for,
    room_for,
)

register_page(__name__, path="/planner", name="Planner", title="Planner · Stakeholder Graph")


# --- layout ---------------------------------------------------------------------------------


def _controls(choices: dict[str, list[dict[str, str]]]) -> dbc.Card:
    return section(
        "Plan a convening",
        [
            dbc.RadioItems(
                id=ids.PL_MODE,
                options=[{"label": "An event in the data", "value": MODE_EVENT},
                         {"label": "A new convening", "value": MODE_NEW}],
                value=MODE_EVENT, inline=True, className="mb-2",
            ),
            html.Div(
                [dbc.Label("Event", html_for=ids.PL_EVENT),
                 dcc.Dropdown(id=ids.PL_EVENT, options=choices["event"], placeholder="Pick an event")],
                className="mb-2",
            ),
            dbc.Row(
                [
                    dbc.Col([dbc.Label("Date (new convening)", html_for=ids.PL_DATE),
                             dcc.DatePickerSingle(id=ids.PL_DATE, display_format="YYYY-MM-DD",
                                                  date=str(_dt.date.today()))], md=4),
                    dbc.Col([dbc.Label("Draft invite list", html_for=ids.PL_DRAFT),
                             dcc.Dropdown(id=ids.PL_DRAFT, options=choices["partner"], multi=True,
                                          placeholder="People already invited")], md=8),
                ],
                className="mb-2",
            ),
            dbc.Row(
                [
                    dbc.Col([dbc.Label("How many (0: evaluate)", html_for=ids.PL_SIZE),
                             dbc.Input(id=ids.PL_SIZE, type="number", min=0, step=1, value=5)], md=2),
                    dbc.Col([dbc.Label("Max per country", html_for=ids.PL_MAX_COUNTRY),
                             dbc.Input(id=ids.PL_MAX_COUNTRY, type="number", min=1, step=1)], md=3),
                    dbc.Col([dbc.Label("Max per sector", html_for=ids.PL_MAX_SECTOR),
                             dbc.Input(id=ids.PL_MAX_SECTOR, type="number", min=1, step=1)], md=3),
                    dbc.Col(dbc.Checklist(
                        id=ids.PL_FLAGS,
                        options=[{"label": "Prefer first-timers", "value": FLAG_FIRST_TIMERS},
                                 {"label": "Suggest Guests when no Partner fits",
                                  "value": FLAG_GUESTS}],
                        value=[FLAG_GUESTS],
                    ), md=4),
                ],
                className="mb-2",
            ),
            dbc.Button("Recommend", id=ids.PL_RUN, color="primary"),
            html.Div(id=ids.PL_NOTE, className="mt-2"),
        ],
        subtitle="Invitees are chosen one by one, each the one who most improves the room; "
        "0 evaluates the room (the event's attendees or the draft list) as it is.",
    )


def _objective() -> dbc.Card:
    return section(
        "What the planner maximises",
        [html.P(OBJECTIVE_TEXT, className="small", id=ids.PL_OBJECTIVE),
         dbc.Row([dbc.Col(html.Div(id=ids.PL_BEFORE_AFTER), md=7),
                  dbc.Col(html.Div(id=ids.PL_OBJECTIVE_VALUES), md=5)])],
        subtitle="The room before and after, by sector, region and Global South; each pick's "
        "marginal gain in order; the greedy plan against the exact optimum.",
    )


def layout(**_: Any) -> Any:
    choices = layout_choices()
    if choices is None:  # --min-cell: an aggregate-only dashboard names no organisation
        return html.Div([html.H2("Planner"),
                         dbc.Alert(off_note(), id=ids.PL_NOTE, color="info", is_open=True)])
    return html.Div(
        [
            html.H2("Planner"),
            _controls(choices),
            _objective(),
            dcc.Store(id=ids.PL_PLAN),
            dbc.Row(
                [
                    dbc.Col(section(
                        "Recommended invitees",
                        [
                            dcc.Checklist(id=ids.PL_PICKS, options=[], value=[],
                                          inputClassName="me-2", labelClassName="d-block"),
                            dbc.Label("Add someone else", html_for=ids.PL_ADD, className="mt-2"),
                            dcc.Dropdown(id=ids.PL_ADD, options=[], multi=True,
                                         placeholder="Anyone active on the date"),
                            html.Div(
                                [dbc.Button("Export CSV", id=ids.PL_CSV, color="secondary",
                                            className="me-2", disabled=True),
                                 dbc.Button("Export XLSX", id=ids.PL_XLSX, color="secondary",
                                            disabled=True),
                                 dcc.Download(id=ids.PL_DOWNLOAD)],
                                className="mt-3",
                            ),
                        ],
                        subtitle="Untick to drop someone; the room below updates.",
                    ), md=5),
                    dbc.Col(section(
                        "The room",
                        [
                            dbc.RadioItems(id=ids.PL_DIMENSION, inline=True, value="sector",
                                           options=[{"label": v, "value": k}
                                                    for k, v in DIMENSIONS.items()]),
                            dcc.Graph(id=ids.PL_CHART, config=PLOT_CONFIG,
                                      figure=empty_figure("Pick an event and press Recommend")),
                            html.Div(id=ids.PL_SUMMARY, className="mb-2"),
                            html.Div(id=ids.PL_GAPS),
                        ],
                    ), md=7),
                ]
            ),
        ]
    )


# --- callbacks (thin) --------------------------------------------------------------------------


@callback(
    Output(ids.PL_PLAN, "data"),
    Output(ids.PL_PICKS, "options"),
    Output(ids.PL_PICKS, "value"),
    Output(ids.PL_ADD, "options"),
    Output(ids.PL_ADD, "value"),
    Output(ids.PL_NOTE, "children"),
    Output(ids.PL_CSV, "disabled"),
    Output(ids.PL_XLSX, "disabled"),
    Output(ids.PL_BEFORE_AFTER, "children"),
    Output(ids.PL_OBJECTIVE_VALUES, "children"),
    Input(ids.PL_RUN, "n_clicks"),
    State(ids.PL_MODE, "value"),
    State(ids.PL_EVENT, "value"),
    State(ids.PL_DATE, "date"),
    State(ids.PL_DRAFT, "value"),
    State(ids.PL_SIZE, "value"),
    State(ids.PL_MAX_COUNTRY, "value"),
    State(ids.PL_MAX_SECTOR, "value"),
    State(ids.PL_FLAGS, "value"),
    prevent_initial_call=True,
)
def _on_recommend(_clicks: int | None, mode: str | None, event_id: str | None,
                  date: str | None, draft: list[str] | None, size: Any, max_country: Any,
                  max_sector: Any, flags: list[str] | None) -> tuple[Any, ...]:
    try:
        plan = recommend_for(mode, event_id, date, draft, size, max_country, max_sector, flags)
    except ValueError as err:  # the inputs are incomplete (or the page is off): say so
        note = dbc.Alert(str(err), color="info", className="mb-0")
        return None, [], [], [], [], note, True, True, None, None
    return (plan, pick_options(plan), [r["partner_id"] for r in plan["recommendations"]],
            *add_options_for(plan), plan_note(plan), False, False, before_after_table(plan),
            objective_view(plan))


@callback(
    Output(ids.PL_EVENT, "disabled"),
    Output(ids.PL_DATE, "disabled"),
    Output(ids.PL_DRAFT, "disabled"),
    Input(ids.PL_MODE, "value"),
)
def _on_mode(mode: str | None) -> tuple[bool, bool, bool]:
    return mode_controls(mode)


@callback(
    Output(ids.PL_CHART, "figure"),
    Output(ids.PL_SUMMARY, "children"),
    Output(ids.PL_GAPS, "children"),
    Input(ids.PL_PLAN, "data"),
    Input(ids.PL_PICKS, "value"),
    Input(ids.PL_ADD, "value"),
    Input(ids.PL_DIMENSION, "value"),
    prevent_initial_call=True,
)
def _on_room_change(plan: dict[str, Any] | None, picked: list[str] | None,
                    added: list[str] | None, dimension: str | None
                    ) -> tuple[go.Figure, Any, Any]:
    if not plan:
        return empty_figure("Pick an event and press Recommend"), None, None
    return room_for(plan, picked, added, dimension)


@callback(
    Output(ids.PL_DOWNLOAD, "data"),
    Input(ids.PL_CSV, "n_clicks"),
    Input(ids.PL_XLSX, "n_clicks"),
    State(ids.PL_PLAN, "data"),
    State(ids.PL_PICKS, "value"),
    State(ids.PL_ADD, "value"),
    prevent_initial_call=True,
)
def _on_export(_csv: int | None, _xlsx: int | None, plan: dict[str, Any] | None,
               picked: list[str] | None, added: list[str] | None) -> Any:
    if not plan:
        return dash.no_update
    fmt = "xlsx" if dash.ctx.triggered_id == ids.PL_XLSX else "csv"
    payload = export_for(plan, picked, added, fmt)
    return dash.no_update if payload is None else payload
