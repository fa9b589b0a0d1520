"""How good the large-graph approximations of the network analysis are (issue 18, point 4).

Above ``SCALE_THRESHOLD`` edges the report finds communities on a top-k backbone (refined on the
full graph) and estimates betweenness from 64 seeded sources on that backbone. Two results say
how far that is from what the expensive computation gives, on the same 20,000-partner graph:

- ``backbone_modularity_vs_full``: modularity of the report's partition (Louvain on the
  backbone, refined on the full graph), evaluated on the full graph, divided by the modularity
  igraph's Louvain (``community_multilevel``) reaches when run on the full graph itself; the
  full run adds Leiden (``community_leiden``, modularity objective) on the full graph, whose
  ratio is recorded too;
- ``sampled_betweenness_top100_overlap``: the share of the 100 partners with the highest
  betweenness (the report's estimate) that are also in the top 100 of a reference estimate from
  10x the sampled sources (640) on the same graph and with the same seed rule.

The value of each is in ``speedup`` (``speedup_is`` says what it is); ``ours_s`` and
``baseline_s`` are the times of the report's path and of the reference.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from benchmarks.results import Result

Echo = Callable[[str], None]
TOP = 100
#: The report's sampled sources (analysis.network.centrality's default) and the reference's.
SAMPLES = 64
REFERENCE_FACTOR = 10


def top_overlap(ours: np.ndarray, reference: np.ndarray, top: int = TOP) -> float:
    """Share of the ``top`` highest entries of ``ours`` that are among the ``top`` highest of
    ``reference`` (ties broken by index, so the sets always have ``top`` members).

    >>> top_overlap(np.array([5.0, 4, 3, 2]), np.array([5.0, 1, 3, 4]), top=2)
    0.5
    """
    if len(ours) != len(reference):
        raise ValueError("ours and reference must score the same nodes")
    top = min(top, len(ours))
    if top == 0:
        return 1.0
    first = set(np.argsort(-ours, kind="stable")[:top].tolist())
    second = set(np.argsort(-reference, kind="stable")[:top].tolist())
    return len(first & second) / top


def _timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def backbone_modularity(cp: Any, *, seed: int, echo: Echo,
                        algorithms: tuple[str, ...] = ("louvain", "leiden")) -> Result:
    """The report's communities (backbone path) against igraph on the full graph."""
    from analysis.network import communities

    ours, ours_s = _timed(lambda: communities(cp, seed=seed))
    echo(f"backbone communities: Q={ours.modularity:.4f} in {ours_s:.1f} s "
         f"({ours.method.get('graph', 'full graph')})")
    full: dict[str, dict[str, Any]] = {}
    for algorithm in algorithms:
        start = time.perf_counter()
        ref = communities(cp, seed=seed, algorithm=algorithm, scale_threshold=None)
        seconds = time.perf_counter() - start
        full[algorithm] = {"modularity": ref.modularity, "seconds": round(seconds, 3),
                           "communities": len(ref.sizes)}
        echo(f"full-graph {algorithm}: Q={ref.modularity:.4f} in {seconds:.1f} s")
    # Like with like: the report runs Louvain, so the ratio is against Louvain on the full
    # graph; every other algorithm's ratio is recorded beside it (and named in the note when
    # it finds a better partition).
    same = algorithms[0]
    ratios = {a: float(ours.modularity) / float(full[a]["modularity"]) for a in full}
    better = {a: r for a, r in ratios.items() if r < ratios[same]}
    note = None
    if better:
        note = "; ".join(f"against {a} on the full graph (Q={full[a]['modularity']:.4f}) the "
                         f"ratio is {r:.4f}" for a, r in better.items())
    return Result(
        "backbone_modularity_vs_full", ours_s,
        f"igraph {same} on the full graph", full[same]["seconds"],
        ("speedup", ">=", 0.98), value=ratios[same],
        value_is=f"modularity of the report's partition on the full graph / modularity of "
                 f"igraph {same} run on the full graph",
        extra={"ours_modularity": ours.modularity, "full": full,
               "ratios": {a: round(r, 4) for a, r in ratios.items()}, "nodes": cp.n_nodes,
               "edges": cp.n_edges, "ours_method": dict(ours.method), "seed": seed},
        note=note)


def betweenness_overlap(cp: Any, *, seed: int, echo: Echo) -> Result:
    """Top-100 overlap of the report's sampled betweenness with a 10x-sources estimate."""
    from analysis.network import centralities

    more = SAMPLES * REFERENCE_FACTOR
    ours, ours_s = _timed(lambda: centralities(cp, samples=SAMPLES, seed=seed))
    ref, ref_s = _timed(lambda: centralities(cp, samples=more, seed=seed))
    overlap = top_overlap(ours["betweenness"].to_numpy(), ref["betweenness"].to_numpy())
    echo(f"betweenness top-{TOP} overlap {overlap:.2f} ({SAMPLES} vs {more} sources; "
         f"{ours_s:.1f} s vs {ref_s:.1f} s)")
    method = ours.attrs.get("method", {})
    return Result(
        "sampled_betweenness_top100_overlap", ours_s,
        f"betweenness from {more} sampled sources on the same graph (same seed rule)",
        ref_s, ("speedup", ">=", 0.8), value=overlap,
        value_is=f"share of the report's top {TOP} betweenness partners in the reference's "
                 f"top {TOP}",
        extra={"samples": SAMPLES, "reference_samples": more, "top": TOP,
               "graph": method.get("graph", "full"), "nodes": cp.n_nodes, "edges": cp.n_edges,
               "measures": "the sampling error of the report's estimate on the graph it uses "
                           "(the backbone above SCALE_THRESHOLD edges); full-graph betweenness "
                           "from 640 sources would take about 20 minutes on this machine"})


def approximations(ds: Any, *, as_of: Any, seed: int, echo: Echo,
                   algorithms: tuple[str, ...] = ("louvain", "leiden")) -> list[Result]:
    """Both quality results on the report's window (every event up to ``as_of``)."""
    from analysis.network import coparticipation

    cp, seconds = _timed(lambda: coparticipation(ds, as_of=as_of))
    echo(f"projection: {cp.n_nodes} nodes, {cp.n_edges} edges in {seconds:.1f} s")
    return [betweenness_overlap(cp, seed=seed, echo=echo),
            backbone_modularity(cp, seed=seed, echo=echo, algorithms=algorithms)]
