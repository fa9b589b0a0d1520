"""Serving the dashboard: ``run(app)`` until interrupted, on loopback unless auth is set.

``STAKEHOLDER_GRAPH_AUTH=user:password`` is required beyond loopback; when set, every request
needs it (HTTP basic auth, see :mod:`dashboard.security`).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import Any

import dash

from core.errors import StakeholderGraphError
from dashboard.app import app_state
from dashboard.security import AUTH_ENV, check_bind, parse_auth

log = logging.getLogger("stakeholder_graph.dashboard")


def warm_up(app: dash.Dash) -> None:
    """Compute the default views (today, no filters) into the app's cache.

    On a 20,000-partner graph the first overview and network views take about a minute
    (projection, Louvain, sampled betweenness); :func:`run` starts this in a background thread
    so a leader opening the dashboard a little later finds them ready.
    """
    import datetime as _dt

    from dashboard.network_view import network_view
    from dashboard.overview_view import overview

    state = app_state(app)
    today = _dt.date.today()
    try:
        with app.server.test_request_context("/"):
            overview(today, None, state=state)
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
