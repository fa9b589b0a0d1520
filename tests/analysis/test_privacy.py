"""analysis.privacy: no hidden count can be worked out from what is shown.

The check is independent of the suppression algorithm: an integer program over what a reader
sees (shown cells, the shown or hidden total, every table of a group adding up to the same total,
a hidden cell at least 1 because zeros are shown) finds the smallest and largest value each
hidden cell can take. A hidden cell with a single feasible value is a disclosure.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from analysis.privacy import Policy, suppress_table, suppress_tables
from analysis.report import build_report
from core.window import Window
from tests.analysis.test_snapshot import D2, tiny

Shown = Mapping[str, Mapping[str, int | None]]


def feasible_range(shown: Shown, total: int | None, cell: tuple[str, str]) -> tuple[float, float]:
    """Smallest and largest value of hidden ``cell`` given what is shown (inf: unbounded)."""
    hidden = [(d, c) for d, t in shown.items() for c, v in t.items() if v is None]
    names = hidden + ([("", "total")] if total is None else [])
    index = {name: i for i, name in enumerate(names)}
    rows, lows, highs = [], [], []
    for d, table in shown.items():
        row = np.zeros(len(names))
        known = 0
        for c, v in table.items():
            if v is None:
                row[index[(d, c)]] = 1
            else:
                known += v
        if total is None:
            row[index[("", "total")]] = -1
            rows.append(row), lows.append(-known), highs.append(-known)
        else:
            rows.append(row), lows.append(total - known), highs.append(total - known)
    found = []
    for sign in (1, -1):
        objective = np.zeros(len(names))
        objective[index[cell]] = sign
        result = milp(
            objective,
            constraints=LinearConstraint(np.array(rows), lows, highs),
            integrality=np.ones(len(names)),
            bounds=Bounds(np.ones(len(names)), np.full(len(names), 10_000)),
        )
        assert result.status == 0, "the published figures must be consistent with the truth"
        found.append(sign * result.fun)
    low, high = found
    return low, (math.inf if high >= 10_000 else high)


def assert_no_disclosure(shown: Shown, total: int | None) -> None:
    for d, table in shown.items():
        for c, v in table.items():
            if v is None:
                low, high = feasible_range(shown, total, (d, c))
                assert high > low, f"{d}.{c} can only be {low} (shown: {shown}, total {total})"


@st.composite
def groups(draw: Any) -> tuple[dict[str, dict[str, int]], int, int]:
    """A group of random size split by up to three dimensions that each add up to the size."""
    size = draw(st.integers(1, 40))
    dims = {}
    for d in range(draw(st.integers(1, 3))):
        parts = draw(st.integers(1, min(size, 6)))
        cuts = sorted(draw(st.lists(st.integers(1, size - 1), min_size=parts - 1,
                                    max_size=parts - 1, unique=True))) if size > 1 else []
        edges = [0, *cuts, size]
        dims[f"d{d}"] = {f"c{i}": edges[i + 1] - edges[i] for i in range(len(edges) - 1)}
    return dims, size, draw(st.integers(2, 8))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(groups())
def test_no_hidden_cell_has_only_one_feasible_value(case: tuple[Any, int, int]) -> None:
    dims, size, k = case
    view = suppress_tables(dims, size, min_cell=k)
    shown = {d: dict(t.counts) for d, t in view.tables.items()}
    for d, table in dims.items():  # primary suppression: every small count is hidden
        for c, v in table.items():
            if 0 < v < k:
                assert shown[d][c] is None
            if shown[d][c] is not None:
                assert shown[d][c] == v
    assert (view.total is None) == (view.total_hidden)
    assert view.total is None or view.total == size
    if 0 < size < k:
        assert view.total is None
    assert_no_disclosure(shown, view.total)


def test_the_board_of_the_issue_is_protected() -> None:
    # Issue 14: size 10 shown, global_south {False: 9, True: null} gave True = 1 away.
    view = suppress_tables(
        {"sector": {"Industry": 5, "Academic": 3, "Civil Society": 2},
         "global_south": {"False": 9, "True": 1}}, 10, min_cell=5)
    assert view.tables["global_south"].counts == {"False": None, "True": None}
    assert view.tables["sector"].counts["Industry"] == 5
    assert_no_disclosure({d: t.counts for d, t in view.tables.items()}, view.total)


def test_hidden_cells_are_not_ranked() -> None:
    # Largest first would list C (3) before B (1): after hiding, the order must not tell.
    view = suppress_table({"A": 9, "C": 3, "B": 1, "D": 0}, min_cell=4)
    assert list(view.counts) == ["A", "D", "B", "C"]
    assert view.counts == {"A": 9, "D": 0, "B": None, "C": None}


def test_all_ones_hide_the_total() -> None:
    view = suppress_table({"a": 1, "b": 1, "c": 1}, min_cell=3)
    assert view.total is None and set(view.hidden) == {"a", "b", "c"}


def test_without_min_cell_nothing_is_hidden() -> None:
    view = suppress_tables({"s": {"a": 1, "b": 9}}, 10, min_cell=None)
    assert view.tables["s"].counts == {"a": 1, "b": 9} and view.total == 10
    assert Policy(None).organisation_rows_allowed and not Policy(3).organisation_rows_allowed


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_policy_refuses_a_bad_threshold(bad: Any) -> None:
    with pytest.raises(ValueError, match="min_cell"):
        Policy(bad)


@pytest.mark.parametrize("k", [2, 3, 5])
def test_report_groups_disclose_no_hidden_count(k: int) -> None:
    """Every group of a real report: tables checked together with its size; no index shown."""
    import loaders
    from stakeholder_graph.datasets import bundled_path

    ds = loaders.read_dataset(bundled_path("demo"))
    report = build_report(ds, Window.of(as_of="2024-06-30"), min_cell=k)
    for group in report.groups:
        assert_no_disclosure({d: dict(t) for d, t in group.composition.items()}, group.size)
        for d, table in group.composition.items():
            if any(v is None for v in table.values()) or group.size is None:
                assert group.diversity[d] == group.diversity[d].hidden(), (group.id, d)
                assert all(group.shares[d][c] is None for c, v in table.items() if v is None)
        for gap in group.gaps:
            if gap.count is None:
                assert gap.share is None and gap.p_value is None and gap.shortfall is None
                assert "True" not in gap.sentence and "global_south" not in gap.sentence
    totals = report.totals
    assert_no_disclosure(
        {k2: dict(v) for k2, v in totals.categories.items()}, totals.partners
    )
    assert report.network.nodes is None and report.network.bridging is None
    assert report.reach.overall.most_active == () and report.reach.inactive == ()
    privacy = report.to_dict()["privacy"]
    assert privacy["min_cell"] == k and set(privacy["rules"]) == {
        "primary", "complementary", "derived", "organisations", "order"}
    for group in report.groups:  # hidden cells come last, by label
        for table in group.composition.values():
            hidden = [c for c, v in table.items() if v is None]
            assert list(table)[len(table) - len(hidden):] == sorted(hidden)


def test_small_report_hides_sizes_and_their_shares() -> None:
    report = build_report(tiny(), Window.of(as_of=D2), min_cell=3)
    for group in report.groups:
        if group.size is None:
            assert all(v is None for shares in group.shares.values() for v in shares.values())
            assert all(g.size is None and g.p_value is None for g in group.gaps)
