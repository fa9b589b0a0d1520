"""The benchmark harness: fast paths equal their baselines, the JSON has its schema, ratios add up.

No wall-clock time is asserted anywhere: only equal results, counts and arithmetic.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
from pathlib import Path

import pandas as pd
import pytest

import loaders
from analysis import network
from analysis.diversity import group_compositions
from benchmarks import burst as B
from benchmarks import neo4j_baselines as NB
from benchmarks import networkx_baseline
from benchmarks import results as R
from benchmarks.runner import Options, frames_equal, projection
from core.window import Window
from loaders.generate import generate

AS_OF = _dt.date(2025, 12, 31)
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("bench-small")
    generate(folder, partners=300, seed=3)
    return loaders.read_dataset(folder)


# --------------------------------------------------------------------------- projection

@pytest.mark.parametrize("samples", [None, 40])
def test_projection_equals_networkx(small, samples):
    window = {"as_of": AS_OF, "since": _dt.date(2023, 12, 31)}
    cp = network.coparticipation(small, **window)
    ours = network.centralities(cp, exact_threshold=0 if samples else cp.n_nodes,
                                samples=samples or 2, seed=0)
    base = networkx_baseline.projection_networkx_baseline(small, **window, k=samples, seed=0)
    assert cp.n_edges > 100
    assert networkx_baseline.equal_results(ours, base)
    # the comparison can fail: one changed strength is caught
    broken = base.copy()
    broken.loc[0, "strength"] += 1
    assert not networkx_baseline.equal_results(ours, broken)


def test_projection_result_records_equality(tmp_path):
    opts = Options(projection_partners=250, betweenness_samples=30)
    (result,) = projection(opts, tmp_path, echo=lambda _line: None)
    doc = result.to_dict()
    assert doc["name"] == "projection_vs_networkx"
    assert doc["equal_results"] is True
    assert doc["edges"] > 0
    assert math.isclose(doc["speedup"], doc["baseline_s"] / doc["ours_s"], rel_tol=2e-3)


# --------------------------------------------------------------------------- Neo4j

@pytest.mark.neo4j
def test_cypher_aggregation_equals_pandas(small, neo4j_store):
    neo4j_store.load(small)
    dims = ("sector", "region", "global_south")
    cy = neo4j_store.group_compositions(Window.of(as_of=AS_OF), dims)
    pulled = group_compositions(neo4j_store.dataset(), AS_OF, dims)
    direct = group_compositions(small, AS_OF, dims)
    assert len(cy) > 0
    assert frames_equal(cy, pulled)
    assert frames_equal(cy, direct)
    changed = cy.copy()
    changed.loc[0, "count"] += 1
    assert not frames_equal(changed, pulled)


@pytest.mark.neo4j
def test_load_csv_baseline_builds_the_same_graph(small, neo4j_server, neo4j_store):
    import neo4j

    driver = neo4j.GraphDatabase.driver(neo4j_server.uri,
                                        auth=(neo4j_server.user, neo4j_server.password))
    try:
        NB.export_csvs(small, neo4j_server.home / "import")
        NB.reset_database(driver)
        NB.load_csv(driver)
        baseline = NB.graph_counts(driver)
        NB.reset_database(driver)
        neo4j_store.load(small)
        ours = NB.graph_counts(driver)
        assert ours["Partner"] == len(small.partners)
        assert ours["ATTENDED"] == len(small.attendance)
        assert ours["MEMBER_OF"] == len(small.memberships)
        assert baseline == ours
        # the naive loader's extrapolation: per-table seconds per row x rows
        NB.reset_database(driver)
        naive = NB.row_per_transaction(driver, small, sample=60)
        tables = naive["tables"]
        assert naive["extrapolated_from"] == sum(t["sampled"] for t in tables.values())
        expected = sum(t["rows"] * t["sample_s"] / t["sampled"] for t in tables.values())
        assert math.isclose(naive["seconds"], expected, rel_tol=1e-3)
    finally:
        NB.reset_database(driver)
        NB.create_constraints(driver)
        driver.close()


# --------------------------------------------------------------------------- bookkeeping

def test_sample_plan_is_proportional_with_a_floor():
    plan = NB.sample_plan({"partners": 20000, "attendance": 180000, "targets": 8}, 2000)
    assert plan == {"partners": 200, "attendance": 1800, "targets": 8}


def test_growth_ratios_known_answer():
    points = [{"partners": 1000, "seconds": 2.0}, {"partners": 4000, "seconds": 9.0},
              {"partners": 2000, "seconds": 3.0}]
    pairs = R.growth_ratios(points)
    by = {(p["from"], p["to"]): p for p in pairs}
    assert by[(1000, 4000)]["time_ratio"] == 4.5
    assert by[(1000, 4000)]["excess"] == 1.125
    assert by[(2000, 4000)]["excess"] == 1.5
    assert len(pairs) == 3


def test_result_speedup_and_met():
    fast = R.Result("x", 2.0, "b", 30.0, ("speedup", ">=", 10.0))
    assert fast.speedup == 15.0 and fast.met
    assert not R.Result("x", 2.0, "b", 10.0, ("speedup", ">=", 10.0)).met
    assert not R.Result("x", 2.0, "b", 30.0, ("speedup", ">=", 10.0), ok=False).met
    assert R.Result("e", None, None, None, ("elements", "<=", 3000), extra={"elements": 3000}).met
    assert not R.failed("y", None, ("speedup", ">=", 1.0), "no server").met
    assert R.speedup(1.0, 0.0) is None


def _document() -> dict:
    results = [R.Result(name, 1.5, "base", 6.0, R.GOALS[name],
                        extra={"elements": 10, "excess": 1.0, "peak_mb": 10.0, "errors": 0})
               for name in R.REQUIRED_RESULTS]
    return R.document(R.machine_info(neo4j_server="5.26 community"), results)


def test_document_schema_and_ratio():
    doc = json.loads(json.dumps(_document()))
    assert R.check_document(doc) == []
    for key in ("cpu", "cores", "memory", "python", "numpy", "scipy", "igraph", "neo4j",
                "neo4j_server"):
        assert key in doc["machine"]
    for r in doc["results"]:
        assert r["speedup"] == pytest.approx(r["baseline_s"] / r["ours_s"])
    doc["results"][0]["speedup"] = 99.0
    doc["results"].pop()
    problems = R.check_document(doc)
    assert any("speedup" in p for p in problems)
    assert any(R.REQUIRED_RESULTS[-1] in p for p in problems)


def test_latest_json_if_present():
    latest = REPO / "benchmarks" / "latest.json"
    if not latest.exists():
        pytest.fail("benchmarks/latest.json is missing: run python -m benchmarks --quick "
                    "--json benchmarks/latest.json")
    doc = json.loads(latest.read_text(encoding="utf-8"))
    assert R.check_document(doc) == []
    for r in doc["results"]:
        # Quality results (speedup_is) carry a ratio or an overlap, not baseline_s / ours_s.
        if r["ours_s"] and r["baseline_s"] is not None and "speedup_is" not in r:
            assert r["speedup"] == pytest.approx(r["baseline_s"] / r["ours_s"], rel=2e-3)
    elements = next(r for r in doc["results"] if r["name"] == "network_view_elements")
    assert isinstance(elements["elements"], int)


def test_markdown_table_has_every_result():
    text = R.markdown_table(_document())
    for name in R.REQUIRED_RESULTS:
        assert f"| {name} |" in text


# --------------------------------------------------------------------------- burst

def test_percentiles_known_answer():
    stats = B.percentiles_ms([0.001 * i for i in range(1, 101)])
    assert stats["p50_ms"] == pytest.approx(50.5)
    assert stats["max_ms"] == pytest.approx(100.0)


def test_burst_against_a_served_app(small):
    from dashboard.app import app_state, create_app
    from dashboard.network_view import network_view
    from graph.memory import MemoryStore

    app = create_app(MemoryStore(small))
    today = _dt.date.today()
    with app.server.test_request_context("/"):
        view = network_view(app_state(app), as_of=today)
    with B.Served(app) as url:
        stats = B.burst(url, clients=3, requests=4, expected_elements=len(view["elements"]),
                        today=today)
        # a wrong expectation is counted as an error on every callback answer
        wrong = B.burst(url, clients=1, requests=2, expected_elements=-1, today=today)
    assert stats["requests"] == 12
    assert stats["errors"] == 0
    assert stats["callback"]["requests"] == 6
    assert wrong["errors"] == 1


def test_export_csvs_round_trip(small, tmp_path):
    rows = NB.export_csvs(small, tmp_path)
    partners = pd.read_csv(tmp_path / "partners.csv", dtype=str, keep_default_na=False)
    assert rows["partners"] == len(small.partners) == len(partners)
    assert set(partners["global_south"]) <= {"True", "False"}
    attendance = pd.read_csv(tmp_path / "attendance.csv")
    assert len(attendance) == len(small.attendance)
