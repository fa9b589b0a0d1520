"""Run every comparison side by side, in one process tree, on the same generated data.

Order: generate and read the data; the in-process comparisons (projection, dashboard, burst);
then a Neo4j server of our own (started with graph.server in a temporary home on a free
loopback port, stopped in ``finally``) for the load and aggregation comparisons; last the report
growth and memory probes, each in a fresh subprocess. A comparison that fails is recorded with
``met: false`` and the reason; the others still run.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from benchmarks import results as R
from benchmarks.approximations import approximations
from benchmarks.results import Result, failed

REPO = Path(__file__).resolve().parent.parent
Echo = Callable[[str], None]


@dataclass
class Options:
    """What to run; ``quick()`` and ``full()`` give the two presets."""

    quick: bool = False
    partners: int = 20000
    seed: int = 0
    as_of: _dt.date = _dt.date(2025, 12, 31)
    sizes: tuple[int, ...] = (2500, 5000, 10000, 20000)
    #: generated size and event window whose co-participation graph has ~100k edges
    projection_partners: int = 1500
    projection_since: _dt.date = _dt.date(2023, 12, 31)
    #: sampled betweenness sources on both sides (None: exact, every source)
    betweenness_samples: int | None = None
    row_sample: int = 5000
    load_repeats: int = 2
    aggregate_repeats: int = 3
    cached_repeats: int = 20
    burst_clients: int = 20
    burst_requests: int = 50
    #: full-graph community algorithms the backbone is compared with
    algorithms: tuple[str, ...] = ("louvain", "leiden")
    neo4j_heap: str = "2g"
    neo4j_pagecache: str = "1g"
    password: str = field(default="benchmark-only-pw", repr=False)
    keep: bool = False

    @classmethod
    def preset(cls, quick: bool, **overrides: Any) -> Options:
        # Quick: sampled betweenness on both sides of the projection, a 2,000-row naive
        # sample, one run per comparison; still the 20,000-partner load and all four sizes.
        # Full-graph Leiden at 20,000 partners took 8.6 min here under load: full run only.
        base = cls(quick=True, betweenness_samples=100, algorithms=("louvain",),
                   row_sample=2000, load_repeats=1, aggregate_repeats=1,
                   cached_repeats=10) if quick else cls()
        for key, value in overrides.items():
            if value is not None:
                setattr(base, key, value)
        return base

    def to_dict(self) -> dict[str, Any]:
        out = {k: (v.isoformat() if isinstance(v, _dt.date) else v)
               for k, v in self.__dict__.items() if k != "password"}
        out["sizes"] = list(self.sizes)
        return out


class Timer:
    def __enter__(self) -> Timer:
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.t0


def _guard(name: str, baseline: str | None, goal: tuple[str, str, float], echo: Echo,
           fn: Callable[[], list[Result]]) -> list[Result]:
    """Run one comparison; an exception becomes a met=false result naming it."""
    echo(f"== {name}")
    try:
        return fn()
    except Exception as exc:  # noqa: BLE001 - a failed comparison is reported, not fatal
        echo(traceback.format_exc())
        return [failed(name, baseline, goal, f"could not run: {type(exc).__name__}: {exc}")]


# --------------------------------------------------------------------------- projection

def projection(opts: Options, work: Path, echo: Echo) -> list[Result]:
    import loaders
    from analysis import network
    from benchmarks import networkx_baseline
    from loaders.generate import generate

    folder = work / f"data-{opts.projection_partners}"
    generate(folder, partners=opts.projection_partners, seed=opts.seed)
    ds = loaders.read_dataset(folder)
    k = opts.betweenness_samples
    window = {"as_of": opts.as_of, "since": opts.projection_since}

    with Timer() as ours_t:
        cp = network.coparticipation(ds, **window)
        ours = network.centralities(cp, exact_threshold=0 if k else cp.n_nodes,
                                    samples=k or 2, seed=opts.seed)
    echo(f"ours: {cp.n_nodes} nodes, {cp.n_edges} edges in {ours_t.seconds:.2f} s")
    with Timer() as base_t:
        base = networkx_baseline.projection_networkx_baseline(ds, **window, k=k, seed=opts.seed)
    echo(f"networkx: {base_t.seconds:.2f} s")
    equal = networkx_baseline.equal_results(ours, base)
    return [Result(
        "projection_vs_networkx", ours_t.seconds,
        "networkx bipartite.weighted_projected_graph + degree/strength/betweenness_centrality",
        base_t.seconds, ("speedup", ">=", 10.0), ok=equal,
        extra={"equal_results": equal, "partners": opts.projection_partners,
               "nodes": cp.n_nodes, "edges": cp.n_edges,
               "window": {k_: v.isoformat() for k_, v in window.items()},
               "betweenness": f"sampled, k={k}, seed={opts.seed}" if k else "exact"},
        note=None if equal else "results differ from networkx")]


# --------------------------------------------------------------------------- dashboard

def dashboard(opts: Options, ds: Any, echo: Echo) -> list[Result]:
    from benchmarks import burst as B
    from dashboard.app import app_state, create_app
    from dashboard.network_view import network_view
    from graph.memory import MemoryStore

    app = create_app(MemoryStore(ds))
    state = app_state(app)
    today = _dt.date.today()
    with app.server.test_request_context("/"):
        with Timer() as first:
            view = network_view(state, as_of=today)
        echo(f"first network view: {first.seconds:.2f} s")
        repeats = []
        for _ in range(opts.cached_repeats):
            with Timer() as again:
                repeated = network_view(state, as_of=today)
            repeats.append(again.seconds)
    cached = statistics.median(repeats)
    same = repeated["elements"] == view["elements"]
    elements = len(view["elements"])
    out = [
        Result("dashboard_cached_vs_uncached", cached, "the first, uncached network_view call",
               first.seconds, ("speedup", ">=", 10.0), ok=same,
               extra={"repeats": opts.cached_repeats, "statistic": "median of repeats",
                      "same_elements": same, "partners": len(ds.partners),
                      "summary": view["summary"]}),
        Result("network_view_elements", None, None, None, ("elements", "<=", 3000),
               extra={"elements": elements, "partners": len(ds.partners),
                      "graph_nodes": view["summary"]["nodes"],
                      "graph_edges": view["summary"]["edges"], "note_shown": view["note"]}),
    ]
    echo(f"burst: {opts.burst_clients} clients x {opts.burst_requests} requests")
    with B.Served(app) as url:
        stats = B.burst(url, clients=opts.burst_clients, requests=opts.burst_requests,
                        expected_elements=elements, today=today)
    echo(f"burst: {stats['errors']} errors, p50 {stats['p50_ms']} ms, p99 {stats['p99_ms']} ms")
    out.append(Result("dashboard_burst", None, None, None, ("errors", "<=", 0),
                      extra={**stats, "server": "waitress, 8 threads (as dashboard.server.run)",
                             "store": "MemoryStore, 20,000-partner dataset, warm cache"}))
    return out


# --------------------------------------------------------------------------- Neo4j

def neo4j_comparisons(opts: Options, ds: Any, read_s: float, work: Path, echo: Echo,
                      folder: Path | None = None) -> list[Result]:
    import neo4j

    import loaders
    from analysis.diversity import group_compositions
    from benchmarks import neo4j_baselines as NB
    from core.window import Window
    from graph import server
    from graph.neo4j_store import Neo4jStore
    from loaders.generate import generate

    home = work / "neo4j"
    port = server.free_port()
    echo(f"starting Neo4j in {home} on 127.0.0.1:{port}")
    info = server.start(home, bolt_port=port, password=opts.password, heap=opts.neo4j_heap,
                        pagecache=opts.neo4j_pagecache)
    out: list[Result] = []
    try:
        driver = neo4j.GraphDatabase.driver(info.uri, auth=("neo4j", opts.password))
        store = Neo4jStore(driver, location=info.uri)
        with driver.session() as session:
            record = session.run("CALL dbms.components() YIELD versions, edition "
                                 "RETURN versions[0] AS v, edition AS e").single(strict=True)
            version = f"{record['v']} {record['e']}"
        imports = home / "import"
        dims = ("sector", "region", "global_south")

        # Warm-up on a small dataset: the JVM, the Cypher caches and both load paths.
        small_dir = work / "data-warmup"
        generate(small_dir, partners=500, seed=opts.seed + 1)
        small = loaders.read_dataset(small_dir)
        NB.reset_database(driver)
        NB.export_csvs(small, imports)
        NB.load_csv(driver)
        NB.reset_database(driver)
        store.load(small)
        store.group_compositions(Window.of(as_of=opts.as_of), dims)
        group_compositions(store.dataset(), opts.as_of, dims)
        echo("warm-up done")

        NB.export_csvs(ds, imports)
        NB.reset_database(driver)
        echo(f"row per transaction: timing {opts.row_sample} rows")
        naive = NB.row_per_transaction(driver, ds, sample=opts.row_sample, progress=echo)

        ours_runs, csv_runs, csv_steps = [], [], {}
        counts_ours: dict[str, int] = {}
        counts_csv: dict[str, int] = {}
        for i in range(opts.load_repeats):
            NB.reset_database(driver)
            with Timer() as t:
                csv_steps = NB.load_csv(driver)
            csv_runs.append(t.seconds)
            counts_csv = NB.graph_counts(driver)
            echo(f"LOAD CSV run {i + 1}: {t.seconds:.2f} s")
            NB.reset_database(driver)
            steps = StepClock()
            with Timer() as t:
                store.load(ds, progress=steps)
            ours_runs.append(t.seconds)
            ours_steps = steps.seconds(t.t0, t.t0 + t.seconds)
            counts_ours = NB.graph_counts(driver)
            echo(f"our load run {i + 1}: {t.seconds:.2f} s")
        ours_s, csv_s = min(ours_runs), min(csv_runs)
        same_graph = counts_ours == counts_csv
        total_rows = sum(len(ds.table(t)) for t in NB.ROW_TABLES)
        load_note = None
        if same_graph and csv_s < ours_s:
            load_note = (f"Neo4jStore.load is slower than LOAD CSV here ({ours_s:.1f} s vs "
                         f"{csv_s:.1f} s); its time per table is in ours_steps_s and LOAD CSV's "
                         "in baseline_steps_s: the slowest step of ours is where to look")
        common = {"partners": len(ds.partners), "rows": {t: len(ds.table(t)) for t in
                                                         NB.ROW_TABLES},
                  "runs": opts.load_repeats, "statistic": "best of runs",
                  "ours_read_validate_s": round(read_s, 3),
                  "batch_size": store.batch_size}
        out.append(Result(
            "load_vs_load_csv", ours_s,
            "LOAD CSV WITH HEADERS ... CALL { } IN TRANSACTIONS OF 10000 ROWS", csv_s,
            ("speedup", ">=", 1.0), ok=same_graph,
            extra={**common, "same_graph": same_graph, "counts": counts_ours,
                   "baseline_counts": counts_csv,
                   "baseline_steps_s": {k: round(v, 3) for k, v in csv_steps.items()},
                   "ours_runs_s": [round(x, 3) for x in ours_runs],
                   "ours_steps_s": ours_steps,
                   "baseline_runs_s": [round(x, 3) for x in csv_runs],
                   "speedup_including_read_validate": round(csv_s / (ours_s + read_s), 3)},
            note=load_note if same_graph else "the two loads built graphs of different sizes"))
        per_row_ms = {t: v["per_row_ms"] for t, v in naive["tables"].items()}
        naive_note = None
        if naive["seconds"] / ours_s < 100:
            naive_note = (
                f"one transaction per row costs {min(per_row_ms.values()):.1f}-"
                f"{max(per_row_ms.values()):.1f} ms here (a round trip and a commit each); "
                f"our load writes {total_rows / ours_s:,.0f} rows/s "
                f"({1000 * ours_s / total_rows:.2f} ms per row), so 100x needs a faster "
                "Neo4jStore.load (see load_vs_load_csv's ours_steps_s) rather than a slower "
                "baseline")
        out.append(Result(
            "load_vs_row_per_tx", ours_s,
            "one session.execute_write per row (plain driver), extrapolated",
            naive["seconds"], ("speedup", ">=", 100.0),
            extra={**common, "extrapolated_from": naive["extrapolated_from"],
                   "baseline_tables": naive["tables"]}, note=naive_note))

        # The database now holds our load: aggregate there vs pull everything into pandas.
        ours_agg, base_agg, pulls = [], [], []
        cy = pd_frame = None
        for _ in range(opts.aggregate_repeats):
            with Timer() as t:
                cy = store.group_compositions(Window.of(as_of=opts.as_of), dims)
            ours_agg.append(t.seconds)
            with Timer() as t:
                with Timer() as pull:
                    pulled = store.dataset()
                pd_frame = group_compositions(pulled, opts.as_of, dims)
            base_agg.append(t.seconds)
            pulls.append(pull.seconds)
        equal = frames_equal(cy, pd_frame)
        best = base_agg.index(min(base_agg))
        agg_note = None
        if equal and min(base_agg) / min(ours_agg) < 5:
            agg_note = (
                "Neo4jStore.group_compositions runs one Cypher query per kind (committees, "
                f"events) for all {len(dims)} dimensions: {min(ours_agg):.2f} s (best of "
                f"{len(ours_agg)}; the first call after the load is cold), against "
                f"{pulls[best]:.2f} s to pull the whole graph and "
                f"{min(base_agg) - pulls[best]:.2f} s of pandas. More repeats (or a warm-up "
                "call) measure the steady state; the server's page cache decides the rest")
        echo(f"aggregate: cypher {min(ours_agg):.2f} s, pull {min(base_agg):.2f} s, "
             f"equal={equal}")
        out.append(Result(
            "aggregate_in_cypher_vs_pull", min(ours_agg),
            "store.dataset() + analysis.diversity.group_compositions (pandas)", min(base_agg),
            ("speedup", ">=", 5.0), ok=equal,
            extra={"equal_results": equal, "rows": int(len(cy)) if cy is not None else 0,
                   "dimensions": list(dims), "as_of": opts.as_of.isoformat(),
                   "runs": opts.aggregate_repeats, "statistic": "best of runs",
                   "baseline_pull_s": round(pulls[best], 3),
                   "baseline_pandas_s": round(min(base_agg) - pulls[best], 3),
                   "queries": len(dims) * 2},
            note=agg_note if equal else "Cypher and pandas compositions differ"))
        out += narrow_reads(opts, store, echo)
        if folder is not None:
            out += report_from_neo4j(opts, folder, info.uri, echo)
        if not opts.quick:
            out += bulk_vs_load(opts, ds, home, ours_s, driver, echo)
        for result in out:
            result.extra.setdefault("neo4j_server", version)
        driver.close()
        out.append(Result("_neo4j", None, None, None, ("x", "<=", 0),
                          extra={"neo4j_server": version}))
    finally:
        server.stop(home)
        echo("Neo4j stopped")
    return out


def bulk_vs_load(opts: Options, ds: Any, home: Path, load_s: float, driver: Any, echo: Echo
                 ) -> list[Result]:
    """``load --bulk`` (neo4j-admin import, server restarted) vs the transactional load into
    the same empty database; the graphs compared by counts and by reading them back."""
    import neo4j

    from benchmarks import neo4j_baselines as NB
    from graph import server
    from graph.bulk import bulk_load
    from graph.neo4j_store import Neo4jStore

    counts_load = NB.graph_counts(driver)  # the database holds the transactional load
    NB.reset_database(driver)
    with Timer() as t:
        summary = bulk_load(ds, home, password=opts.password)
    info = server.status(home)
    if info is None:
        raise RuntimeError("the server did not come back after the bulk import")
    with neo4j.GraphDatabase.driver(info.uri, auth=("neo4j", opts.password)) as fresh:
        counts_bulk = NB.graph_counts(fresh)
        back = Neo4jStore(fresh, location=info.uri).dataset()
    same = back.equals(ds)
    echo(f"bulk import {t.seconds:.2f} s (admin tool {summary.phases['admin_import_s']:.2f} s) "
         f"vs transactional load {load_s:.2f} s; same graph: {same}")
    return [Result(
        "bulk_import_vs_load", t.seconds, "Neo4jStore.load into the same empty database "
        "(best of runs above)", load_s, ("speedup", ">=", 1.0), ok=same,
        extra={"same_dataset_read_back": same, "counts": counts_bulk,
               "admin_import_s": summary.phases["admin_import_s"],
               "includes": "writing the import CSVs, stopping the server, neo4j-admin database "
                           "import full, starting the server, constraints and the Meta node",
               "transactional_counts": counts_load},
        note=None if same else "the bulk-imported graph differs from the source")]


def narrow_reads(opts: Options, store: Any, echo: Echo) -> list[Result]:
    """The report's read path (``store.tables()``: narrow columnar reads) vs ``dataset()``."""
    ours, pulls = [], []
    narrow = full = None
    for _ in range(max(opts.aggregate_repeats, 2)):
        with Timer() as t:
            narrow = store.tables()
        ours.append(t.seconds)
        with Timer() as t:
            full = store.dataset()
        pulls.append(t.seconds)
    assert narrow is not None and full is not None
    equal = all(narrow.table(name).equals(full.table(name)[list(narrow.table(name).columns)])
                for name in ("partners", "committees", "memberships", "events", "attendance",
                             "targets"))
    echo(f"narrow read {min(ours):.2f} s, dataset() {min(pulls):.2f} s, equal={equal}")
    return [Result(
        "neo4j_read_vs_dataset_pull", min(ours),
        "store.dataset(): every property of every node and relationship, one dict per record",
        min(pulls), ("speedup", ">=", 5.0), ok=equal,
        extra={"equal_results": equal, "runs": len(ours), "statistic": "best of runs",
               "ours": "store.tables(): the fixed columns the analysis reads, one record of "
                       "parallel lists per node table and one per event for attendance",
               "ours_runs_s": [round(x, 3) for x in ours],
               "baseline_runs_s": [round(x, 3) for x in pulls]},
        note=None if equal else "the narrow read differs from dataset()")]


