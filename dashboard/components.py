"""Shared look of the dashboard: the colour-blind-safe palette, cards, empty figures, dates."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Sequence
from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

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

#: the look of every DataTable (text wraps; the page's font, not the table's monospace)
TABLE_LOOK: dict[str, Any] = {
    "style_table": {"overflowX": "auto"},
    "style_cell": {"textAlign": "left", "whiteSpace": "normal", "height": "auto",
                   "fontFamily": "var(--bs-body-font-family)", "fontSize": "0.87rem", "maxWidth": "30rem"},
    "style_header": {"fontWeight": "600"},
}
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
