"""The planner benchmark: its result keeps the results contract and its figures are the plan's."""

from __future__ import annotations

import math

from benchmarks.planner import GOAL, NAME, planner_greedy_vs_exact
from benchmarks.results import RESULT_KEYS


def test_planner_benchmark_result_contract_and_figures():
    [result] = planner_greedy_vs_exact(quick=True, sizes=(120,), demo_events=3,
                                         echo=lambda _: None)
    doc = result.to_dict()
    assert set(RESULT_KEYS) <= set(doc) and doc["name"] == NAME
    assert GOAL == ("worst_ratio", ">=", round(1 - 1 / math.e, 3))
    cases = doc["cases"]
    assert [c["data"] for c in cases][:3] == ["demo"] * 3 and len(cases) == 6
    for c in cases:
        assert c["optimum"] >= c["greedy"] - 1e-9 and 0 < c["ratio"] <= 1 + 1e-9
        assert c["greedy_s"] > 0 and c["exact_s"] > 0
    assert doc["worst_ratio"] == min(c["ratio"] for c in cases)
    assert doc["ours_s"] > 0 and doc["baseline_s"] > 0 and doc["met"] is True
