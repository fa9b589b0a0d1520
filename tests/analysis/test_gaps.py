"""Representation gaps: missing, under-represented with known ratio and p-value, targets."""

from __future__ import annotations

import doctest
import json

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from analysis import gaps as gaps_module
from analysis.gaps import (
    find_gaps,
    group_gaps,
    ranked,
    recurring_gaps,
    representation_gaps,
    room_status,
    shortfall,
)
from tests.analysis.test_snapshot import D1, D2, tiny


def frame(**columns: list[object]) -> pd.DataFrame:
    return pd.DataFrame(columns)


# A baseline of 20: 10 Industry, 6 Academic, 4 Civil Society.
BASELINE = frame(sector=["Industry"] * 10 + ["Academic"] * 6 + ["Civil Society"] * 4)


def by_category(found: list[gaps_module.Gap]) -> dict[str, gaps_module.Gap]:
    return {g.group: g for g in found}


def test_missing_and_under_represented_with_known_ratio_and_p_value() -> None:
    # A room of 10: 8 Industry (over-represented), 2 Academic (share 0.2 vs 0.3), no Civil Society.
    room = frame(sector=["Industry"] * 8 + ["Academic"] * 2)
    found = by_category(representation_gaps(room, BASELINE, dimensions=("sector",)))
    assert set(found) == {"Civil Society", "Academic"}  # Industry, over-represented, never a gap

    cs = found["Civil Society"]
    assert cs.missing and cs.count == 0 and cs.size == 10
    assert cs.expected_share == pytest.approx(0.2) and cs.ratio == 0.0
    # P(X <= 0) drawing 10 of 20 where 4 are Civil Society.
    assert cs.p_value == pytest.approx(stats.hypergeom.cdf(0, 20, 4, 10))
    assert cs.test == "hypergeometric" and cs.basis == "baseline"
    # (0 + k) / (10 + k) >= 0.2  ->  k >= 2.5  ->  3
    assert cs.shortfall == 3

    ac = found["Academic"]
    assert not ac.missing
    assert ac.share == pytest.approx(0.2)
    assert ac.ratio == pytest.approx(0.2 / 0.3)
    assert ac.p_value == pytest.approx(stats.hypergeom.cdf(2, 20, 6, 10))
    # (2 + k) / (10 + k) >= 0.3  ->  0.7 k >= 1  ->  2
    assert ac.shortfall == 2
    assert [g.group for g in representation_gaps(room, BASELINE, dimensions=("sector",))] == [
        "Civil Society",
        "Academic",
    ]  # missing first (lowest ratio)


def test_threshold_is_configurable_and_strict() -> None:
    room = frame(sector=["Industry"] * 8 + ["Academic"] * 2)  # Academic ratio 2/3
    assert "Academic" in by_category(representation_gaps(room, BASELINE, dimensions=("sector",)))
    lenient = representation_gaps(room, BASELINE, dimensions=("sector",), threshold=0.5)
    assert set(by_category(lenient)) == {"Civil Society"}
    # Exactly at the threshold is not below it: 0.24 / 0.3 = 0.8.
    base = frame(sector=["A"] * 30 + ["B"] * 70)
    room = frame(sector=["A"] * 6 + ["B"] * 19)
    assert representation_gaps(room, base, dimensions=("sector",)) == []
    for bad in (0, -1, float("nan"), "0.8"):
        with pytest.raises(ValueError, match="threshold"):
            representation_gaps(room, base, dimensions=("sector",), threshold=bad)  # type: ignore[arg-type]


def test_targets_override_the_baseline_share() -> None:
    room = frame(sector=["Industry"] * 8 + ["Academic"] * 2)
    targets = frame(
        dimension=["sector", "sector"], group=["academic", "Media"], min_share=[0.1, 0.2]
    )
    found = by_category(
        representation_gaps(room, BASELINE, dimensions=("sector",), targets=targets)
    )
    # Academic: target 0.1 (below its 0.2 share) replaces the 0.3 baseline -> no longer a gap.
    assert "Academic" not in found
    # Media is absent from the baseline but named by a target: a missing category.
    media = found["Media"]
    assert media.missing and media.basis == "target" and media.expected_share == 0.2
    assert media.test == "binomial"
    assert media.p_value == pytest.approx(stats.binom.cdf(0, 10, 0.2))
    assert media.shortfall == 3  # k / (10 + k) >= 0.2 -> k >= 2.5
    # Civil Society keeps its baseline share (no target row for it).
    assert found["Civil Society"].basis == "baseline"


