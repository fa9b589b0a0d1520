"""Diversity indices: known answers, invariants from a registry, composition of any attribute."""

from __future__ import annotations

import doctest
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import diversity as diversity_module
from analysis.diversity import (
    blau,
    composition,
    diversity,
    evenness,
    group_baselines,
    group_compositions,
    group_unknowns,
    membership_totals,
    normalised_blau,
    shannon,
)
from core.model import Dataset
from tests.analysis.test_snapshot import D1, D2, tiny

# name -> (function, upper bound given k categories). Every index is 0 for an empty or
# one-category group and invariant under relabelling, reordering and scaling of the counts.
REGISTRY = {
    "blau": (blau, lambda k: 1 - 1 / k),
    "normalised_blau": (normalised_blau, lambda k: 1.0),
    "shannon": (shannon, lambda k: math.log(k)),
    "evenness": (evenness, lambda k: 1.0),
}
counts_strategy = st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=8)


def test_known_answers() -> None:
    # Two Industry, one Academic, one Civil Society: p = (1/2, 1/4, 1/4).
    counts = {"Industry": 2, "Academic": 1, "Civil Society": 1}
    assert blau(counts) == pytest.approx(1 - (0.25 + 0.0625 + 0.0625))  # 0.625
    assert normalised_blau(counts) == pytest.approx(0.625 / (1 - 1 / 3))
    assert shannon(counts) == pytest.approx(-(0.5 * math.log(0.5) + 2 * 0.25 * math.log(0.25)))
    assert evenness(counts) == pytest.approx(shannon(counts) / math.log(3))
    # k counts the possible categories: a fourth, absent sector lowers the normalised values.
    assert normalised_blau(counts, k=4) == pytest.approx(0.625 / 0.75)
    assert evenness([2, 1, 1, 0]) == pytest.approx(shannon(counts) / math.log(4))
    assert diversity(counts) == {
        "blau": blau(counts),
        "normalised_blau": normalised_blau(counts),
        "shannon": shannon(counts),
        "evenness": evenness(counts),
    }


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_degenerate_groups_are_zero(name: str) -> None:
    index = REGISTRY[name][0]
    assert index([]) == 0.0  # empty room
    assert index({}) == 0.0
    assert index([0, 0, 0]) == 0.0
    assert index([1]) == 0.0  # one member
    assert index({"Industry": 7, "Academic": 0}) == 0.0  # one category present


@pytest.mark.parametrize("name", sorted(REGISTRY))
@settings(max_examples=60, deadline=None)
@given(counts=counts_strategy)
def test_bounds(name: str, counts: list[int]) -> None:
    index, upper = REGISTRY[name]
    k = len(counts)
    value = index(counts)
    assert 0.0 <= value
    if k > 1:
        assert value <= upper(k) + 1e-12


@pytest.mark.parametrize("name", sorted(REGISTRY))
@settings(max_examples=60, deadline=None)
@given(counts=counts_strategy, seed=st.integers(0, 1000), scale=st.integers(1, 5))
def test_order_relabel_format_and_scale_invariance(
    name: str, counts: list[int], seed: int, scale: int
) -> None:
    index = REGISTRY[name][0]
    value = index(counts)
    shuffled = list(np.random.default_rng(seed).permutation(counts))
    assert index(shuffled) == pytest.approx(value)
    relabelled = {f"label-{i * 7 % 11}-{i}": c for i, c in enumerate(counts)}
    assert index(relabelled) == pytest.approx(value)
    assert index(pd.Series(counts, index=[f"x{i}" for i in range(len(counts))])) == pytest.approx(
        value
    )
    assert index(np.array(counts)) == pytest.approx(value)
    assert index([c * scale for c in counts]) == pytest.approx(value)


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_maximum_at_equal_shares(name: str) -> None:
    index, upper = REGISTRY[name]
    assert index([3, 3, 3, 3]) == pytest.approx(upper(4))


@pytest.mark.parametrize("name", sorted(REGISTRY))
@pytest.mark.parametrize(
    "bad, message",
    [([1, float("nan")], "NaN"), ([1, -1], "non-negative"), (["a", "b"], "numeric"), (3, "1-D")],
)
def test_bad_counts_refused_naming_the_argument(name: str, bad: object, message: str) -> None:
    with pytest.raises(ValueError, match="counts") as info:
        REGISTRY[name][0](bad)
    assert message in str(info.value)


