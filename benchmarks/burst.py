"""A bounded burst of concurrent requests against a served dashboard on loopback.

The app is served by the dashboard's own server (waitress with a thread pool, what
``dashboard.server.run`` uses) in a background thread. Each client alternates the two requests a browser makes when it opens
/network: the page itself (``GET /network``) and the network callback
(``POST /_dash-update-component`` with the page's default inputs), and checks every answer:
status 200, and for the callback a JSON body whose cytoscape elements number the expected count.
"""

from __future__ import annotations

import datetime as _dt
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from dashboard import ids
from dashboard.network_view import COPARTICIPATION

#: The network page's inputs as the browser sends them on first view (pages/network.py layout).
DEFAULT_INPUTS: dict[tuple[str, str], Any] = {
    (ids.NET_MODE, "value"): COPARTICIPATION,
    (ids.NET_DATES, "start_date"): None,
    (ids.NET_DATES, "end_date"): None,  # filled with today's date
    (ids.NET_PROGRAM, "value"): None,
    (ids.NET_SECTOR, "value"): [],
    (ids.NET_REGION, "value"): [],
    (ids.NET_COMMITTEE, "value"): [],
    (ids.NET_EVENT, "value"): [],
    (ids.NET_COLOR, "value"): "sector",
    (ids.NET_SIZE, "value"): "degree",
    (ids.NET_GROUP, "value"): "community",
    (ids.NET_FOCUS, "data"): None,
    (ids.NET_SEARCH, "value"): None,
}


class Served:
    """``with Served(app) as url:`` — the app on 127.0.0.1 (a free port) until the block ends,
    served by the dashboard's own server (:func:`dashboard.server.make_server`, waitress)."""

    def __init__(self, app: Any, threads: int = 8):
        from dashboard.server import make_server

        self._server = make_server(app, host="127.0.0.1", port=0, threads=threads)
        self.url = f"http://127.0.0.1:{self._server.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        name="benchmark-dashboard")

    def __enter__(self) -> str:
        self._thread.start()
        return self.url

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)


def request(url: str, body: bytes | None = None, timeout: float = 120.0) -> tuple[int, bytes]:
    """GET (or POST ``body`` as JSON) on loopback: the status and the body, errors included."""
    headers = {"Content-Type": "application/json"} if body is not None else {}
    req = urllib.request.Request(url, data=body, headers=headers,
                                 method="POST" if body is not None else "GET")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - loopback
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def network_callback_payload(dependencies: list[dict[str, Any]], *, today: _dt.date
                             ) -> dict[str, Any]:
    """The body the browser posts for the network-page callback with the default inputs."""
    target = f"{ids.NET_GRAPH}.elements"
    for dep in dependencies:
        if target in dep["output"]:
            break
    else:
        raise LookupError(f"no callback outputs {target}")
    values = dict(DEFAULT_INPUTS)
    values[(ids.NET_DATES, "end_date")] = today.isoformat()
    outputs = [{"id": part.split(".")[0], "property": part.split(".")[1]}
               for part in dep["output"].strip(".").split("...")]
    inputs = [{**i, "value": values.get((i["id"], i["property"]))} for i in dep["inputs"]]
    state = [{**s, "value": values.get((s["id"], s["property"]))} for s in dep.get("state", [])]
    return {"output": dep["output"], "outputs": outputs, "inputs": inputs, "state": state,
            "changedPropIds": []}


def elements_in(body: bytes) -> int:
    """How many cytoscape elements a network-callback response carries."""
    data = json.loads(body)
    return len(data["response"][ids.NET_GRAPH]["elements"])


def burst(url: str, *, clients: int, requests: int, expected_elements: int,
          today: _dt.date | None = None) -> dict[str, Any]:
    """``clients`` threads, each making ``requests`` requests; errors and latency percentiles.

    An error is a non-200 status, a failed connection, or a callback answer that does not carry
    ``expected_elements`` elements.
    """
    status, deps_body = request(f"{url}/_dash-dependencies")
    if status != 200:
        raise RuntimeError(f"GET /_dash-dependencies answered {status}")
    payload = json.dumps(network_callback_payload(json.loads(deps_body),
                                                  today=today or _dt.date.today())).encode()

    def page() -> bool:
        code, body = request(f"{url}/network")
        return code == 200 and b"<html" in body.lower()

    def callback() -> bool:
        code, body = request(f"{url}/_dash-update-component", payload)
        return code == 200 and elements_in(body) == expected_elements

    kinds: dict[str, Callable[[], bool]] = {"page": page, "callback": callback}
    latencies: dict[str, list[float]] = {"page": [], "callback": []}
    errors: list[str] = []
    lock = threading.Lock()

    def client(number: int) -> None:
        for i in range(requests):
            kind = "callback" if (i + number) % 2 else "page"
            t0 = time.perf_counter()
            try:
                ok = kinds[kind]()
                why = "" if ok else f"{kind}: wrong answer"
            except Exception as exc:  # noqa: BLE001 - every failure is counted, not raised
                ok, why = False, f"{kind}: {type(exc).__name__}: {exc}"
            took = time.perf_counter() - t0
            with lock:
                latencies[kind].append(took)
                if not ok:
                    errors.append(why)

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(client, range(clients)))
    wall = time.perf_counter() - began
    every = latencies["page"] + latencies["callback"]
    out: dict[str, Any] = {
        "clients": clients, "requests_per_client": requests, "requests": len(every),
        "errors": len(errors), "error_examples": sorted(set(errors))[:5],
        "wall_s": round(wall, 3), "throughput_rps": round(len(every) / wall, 2) if wall else None,
    }
    out.update(percentiles_ms(every))
    for kind, values in latencies.items():
        out[kind] = {"requests": len(values), **percentiles_ms(values)}
    return out


def percentiles_ms(seconds: list[float]) -> dict[str, float | None]:
    """p50/p95/p99 (and max) in milliseconds.

    >>> percentiles_ms([0.001] * 99 + [0.1])["p50_ms"]
    1.0
    """
    if not seconds:
        return {"p50_ms": None, "p95_ms": None, "p99_ms": None, "max_ms": None}
    arr = np.asarray(seconds) * 1000.0
    p50, p95, p99 = np.percentile(arr, [50, 95, 99])
    return {"p50_ms": round(float(p50), 2), "p95_ms": round(float(p95), 2),
            "p99_ms": round(float(p99), 2), "max_ms": round(float(arr.max()), 2)}