def report_from_neo4j(opts: Options, folder: Path, uri: str, echo: Echo) -> list[Result]:
    """The report from Neo4j vs the same report from the CSV folder, each in a fresh process."""
    memory = probe(folder, opts.as_of)
    echo(f"report from the CSV folder: {memory['read_s'] + memory['seconds']:.2f} s")
    neo = probe(None, opts.as_of, neo4j=uri, password=opts.password)
    echo(f"report from Neo4j: {neo['read_s'] + neo['seconds']:.2f} s")
    same = neo["json_sha256"] == memory["json_sha256"]
    return [Result(
        "report_neo4j_vs_memory", neo["read_s"] + neo["seconds"] + neo["render_s"],
        "the same report from the CSV folder in memory (read, validate, build, render)",
        memory["read_s"] + memory["seconds"] + memory["render_s"], ("speedup", ">=", 0.67),
        ok=same,
        extra={"same_json": same, "partners": neo["partners"],
               "ours_read_s": round(neo["read_s"], 3),
               "baseline_read_validate_s": round(memory["read_s"], 3),
               "ours_peak_mb": round(neo["peak_mb"], 1),
               "baseline_peak_mb": round(memory["peak_mb"], 1),
               "measured": "each side in a fresh subprocess (benchmarks.probe): read, build "
                           "the report, render JSON"},
        note=None if same else "the two reports differ")]