def test_over_represented_never_a_gap_and_equal_mix_has_none() -> None:
    assert representation_gaps(BASELINE, BASELINE, dimensions=("sector",)) == []
    room = frame(sector=["Civil Society"] * 5)
    found = by_category(representation_gaps(room, BASELINE, dimensions=("sector",)))
    assert set(found) == {"Industry", "Academic"}


def test_empty_and_one_member_groups() -> None:
    empty = frame(sector=[])
    assert representation_gaps(empty, BASELINE, dimensions=("sector",), min_room=1) == []
    one = frame(sector=["Academic"])
    # Below the default minimum room of 5 a group is described, not tested.
    assert representation_gaps(one, BASELINE, dimensions=("sector",)) == []
    found = by_category(representation_gaps(one, BASELINE, dimensions=("sector",), min_room=1))
    assert set(found) == {"Industry", "Civil Society"}
    assert found["Industry"].p_value == pytest.approx(stats.hypergeom.cdf(0, 20, 10, 1))  # 0.5
    assert found["Industry"].shortfall == 1  # (0 + 1) / (1 + 1) >= 0.5


def test_group_larger_than_baseline_uses_binomial() -> None:
    room = frame(sector=["Industry"] * 25 + ["Academic"] * 1)  # 26 > 20 (Guests, say)
    found = by_category(representation_gaps(room, BASELINE, dimensions=("sector",)))
    assert found["Academic"].test == "binomial"
    assert found["Academic"].p_value == pytest.approx(stats.binom.cdf(1, 26, 0.3))


def test_gap_to_dict_is_plain_json_with_design_keys() -> None:
    room = frame(sector=["Industry"] * 5)
    gap = representation_gaps(room, BASELINE, dimensions=("sector",))[0]
    out = gap.to_dict()
    for key in ("dimension", "group", "count", "share", "expected_share", "ratio", "missing"):
        assert key in out
    assert {"p_value", "shortfall", "q_value", "significant", "direction", "excess"} <= set(out)
    json.dumps(out, allow_nan=False)
    assert "more would reach it" in gap.sentence()


@settings(max_examples=200, deadline=None)
@given(
    size=st.integers(1, 60),
    data=st.data(),
    expected=st.floats(0.01, 0.99),
)
def test_shortfall_is_the_smallest_k(size: int, data: st.DataObject, expected: float) -> None:
    count = data.draw(st.integers(0, size))
    k = shortfall(count, size, expected)
    assert k is not None
    assert (count + k) / (size + k) >= expected - 1e-9
    if k > 0:
        assert (count + k - 1) / (size + k - 1) < expected


def test_shortfall_edges() -> None:
    assert shortfall(5, 5, 1.0) == 0
    assert shortfall(4, 5, 1.0) is None  # adding members never reaches 100 %
    assert shortfall(0, 5, 0.0) == 0
    with pytest.raises(ValueError):
        shortfall(6, 5, 0.5)


def test_find_gaps_many_groups_at_once_equals_one_by_one() -> None:
    rooms = {
        "r1": ["Industry"] * 8 + ["Academic"] * 2,
        "r2": ["Civil Society"] * 3,
        "r3": ["Academic"] * 3 + ["Industry"] * 3 + ["Civil Society"] * 2,
    }
    base = BASELINE["sector"].value_counts()
    rows = []
    for rid, people in rooms.items():
        got = pd.Series(people).value_counts()
        for cat in sorted(set(base.index) | set(got.index)):
            rows.append(
                {
                    "room": rid,
                    "dimension": "sector",
                    "category": cat,
                    "count": int(got.get(cat, 0)),
                    "size": len(people),
                    "baseline_count": int(base.get(cat, 0)),
                    "baseline_size": int(base.sum()),
                }
            )
    table = find_gaps(pd.DataFrame(rows), keys=("room",), min_room=1)
    for rid, people in rooms.items():
        one = representation_gaps(
            frame(sector=people), BASELINE, dimensions=("sector",), min_room=1
        )
        part = table.loc[table.room == rid]
        assert list(part.group) == [g.group for g in one]
        assert list(part.p_value) == pytest.approx([g.p_value for g in one])