def test_k_checked() -> None:
    with pytest.raises(ValueError, match="k must"):
        normalised_blau([1, 1, 1], k=2)
    with pytest.raises(ValueError, match="k must"):
        evenness([1, 1], k=0)


def test_composition_counts_sorted_and_shares() -> None:
    frame = pd.DataFrame({"sector": ["Media", "Industry", "Academic", "Industry", "", None]})
    comp = composition(frame, "sector")
    assert comp.counts == {"Industry": 2, "Academic": 1, "Media": 1}
    assert list(comp.counts) == ["Industry", "Academic", "Media"]  # by count, then label
    assert comp.unknown == 2  # "" and None are not a category
    assert comp.shares == {"Industry": 0.5, "Academic": 0.25, "Media": 0.25}
    assert composition(pd.DataFrame({"sector": []}), "sector").shares == {}


def test_composition_any_attribute_weights_and_lists() -> None:
    ds = tiny()
    members = ds.partners
    assert composition(members, "global_south").counts == {"False": 4, "True": 4}
    assert composition(members, "subregion").counts["Western Europe"] == 2
    assert composition(members["country"]).counts["USA"] == 1
    heavy = members.assign(w=(members["partner_id"] == "g1").map({True: 5, False: 1}))
    weighted = composition(heavy, "region", weights="w")
    assert weighted.counts["Africa"] == 6 and weighted.weighted  # p4 (1) + g1 (5)
    assert composition(heavy, "region", weights=heavy["w"].to_numpy()).counts == weighted.counts
    extra = pd.DataFrame({"focus_areas": [("labor", "safety"), ("safety",), ()]})
    assert composition(extra, "focus_areas").counts == {"safety": 2, "labor": 1}
    with pytest.raises(ValueError, match="attribute"):
        composition(members, "nope")
    with pytest.raises(ValueError, match="weights"):
        composition(members, "sector", weights=[1, 2])


def test_group_compositions_known_answers() -> None:
    ds = tiny()
    table = group_compositions(ds, D2, ("sector", "region"))
    assert list(table.columns) == ["kind", "group_id", "dimension", "category", "count"]

    def counts(kind: str, gid: str, dim: str) -> dict[str, int]:
        part = table.loc[(table.kind == kind) & (table.group_id == gid) & (table.dimension == dim)]
        return dict(zip(part.category, part["count"], strict=True))

    assert counts("committee", "c1", "sector") == {"Academic": 1, "Industry": 1}
    assert counts("committee", "c2", "sector") == {
        "Civil Society": 1,
        "Government": 1,
        "Industry": 1,
        "Media": 1,
    }
    # e3 counts everyone who attended, the Guest too.
    assert counts("event", "e3", "sector") == {
        "Academic": 1,
        "Civil Society": 1,
        "Government": 1,
        "Industry": 1,
    }
    assert counts("event", "e1", "region") == {"Africa": 1, "Americas": 1, "Asia": 1, "Europe": 1}
    # At D1 no 2024 event exists yet, and c1 still has p2 and p4.
    early = group_compositions(ds, D1, ("sector",))
    assert set(early.loc[early.kind == "event", "group_id"]) == {"e1"}
    c1 = early.loc[early.group_id == "c1"]
    assert dict(zip(c1.category, c1["count"], strict=True)) == {
        "Academic": 1,
        "Civil Society": 1,
        "Industry": 2,
    }
    labor = group_compositions(ds, D2, ("sector",), program="Labor")
    assert set(zip(labor.kind, labor.group_id, strict=True)) == {
        ("committee", "c2"),
        ("event", "e2"),
        ("event", "e3"),
    }


def test_group_compositions_equal_a_loop_over_groups() -> None:
    """Independent computation: filter per group with the snapshot functions, count by hand."""
    from analysis.snapshot import committee_members, event_attendees, events_in_window

    ds = tiny(extra_guests=2)
    table = group_compositions(ds, D2, ("sector", "region", "global_south"))
    expected = []
    for cid in ds.committees["committee_id"]:
        for dim in ("sector", "region", "global_south"):
            for cat, n in committee_members(ds, cid, D2)[dim].astype(str).value_counts().items():
                expected.append(("committee", cid, dim, cat, n))
    for eid in events_in_window(ds, as_of=D2)["event_id"]:
        for dim in ("sector", "region", "global_south"):
            for cat, n in event_attendees(ds, eid)[dim].astype(str).value_counts().items():
                expected.append(("event", eid, dim, cat, n))
    got = sorted(table.itertuples(index=False, name=None))
    assert got == sorted(expected)


