"""/network: the co-participation network (or partner-committee-event view) in dash-cytoscape."""

from __future__ import annotations

import datetime as _dt
from typing import Any

import dash
import dash_bootstrap_components as dbc
import dash_cytoscape as cyto
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from dashboard import ids
from dashboard.app import app_state
from dashboard.components import loading, options, parse_date, section
from dashboard.network_view import (
    COLOR_CHOICES,
    COPARTICIPATION,
    GROUP_CHOICES,
    SEARCH_ALL_UP_TO,
    SEARCH_LIMIT,
    SIZE_CHOICES,
    TWO_MODE,
    filter_options,
    focus_of,
    group_details,
    network_view,
    partner_details,
    partner_options,
)

dash.register_page(__name__, path="/network", name="Network",
                   title="Network · Stakeholder Graph", order=1)

STYLESHEET: list[dict[str, Any]] = [
    {"selector": "node", "style": {
        "background-color": "data(color)", "width": "data(size)", "height": "data(size)",
        "label": "data(label)", "font-size": 9, "color": "#222", "text-valign": "bottom",
        "text-margin-y": 3, "border-width": 1, "border-color": "#333",
        "min-zoomed-font-size": 8,
    }},
    {"selector": "edge", "style": {"width": "data(width)", "line-color": "#b8b8b8",
                                   "opacity": 0.55, "curve-style": "haystack"}},
    {"selector": ".aggregate", "style": {"shape": "round-rectangle", "font-size": 12,
                                         "font-weight": "bold", "border-width": 2}},
    {"selector": ".committee", "style": {"shape": "diamond"}},
    {"selector": ".event", "style": {"shape": "triangle"}},
    {"selector": ".searched", "style": {"border-width": 5, "border-color": "#D55E00"}},
    {"selector": ":selected", "style": {"border-width": 4, "border-color": "#0072B2"}},
]


def _dropdown(id_: str, label: str, opts: list[dict[str, str]], *, multi: bool = True,
              value: Any = None, clearable: bool = True, placeholder: str = "All") -> html.Div:
    return html.Div([
        dbc.Label(label, html_for=id_, className="small mb-0"),
        dcc.Dropdown(id=id_, options=opts, multi=multi, value=value, clearable=clearable,
                     placeholder=placeholder),
    ], className="mb-2")


def layout(**_query: Any) -> html.Div:
    state = app_state()
    ds = state.dataset()
    opts = filter_options(ds)
    committees = [{"label": str(r.name), "value": str(r.committee_id)}
                  for r in ds.committees.itertuples(index=False)]
    events = [{"label": f"{r.date.date().isoformat() if r.date == r.date else ''} {r.name}",
               "value": str(r.event_id)}
              for r in ds.events.sort_values("date", ascending=False).itertuples(index=False)]
    # every name when few; for thousands the server answers each keystroke (search_options)
    limit = SEARCH_ALL_UP_TO if len(ds.partners) <= SEARCH_ALL_UP_TO else SEARCH_LIMIT
    partners = partner_options(ds, limit=limit)
    today = _dt.date.today().isoformat()
    controls = [
        dbc.Label("View", className="small mb-0"),
        dbc.RadioItems(id=ids.NET_MODE, value=COPARTICIPATION, className="mb-2", options=[
            {"label": "Partners who meet (co-participation)", "value": COPARTICIPATION},
            {"label": "Partners, committees and events", "value": TWO_MODE},
        ]),
        _dropdown(ids.NET_SEARCH, "Find a partner", partners, multi=False,
                  placeholder="Type a name…"),
        html.Div([
            dbc.Label("Window (events after / up to)", className="small mb-0"),
            dcc.DatePickerRange(id=ids.NET_DATES, end_date=today, display_format="YYYY-MM-DD",
                                clearable=True, start_date_placeholder_text="beginning"),
        ], className="mb-2"),
        _dropdown(ids.NET_PROGRAM, "Program", options(opts["program"]), multi=False,
                  placeholder="All programs"),
        _dropdown(ids.NET_SECTOR, "Sector", options(opts["sector"])),
        _dropdown(ids.NET_REGION, "Region", options(opts["region"])),
        _dropdown(ids.NET_COMMITTEE, "Committee", committees),
        _dropdown(ids.NET_EVENT, "Event", events),
        _dropdown(ids.NET_COLOR, "Colour by", options(COLOR_CHOICES), multi=False,
                  value="sector", clearable=False),
        _dropdown(ids.NET_SIZE, "Size by", options(SIZE_CHOICES), multi=False, value="degree",
                  clearable=False),
        _dropdown(ids.NET_GROUP, "Group large graphs by", options(GROUP_CHOICES), multi=False,
                  value="community", clearable=False),
    ]
    graph = cyto.Cytoscape(
        id=ids.NET_GRAPH,
        elements=[],
        layout={"name": "preset", "fit": True, "padding": 20},
        stylesheet=STYLESHEET,
        style={"width": "100%", "height": "68vh", "background": "#ffffff"},
        minZoom=0.05,
        maxZoom=4,
        boxSelectionEnabled=False,
    )
    return html.Div([
        html.H2("Network", className="mb-1"),
        html.P("Who meets whom: partners are joined when they share a committee seat or a "
               "convening in the window; thicker links share more rooms.",
               className="text-muted"),
        dcc.Store(id=ids.NET_FOCUS, data=None),
        dbc.Row([
            dbc.Col(section("Filters", controls), lg=3),
            dbc.Col([
                dbc.Alert(id=ids.NET_NOTE, color="secondary", is_open=False, className="mb-2"),
                dbc.Button("Back to the whole network", id=ids.NET_BACK, size="sm",
                           color="outline-primary", className="mb-2", style={"display": "none"}),
                dbc.Card(loading(graph), className="shadow-sm"),
                html.Div(id=ids.NET_LEGEND, className="mt-2"),
                html.Div(id=ids.NET_SUMMARY, className="text-muted small mt-1"),
            ], lg=6),
            dbc.Col(section("Details", html.Div(
                "Click a node (or find a partner) to see who it is, where it sits and how it "
                "connects.", id=ids.NET_DETAILS, className="small")), lg=3),
        ], className="g-3"),
    ])