def test_group_gaps_on_the_tiny_dataset() -> None:
    ds = tiny()
    # The tiny rooms hold 2 to 4 people: test them all to check the arithmetic.
    found = group_gaps(ds, D2, ("sector",), min_room=1)

    def cats(kind: str, gid: str) -> set[str]:
        return set(found.loc[(found.kind == kind) & (found.group_id == gid), "group"])

    # c1 on D2: p1 Industry, p3 Academic vs Partners Ind 2, Acad 2, Media 1, CS 1.
    assert cats("committee", "c1") == {"Media", "Civil Society"}
    # c2 on D2: CS, Government (Guest), Media, Industry: Industry 1/4 vs 2/6 -> ratio 0.75.
    assert cats("committee", "c2") == {"Industry", "Academic"}
    c2_industry = found.loc[(found.group_id == "c2") & (found.group == "Industry")].iloc[0]
    assert c2_industry.ratio == pytest.approx(0.75)
    # e3: baseline Ind 2, Acad 1, Media 1, CS 1 (2024-04-20); room Ind, Acad, CS, Gov.
    e3 = found.loc[found.group_id == "e3"].set_index("group")
    assert set(e3.index) == {"Media", "Industry"}
    assert e3.loc["Media", "p_value"] == pytest.approx(stats.hypergeom.cdf(0, 5, 1, 4))
    assert e3.loc["Industry", "p_value"] == pytest.approx(stats.hypergeom.cdf(1, 5, 2, 4))
    # On D1, c1 (Ind 2, CS 1, Acad 1) vs Ind 2, Acad 1, CS 2: Civil Society 0.25 / 0.4.
    early = group_gaps(ds, D1, ("sector",), min_room=1)
    c1 = early.loc[early.group_id == "c1"]
    assert list(c1.group) == ["Civil Society"]
    assert c1.iloc[0].p_value == pytest.approx(0.4)  # C(2,1) C(3,3) / C(5,4)
    assert c1.iloc[0].shortfall == 1


def test_recurring_gaps_pool_every_room() -> None:
    # Three rooms of 10 drawn from BASELINE: Civil Society (4 of 20) missing twice, present at
    # its share once. Fisher's method combines all three rooms' p-values, the fair one too.
    rooms = {
        "r1": ["Industry"] * 10,
        "r2": ["Industry"] * 6 + ["Academic"] * 4,
        "r3": ["Industry"] * 4 + ["Academic"] * 4 + ["Civil Society"] * 2,
    }
    base = BASELINE["sector"].value_counts()
    rows = [
        {
            "room": rid,
            "series": "s",
            "dimension": "sector",
            "category": cat,
            "count": people.count(cat),
            "size": len(people),
            "baseline_count": int(base[cat]),
            "baseline_size": 20,
        }
        for rid, people in rooms.items()
        for cat in base.index
    ]
    scored = find_gaps(pd.DataFrame(rows), keys=("room", "series"), scored=True)
    assert len(scored) == 9 and scored["is_gap"].sum() == len(
        find_gaps(pd.DataFrame(rows), keys=("room", "series"))
    )
    found = recurring_gaps(scored, by=("series",)).set_index("group")
    cs = found.loc["Civil Society"]
    assert (cs.rooms, cs.gaps, cs.missing) == (3, 2, 2)
    p = [stats.hypergeom.cdf(0, 20, 4, 10)] * 2 + [stats.hypergeom.cdf(2, 20, 4, 10)]
    assert cs.combined_p_value == pytest.approx(stats.combine_pvalues(p, method="fisher").pvalue)
    assert "Industry" not in found.index  # never short


def test_recurring_gaps_in_the_report_name_the_program() -> None:
    from analysis.report import build_report
    from core.window import Window

    # The tiny rooms hold 2 to 4 people: test them all (min_room=1).
    out = build_report(tiny(), Window.of(as_of=D2, program="Labor"), min_room=1).to_dict()[
        "recurring_gaps"
    ]
    # Labor rooms e2 (p1, p2) and e3 (p1 p3 p6 g1), each judged against its day's Partners.
    # Media and Africa are judged in one room only (no Partner of theirs on the other day);
    # c2 is the only Labor committee, so no committee series.
    got = {
        (r["kind"], r["dimension"], r["group"], r["rooms"], r["gaps"], r["missing"]) for r in out
    }
    assert got == {
        ("event", "sector", "Academic", 2, 1, 1),
        ("event", "sector", "Civil Society", 2, 1, 1),
        ("event", "sector", "Industry", 2, 1, 0),
        ("event", "region", "Asia", 2, 1, 1),
        ("event", "region", "Americas", 2, 1, 0),
        ("event", "region", "Europe", 2, 1, 0),
        ("event", "global_south", "True", 2, 1, 1),
    }
    assert all(r["program"] == "Labor" for r in out)
    south = next(r for r in out if r["dimension"] == "global_south")
    assert south["sentence"].startswith("The Global South was missing from 1 of 2 Labor convenings")


