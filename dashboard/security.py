"""Security of every request and response: allowed Host names, served paths, HTTP basic auth
with throttled failures, secure headers; and where a server may bind.

:func:`install_security` puts the checks on a Dash app's Flask server; :func:`check_bind` refuses
to serve beyond loopback without ``STAKEHOLDER_GRAPH_AUTH=user:password``.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
import math
import socket
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Iterable

import dash
import flask
from dash.fingerprint import check_fingerprint

from core.errors import StakeholderGraphError

AUTH_ENV = "STAKEHOLDER_GRAPH_AUTH"
#: Host names of this machine's loopback interface, answered by default
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
#: Dash's own endpoints (relative to the app's prefix); the rest is pages, assets, components
DASH_ENDPOINTS = frozenset({"", "_dash-layout", "_dash-dependencies", "_dash-update-component",
                            "_favicon.ico"})


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


class LoginThrottle:
    """Failed logins per client: after ``limit`` failures within ``window`` seconds the client
    is refused (HTTP 429) until the oldest of them is ``window`` seconds old.

    Only requests carrying wrong credentials count (a browser's first request has none). At
    most ``max_clients`` clients are tracked; the least recently failing is forgotten first.

    >>> t = LoginThrottle(limit=2, window=60.0)
    >>> t.failed("a", now=0.0); t.failed("a", now=1.0)
    >>> t.retry_after("a", now=2.0), t.retry_after("a", now=61.0), t.retry_after("b", now=2.0)
    (58, 0, 0)
    """

    def __init__(self, *, limit: int = 10, window: float = 60.0, max_clients: int = 10_000):
        if limit < 1 or window <= 0 or max_clients < 1:
            raise ValueError("limit, window and max_clients must be positive")
        self.limit, self.window, self.max_clients = limit, window, max_clients
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> deque[float]:
        times = self._failures.get(client, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def retry_after(self, client: str, now: float | None = None) -> int:
        """Seconds the client must wait before trying again (0: it may try now)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            times = self._recent(client, now)
            if not times:
                self._failures.pop(client, None)
            if len(times) < self.limit:
                return 0
            return max(1, math.ceil(times[0] + self.window - now))

    def failed(self, client: str, now: float | None = None) -> None:
        """Record a failed login of ``client``."""
        now = time.monotonic() if now is None else now
        with self._lock:
            times = self._recent(client, now)
            times.append(now)
            self._failures[client] = times
            self._failures.move_to_end(client)
            while len(self._failures) > self.max_clients:
                self._failures.popitem(last=False)


def host_name(header: str) -> str:
    """The name of a Host header, without the port, lower-case (``[::1]:8050`` -> ``::1``).

    >>> host_name("LocalHost:8050"), host_name("[::1]:80"), host_name("example.org")
    ('localhost', '::1', 'example.org')
    """
    value = header.strip().lower()
    if value.startswith("["):
        return value[1:].split("]", 1)[0]
    if value.count(":") == 1:
        return value.split(":", 1)[0]
    return value


def allowed_hosts(bind: str, extra: Iterable[str] = ()) -> frozenset[str]:
    """The Host names a server bound to ``bind`` answers: the loopback names for a loopback
    or wildcard bind (plus this machine's names for a wildcard), else the bound name; plus
    ``extra`` (``--allowed-host``)."""
    names = {host_name(h) for h in extra if h.strip()}
    bound = host_name(bind) if bind.strip() else "127.0.0.1"
    if is_loopback(bound) or bound in ("0.0.0.0", "::", ""):
        names |= set(LOOPBACK_NAMES)
    if bound in ("0.0.0.0", "::"):
        names |= {socket.gethostname().lower(), socket.getfqdn().lower()}
    else:
        names.add(bound)
    return frozenset(names)


def _served_path(app: dash.Dash, path: str) -> bool:
    """Whether ``path`` is one the dashboard serves: a page, Dash's endpoints, an asset, or a
    registered component file. Anything else (``/.env``, ``/_dash-component-suites/..``) is
    a 404, never the app's index page or a traceback."""
    prefix = str(app.config.routes_pathname_prefix or "/")
    if not path.startswith(prefix):
        return False
    rest = path[len(prefix):]
    pages = {str(p["path"]).strip("/") for p in dash.page_registry.values()}
    if rest.rstrip("/") in pages or rest in DASH_ENDPOINTS or rest.startswith("assets/"):
        return True
    package, _, file = rest.removeprefix("_dash-component-suites/").partition("/")
    if rest.startswith("_dash-component-suites/") and package in app.registered_paths:
        in_package: str = check_fingerprint(file)[0]  # type: ignore[no-untyped-call]
        return in_package in app.registered_paths[package]
    return False


def _refusal(text: str, status: int, headers: dict[str, str] | None = None) -> flask.Response:
    return flask.Response(text + "\n", status=status, headers=headers or {},
                          mimetype="text/plain")


def _check_request(app: dash.Dash, throttle: LoginThrottle) -> flask.Response | None:
    server: flask.Flask = app.server
    request = flask.request
    hosts = server.config.get("SG_ALLOWED_HOSTS")
    if hosts is not None and host_name(request.host or "") not in hosts:
        # DNS rebinding: a page elsewhere reaching this server through a name it was not given
        return _refusal("This host name is not served here.", 400)
    if not _served_path(app, request.path):
        return _refusal("Not found.", 404)
    expected = server.config.get("SG_AUTH")
    if expected is None:
        return None
    client = request.remote_addr or "unknown"
    wait = throttle.retry_after(client)
    if wait:
        return _refusal("Too many failed logins; try again later.", 429,
                        {"Retry-After": str(wait)})
    header = request.headers.get("Authorization", "")
    if credentials_ok(header, expected):
        return None
    if header:
        throttle.failed(client)
    return _refusal("Authentication required.", 401,
                    {"WWW-Authenticate": 'Basic realm="Stakeholder Graph", charset="UTF-8"'})


def install_security(app: dash.Dash, *, auth: str | None,
                     allowed: Iterable[str] | None = LOOPBACK_NAMES,
                     throttle: LoginThrottle | None = None) -> None:
    """Checks on every request and secure headers on every response.

    Requests: the Host must be one of ``allowed`` (None: any; the server narrows it to its
    bound name), the path one the dashboard serves (else 404), and with ``auth`` HTTP basic
    credentials, with failed logins throttled per client (:class:`LoginThrottle`).
    """
    server: flask.Flask = app.server
    server.config["SG_AUTH"] = parse_auth(auth) if auth else None
    server.config["SG_ALLOWED_HOSTS"] = None if allowed is None else frozenset(
        host_name(h) for h in allowed)
    throttle = throttle or LoginThrottle()
    csp_holder: dict[str, str] = {}

    @server.before_request
    def _checks() -> flask.Response | None:
        return _check_request(app, throttle)

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


def credentials_ok(header: str, expected: tuple[str, str]) -> bool:
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


