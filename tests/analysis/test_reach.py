"""Reach per year on the tiny dataset (answers worked out by hand) and the Gini coefficient."""

from __future__ import annotations

import doctest

import numpy as np
import pytest

from analysis import reach as reach_module
from analysis.reach import gini, reach, top_share
from tests.analysis.test_snapshot import D2, tiny


def gini_by_mean_difference(values: list[float]) -> float:
    """Independent formula: mean absolute difference over twice the mean."""
    x = np.asarray(values, dtype=float)
    return float(np.abs(x[:, None] - x[None, :]).mean() / (2 * x.mean()))


@pytest.mark.parametrize(
    "values", [[1, 1, 1, 1, 2], [1, 1, 1, 1, 2, 2], [0, 0, 5], [3, 1, 4, 1, 5, 9, 2, 6], [7]]
)
def test_gini_matches_the_mean_difference_formula(values: list[float]) -> None:
    assert gini(values) == pytest.approx(gini_by_mean_difference(values))


def test_gini_edges() -> None:
    assert gini([]) == 0.0
    assert gini([0, 0]) == 0.0
    assert gini([2, 2, 2]) == 0.0
    with pytest.raises(ValueError, match="non-negative"):
        gini([1, -1])
    assert top_share([5, 1, 1, 1], fraction=0.25) == pytest.approx(5 / 8)


def test_reach_per_year_known_answers() -> None:
    out = reach(tiny(), as_of=D2).to_dict()
    y2023, y2024 = out["years"]
    # 2023: e1 (p1 p3 p4 p6) and e2 (p1 p2): five participants, all new, p4 and p6 Global South.
    assert y2023["year"] == 2023 and y2023["events"] == 2
    assert y2023["participants"] == 5 and y2023["guests"] == 0
    assert y2023["countries"] == 5 and y2023["regions"] == 4
    assert y2023["global_south_share"] == pytest.approx(2 / 5)
    assert (y2023["first_time"], y2023["repeat"]) == (5, 0)
    assert y2023["gini"] == pytest.approx(gini([2, 1, 1, 1, 1]))  # p1 attended twice
    # 2024: e3 (p1 p3 p6 g1) and e4 (p2 p3 p5 p6): p5 and the Guest g1 are new.
    assert y2024["participants"] == 6 and y2024["partners"] == 5 and y2024["guests"] == 1
    assert (y2024["first_time"], y2024["repeat"]) == (2, 4)
    assert y2024["global_south_share"] == pytest.approx(3 / 6)  # p5, p6, g1
    assert y2024["countries"] == 6
    assert y2024["participants_by_region"] == {"Americas": 2, "Europe": 2, "Africa": 1, "Asia": 1}
    # p7 joined 2024-06-01 and took part in nothing.
    assert [p["partner_id"] for p in out["inactive"]] == ["p7"]
    assert out["overall"]["gini_partners"] == pytest.approx(gini([3, 2, 3, 1, 3, 0]))
    # p3 and p6 attend 3 of the 4 events, p1 too (e1 e2 e3); ties broken by id.
    top = out["overall"]["most_active"]
    assert [(p["partner_id"], p["events"]) for p in top[:3]] == [("p1", 3), ("p3", 3), ("p6", 3)]
    assert top[0]["share_of_events"] == 0.75


def test_first_time_judged_over_all_history_not_the_window() -> None:
    out = reach(tiny(), as_of=D2, since="2023-12-31").to_dict()
    assert [y["year"] for y in out["years"]] == [2024]
    # p1, p2, p3, p6 attended in 2023, before the window: repeat, not first-time.
    assert (out["years"][0]["first_time"], out["years"][0]["repeat"]) == (2, 4)


def test_committee_seat_counts_as_taking_part() -> None:
    # In 2023's second half only e2 (p1, p2) happened, but p3, p4, p6 sat on committees.
    out = reach(tiny(), as_of="2023-12-31", since="2023-06-30").to_dict()
    assert out["inactive"] == []


def test_program_filter() -> None:
    out = reach(tiny(), as_of=D2, program="Labor").to_dict()
    assert [y["events"] for y in out["years"]] == [1, 1]  # e2, e3
    # Labor: p3 attends e3, p5 sits on c2; p7 and nobody else is idle.
    assert [p["partner_id"] for p in out["inactive"]] == ["p7"]


def test_doctests() -> None:
    result = doctest.testmod(reach_module)
    assert result.attempted > 0 and result.failed == 0
