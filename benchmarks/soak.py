"""A bounded soak of the served dashboard on loopback: many clients, mixed requests, distinct
filters; errors, latency per request kind and the memory of the serving process.

``python -m benchmarks.soak DATASET [--clients 20] [--requests 2000] [--json PATH]`` serves the
dataset with the dashboard's own server (:mod:`dashboard.server`, waitress) on 127.0.0.1, warms
the default views, then runs ``clients`` threads making ``requests`` requests in all, a mix of
what browsers send: pages and component files, the overview, network, details, search and
representation callbacks with distinct filters over two windows, and paths that must be 404.
An error is a failed connection or an unexpected status or body. The process's RSS is sampled
every half second; ``plateau`` compares the peak of the last half of the run with the first.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import random
import re
import sys
import threading
import time
import urllib.error
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.burst import request
from dashboard import ids

KINDS = ("page", "component", "overview", "network", "details", "search", "representation",
         "not_found")
#: how often each kind is drawn (browsers ask for pages and files as often as for figures)
WEIGHTS = (0.14, 0.14, 0.10, 0.22, 0.10, 0.08, 0.14, 0.08)


@dataclass
class Outcome:
    kind: str
    seconds: float
    ok: bool
    detail: str = ""


#: A soak request waits as long as a cold 20,000-partner window can take to compute.
SOAK_TIMEOUT_S = 600.0


@dataclass
class Plan:
    """What the mix draws from: the app's callbacks and the dataset's categories."""

    deps: list[dict[str, Any]]
    files: list[str]
    sectors: list[str]
    regions: list[str]
    committees: list[str]
    partners: list[str]
    names: list[str]
    dates: list[str]
    seen: set[str] = field(default_factory=set)

    def dep(self, output: str) -> dict[str, Any]:
        return next(d for d in self.deps if output in d["output"])


def callback_body(dep: dict[str, Any], values: dict[tuple[str, str], Any]) -> bytes:
    """The JSON a browser posts for ``dep`` with these input and state values."""
    outputs = [{"id": p.split(".")[0], "property": p.split(".")[1]}
               for p in dep["output"].strip(".").split("...")]
    inputs = [{**i, "value": values.get((i["id"], i["property"]))} for i in dep["inputs"]]
    state = [{**s, "value": values.get((s["id"], s["property"]))} for s in dep["state"]]
    changed = [f"{i['id']}.{i['property']}" for i in inputs if i["value"] is not None][:1]
    return json.dumps({"output": dep["output"], "inputs": inputs, "state": state,
                       "outputs": outputs if len(outputs) > 1 else outputs[0],
                       "changedPropIds": changed}).encode()


def _subset(rng: random.Random, values: Sequence[str], most: int) -> list[str]:
    return sorted(rng.sample(list(values), rng.randint(0, min(most, len(values)))))


def _network_values(plan: Plan, rng: random.Random) -> dict[tuple[str, str], Any]:
    two_mode = rng.random() < 0.2
    return {
        (ids.NET_MODE, "value"): "two-mode" if two_mode else "coparticipation",
        (ids.NET_DATES, "end_date"): rng.choice(plan.dates),
        (ids.NET_SECTOR, "value"): _subset(rng, plan.sectors, 2),
        (ids.NET_REGION, "value"): _subset(rng, plan.regions, 2),
        (ids.NET_COMMITTEE, "value"): _subset(rng, plan.committees, 3) if two_mode else [],
        (ids.NET_COLOR, "value"): rng.choice(["sector", "region", "community"]),
        (ids.NET_SIZE, "value"): rng.choice(["degree", "strength", "betweenness"]),
        (ids.NET_GROUP, "value"): rng.choice(["community", "sector", "country"]),
        (ids.NET_SEARCH, "value"): rng.choice(plan.partners) if rng.random() < 0.3 else None,
    }


def _callback(kind: str, plan: Plan, rng: random.Random) -> tuple[str, bytes, str]:
    """(path, body, what the answer must hold) of one callback request of ``kind``."""
    if kind == "overview":
        values = {(ids.OV_DATE, "date"): rng.choice(plan.dates)}
        return "/_dash-update-component", callback_body(plan.dep(ids.OV_MAP), values), \
            ids.OV_MAP
    if kind == "network":
        values = _network_values(plan, rng)
        return "/_dash-update-component", callback_body(plan.dep(ids.NET_GRAPH), values), \
            ids.NET_GRAPH
    if kind == "details":
        values = {(ids.NET_GRAPH, "tapNodeData"): {"id": rng.choice(plan.partners)},
                  (ids.NET_DATES, "end_date"): plan.dates[0]}
        return "/_dash-update-component", callback_body(plan.dep(ids.NET_DETAILS), values), \
            ids.NET_DETAILS
    if kind == "search":
        name = rng.choice(plan.names)
        start = rng.randint(0, max(0, len(name) - 3))
        values = {(ids.NET_SEARCH, "search_value"): name[start:start + 3]}
        return "/_dash-update-component", callback_body(plan.dep(f"{ids.NET_SEARCH}.options"),
                                                        values), ids.NET_SEARCH
    values = {(ids.REP_DATE, "date"): rng.choice(plan.dates),
              (ids.REP_KIND, "value"): rng.choice([None, "committee", "event"]),
              (ids.REP_DIMENSION, "value"): rng.choice(["sector", "region", "global_south"]),
              (ids.REP_GAPS_ONLY, "value"): rng.choice([[], ["gaps"]])}
    return "/_dash-update-component", callback_body(plan.dep(ids.REP_TABLE), values), \
        ids.REP_TABLE


def one_request(base: str, plan: Plan, kind: str, rng: random.Random) -> Outcome:
    """Make one request of ``kind`` and check its answer."""
    start = time.perf_counter()
    try:
        if kind == "page":
            status, body = request(base + rng.choice(["/", "/network", "/representation",
                                                      "/planner"]), timeout=SOAK_TIMEOUT_S)
            ok, detail = status == 200 and b"<html" in body.lower(), f"status {status}"
        elif kind == "component":
            status, body = request(base + rng.choice(plan.files), timeout=SOAK_TIMEOUT_S)
            ok, detail = status == 200 and len(body) > 0, f"status {status}"
        elif kind == "not_found":
            status, body = request(base + rng.choice(
                ["/_dash-component-suites/..", "/.env", "/network/x", "/wp-login.php"]),
                timeout=SOAK_TIMEOUT_S)
            ok, detail = status == 404, f"status {status}"
        else:
            path, payload, must = _callback(kind, plan, rng)
            status, body = request(base + path, payload, timeout=SOAK_TIMEOUT_S)
            text = body.decode("utf-8", "replace")
            ok = status == 200 and must in text and "Something went wrong" not in text
            # a search on a small dataset changes nothing (every name is listed already)
            ok = ok or (kind == "search" and (status == 204 or '"response":{}' in text))
            detail = f"status {status}: {text[:200]}"
    except (OSError, urllib.error.URLError) as err:
        ok, detail = False, f"{type(err).__name__}: {err}"
    return Outcome(kind, time.perf_counter() - start, ok, "" if ok else detail)


def make_plan(base: str, ds: Any, dates: list[str]) -> Plan:
    status, deps = request(base + "/_dash-dependencies", timeout=SOAK_TIMEOUT_S)
    if status != 200:
        raise RuntimeError(f"GET /_dash-dependencies answered {status}")
    _, index = request(base + "/", timeout=SOAK_TIMEOUT_S)
    files = re.findall(r'(?:src|href)="(/_dash-component-suites/[^"]+|/assets/[^"]+)"',
                       index.decode())
    partners = ds.partners
    return Plan(
        deps=json.loads(deps), files=files,
        sectors=sorted(set(partners["sector"].astype(str))),
        regions=sorted(set(partners["region"].astype(str)) - {""}),
        committees=sorted(ds.committees["committee_id"].astype(str)),
        partners=sorted(partners["partner_id"].astype(str)),
        names=[str(n) for n in partners["name"] if len(str(n)) >= 3], dates=dates,
    )


class MemorySampler:
    """The RSS of this process every ``every`` seconds while running."""

    def __init__(self, every: float = 0.5):
        import psutil

        self._process = psutil.Process()
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="rss")
        self._every = every

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.monotonic(), int(self._process.memory_info().rss)))
            self._stop.wait(self._every)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self) -> dict[str, float]:
        rss = [r for _, r in self.samples] or [0]
        half = len(rss) // 2 or 1
        mb = 1024 * 1024
        return {"start_mb": round(rss[0] / mb, 1), "peak_mb": round(max(rss) / mb, 1),
                "end_mb": round(rss[-1] / mb, 1),
                "first_half_peak_mb": round(max(rss[:half]) / mb, 1),
                "second_half_peak_mb": round(max(rss[half:] or rss) / mb, 1)}


def percentile_ms(seconds: Sequence[float], q: float) -> float:
    return round(float(np.percentile(np.asarray(seconds) * 1000, q)), 1) if seconds else 0.0


def soak(base: str, plan: Plan, *, clients: int, requests: int, seed: int = 0,
         progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """``requests`` mixed requests from ``clients`` threads; per-kind counts and latencies."""
    rng = random.Random(seed)
    kinds = rng.choices(KINDS, weights=WEIGHTS, k=requests)
    seeds = [rng.randrange(2**32) for _ in range(requests)]
    done = [0]
    lock = threading.Lock()

    def run(i: int) -> Outcome:
        out = one_request(base, plan, kinds[i], random.Random(seeds[i]))
        with lock:
            done[0] += 1
            if progress and done[0] % 100 == 0:
                progress(done[0])
        return out

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        outcomes = list(pool.map(run, range(requests)))
    wall = time.perf_counter() - started
    per_kind: dict[str, Any] = {}
    for kind in KINDS:
        times = [o.seconds for o in outcomes if o.kind == kind]
        per_kind[kind] = {"requests": len(times),
                          "errors": sum(1 for o in outcomes if o.kind == kind and not o.ok),
                          "p50_ms": percentile_ms(times, 50), "p95_ms": percentile_ms(times, 95),
                          "max_ms": percentile_ms(times, 100)}
    errors = [o for o in outcomes if not o.ok]
    return {"clients": clients, "requests": requests, "errors": len(errors),
            "first_errors": [f"{o.kind}: {o.detail}" for o in errors[:5]],
            "wall_s": round(wall, 1), "per_kind": per_kind}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.soak", description=__doc__)
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--cache-mb", type=int, default=None)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--seed", type=int, default=0)
    opts = parser.parse_args(argv)

    import loaders
    from dashboard.app import create_app
    from dashboard.server import make_server
    from graph.memory import MemoryStore

    echo = print
    with MemorySampler() as memory:
        ds = loaders.read_dataset(opts.dataset)
        cache = None if opts.cache_mb is None else opts.cache_mb * 1024 * 1024
        app = create_app(MemoryStore(ds), cache_bytes=cache)
        server = make_server(app, host="127.0.0.1", port=0, threads=opts.threads)
        thread = threading.Thread(target=server.serve_forever, daemon=True, name="soak-server")
        thread.start()
        base = server.url.rstrip("/")
        today = _dt.date.today()
        dates = [today.isoformat(), (today - _dt.timedelta(days=365)).isoformat()]
        plan = make_plan(base, ds, dates)
        warm: dict[str, float] = {}
        try:
            for date in dates:  # the first view of a window computes it; time it apart
                for kind, output in (("overview", ids.OV_MAP), ("network", ids.NET_GRAPH)):
                    values = {(ids.OV_DATE, "date"): date, (ids.NET_DATES, "end_date"): date}
                    started = time.perf_counter()
                    status, body = request(base + "/_dash-update-component",
                                           callback_body(plan.dep(output), values),
                                           timeout=SOAK_TIMEOUT_S)
                    warm[f"{kind} {date}"] = round(time.perf_counter() - started, 1)
                    if status != 200:
                        raise RuntimeError(f"warm-up {kind} {date}: {status} {body[:300]!r}")
            echo(f"warm-up (s): {warm}")
            result = soak(base, plan, clients=opts.clients, requests=opts.requests,
                          seed=opts.seed, progress=lambda n: echo(f"  {n} requests done"))
        finally:
            server.shutdown()
            thread.join(timeout=30)
    result.update({"dataset": str(opts.dataset), "partners": len(ds.partners),
                   "threads": opts.threads, "cache_mb": app.server.config[
                       "STAKEHOLDER_GRAPH_STATE"].cache.max_bytes // (1024 * 1024),
                   "warm_up_s": warm, "memory": memory.summary()})
    echo(json.dumps(result, indent=2))
    if opts.json:
        opts.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