class StepClock:
    """A load ``progress`` callback that notes when each table's first and last call came."""

    def __init__(self) -> None:
        self.first: dict[str, float] = {}
        self.last: dict[str, float] = {}

    def __call__(self, table: str, done: int, total: int) -> None:
        now = time.perf_counter()
        self.first.setdefault(table, now)
        self.last[table] = now

    def seconds(self, start: float, end: float) -> dict[str, float]:
        """Seconds per table, from its first progress call to the next table's first; what
        came before the first call (checks, reading stored keys, constraints) is "prepare"."""
        order = sorted(self.first, key=self.first.__getitem__)
        starts = [self.first[t] for t in order] + [end]
        out = {"prepare": round(starts[0] - start, 3)} if order else {}
        out.update({t: round(starts[i + 1] - starts[i], 3) for i, t in enumerate(order)})
        return out


def frames_equal(a: pd.DataFrame | None, b: pd.DataFrame | None) -> bool:
    """Whether two composition tables hold the same rows (order and dtype aside)."""
    if a is None or b is None:
        return False
    cols = ["kind", "group_id", "dimension", "category", "count"]
    left = a[cols].astype({"count": "int64"}).astype({c: str for c in cols[:4]})
    right = b[cols].astype({"count": "int64"}).astype({c: str for c in cols[:4]})
    left = left.sort_values(cols).reset_index(drop=True)
    right = right.sort_values(cols).reset_index(drop=True)
    return bool(left.equals(right))