def test_relabelling_and_row_order_do_not_change_gaps() -> None:
    room = frame(sector=["Academic", "Industry"] * 3 + ["Industry"] * 4)
    names = {"Industry": "I", "Academic": "A", "Civil Society": "C"}
    before = representation_gaps(room, BASELINE, dimensions=("sector",))
    after = representation_gaps(
        room.replace(names).iloc[::-1],
        BASELINE.replace(names).sample(frac=1, random_state=1),
        dimensions=("sector",),
    )
    assert [names[g.group] for g in before] == [g.group for g in after]
    assert [g.p_value for g in before] == pytest.approx([g.p_value for g in after])
    assert [g.shortfall for g in before] == [g.shortfall for g in after]


def test_dimension_arguments_checked() -> None:
    with pytest.raises(ValueError, match="dimensions"):
        representation_gaps(BASELINE, BASELINE, dimensions="sector")
    with pytest.raises(ValueError, match="region"):
        representation_gaps(BASELINE, BASELINE, dimensions=("region",))


def targets(**rows: tuple[float | None, float | None]) -> pd.DataFrame:
    """Sector targets: ``Industry=(min_share, max_share)``."""
    return pd.DataFrame(
        [("sector", k.replace("_", " "), lo, hi) for k, (lo, hi) in rows.items()],
        columns=["dimension", "group", "min_share", "max_share"],
    )


def test_max_share_makes_over_representation_a_gap() -> None:
    # A working group of 10, 6 Industry, against a 40 % maximum: 2 more than the maximum.
    room = frame(sector=["Industry"] * 6 + ["Academic"] * 2 + ["Civil Society"] * 2)
    found = representation_gaps(
        room, BASELINE, dimensions=("sector",), targets=targets(Industry=(None, 0.4))
    )
    over = [g for g in found if g.direction == "over"]
    assert len(over) == 1
    gap = over[0]
    assert (gap.group, gap.count, gap.size) == ("Industry", 6, 10)
    assert (gap.excess, gap.shortfall) == (2, None)
    assert gap.expected_share == 0.4 and gap.ratio == pytest.approx(1.5) and not gap.missing
    # Exact upper tail: P(X >= 6) drawing 10 at p = 0.4.
    assert gap.p_value == pytest.approx(stats.binom.sf(5, 10, 0.4))
    assert gap.basis == "target" and gap.test == "binomial" and gap.headcount == 2
    assert "above the maximum of 40%" in gap.sentence()
    # At the maximum (4 of 10) there is no gap; the under-representation tests are unchanged.
    fair = frame(sector=["Industry"] * 4 + ["Academic"] * 3 + ["Civil Society"] * 3)
    assert not [
        g
        for g in representation_gaps(
            fair, BASELINE, dimensions=("sector",), targets=targets(Industry=(None, 0.4))
        )
        if g.direction == "over"
    ]


def test_min_and_max_share_on_one_row_are_two_tests() -> None:
    room = frame(sector=["Industry"] * 9 + ["Academic"])
    scored = find_gaps(
        pd.DataFrame(
            [
                {"dimension": "sector", "category": c, "count": n, "size": 10,
                 "baseline_count": b, "baseline_size": 20}
                for c, n, b in (("Industry", 9, 10), ("Academic", 1, 6), ("Civil Society", 0, 4))
            ]
        ),
        targets=targets(Industry=(0.2, 0.4)),
        scored=True,
    )
    industry = scored.loc[scored["group"] == "Industry"].set_index("direction")
    assert set(industry.index) == {"under", "over"}
    assert industry.loc["under", "p_value"] == pytest.approx(stats.binom.cdf(9, 10, 0.2))
    assert industry.loc["over", "p_value"] == pytest.approx(stats.binom.sf(8, 10, 0.4))
    assert bool(industry.loc["over", "is_gap"]) and not bool(industry.loc["under", "is_gap"])
    assert industry.loc["over", "excess"] == 5  # 9 - floor(0.4 * 10)
    assert len(room) == 10


