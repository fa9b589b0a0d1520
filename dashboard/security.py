"""Security of every response and request: HTTP basic auth, secure headers, where to bind.

:func:`install_security` puts the checks on a Dash app's Flask server; :func:`check_bind` refuses
to serve beyond loopback without ``STAKEHOLDER_GRAPH_AUTH=user:password``.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress

import dash
import flask

from core.errors import StakeholderGraphError

AUTH_ENV = "STAKEHOLDER_GRAPH_AUTH"


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
    server: flask.Flask = app.server
    server.config["SG_AUTH"] = parse_auth(auth) if auth else None
    csp_holder: dict[str, str] = {}

    @server.before_request
    def _require_auth() -> flask.Response | None:
        expected = server.config.get("SG_AUTH")
        if expected is None:
            return None
        if credentials_ok(flask.request.headers.get("Authorization", ""), expected):
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


