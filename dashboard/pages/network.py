"""/network: the co-participation network (or partner-committee-event view) in dash-cytoscape."""

from __future__ import annotations

import datetime as _dt
from typing import Any

import dash_bootstrap_components as dbc
import dash_cytoscape as cyto
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from dashboard import ids
from dashboard.components import (
    loading,
    options,
    parse_date,
    register_page,
    register_timeline,
    section,
    timeline,
)
from dashboard.network_view import (
    ALL_LINKS,
    COLOR_CHOICES,
    COPARTICIPATION,
    DIRECT,
    DIRECT_CLASS,
    GROUP_CHOICES,
    SIZE_CHOICES,
    STRONG,
    TWO_MODE,
    export_download,
    focus_of,
    group_details,
    layout_choices,
    link_lines,
    network_view,
    off_note,
    partner_details,
    search,
)

# The extra bundle carries cytoscape-svg, which the SVG download of the view needs (served from
# the package like the default bundle, no CDN).
cyto.load_extra_layouts()

register_page(__name__, path="/network", name="Network", title="Network · Stakeholder Graph",
              order=1)
register_timeline(ids.NET_TIMELINE, ids.NET_PLAY, ids.NET_TICK, ids.NET_DATES, "end_date")

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
    {"selector": f".{DIRECT_CLASS}", "style": {
        "line-color": "#CC79A7", "line-style": "dashed", "opacity": 0.9,
        "curve-style": "straight"}},
    {"selector": ":selected", "style": {"border-width": 4, "border-color": "#0072B2"}},
]


def _dropdown(id_: str, label: str, opts: list[dict[str, str]], *, multi: bool = True,
              value: Any = None, clearable: bool = True, placeholder: str = "All") -> html.Div:
    return html.Div([
        dbc.Label(label, html_for=id_, className="small mb-0"),
        dcc.Dropdown(id=id_, options=opts, multi=multi, value=value, clearable=clearable,
                     placeholder=placeholder),
    ], className="mb-2")


def _off_page(note: str) -> html.Div:
    return html.Div([html.H2("Network", className="mb-1"),
                     dbc.Alert(note, id=ids.NET_NOTE, color="info", is_open=True)])


def _controls(choices: dict[str, Any]) -> list[Any]:
    today = _dt.date.today().isoformat()
    views = [{"label": "Partners who meet (co-participation)", "value": COPARTICIPATION},
             {"label": "Partners, committees and events", "value": TWO_MODE}]
    if choices["links"]:
        views.append({"label": "Direct links (collaborations, grants, projects)",
                      "value": DIRECT})
    return [
        dbc.Label("View", className="small mb-0"),
        dbc.RadioItems(id=ids.NET_MODE, value=COPARTICIPATION, className="mb-2", options=views),
        # Always in the layout (the callback reads it), shown only for a dataset with links.
        dbc.Checklist(id=ids.NET_LINK_LAYER, value=[], switch=True, className="mb-2",
                      options=[{"label": "Direct links over co-participation (dashed)",
                                "value": DIRECT}],
                      style=None if choices["links"] else {"display": "none"}),
        dbc.Label("Links", className="small mb-0"),
        dbc.RadioItems(id=ids.NET_LINKS, value=STRONG, className="mb-2", inline=True, options=[
            {"label": "Strong ties", "value": STRONG},
            {"label": "All links", "value": ALL_LINKS},
        ]),
        _dropdown(ids.NET_SEARCH, "Find a partner", choices["partner"], multi=False,
                  placeholder="Type a name…"),
        html.Div([
            dbc.Label("Window (events after / up to)", className="small mb-0"),
            dcc.DatePickerRange(id=ids.NET_DATES, end_date=today, display_format="YYYY-MM-DD",
                                clearable=True, start_date_placeholder_text="beginning"),
        ], className="mb-2"),
        _dropdown(ids.NET_PROGRAM, "Program", options(choices["program"]), multi=False,
                  placeholder="All programs"),
        _dropdown(ids.NET_SECTOR, "Sector", options(choices["sector"])),
        _dropdown(ids.NET_REGION, "Region", options(choices["region"])),
        _dropdown(ids.NET_COMMITTEE, "Committee", choices["committee"]),
        _dropdown(ids.NET_EVENT, "Event", choices["event"]),
        _dropdown(ids.NET_COLOR, "Colour by", options(COLOR_CHOICES), multi=False,
                  value="sector", clearable=False),
        _dropdown(ids.NET_SIZE, "Size by", options(SIZE_CHOICES), multi=False, value="degree",
                  clearable=False),
        _dropdown(ids.NET_GROUP, "Group large graphs by", options(GROUP_CHOICES), multi=False,
                  value="community", clearable=False),
    ]