@callback(
    Output(ids.NET_SEARCH, "options"),
    Input(ids.NET_SEARCH, "search_value"),
    State(ids.NET_SEARCH, "value"),
    prevent_initial_call=True,
)
def search_options(search: str | None, selected: str | None) -> Any:
    """Matching partner names for what is typed (only for big datasets; small ones have all)."""
    ds = app_state().dataset()
    if len(ds.partners) <= SEARCH_ALL_UP_TO or not search:
        return no_update
    return partner_options(ds, search, selected=selected)


def _legend(pairs: list[tuple[str, str]]) -> list[Any]:
    return [html.Span([html.Span(className="legend-dot", style={"backgroundColor": colour}),
                       label or "Unknown"], className="me-3 small d-inline-block")
            for label, colour in pairs]


@callback(
    Output(ids.NET_GRAPH, "elements"),
    Output(ids.NET_NOTE, "children"),
    Output(ids.NET_NOTE, "is_open"),
    Output(ids.NET_LEGEND, "children"),
    Output(ids.NET_SUMMARY, "children"),
    Output(ids.NET_BACK, "style"),
    Input(ids.NET_MODE, "value"),
    Input(ids.NET_DATES, "start_date"),
    Input(ids.NET_DATES, "end_date"),
    Input(ids.NET_PROGRAM, "value"),
    Input(ids.NET_SECTOR, "value"),
    Input(ids.NET_REGION, "value"),
    Input(ids.NET_COMMITTEE, "value"),
    Input(ids.NET_EVENT, "value"),
    Input(ids.NET_COLOR, "value"),
    Input(ids.NET_SIZE, "value"),
    Input(ids.NET_GROUP, "value"),
    Input(ids.NET_FOCUS, "data"),
    Input(ids.NET_SEARCH, "value"),
)
def update_network(mode: str, start: str | None, end: str | None, program: str | None,
                   sectors: list[str] | None, regions: list[str] | None,
                   committees: list[str] | None, events: list[str] | None, color_by: str,
                   size_by: str, group_by: str, focus: str | None, search: str | None
                   ) -> tuple[Any, ...]:
    """Redraw the network for the chosen filters (thin: see dashboard.network_view)."""
    view = network_view(
        app_state(), mode=mode or COPARTICIPATION,
        as_of=parse_date(end, _dt.date.today()), since=parse_date(start),
        program=program or None, sectors=tuple(sectors or ()), regions=tuple(regions or ()),
        committees=tuple(committees or ()), events=tuple(events or ()),
        color_by=color_by or "sector", size_by=size_by or "degree",
        group_by=group_by or "community", focus=focus, highlight=search or None,
    )
    s = view["summary"]
    summary = f"{s['nodes']:,} nodes and {s['edges']:,} links in the window"
    if s["method"].get("betweenness") == "sampled":
        summary += f"; betweenness estimated from {s['method']['samples']} sampled sources"
    if s.get("modularity") is not None:
        summary += f"; community modularity {s['modularity']:.2f}"
    back = {"display": "inline-block"} if focus else {"display": "none"}
    note = view["note"]
    min_cell = app_state().min_cell
    if min_cell:
        # the network names organisations one by one; say so rather than imply suppression
        note = (note + " " if note else "") + (
            f"Counts below {min_cell} are hidden on the other pages; this view shows "
            "organisations individually.")
    return (view["elements"], note, bool(note), _legend(view["legend"]), summary + ".", back)