def test_small_and_empty_rooms_are_described_not_tested() -> None:
    assert [room_status(n) for n in (0, 1, 4, 5)] == ["empty", "too small", "too small", "tested"]
    assert room_status(2, min_room=2) == "tested"
    four = frame(sector=["Industry"] * 4)  # lacks Academic and Civil Society, but is too small
    assert representation_gaps(four, BASELINE, dimensions=("sector",)) == []
    assert [g.group for g in representation_gaps(
        four, BASELINE, dimensions=("sector",), min_room=4
    )] == ["Academic", "Civil Society"]
    # A one-member room is never "8 gaps, 11 more would reach it".
    assert representation_gaps(frame(sector=["Media"]), BASELINE, dimensions=("sector",)) == []
    with pytest.raises(ValueError, match="min_room"):
        room_status(3, min_room=0)
    with pytest.raises(ValueError, match="alpha"):
        representation_gaps(four, BASELINE, dimensions=("sector",), alpha=0)


def test_q_values_are_benjamini_hochberg_over_every_test() -> None:
    rooms = {
        "r1": ["Industry"] * 10,
        "r2": ["Industry"] * 6 + ["Academic"] * 4,
        "r3": ["Industry"] * 4 + ["Academic"] * 4 + ["Civil Society"] * 2,
        "r4": ["Academic"] * 3,  # too small: not in the family
    }
    base = BASELINE["sector"].value_counts()
    rows = pd.DataFrame(
        [
            {"room": rid, "dimension": "sector", "category": cat, "count": people.count(cat),
             "size": len(people), "baseline_count": int(base[cat]), "baseline_size": 20}
            for rid, people in rooms.items()
            for cat in base.index
        ]
    )
    scored = find_gaps(rows, keys=("room",), scored=True)
    assert set(scored["room"]) == {"r1", "r2", "r3"} and len(scored) == 9
    expected = stats.false_discovery_control(scored["p_value"].to_numpy(), method="bh")
    assert scored["q_value"].to_numpy() == pytest.approx(expected)
    assert (scored["q_value"] >= scored["p_value"] - 1e-12).all()
    # The gaps alone carry the q-values of the whole family, not of the gaps among themselves.
    gaps = find_gaps(rows, keys=("room",))
    merged = gaps.merge(scored, on=["room", "group", "direction"], suffixes=("", "_all"))
    assert merged["q_value"].to_numpy() == pytest.approx(merged["q_value_all"].to_numpy())
    assert (gaps["significant"] == (gaps["q_value"] <= 0.05)).all()
    strict = find_gaps(rows, keys=("room",), alpha=0.001)
    assert (strict["significant"] == (strict["q_value"] <= 0.001)).all()
    assert strict["significant"].sum() < gaps["significant"].sum()


def test_ranked_keeps_significant_gaps_largest_head_count_first() -> None:
    rows = pd.DataFrame(
        [
            {"room": rid, "dimension": "sector", "category": cat, "count": n, "size": size,
             "baseline_count": b, "baseline_size": 200}
            for rid, size, cells in (
                ("big", 40, (("Industry", 40, 100), ("Academic", 0, 60), ("Civil Society", 0, 40))),
                ("mid", 20, (("Industry", 20, 100), ("Academic", 0, 60), ("Civil Society", 0, 40))),
                ("odd", 10, (("Industry", 4, 100), ("Academic", 6, 60), ("Civil Society", 0, 40))),
            )
            for cat, n, b in cells
        ]
    )
    gaps = find_gaps(rows, keys=("room",))
    top = ranked(gaps)
    assert top["significant"].all() and len(top) < len(gaps)  # odd's Civil Society: p = 0.1
    heads = top["shortfall"].tolist()
    assert heads == sorted(heads, reverse=True)
    assert (top.iloc[0]["room"], top.iloc[0]["group"]) == ("big", "Academic")
    assert len(ranked(gaps, limit=2)) == 2


def test_doctests() -> None:
    result = doctest.testmod(gaps_module)
    assert result.attempted > 0 and result.failed == 0
