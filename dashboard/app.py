"""The Dash app factory, the state it holds, and the server entry point.

``create_app(store)`` builds a Dash Pages app over a :class:`graph.store.GraphStore`; nothing is
read or computed at import or at construction. ``run(app)`` serves it, on loopback unless
``STAKEHOLDER_GRAPH_AUTH=user:password`` is set (then every request needs HTTP basic auth).

Page modules find the store and the analysis cache of *their* app through :func:`app_state`
(the Flask app of the current request), so several apps can live in one process (tests do).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import dash
import dash_bootstrap_components as dbc
import flask
from dash import html

from core.errors import StakeholderGraphError
from core.model import Dataset
from dashboard import ids
from graph.store import GraphStore

log = logging.getLogger("stakeholder_graph.dashboard")

HERE = Path(__file__).resolve().parent
PAGES_FOLDER = HERE / "pages"
ASSETS_FOLDER = HERE / "assets"
AUTH_ENV = "STAKEHOLDER_GRAPH_AUTH"
STATE_KEY = "STAKEHOLDER_GRAPH_STATE"
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

T = TypeVar("T")


class AnalysisCache:
    """A small thread-safe LRU cache of analysis results, keyed by dataset version and arguments.

    Every key starts with the store's ``version()``, so a reload (a new version) can never be
    served stale results, and a repeated view with the same filters does not recompute.

    Parameters
    ----------
    maxsize : int, default 128
        Entries kept; the least recently used goes first. Network layouts of a big graph are
        the largest entries, a few MB each, so 128 stays well under a laptop's memory.
    """

    def __init__(self, maxsize: int = 128):
        if maxsize < 1:
            raise ValueError(f"maxsize must be >= 1, got {maxsize!r}")
        self.maxsize = maxsize
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.RLock()
        # one lock per key so two requests for the same slow result compute it once
        self._key_locks: dict[Hashable, threading.Lock] = {}
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The cached value for ``key``, computing (and storing) it on a miss."""
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                self.hits += 1
                return self._data[key]  # type: ignore[no-any-return]
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                if key in self._data:
                    self.hits += 1
                    return self._data[key]  # type: ignore[no-any-return]
            value = compute()
            with self._lock:
                self.misses += 1
                self._data[key] = value
                self._data.move_to_end(key)
                while len(self._data) > self.maxsize:
                    self._data.popitem(last=False)
                self._key_locks.pop(key, None)
            return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)


@dataclass
class AppState:
    """What one dashboard app holds: its store, the suppression threshold and the cache."""

    store: GraphStore
    min_cell: int | None = None
    cache: AnalysisCache = field(default_factory=AnalysisCache)

    def version(self) -> str:
        return self.store.version()

    def dataset(self) -> Dataset:
        """The store's Dataset, read once per version (for Neo4j: read transactions)."""
        version = self.store.version()
        return self.cache.get((version, "dataset"), self.store.dataset)

    def cached(self, name: str, args: tuple[Any, ...], compute: Callable[[Dataset], T]) -> T:
        """``compute(dataset)`` cached on (version, name, args)."""
        version = self.store.version()
        return self.cache.get((version, name, args), lambda: compute(self.dataset()))


def app_state(app: dash.Dash | flask.Flask | None = None) -> AppState:
    """The :class:`AppState` of ``app``, or of the app serving the current request."""
    if app is None:
        server = flask.current_app
    elif isinstance(app, dash.Dash):
        server = app.server
    else:
        server = app
    state = server.config.get(STATE_KEY)
    if not isinstance(state, AppState):
        raise StakeholderGraphError("this Flask app was not made by dashboard.app.create_app")
    return state


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


def navbar(app: dash.Dash, title: str) -> dbc.Navbar:
    links = [
        dbc.NavItem(dbc.NavLink(label, href=app.get_relative_path(path), active="exact"))
        for label, path in NAV_ITEMS
    ]
    return dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand(title, href=app.get_relative_path("/")),
                dbc.Nav(links, navbar=True, className="ms-auto"),
            ],
            fluid=True,
        ),
        id=ids.NAVBAR,
        color="dark",
        dark=True,
        className="mb-3",
    )