@callback(
    Output(ids.NET_FOCUS, "data"),
    Input(ids.NET_GRAPH, "tapNodeData"),
    Input(ids.NET_BACK, "n_clicks"),
    State(ids.NET_FOCUS, "data"),
    prevent_initial_call=True,
)
def drill(node: dict[str, Any] | None, _back: int | None, current: str | None) -> Any:
    """Clicking an aggregate node shows its members; the back button shows everything."""
    return next_focus(str(ctx.triggered_id), node)


def next_focus(trigger: str, node: dict[str, Any] | None) -> Any:
    """The drill-down state after ``trigger`` (the back button, or a tap on ``node``)."""
    if trigger == ids.NET_BACK:
        return None
    group = focus_of((node or {}).get("id"))
    return group if group is not None else no_update


def _rows(mapping: dict[str, Any]) -> html.Table:
    return html.Table([html.Tr([html.Th(k, className="pe-2 fw-normal text-muted"),
                                html.Td(str(v))]) for k, v in mapping.items()],
                      className="table table-sm mb-2")


def _items(title: str, values: list[str], limit: int = 12) -> list[Any]:
    if not values:
        return [html.H6(title, className="mt-2"), html.Div("none", className="text-muted")]
    more = [html.Li(f"… and {len(values) - limit} more")] if len(values) > limit else []
    return [html.H6(f"{title} ({len(values)})", className="mt-2"),
            html.Ul([html.Li(v) for v in values[:limit]] + more, className="mb-1")]


@callback(
    Output(ids.NET_DETAILS, "children"),
    Input(ids.NET_GRAPH, "tapNodeData"),
    Input(ids.NET_SEARCH, "value"),
    State(ids.NET_DATES, "start_date"),
    State(ids.NET_DATES, "end_date"),
    State(ids.NET_PROGRAM, "value"),
    State(ids.NET_GROUP, "value"),
    prevent_initial_call=True,
)
def show_details(node: dict[str, Any] | None, search: str | None, start: str | None,
                 end: str | None, program: str | None, group_by: str | None) -> Any:
    """The details panel of the tapped (or searched) node; text only, so names stay inert."""
    if ctx.triggered_id == ids.NET_SEARCH:
        node = {"id": search} if search else None
    panel = details_panel(node, start=start, end=end, program=program, group_by=group_by)
    return no_update if panel is None else panel


def details_panel(node: dict[str, Any] | None, *, start: str | None, end: str | None,
                  program: str | None, group_by: str | None) -> Any:
    """Components describing ``node`` (tap data or ``{"id": partner_id}``); None for no node."""
    state = app_state()
    as_of = parse_date(end, _dt.date.today()) or _dt.date.today()
    since = parse_date(start)
    if since is not None and since >= as_of:
        since = None
    if not node:
        return None
    node_id = str(node.get("id", ""))
    if focus_of(node_id) is not None:
        info = group_details(state, node, group_by=group_by or "community", as_of=as_of,
                             since=since, program=program or None)
        return [html.H5(f"{info['group_by'].capitalize()} {info['value']}"),
                html.P(f"{info['members']:,} members, now drawn in the network (the best connected when they are "
                       "too many); “Back to the whole network” returns."),
                html.H6("By sector"), _rows(info["sectors"]),
                *_items("Best connected", info["top"])]
    if "::" in node_id:  # a committee or event node of the two-mode view
        return [html.H5(str(node.get("label", node_id))),
                html.P(f"{str(node.get('kind', '')).capitalize()} with "
                       f"{node.get('degree', 0)} participants in the window.")]
    details = partner_details(state, node_id, as_of=as_of, since=since, program=program or None)
    if details is None:
        return html.P("Not found in this dataset.")
    return [html.H5(details["attributes"]["Name"]), _rows(details["attributes"]),
            html.H6("Network measures"),
            _rows(details["measures"]) if details["measures"] else html.P("Not in this window."),
            *_items("Committees", details["committees"]),
            *_items("Convenings in the window", details["events"])]
