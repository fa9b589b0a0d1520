"""A small soak (benchmarks/soak.py) in the suite: concurrent clients, every kind of request,
distinct filters, against the dashboard's own server on loopback; no errors."""

from __future__ import annotations

import threading

from benchmarks import soak as S
from dashboard.app import create_app
from dashboard.server import make_server
from graph.memory import MemoryStore
from tests.dashboard.data import AS_OF, small_dataset


def test_a_small_soak_has_no_errors() -> None:
    ds = small_dataset()
    server = make_server(create_app(MemoryStore(ds)), host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = server.url.rstrip("/")
        plan = S.make_plan(base, ds, [AS_OF, "2023-12-31"])
        assert plan.files and plan.sectors
        result = S.soak(base, plan, clients=6, requests=150, seed=1)
    finally:
        server.shutdown()
        thread.join(timeout=10)
    assert result["errors"] == 0, result["first_errors"]
    assert all(result["per_kind"][kind]["requests"] > 0 for kind in S.KINDS)


def test_the_soak_counts_a_wrong_answer_as_an_error() -> None:
    ds = small_dataset()
    server = make_server(create_app(MemoryStore(ds)), host="127.0.0.1", port=0, threads=2)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = server.url.rstrip("/")
        plan = S.make_plan(base, ds, [AS_OF])
        plan.files = ["/assets/not-there.css"]  # a 404 where a file is expected
        result = S.soak(base, plan, clients=2, requests=40, seed=2)
    finally:
        server.shutdown()
        thread.join(timeout=10)
    assert result["per_kind"]["component"]["errors"] == result["per_kind"]["component"]["requests"] > 0
