"""Serving the dashboard: ``run(app)`` until interrupted, on loopback unless auth is set.

``STAKEHOLDER_GRAPH_AUTH=user:password`` is required beyond loopback; when set, every request
needs it (HTTP basic auth, see :mod:`dashboard.security`).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable
from typing import Any

import dash

from core.errors import StakeholderGraphError
from dashboard.app import app_state
from dashboard.security import AUTH_ENV, check_bind, parse_auth
from dashboard.security import allowed_hosts as allowed

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


#: Worker threads answering requests. Analysis releases the GIL in numpy, scipy and igraph;
#: more threads than this mostly queue on the two cores these machines have.
DEFAULT_THREADS = 8


class Server:
    """A waitress server (a production WSGI server with a thread pool) for one dashboard.

    ``serve_forever()`` runs its loop in the calling thread; ``shutdown()`` (from any thread)
    ends it and closes every socket; ``url`` is what a browser opens.
    """

    def __init__(self, app: dash.Dash, *, host: str, port: int, threads: int):
        import waitress

        self._map: dict[int, Any] = {}
        self._stop = threading.Event()
        self._done = threading.Event()
        self._server = waitress.create_server(
            app.server, map=self._map, host=host, port=port, threads=threads,
            ident="stakeholder-graph", expose_tracebacks=False,
            # dashboard requests are small JSON bodies; a bigger one is refused early
            max_request_body_size=16 * 1024 * 1024, channel_timeout=120,
        )
        listen = getattr(self._server, "effective_port", None)
        self.port = int(listen if listen is not None else self._server.effective_listen[0][1])
        shown = f"[{host}]" if ":" in host else host
        self.url = f"http://{shown}:{self.port}{app.config.requests_pathname_prefix}"

    @property
    def server_port(self) -> int:
        return self.port

    def serve_forever(self) -> None:
        from waitress import wasyncore

        try:
            while not self._stop.is_set() and self._map:
                wasyncore.loop(timeout=0.2, map=self._map, use_poll=True, count=1)
        finally:
            self._server.task_dispatcher.shutdown()
            wasyncore.close_all(self._map)
            self._done.set()

    def shutdown(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._done.wait(timeout)

    def server_close(self) -> None:
        """Close the sockets of a server whose loop never ran (or already ended)."""
        if not self._done.is_set():
            from waitress import wasyncore

            self._server.task_dispatcher.shutdown()
            wasyncore.close_all(self._map)


def make_server(app: dash.Dash, *, host: str = "127.0.0.1", port: int = 8050,
                threads: int = DEFAULT_THREADS, allowed_hosts: Iterable[str] = ()) -> Server:
    """A waitress :class:`Server` for ``app`` after the binding and auth checks.

    Reads ``STAKEHOLDER_GRAPH_AUTH``: required beyond loopback; when set, every request needs it.
    Requests must name an allowed Host (:func:`dashboard.security.allowed_hosts` of ``host``
    plus ``allowed_hosts``).
    """
    if threads < 1:
        raise StakeholderGraphError(f"threads must be at least 1, got {threads}")
    auth = os.environ.get(AUTH_ENV) or None
    check_bind(host, auth=auth)
    if auth and app.server.config.get("SG_AUTH") is None:
        app.server.config["SG_AUTH"] = parse_auth(auth)
    app.server.config["SG_ALLOWED_HOSTS"] = allowed(host, allowed_hosts)
    try:
        return Server(app, host=host, port=port, threads=threads)
    except OSError as err:
        raise StakeholderGraphError(f"cannot serve on {host}:{port}: {err.strerror or err}") from err


def run(
    app: dash.Dash,
    *,
    host: str = "127.0.0.1",
    port: int = 8050,
    threads: int = DEFAULT_THREADS,
    allowed_hosts: Iterable[str] = (),
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
    server = make_server(app, host=host, port=port, threads=threads,
                         allowed_hosts=allowed_hosts)
    echo(f"Stakeholder Graph dashboard on {server.url}")
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