def test_group_baselines_use_partners_on_the_event_day() -> None:
    ds = tiny()
    base = group_baselines(ds, D2, ("sector",))

    def counts(gid: str) -> dict[str, int]:
        part = base.loc[base.group_id == gid]
        return dict(zip(part.category, part.baseline_count, strict=True))

    # e1 (2023-03-10): p1 p2 p3 p4 p6 -- p5 not joined, no Guest in a baseline.
    assert counts("e1") == {"Academic": 1, "Civil Society": 2, "Industry": 2}
    # e3 (2024-04-20): p4 has left, p5 has joined, p7 not yet.
    assert counts("e3") == {"Academic": 1, "Civil Society": 1, "Industry": 2, "Media": 1}
    # committees: the Partners active on as_of (p7 joined 2024-06-01).
    assert counts("c1") == {"Academic": 2, "Civil Society": 1, "Industry": 2, "Media": 1}


def test_membership_totals_count_partners_only() -> None:
    ds = tiny()
    totals = membership_totals(ds, D2)
    assert totals["partners"] == 6 and totals["guests"] == 1
    assert totals["countries"] == 6
    assert totals["sectors"] == {"Academic": 2, "Industry": 2, "Civil Society": 1, "Media": 1}
    assert totals["regions"] == {"Europe": 3, "Americas": 2, "Asia": 1}
    with_guests = membership_totals(tiny(extra_guests=3), D2)
    assert {k: v for k, v in with_guests.items() if k != "guests"} == {
        k: v for k, v in totals.items() if k != "guests"
    }
    assert with_guests["guests"] == 4


def without_country() -> Dataset:
    """tiny() with p6 (Civil Society, India) stripped of its country, as the loader leaves it."""
    ds = tiny()
    partners = ds.partners.copy()
    at = partners["partner_id"] == "p6"
    partners.loc[at, ["country", "region", "subregion"]] = ""
    partners.loc[at, "global_south"] = False
    return Dataset.from_frames(
        partners=partners,
        committees=ds.committees,
        memberships=ds.memberships,
        events=ds.events,
        attendance=ds.attendance,
    )


def test_unknown_country_is_unknown_in_every_geographic_dimension() -> None:
    ds = without_country()
    totals = membership_totals(ds, D2)
    # Counted in the totals (6 Partners) but in no region, sub-region or Global South share.
    assert totals["partners"] == 6 and totals["countries"] == 5
    assert totals["regions"] == {"Europe": 3, "Americas": 2, "Unknown": 1}
    assert totals["global_south"] == {"False": 4, "True": 1, "Unknown": 1}
    assert totals["subregions"]["Unknown"] == 1
    assert totals["sectors"]["Civil Society"] == 1  # sector is known: counted as ever
    blau_known = 1 - (4 / 5) ** 2 - (1 / 5) ** 2  # over the 5 partners of known country
    assert totals["diversity"]["global_south"]["blau"] == pytest.approx(blau_known)


def test_unknown_country_is_left_out_of_the_baselines_with_the_count_shown() -> None:
    ds = without_country()
    base = group_baselines(ds, D2, ("global_south", "sector"))
    c1 = base.loc[base.group_id == "c1"]
    south = dict(zip(c1.loc[c1.dimension == "global_south", "category"],
                     c1.loc[c1.dimension == "global_south", "baseline_count"], strict=True))
    assert south == {"False": 4, "True": 1}  # p6 is neither
    assert c1.loc[c1.dimension == "sector", "baseline_count"].sum() == 6
    # e3 (p1 p3 p6 g1): p6 is in the room, of unknown region and Global South.
    rooms = group_compositions(ds, D2, ("global_south",))
    e3 = rooms.loc[rooms.group_id == "e3"]
    assert dict(zip(e3.category, e3["count"], strict=True)) == {"False": 2, "True": 1}
    unknown = group_unknowns(ds, D2, ("global_south", "sector"))
    assert set(unknown.itertuples(index=False, name=None)) == {
        ("committee", "c2", "global_south", 1),
        ("event", "e1", "global_south", 1),
        ("event", "e3", "global_south", 1),
        ("event", "e4", "global_south", 1),
    }


def test_doctests() -> None:
    result = doctest.testmod(diversity_module)
    assert result.attempted > 0 and result.failed == 0