def create_app(
    store: GraphStore,
    *,
    min_cell: int | None = None,
    title: str = DEFAULT_TITLE,
    auth: str | None = None,
    url_base_pathname: str = "/",
) -> dash.Dash:
    """Build the dashboard over ``store``; nothing is read from it until a page is viewed.

    Parameters
    ----------
    store : GraphStore
        Where the graph lives (MemoryStore for ``dashboard SOURCE`` / ``demo``, Neo4jStore
        otherwise); read with ``store.dataset()`` once per ``store.version()``.
    min_cell : int, optional
        Hide counts below this (and shares derived from them); default off.
    title : str, default "Stakeholder Graph"
        Browser title and navbar brand.
    auth : str, optional
        ``"user:password"`` for HTTP basic auth on every request; default the
        ``STAKEHOLDER_GRAPH_AUTH`` environment variable when set, else no auth.
    url_base_pathname : str, default "/"
        Mount point, for a dashboard behind a reverse proxy under a prefix.

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
    app.server.config[STATE_KEY] = AppState(store=store, min_cell=min_cell)
    app.server.config["SG_TITLE"] = title
    app.server.debug = False
    app.enable_dev_tools(debug=False, dev_tools_ui=False, dev_tools_props_check=False)
    install_security(app, auth=auth if auth is not None else os.environ.get(AUTH_ENV))
    app.layout = html.Div(
        [
            navbar(app, title),
            dbc.Container(
                [
                    dbc.Alert(
                        id=ids.ERROR_ALERT,
                        color="warning",
                        is_open=False,
                        dismissable=True,
                        className="mt-2",
                    ),
                    dash.page_container,
                ],
                fluid=True,
                className="pb-5",
            ),
        ]
    )
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
        app._setup_server()


# --- security ---------------------------------------------------------------------------------


def parse_auth(value: str) -> tuple[str, str]:
    """Split ``"user:password"``; both parts must be non-empty."""
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise StakeholderGraphError(
            f"{AUTH_ENV} must look like user:password (both non-empty)"
        )
    return user, password


def _content_security_policy(app: dash.Dash) -> str:
    # Dash renders its config and renderer bootstrap as inline scripts: allow exactly those by
    # hash. plotly.js and the dash renderer build some functions at run time ('unsafe-eval');
    # React and cytoscape set inline styles ('unsafe-inline' for styles only).
    script_src = ["'self'", "'unsafe-eval'", *app.csp_hashes()]
    return "; ".join(
        [
            "default-src 'self'",
            "script-src " + " ".join(script_src),
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def install_security(app: dash.Dash, *, auth: str | None) -> None:
    """Secure headers on every response; HTTP basic auth on every request when ``auth`` is set."""
    server = app.server
    server.config["SG_AUTH"] = parse_auth(auth) if auth else None
    csp_holder: dict[str, str] = {}

    @server.before_request
    def _require_auth() -> flask.Response | None:
        expected = server.config.get("SG_AUTH")
        if expected is None:
            return None
        if _credentials_ok(flask.request.headers.get("Authorization", ""), expected):
            return None
        return flask.Response(
            "Authentication required.\n",
            status=401,
            headers={"WWW-Authenticate": 'Basic realm="Stakeholder Graph", charset="UTF-8"'},
            mimetype="text/plain",
        )

    @server.after_request
    def _secure_headers(response: flask.Response) -> flask.Response:
        if "csp" not in csp_holder:
            csp_holder["csp"] = _content_security_policy(app)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("Content-Security-Policy", csp_holder["csp"])
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "geolocation=(), camera=(), microphone=()")
        if server.config.get("SG_AUTH") is not None:
            # authenticated pages must not be kept by shared caches
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def _credentials_ok(header: str, expected: tuple[str, str]) -> bool:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return False
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return False
    user, sep, password = decoded.partition(":")
    if not sep:
        return False
    # compare both parts in constant time, and always both, so timing says nothing
    ok_user = hmac.compare_digest(user.encode(), expected[0].encode())
    ok_password = hmac.compare_digest(password.encode(), expected[1].encode())
    return ok_user and ok_password


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and ``localhost``."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, *, auth: str | None) -> None:
    """Refuse a non-loopback ``host`` unless ``auth`` (``user:password``) is given."""
    if is_loopback(host):
        return
    if not auth:
        raise StakeholderGraphError(
            f"refusing to serve on {host}: binding beyond this machine needs "
            f"{AUTH_ENV}=user:password (HTTP basic auth); or use --host 127.0.0.1"
        )
    parse_auth(auth)


def warm_up(app: dash.Dash) -> None:
    """Compute the default views (today, no filters) into the app's cache.

    On a 20,000-partner graph the first overview and network views take about a minute
    (projection, Louvain, sampled betweenness); :func:`run` starts this in a background thread
    so a leader opening the dashboard a little later finds them ready.
    """
    import datetime as _dt

    from dashboard.network_view import network_view
    from dashboard.overview_view import cached_overview

    state = app_state(app)
    today = _dt.date.today()
    try:
        with app.server.test_request_context("/"):
            cached_overview(state, today, None)
            network_view(state, as_of=today)
    except Exception:  # noqa: BLE001 - a failed warm-up only means a slower first view
        log.warning("warming the dashboard cache failed", exc_info=True)


def make_server(app: dash.Dash, *, host: str = "127.0.0.1", port: int = 8050) -> Any:
    """A threaded werkzeug server for ``app``, after the binding and auth checks of :func:`run`.

    Reads ``STAKEHOLDER_GRAPH_AUTH``: required beyond loopback; when set, every request needs it.
    """
    from werkzeug.serving import make_server as _make_server

    auth = os.environ.get(AUTH_ENV) or None
    check_bind(host, auth=auth)
    if auth and app.server.config.get("SG_AUTH") is None:
        app.server.config["SG_AUTH"] = parse_auth(auth)
    try:
        return _make_server(host, port, app.server, threaded=True)
    except OSError as err:
        raise StakeholderGraphError(f"cannot serve on {host}:{port}: {err.strerror or err}") from err


def run(
    app: dash.Dash,
    *,
    host: str = "127.0.0.1",
    port: int = 8050,
    echo: Callable[[str], None] = print,
    warm: bool = True,
) -> None:
    """Serve ``app`` until interrupted; loopback unless ``STAKEHOLDER_GRAPH_AUTH`` is set.

    Raises
    ------
    StakeholderGraphError
        For a non-loopback host without ``STAKEHOLDER_GRAPH_AUTH``, a malformed value, or a
        port that cannot be bound.
    """
    server = make_server(app, host=host, port=port)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{server.server_port}{app.config.requests_pathname_prefix}"
    echo(f"Stakeholder Graph dashboard on {url}")
    if app.server.config.get("SG_AUTH") is not None:
        echo("HTTP basic auth is on (STAKEHOLDER_GRAPH_AUTH); press Ctrl+C to stop.")
    else:
        echo("Serving on this machine only; press Ctrl+C to stop.")
    if warm:
        threading.Thread(target=warm_up, args=(app,), name="warm-up", daemon=True).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
