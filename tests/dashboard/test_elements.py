"""build_elements: the 3,000-element cap, aggregation, drill-down, preset positions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard.elements import AGGREGATE_PREFIX, OTHER, build_elements


def _synthetic(n: int, m: int, communities: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    nodes = pd.DataFrame({
        "id": [f"p{i}" for i in range(n)], "label": [f"Partner {i}" for i in range(n)],
        "sector": rng.choice(["Industry", "Academic", "Civil Society", "Media"], n),
        "degree": rng.integers(0, 200, n), "community": rng.integers(0, communities, n).astype(str),
    })
    src = rng.integers(0, n, m)
    dst = (src + 1 + rng.integers(0, n - 1, m)) % n  # never a self-loop
    edges = pd.DataFrame({"source": src, "target": dst, "weight": rng.integers(1, 20, m)})
    return nodes, edges


def _split(elements):
    nodes = [e for e in elements if "source" not in e["data"]]
    edges = [e for e in elements if "source" in e["data"]]
    return nodes, edges


def test_20000_nodes_give_at_most_3000_elements_and_a_note():
    nodes, edges = _synthetic(20_000, 400_000, communities=60)
    elements, note = build_elements(nodes, edges)
    assert len(elements) <= 3000
    assert "grouped by community" in note and "20,000 nodes" in note
    shown, links = _split(elements)
    assert len(shown) == 60
    assert all(e["data"]["aggregate"] for e in shown)
    assert sum(e["data"]["members"] for e in shown) == 20_000
    ids = {e["data"]["id"] for e in shown}
    assert all(e["data"]["source"] in ids and e["data"]["target"] in ids for e in links)
    assert all("position" in e for e in shown)  # preset layout: the browser does no physics


def test_aggregate_edges_are_the_summed_weights_between_groups():
    nodes = pd.DataFrame({"id": list("abcd"), "label": list("ABCD"), "sector": ["X"] * 4,
                          "degree": [1] * 4, "community": ["1", "1", "2", "2"]})
    edges = pd.DataFrame({"source": ["a", "b", "a", "c"], "target": ["c", "d", "b", "d"],
                          "weight": [2, 3, 7, 1]})
    elements, note = build_elements(nodes, edges, max_elements=3)
    shown, links = _split(elements)
    assert [e["data"]["id"] for e in shown] == [AGGREGATE_PREFIX + "1", AGGREGATE_PREFIX + "2"]
    assert len(links) == 1 and links[0]["data"]["weight"] == 5  # 2 + 3; within-group links drop
    assert "grouped by community" in note


def test_small_graph_is_sent_whole_with_no_note():
    nodes, edges = _synthetic(100, 300, communities=5)
    elements, note = build_elements(nodes, edges)
    assert note == ""
    shown, links = _split(elements)
    assert len(shown) == 100 and len(links) == 300


def test_when_nodes_fit_the_strongest_edges_are_kept():
    nodes, edges = _synthetic(1000, 10_000, communities=5)
    elements, note = build_elements(nodes, edges)
    shown, links = _split(elements)
    assert len(shown) == 1000 and len(links) == 2000
    kept = sorted((e["data"]["weight"] for e in links), reverse=True)
    threshold = np.sort(edges["weight"].to_numpy())[::-1][1999]
    assert min(kept) >= threshold
    assert "2,000 strongest of 10,000 links" in note


def test_drill_down_shows_one_groups_members():
    nodes, edges = _synthetic(20_000, 400_000, communities=60)
    elements, note = build_elements(nodes, edges, focus="7")
    shown, _ = _split(elements)
    expected = int((nodes["community"] == "7").sum())
    assert len(shown) == expected and all(e["data"]["community"] == "7" for e in shown)
    assert len(elements) <= 3000
    assert f"Members of community 7: {expected:,}" in note


def test_thousands_of_tiny_groups_are_lumped_into_other():
    nodes, edges = _synthetic(20_000, 100_000, communities=10)
    isolated = nodes.index >= 15_000
    nodes.loc[isolated, "community"] = nodes.loc[isolated, "id"]  # 5000 singleton communities
    elements, note = build_elements(nodes, edges)
    shown, _ = _split(elements)
    assert len(elements) <= 3000 and len(shown) == 11
    other = [e for e in shown if e["data"]["community"] == OTHER]
    assert other and other[0]["data"]["members"] == 5000
    inside, note = build_elements(nodes, edges, focus=OTHER)
    assert len(inside) <= 3000 and f"Members of {OTHER}: 5,000" in note


def test_without_a_grouping_the_best_connected_nodes_are_shown():
    nodes, edges = _synthetic(6000, 20_000, communities=6000)
    elements, note = build_elements(nodes, edges, max_elements=1000, group_by="")
    shown, _ = _split(elements)
    assert len(elements) <= 1000
    top = set(nodes.sort_values("degree", ascending=False, kind="stable")["id"].head(len(shown)))
    assert {e["data"]["id"] for e in shown} == top
    assert "highest degree" in note


def test_positions_are_deterministic_and_highlight_marks_a_node():
    nodes, edges = _synthetic(50, 100, communities=3)
    a, _ = build_elements(nodes, edges, highlight="p3")
    b, _ = build_elements(nodes, edges, highlight="p3")
    assert [e.get("position") for e in a] == [e.get("position") for e in b]
    marked = [e["data"]["id"] for e in a if "searched" in e.get("classes", "")]
    assert marked == ["p3"]


@pytest.mark.parametrize("cap", [0, -1, 2.5, True])
def test_bad_cap_is_refused(cap):
    nodes, edges = _synthetic(10, 10, communities=2)
    with pytest.raises(ValueError, match="max_elements"):
        build_elements(nodes, edges, max_elements=cap)


def test_drilling_into_a_group_too_big_to_draw_shows_its_best_connected_members():
    nodes, edges = _synthetic(20_000, 400_000, communities=2)
    elements, note = build_elements(nodes, edges, focus="0")
    shown, _ = _split(elements)
    assert len(elements) <= 3000 and len(shown) > 100
    assert all(e["data"]["community"] == "0" and not e["data"].get("aggregate") for e in shown)
    assert "highest degree" in note
