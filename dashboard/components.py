"""Shared look of the dashboard: the colour-blind-safe palette, cards, empty figures, dates."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Sequence
from typing import Any

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import Input, Output, State, callback, dcc, html, no_update

#: Okabe & Ito (2008), "Color Universal Design": distinguishable under the common colour-vision
#: deficiencies. Black is last so it is only used when the other seven are taken.
OKABE_ITO: tuple[str, ...] = (
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#009E73",  # bluish green
    "#F0E442",  # yellow
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#000000",
)
#: a sequential, colour-blind-safe scale for counts (maps)
SEQUENTIAL = "Cividis"
OTHER_COLOUR = "#999999"
SUPPRESSED = "<{n}"

PLOT_CONFIG: Any = {"displaylogo": False, "responsive": True}  # dcc.Graph types it as Config


def colour_map(categories: Iterable[str]) -> dict[str, str]:
    """A stable colour per category (sorted), cycling Okabe-Ito; beyond it, grey."""
    out: dict[str, str] = {}
    for i, cat in enumerate(sorted({str(c) for c in categories})):
        out[cat] = OKABE_ITO[i] if i < len(OKABE_ITO) else OTHER_COLOUR
    return out


def today() -> _dt.date:
    return _dt.date.today()


def parse_date(value: Any, default: _dt.date | None = None) -> _dt.date | None:
    """A date picker value (ISO string, maybe with a time) as a date; ``default`` when empty."""
    if value in (None, ""):
        return default
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    day: _dt.date = pd.Timestamp(str(value)).date()
    return day


def empty_figure(message: str) -> go.Figure:
    """A blank figure carrying a sentence, for 'no data in this window'."""
    fig = go.Figure()
    fig.update_layout(
        xaxis={"visible": False},
        yaxis={"visible": False},
        annotations=[
            {"text": message, "showarrow": False, "xref": "paper", "yref": "paper",
             "x": 0.5, "y": 0.5, "font": {"size": 14}}
        ],
        height=260,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        template="plotly_white",
    )
    return fig


def kpi_card(title: str, value: str, *, card_id: str, hint: str = "") -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            [
                html.Div(title, className="text-muted small text-uppercase"),
                html.Div(value, className="fs-2 fw-semibold kpi-value", id=card_id),
                html.Div(hint, className="text-muted small"),
            ]
        ),
        className="h-100 shadow-sm",
    )


def section(title: str, body: Any, *, subtitle: str = "") -> dbc.Card:
    header: list[Any] = [html.H5(title, className="mb-0")]
    if subtitle:
        header.append(html.Div(subtitle, className="text-muted small"))
    return dbc.Card([dbc.CardHeader(header), dbc.CardBody(body)], className="mb-3 shadow-sm")


def loading(children: Any, **kwargs: Any) -> dcc.Loading:
    return dcc.Loading(children, type="default", delay_show=200, **kwargs)


def options(values: Sequence[Any]) -> list[dict[str, str]]:
    """Dropdown options from distinct non-empty values, sorted case-insensitively."""
    seen = sorted({str(v) for v in values if str(v) != ""}, key=str.casefold)
    return [{"label": v, "value": v} for v in seen]


def suppress_count(count: float | int | None, min_cell: int | None) -> int | str | None:
    """``count``, or ``"<N"`` when a threshold is set and the count is below it (but not 0)."""
    if count is None:
        return None
    value = int(count)
    if min_cell is not None and 0 < value < min_cell:
        return SUPPRESSED.format(n=min_cell)
    return value


def percent(share: float | None, digits: int = 0) -> str:
    if share is None or pd.isna(share):
        return "–"
    return f"{100 * float(share):.{digits}f}%"


# --- typed doors into Dash's untyped helpers ---------------------------------------------------


def register_page(module: str, **kwargs: Any) -> None:
    """``dash.register_page`` (a page module registers itself with its path and title)."""
    dash.register_page(module, **kwargs)  # type: ignore[no-untyped-call]


def asset_url(path: str) -> str:
    """The URL of a file under ``dashboard/assets`` for the app serving this request."""
    return str(dash.get_asset_url(path))  # type: ignore[no-untyped-call]


def send_bytes(content: bytes, filename: str) -> dict[str, Any]:
    """A ``dcc.Download`` payload of ``content`` named ``filename``."""
    payload: dict[str, Any] = dcc.send_bytes(content, filename)  # type: ignore[attr-defined,no-untyped-call]
    return payload


def data_grid(grid_id: str, columns: Sequence[str], *, numeric: Iterable[str] = (),
              rows: list[dict[str, Any]] | None = None, page_size: int | None = None,
              filters: bool = True) -> dag.AgGrid:
    """A sortable, filterable table (AG Grid) whose columns are ``columns``, in that order.

    Text wraps and rows grow to fit; numeric columns sort as numbers and align right. A
    callback fills it through ``rowData``; ``virtualRowData`` is what is shown after the
    user's sorting and filtering (downloads export exactly that).
    """
    numbers = set(numeric)
    column_defs = [
        {"field": name, "headerName": name,
         **({"type": "numericColumn", "filter": "agNumberColumnFilter"} if name in numbers
            else {"filter": "agTextColumnFilter" if filters else False})}
        for name in columns
    ]
    grid_options: dict[str, Any] = {"domLayout": "autoHeight", "enableCellTextSelection": True,
                                    "ensureDomOrder": True}
    if page_size:
        grid_options.update(pagination=True, paginationPageSize=page_size,
                            paginationPageSizeSelector=False)
    return dag.AgGrid(
        id=grid_id,
        columnDefs=column_defs,
        rowData=rows or [],
        defaultColDef={"sortable": True, "resizable": True, "wrapText": True, "autoHeight": True,
                       "flex": 1, "minWidth": 90, "floatingFilter": filters},
        columnSize="responsiveSizeToFit",
        dashGridOptions=grid_options,
        className="ag-theme-alpine",
        style={"width": "100%"},
    )


#: How fast the timeline plays: one year per tick.
TIMELINE_TICK_MS = 2000


def timeline(slider_id: str, play_id: str, interval_id: str, years: Sequence[int]) -> dbc.Row:
    """A slider over ``years`` with a play button, as Kumu's and Gephi's timelines have.

    :func:`register_timeline` wires it to a page's date picker: moving the slider (or playing)
    sets the picker to the end of that year (today for the current year).
    """
    span = list(years) or [today().year]
    marks = {int(y): {"label": str(y)} for y in span
             if len(span) <= 12 or (y - span[0]) % max(1, len(span) // 10) == 0}
    return dbc.Row([
        dbc.Col(dbc.Button("▶ Play", id=play_id, color="secondary", size="sm", outline=True,
                           n_clicks=0, title="Step through the years"), md="auto"),
        dbc.Col(dcc.Slider(id=slider_id, min=span[0], max=span[-1], step=1, value=span[-1],
                           marks=marks, included=False,
                           tooltip={"placement": "bottom", "always_visible": False})),
        dcc.Interval(id=interval_id, interval=TIMELINE_TICK_MS, disabled=True, n_intervals=0),
    ], className="g-2 mb-3 align-items-center")


def year_end(year: int | None) -> str | None:
    """The date a timeline year stands for: 31 December, or today in the current year."""
    if year is None:
        return None
    now = today()
    return (now if int(year) >= now.year else _dt.date(int(year), 12, 31)).isoformat()


def next_year(year: int | None, lowest: int, highest: int) -> tuple[int, bool]:
    """The timeline's next year while playing, and whether to stop (at the last year).

    >>> next_year(2020, 2016, 2024), next_year(2023, 2016, 2024), next_year(2024, 2016, 2024)
    ((2021, False), (2024, True), (2016, False))
    """
    if year is None or year >= highest:
        return lowest, False  # play again from the start
    step = int(year) + 1
    return step, step >= highest


def register_timeline(slider_id: str, play_id: str, interval_id: str, date_id: str,
                      date_prop: str = "date", drawn: tuple[str, str] | None = None) -> None:
    """The timeline's callbacks: play/pause, advance while playing, set the page's date.

    ``date_prop`` is the picker's property the year sets (``end_date`` for a range picker).
    ``drawn`` names a component property that shows the date the page last drew (e.g. the
    overview's summary line): while playing, the next year comes only once the current one is
    on screen, so a slow redraw is never skipped over.
    """

    @callback(Output(interval_id, "disabled"), Output(play_id, "children"),
              Input(play_id, "n_clicks"), State(interval_id, "disabled"),
              prevent_initial_call=True)
    def toggle(_clicks: int | None, disabled: bool | None) -> tuple[bool, str]:
        playing = bool(disabled)  # it was paused: play now
        return not playing, "❚❚ Pause" if playing else "▶ Play"

    shown = [State(*drawn)] if drawn else []

    @callback(Output(slider_id, "value"), Output(interval_id, "disabled", allow_duplicate=True),
              Output(play_id, "children", allow_duplicate=True),
              Input(interval_id, "n_intervals"), State(slider_id, "value"),
              State(slider_id, "min"), State(slider_id, "max"), *shown,
              prevent_initial_call=True)
    def advance(_ticks: int, year: int | None, lowest: int, highest: int, *on_screen: Any
                ) -> tuple[Any, Any, Any]:
        if on_screen and year is not None and str(year_end(year)) not in str(on_screen[0]):
            return no_update, no_update, no_update  # still drawing the current year
        step, last = next_year(year, lowest, highest)
        return step, last, "▶ Play" if last else "❚❚ Pause"

    @callback(Output(date_id, date_prop), Input(slider_id, "value"), prevent_initial_call=True)
    def to_date(year: int | None) -> str | None:
        return year_end(year)
