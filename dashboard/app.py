"""The Dash app factory: ``create_app(store, ...)``.

It builds a Dash Pages app over a :class:`graph.store.GraphStore`; nothing is read or computed
at import or at construction. The app's state and cache live in :mod:`dashboard.state`, the
request checks in :mod:`dashboard.security`, serving in :mod:`dashboard.server`.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import dash
import dash_bootstrap_components as dbc
from dash import html

from core.errors import StakeholderGraphError
from dashboard import ids
from dashboard.security import AUTH_ENV, install_security
from dashboard.state import STATE_KEY, AnalysisCache, AppState, cache_bytes_from_env, state_of
from graph.store import GraphStore

log = logging.getLogger("stakeholder_graph.dashboard")

HERE = Path(__file__).resolve().parent
PAGES_FOLDER = HERE / "pages"
ASSETS_FOLDER = HERE / "assets"
DEFAULT_TITLE = "Stakeholder Graph"
#: the dcc.Location that Dash Pages puts in dash.page_container
PAGES_LOCATION = "_pages_location"

#: The navigation, in order. /planner is its own engineer's page; it keeps its place here.
NAV_ITEMS: tuple[tuple[str, str], ...] = (
    ("Overview", "/"),
    ("Network", "/network"),
    ("Representation", "/representation"),
    ("Planner", "/planner"),
)

def friendly_message(err: BaseException) -> str:
    """What the browser is told about a failure: our own errors say what is wrong, others not."""
    if isinstance(err, StakeholderGraphError):
        return f"Could not show this view: {err}"
    return (
        "Something went wrong while preparing this view. The details are in the server log; "
        "try again, or change the filters."
    )


def _on_callback_error(err: Exception) -> None:
    # The browser gets a sentence in the alert; the traceback stays in the server log.
    log.error("dashboard callback failed", exc_info=err)
    dash.set_props(ids.ERROR_ALERT, {"children": friendly_message(err), "is_open": True})
    return None


def _relative(app: dash.Dash, path: str) -> str:
    return str(app.get_relative_path(path))  # type: ignore[no-untyped-call]


def navbar(app: dash.Dash, title: str) -> dbc.Navbar:
    links = [
        dbc.NavItem(dbc.NavLink(label, href=_relative(app, path), active="exact"))
        for label, path in NAV_ITEMS
    ]
    return dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand(title, href=_relative(app, "/")),
                dbc.Nav(links, navbar=True, className="ms-auto"),
            ],
            fluid=True,
        ),
        id=ids.NAVBAR,
        color="dark",
        dark=True,
        className="mb-3",
    )


def _shell(app: dash.Dash, title: str) -> html.Div:
    """The navbar, the error alert and the page container around every page."""
    alert = dbc.Alert(id=ids.ERROR_ALERT, color="warning", is_open=False, dismissable=True,
                      className="mt-2")
    return html.Div([navbar(app, title),
                     dbc.Container([alert, dash.page_container], fluid=True, className="pb-5")])


def create_app(
    store: GraphStore,
    *,
    min_cell: int | None = None,
    title: str = DEFAULT_TITLE,
    auth: str | None = None,
    url_base_pathname: str = "/",
    cache_bytes: int | None = None,
) -> dash.Dash:
    """Build the dashboard over ``store``; nothing is read from it until a page is viewed.

    Parameters
    ----------
    store : GraphStore
        Where the graph lives (MemoryStore for ``dashboard SOURCE`` / ``demo``, Neo4jStore
        otherwise); read through ``store.tables()`` once per ``store.version()``.
    min_cell : int, optional
        Hide counts below this (and shares derived from them); default off.
    title : str, default "Stakeholder Graph"
        Browser title and navbar brand.
    auth : str, optional
        ``"user:password"`` for HTTP basic auth on every request; default the
        ``STAKEHOLDER_GRAPH_AUTH`` environment variable when set, else no auth.
    url_base_pathname : str, default "/"
        Mount point, for a dashboard behind a reverse proxy under a prefix.
    cache_bytes : int, optional
        Budget of the analysis cache in bytes; default ``STAKEHOLDER_GRAPH_CACHE_MB`` when
        set, else 1 GiB (see :mod:`dashboard.state`).

    Returns
    -------
    dash.Dash
        Debug off, Dash Pages from ``dashboard/pages``, secure headers on every response.
    """
    if min_cell is not None and (not isinstance(min_cell, int) or min_cell < 1):
        raise ValueError(f"min_cell must be a positive int or None, got {min_cell!r}")
    app = dash.Dash(
        "dashboard",  # page modules then register as dashboard.pages.<name>
        use_pages=True,
        pages_folder=str(PAGES_FOLDER),
        assets_folder=str(ASSETS_FOLDER),
        title=title,
        update_title=None,  # type: ignore[arg-type]  # None turns "Updating..." off
        # page layouts read the store; validating every page's layout on the first request
        # would compute all of them for any URL, so ids are checked by ids.py instead
        suppress_callback_exceptions=True,
        on_error=_on_callback_error,
        url_base_pathname=url_base_pathname,
        serve_locally=True,
    )
    cache = AnalysisCache(cache_bytes if cache_bytes is not None else cache_bytes_from_env())
    app.server.config[STATE_KEY] = AppState(store=store, min_cell=min_cell, cache=cache)
    app.server.config["SG_TITLE"] = title
    app.server.debug = False
    app.enable_dev_tools(debug=False, dev_tools_ui=False, dev_tools_props_check=False)
    install_security(app, auth=auth if auth is not None else os.environ.get(AUTH_ENV))
    app.layout = _shell(app, title)
    _claim_page_callbacks(app)

    @app.callback(
        dash.Output(ids.ERROR_ALERT, "is_open"),
        dash.Input(PAGES_LOCATION, "pathname"),
        prevent_initial_call=True,
    )
    def _clear_error_on_navigation(_pathname: str | None) -> bool:
        # an error belongs to the view that raised it, not to the next page
        return False

    return app


def _claim_page_callbacks(app: dash.Dash) -> None:
    # Dash Pages re-executes the page modules for every new app, and their @callback
    # registrations land in one process-global list that the *first app to serve a request*
    # takes. Claiming them now binds each app to the callbacks of its own pages, so several
    # apps in one process (tests, benchmarks) each keep working.
    with app.server.test_request_context("/"):
        app._setup_server()  # type: ignore[no-untyped-call]


def app_state(app: dash.Dash) -> AppState:
    """The :class:`~dashboard.state.AppState` of an app made by :func:`create_app`."""
    return state_of(app.server)