#: the export buttons: id, label, format (the ``export`` command's formats)
EXPORTS = ((ids.NET_EXPORT_GEXF, "GEXF", "gexf"), (ids.NET_EXPORT_GRAPHML, "GraphML", "graphml"),
           (ids.NET_EXPORT_CYJS, "Cytoscape JSON", "cyjs"), (ids.NET_EXPORT_CSV, "CSV", "csv"))


def _exports() -> html.Div:
    button = {"size": "sm", "color": "outline-secondary", "className": "me-1 mb-1"}
    return html.Div([
        html.Span("Download the network (this window, every attribute and measure): ",
                  className="small text-muted me-1"),
        *[dbc.Button(label, id=id_, **button) for id_, label, _ in EXPORTS],
        html.Span(" · the current view as ", className="small text-muted mx-1"),
        dbc.Button("PNG", id=ids.NET_IMAGE_PNG, **button),
        dbc.Button("SVG", id=ids.NET_IMAGE_SVG, **button),
        dcc.Download(id=ids.NET_DOWNLOAD),
    ], className="mt-2")


def layout(**_query: Any) -> html.Div:
    choices = layout_choices()
    if choices is None:  # --min-cell: an aggregate-only dashboard names no organisation
        return _off_page(off_note() or "")
    controls = _controls(choices)
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
               "convening in the window; thicker links share more rooms."
               + (" “Direct links” draws the collaborations, grants and joint projects "
                  "partners record (active on the window's last day), on their own or over "
                  "co-participation." if choices["links"] else ""),
               className="text-muted"),
        dcc.Store(id=ids.NET_FOCUS, data=None),
        dbc.Row([
            dbc.Col(section("Filters", controls), lg=3),
            dbc.Col([
                dbc.Alert(id=ids.NET_NOTE, color="secondary", is_open=False, className="mb-2"),
                dbc.Button("Back to the whole network", id=ids.NET_BACK, size="sm",
                           color="outline-primary", className="mb-2", style={"display": "none"}),
                timeline(ids.NET_TIMELINE, ids.NET_PLAY, ids.NET_TICK, choices["years"]),
                dbc.Card(loading(graph), className="shadow-sm"),
                html.Div(id=ids.NET_CAPTION, className="small mt-1"),
                html.Div(id=ids.NET_LEGEND, className="mt-2"),
                html.Div(id=ids.NET_SUMMARY, className="text-muted small mt-1"),
                _exports(),
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
def search_options(text: str | None, selected: str | None) -> Any:
    """Matching partner names for what is typed (only for big datasets; small ones have all)."""
    found = search(text, selected)
    return no_update if found is None else found


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
    Output(ids.NET_CAPTION, "children"),
    Input(ids.NET_MODE, "value"),
    Input(ids.NET_LINKS, "value"),
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
    Input(ids.NET_LINK_LAYER, "value"),
)
def update_network(mode: str, links: str | None, start: str | None, end: str | None,
                   program: str | None,
                   sectors: list[str] | None, regions: list[str] | None,
                   committees: list[str] | None, events: list[str] | None, color_by: str,
                   size_by: str, group_by: str, focus: str | None, search: str | None,
                   layer: list[str] | None = None) -> tuple[Any, ...]:
    """Redraw the network for the chosen filters (thin: see dashboard.network_view)."""
    view = network_view(
        mode=mode or COPARTICIPATION, links=links or STRONG,
        as_of=parse_date(end, _dt.date.today()), since=parse_date(start),
        program=program or None, sectors=tuple(sectors or ()), regions=tuple(regions or ()),
        committees=tuple(committees or ()), events=tuple(events or ()),
        color_by=color_by or "sector", size_by=size_by or "degree",
        group_by=group_by or "community", focus=focus, highlight=search or None,
        layer=DIRECT in (layer or []),
    )
    back = {"display": "inline-block"} if focus and not view["off"] else {"display": "none"}
    note = view["note"]
    return (view["elements"], note, bool(note), _legend(view["legend"]),
            _summary(view["summary"]), back, _caption(view["summary"]))


def _caption(s: dict[str, Any]) -> list[Any]:
    """The strong-tie rule (when only strong ties are drawn) and the low-modularity caveat."""
    parts: list[Any] = []
    if s.get("caption"):
        parts.append(html.Div(s["caption"] + " Choose “All links” to draw every link."))
    if s.get("caveat"):
        parts.append(html.Div(s["caveat"], className="text-warning-emphasis"))
    return parts


def _summary(s: dict[str, Any]) -> str:
    what = "direct links active on the last day" if s.get("direct") else "links in the window"
    summary = f"{s['nodes']:,} nodes and {s['edges']:,} {what}"
    if s["method"].get("betweenness") == "sampled":
        summary += f"; betweenness estimated from {s['method']['samples']} sampled sources"
    if s.get("modularity") is not None:
        summary += f"; community modularity {s['modularity']:.2f}"
    return summary + "."


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
    if not node:
        return None
    off = off_note()
    if off:
        return html.P(off)
    as_of, since = parse_date(end, _dt.date.today()), parse_date(start)
    node_id = str(node.get("id", ""))
    if focus_of(node_id) is not None:
        info = group_details(None, node_id, group_by=group_by or "community", as_of=as_of,
                             since=since, program=program or None)
        if info is None:
            return None
        return [html.H5(f"{info.group_by.capitalize()} {info.value}"),
                html.P(f"{info.members:,} members, now drawn in the network (the best "
                       "connected when they are too many); “Back to the whole network” "
                       "returns."),
                html.H6("By sector"), _rows(dict(info.sectors)),
                *_items("Best connected", list(info.best_connected))]
    if "::" in node_id:  # a committee or event node of the two-mode view
        return [html.H5(str(node.get("label", node_id))),
                html.P(f"{str(node.get('kind', '')).capitalize()} with "
                       f"{node.get('degree', 0)} participants in the window.")]
    details = partner_details(None, node_id, as_of=as_of, since=since, program=program or None)
    if details is None:
        return html.P("Not found in this dataset.")
    direct = link_lines(None, node_id, as_of=as_of)
    return [html.H5(details.attributes["Name"]), _rows(dict(details.attributes)),
            html.H6("Network measures"),
            _rows(dict(details.measures)) if details.measures else html.P("Not in this window."),
            *_items("Committees", list(details.committees)),
            *_items("Convenings in the window", list(details.events)),
            *([] if direct is None else _items("Direct links on the last day", direct))]


@callback(
    Output(ids.NET_DOWNLOAD, "data"),
    *[Input(id_, "n_clicks") for id_, _, _ in EXPORTS],
    State(ids.NET_MODE, "value"),
    State(ids.NET_DATES, "start_date"),
    State(ids.NET_DATES, "end_date"),
    State(ids.NET_PROGRAM, "value"),
    prevent_initial_call=True,
)
def download_network(*values: Any) -> Any:
    """The window's network in the format of the button pressed (off under --min-cell)."""
    mode, start, end, program = values[-4:]
    fmt = {id_: fmt for id_, _, fmt in EXPORTS}.get(str(ctx.triggered_id))
    if fmt is None:
        return no_update
    payload = export_download(None, fmt, mode=mode or COPARTICIPATION,
                              as_of=parse_date(end, _dt.date.today()), since=parse_date(start),
                              program=program or None)
    return no_update if payload is None else payload


@callback(
    Output(ids.NET_GRAPH, "generateImage"),
    Input(ids.NET_IMAGE_PNG, "n_clicks"),
    Input(ids.NET_IMAGE_SVG, "n_clicks"),
    prevent_initial_call=True,
)
def save_image(_png: int | None, _svg: int | None) -> Any:
    """PNG or SVG of the network as drawn now (cytoscape renders it in the browser)."""
    kind = {ids.NET_IMAGE_PNG: "png", ids.NET_IMAGE_SVG: "svg"}.get(str(ctx.triggered_id))
    if kind is None or off_note():
        return no_update
    return {"type": kind, "action": "download", "filename": "network"}