# --------------------------------------------------------------------------- report probes

def probe(dataset: Path | None, as_of: _dt.date, *, neo4j: str | None = None,
          password: str | None = None) -> dict[str, Any]:
    """One report measured in a fresh interpreter (benchmarks.probe), from the CSV folder
    ``dataset`` or, with ``neo4j``, from that server."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])])}
    where = [str(dataset)] if neo4j is None else ["--neo4j", neo4j]
    if password is not None:
        env["NEO4J_PASSWORD"] = password
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.probe", *where, "--as-of", as_of.isoformat()],
        cwd=REPO, env=env, capture_output=True, text=True, check=False, timeout=3600,
    )
    if done.returncode != 0:
        raise RuntimeError(f"probe failed ({done.returncode}): {done.stderr.strip()[-800:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def growth_note(points: Sequence[dict[str, Any]], ratios: Sequence[dict[str, float]]
                ) -> str | None:
    """Which pair of sizes breaks "4x the partners -> at most 5x the time", and the
    betweenness method each size used (the usual reason), or None when none does."""
    bad = [r for r in ratios if r["excess"] > 1.25]
    if not bad:
        return None
    worst = max(bad, key=lambda r: r["excess"])
    methods = ", ".join(
        f"{p['partners']:,}: {p['seconds']:.1f} s "
        f"({(p.get('network_method') or {}).get('betweenness', '?')} betweenness)"
        for p in sorted(points, key=lambda p: p["partners"]))
    return (f"report time grows faster than the data from {worst['from']:,} to {worst['to']:,} "
            f"partners ({worst['time_ratio']:.2f}x the time for {worst['size_ratio']:.0f}x the "
            f"partners); per size: {methods}")


def report_growth(opts: Options, work: Path, data: dict[int, Path], echo: Echo) -> list[Result]:
    from loaders.generate import generate

    points = []
    for n in sorted(opts.sizes):
        folder = data.get(n) or work / f"data-{n}"
        if n not in data:
            generate(folder, partners=n, seed=opts.seed)
            data[n] = folder
        point = probe(folder, opts.as_of)
        echo(f"report at {n} partners: {point['seconds']:.2f} s, peak {point['peak_mb']:.0f} MB")
        points.append(point)
    ratios = R.growth_ratios(points)
    worst = max((r["excess"] for r in ratios), default=None)
    note = growth_note(points, ratios)
    largest = max(points, key=lambda p: p["partners"])
    growth = Result(
        "report_growth", largest["seconds"], None, None, ("excess", "<=", 1.25),
        extra={"excess": worst, "rule": "for every pair of sizes, time ratio <= 1.25 x size "
                                        "ratio (4x partners -> at most 5x time)",
               "points": [{k: (round(v, 3) if isinstance(v, float) else v)
                           for k, v in p.items()} for p in points], "pairs": ratios},
        note=note)
    memory_note = None
    if largest["peak_mb"] >= 1024:
        memory_note = (f"the report of {largest['partners']:,} partners "
                       f"({largest['attendance']:,} attendance rows) peaks at "
                       f"{largest['peak_mb']:,.0f} MB; see docs/benchmarks.md for where it goes")
    memory = Result(
        "report_peak_memory", largest["seconds"], None, None, ("peak_mb", "<", 1024.0),
        extra={"peak_mb": round(largest["peak_mb"], 1), "attendance": largest["attendance"],
               "partners": largest["partners"],
               "ru_maxrss_mb": round(largest["ru_maxrss_mb"], 1),
               "measured": "peak resident memory (VmHWM; ru_maxrss alongside) of a fresh "
                           "subprocess running read_dataset + build_report + render(json), "
                           "as the report command does"}, note=memory_note)
    return [growth, memory]


# --------------------------------------------------------------------------- all of it

def run(opts: Options, *, echo: Echo = print) -> dict[str, Any]:
    """Run every comparison and return the JSON document."""
    import loaders
    from benchmarks import planner
    from loaders.generate import generate

    work = Path(tempfile.mkdtemp(prefix="sg-bench-"))
    load_before = os.getloadavg()
    results: list[Result] = []
    began = time.perf_counter()
    neo4j_version = None
    try:
        main_dir = work / f"data-{opts.partners}"
        echo(f"generating {opts.partners} partners in {main_dir}")
        generate(main_dir, partners=opts.partners, seed=opts.seed)
        data = {opts.partners: main_dir}
        # The report probes first, while this process is still small: each probe is a fresh
        # interpreter, and nothing of ours competes with it for the two cores.
        results += _guard("report_growth", None, ("excess", "<=", 1.25), echo,
                          lambda: report_growth(opts, work, data, echo))
        with Timer() as read:
            ds = loaders.read_dataset(main_dir)
        echo(f"read and validated in {read.seconds:.2f} s: {ds.counts()}")

        results += _guard("projection_vs_networkx", "networkx", ("speedup", ">=", 10.0), echo,
                          lambda: projection(opts, work, echo))
        results += _guard("dashboard_cached_vs_uncached", "first call", ("speedup", ">=", 10.0),
                          echo, lambda: dashboard(opts, ds, echo))
        results += _guard(planner.NAME, planner.BASELINE, planner.GOAL, echo,
                          lambda: planner.planner_greedy_vs_exact(quick=opts.quick, seed=opts.seed,
                                                                  echo=echo))
        results += _guard("backbone_modularity_vs_full", None, ("speedup", ">=", 0.98), echo,
                          lambda: approximations(ds, as_of=opts.as_of, seed=opts.seed,
                                                 echo=echo, algorithms=opts.algorithms))
        neo = _guard("load_vs_load_csv", "LOAD CSV", ("speedup", ">=", 1.0), echo,
                     lambda: neo4j_comparisons(opts, ds, read.seconds, work, echo, main_dir))
        for r in neo:
            if r.name == "_neo4j":
                neo4j_version = r.extra["neo4j_server"]
            else:
                results.append(r)
    finally:
        if not opts.keep:
            shutil.rmtree(work, ignore_errors=True)
    names = {r.name for r in results}
    for name in R.REQUIRED_RESULTS + (() if opts.quick else R.FULL_ONLY_RESULTS):
        if name not in names:  # the comparison that would produce it failed earlier
            results.append(failed(name, None, R.GOALS[name],
                                  "not measured: an earlier step of its group failed"))
    order = {name: i for i, name in enumerate(R.REQUIRED_RESULTS + R.FULL_ONLY_RESULTS)}
    results.sort(key=lambda r: order.get(r.name, len(order)))
    settings = {**opts.to_dict(), "total_s": round(time.perf_counter() - began, 1),
                # other work on the machine slows every figure; the ratios are from one run
                "load_average_before": [round(x, 2) for x in load_before],
                "load_average_after": [round(x, 2) for x in os.getloadavg()],
                "finished": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")}
    return R.document(R.machine_info(neo4j_server=neo4j_version), results, settings=settings)


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m benchmarks",
                                     description="Side-by-side benchmarks (see docs/benchmarks.md)")
    parser.add_argument("--quick", action="store_true",
                        help="smaller samples (still the 20,000-partner load); < 15 min")
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--sizes", type=int, nargs="+", help="partner counts for report growth")
    parser.add_argument("--partners", type=int, help="size of the main dataset (default 20000)")
    parser.add_argument("--plot", type=Path, help="also draw the results as a PNG here")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    opts = Options.preset(args.quick, partners=args.partners,
                          sizes=tuple(args.sizes) if args.sizes else None,
                          keep=args.keep or None)
    # SIGTERM unwinds like Ctrl-C, so the finally blocks stop Neo4j and remove the temp folder.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    doc = run(opts, echo=lambda line: print(line, file=sys.stderr, flush=True))
    if args.json:
        R.write_json(doc, args.json)
    R.print_table(doc)
    if args.plot:
        from benchmarks.plot import plot

        plot(doc, args.plot)
    return 0
