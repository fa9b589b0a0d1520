"""The convening planner: hand-built rooms with known best picks, constraints and invariants."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analysis.diversity import blau, composition
from analysis.planner import DEFAULT_WEIGHTS, recommend, what_if
from core.errors import RequestError
from core.model import Dataset

# country -> (region, global_south, name)
PLACES = {
    "USA": ("Americas", False, "United States"),
    "CAN": ("Americas", False, "Canada"),
    "FRA": ("Europe", False, "France"),
    "DEU": ("Europe", False, "Germany"),
    "KEN": ("Africa", True, "Kenya"),
    "NGA": ("Africa", True, "Nigeria"),
    "BRA": ("Americas", True, "Brazil"),
    "IND": ("Asia", True, "India"),
    "JPN": ("Asia", False, "Japan"),
}
DAY = "2024-05-01"


def make_ds(
    rows: list[tuple],
    attendance: dict[str, list[str]] | None = None,
    events: dict[str, str] | None = None,
    targets: list[tuple] | None = None,
) -> Dataset:
    """rows: (id, sector, country[, joined, left, membership]); events: id -> date."""
    partners = []
    for row in rows:
        pid, sector, country, *rest = row
        joined, left, membership = (list(rest) + [None, None, "Partner"][len(rest):])[:3]
        region, south, cname = PLACES[country]
        partners.append(
            {
                "partner_id": pid,
                "name": f"Org {pid}",
                "sector": sector,
                "country": country,
                "country_name": cname,
                "region": region,
                "global_south": south,
                "joined": joined,
                "left": left,
                "membership": membership,
            }
        )
    events = events or {"e1": DAY}
    attendance = attendance or {}
    att = [{"event_id": e, "partner_id": p} for e, ps in attendance.items() for p in ps]
    frames = {
        "partners": pd.DataFrame(partners),
        "events": pd.DataFrame(
            {"event_id": list(events), "name": [f"Event {e}" for e in events],
             "date": list(events.values())}
        ),
        "attendance": pd.DataFrame(att, columns=["event_id", "partner_id"]),
    }
    if targets:
        frames["targets"] = pd.DataFrame(targets, columns=["dimension", "group", "min_share"])
    return Dataset.from_frames(**frames)


def blau_sum(ds: Dataset, ids: list[str], dims=tuple(DEFAULT_WEIGHTS)) -> float:
    room = ds.partners.loc[ds.partners["partner_id"].isin(ids)]
    return sum(blau(composition(room, d).counts) for d in dims)


# A room of three US Industry partners; the membership also has Academia, Civil Society, Europe.
TWO_GAPS = [
    ("r1", "Industry", "USA"),
    ("r2", "Industry", "USA"),
    ("r3", "Industry", "USA"),
    ("acad_us", "Academic", "USA"),  # closes the sector gap only
    ("ind_fr", "Industry", "FRA"),  # closes the region gap only
    ("acad_fr", "Academic", "FRA"),  # closes both: must come first
    ("acad_de", "Academic", "DEU"),  # closes both as well (before the first pick)
    ("cs_us", "Civil Society", "USA"),
    ("ind_us", "Industry", "USA"),
    # A mostly US-Industry membership, so one Academic European is enough for both shares.
    *[(f"i{k}", "Industry", "USA") for k in range(8)],
]


def test_the_candidate_closing_two_gaps_comes_first():
    rows = [r for r in TWO_GAPS if r[0] != "acad_de"]
    ds = make_ds(rows, {"e1": ["r1", "r2", "r3"]})
    plan = recommend(ds, event_id="e1", size=1, weights={"sector": 1, "region": 1})
    assert plan.partner_ids == ["acad_fr"]
    reasons = plan.recommendations[0].reasons
    assert "adds Europe, which the room lacks" in reasons
    assert any("Academic" in r and "lacks" in r for r in reasons)


def test_two_picks_do_not_close_the_same_gap_twice():
    ds = make_ds(TWO_GAPS, {"e1": ["r1", "r2", "r3"]})
    plan = recommend(ds, event_id="e1", size=2, weights={"sector": 1, "region": 1})
    first, second = plan.partner_ids
    assert first in {"acad_fr", "acad_de"}
    # After an Academic European joins, the remaining gap is Civil Society: not a second
    # Academic European, although before the first pick that one scored as high.
    assert second == "cs_us"


def test_reasons_in_plain_words():
    rows = [
        ("r1", "Industry", "USA"),
        ("r2", "Industry", "USA"),
        ("only_acad", "Academic", "FRA"),
        ("ind_us", "Industry", "USA"),
    ]
    ds = make_ds(rows, {"e1": ["r1", "r2"]})
    plan = recommend(ds, event_id="e1", size=1, weights={"sector": 1, "region": 1})
    rec = plan.recommendations[0]
    assert rec.partner_id == "only_acad"
    assert rec.reasons[:2] == (
        "the only active Academic partner, a sector the room lacks",
        "adds Europe, which the room lacks",
    )
    assert rec.membership == "Partner"


def test_global_south_share_reason_states_before_after_and_membership():
    # Membership: 20 partners, 7 in the Global South (35%). Room: 9 North + 1 South (10%).
    north = [(f"n{i:02d}", "Industry", "USA") for i in range(13)]
    south = [(f"s{i:02d}", "Industry", "KEN") for i in range(7)]
    room = [f"n{i:02d}" for i in range(9)] + ["s00"]
    ds = make_ds(north + south, {"e1": room})
    plan = recommend(ds, event_id="e1", size=1, weights={"global_south": 1})
    rec = plan.recommendations[0]
    assert rec.partner_id == "s01"  # the South candidates tie; smallest id wins
    assert "brings the room's Global South share from 10% to 18% (membership: 35%)" in rec.reasons


def test_inactive_partners_and_people_in_the_room_are_never_recommended():
    rows = [
        ("r1", "Industry", "USA"),
        ("gone", "Academic", "KEN", "2010-01-01", "2020-01-01"),
        ("left_today", "Academic", "KEN", "2010-01-01", DAY),  # left == d: not active
        ("later", "Academic", "KEN", "2025-01-01", None),
        ("joined_today", "Media", "IND", DAY, None),  # joined == d: active
        ("in_room", "Academic", "KEN"),
        ("ok", "Civil Society", "FRA"),
    ]
    ds = make_ds(rows, {"e1": ["r1", "in_room"]})
    plan = recommend(ds, event_id="e1", size=10)
    assert set(plan.partner_ids) == {"joined_today", "ok"}
    assert plan.shortfall is not None and "asked for 10" in plan.shortfall
    assert "only 2 could be recommended" in plan.shortfall


def _random_ds(seed: int, n: int = 40) -> tuple[Dataset, list[str]]:
    rng = np.random.default_rng(seed)
    sectors = ["Industry", "Academic", "Civil Society", "Media"]
    countries = list(PLACES)
    rows = [
        (f"p{i:03d}", sectors[rng.choice(4, p=[0.55, 0.2, 0.15, 0.1])],
         countries[rng.integers(len(countries))])
        for i in range(n)
    ]
    room = sorted(rng.choice([r[0] for r in rows], size=int(rng.integers(1, 12)), replace=False))
    return make_ds(rows, {"e1": list(room)}), list(room)


@pytest.mark.parametrize("seed", range(8))
def test_diversity_never_falls_by_adding_a_recommended_partner(seed):
    ds, room = _random_ds(seed)
    plan = recommend(ds, event_id="e1", size=6)
    current = list(room)
    for rec in plan.recommendations:
        before = blau_sum(ds, current)
        current.append(rec.partner_id)
        assert blau_sum(ds, current) >= before - 1e-12, (seed, rec.partner_id)
    assert plan.after.blau_total >= plan.before.blau_total - 1e-12
    assert abs(plan.after.blau_total - blau_sum(ds, current)) < 1e-12


def test_a_room_where_everyone_would_lower_diversity_gets_a_shortfall():
    # The room is one Industry and one Academic partner; the only candidates are Industry
    # partners from the same country: each would make the room less mixed.
    rows = [("r1", "Industry", "USA"), ("r2", "Academic", "USA")] + [
        (f"c{i}", "Industry", "USA") for i in range(3)
    ]
    ds = make_ds(rows, {"e1": ["r1", "r2"]})
    plan = recommend(ds, event_id="e1", size=2)
    assert plan.partner_ids == []
    assert "3 more would lower the room's diversity" in plan.shortfall


def test_include_exclude_and_caps_are_honoured():
    ds = make_ds(TWO_GAPS, {"e1": ["r1", "r2", "r3"]})
    plan = recommend(ds, event_id="e1", size=3, include=["ind_us"], exclude=["acad_fr", "cs_us"])
    assert plan.partner_ids[0] == "ind_us"
    assert plan.recommendations[0].reasons[0] == "included on request"
    assert plan.recommendations[0].included
    assert not {"acad_fr", "cs_us"} & set(plan.partner_ids)
    assert len(plan.partner_ids) == 3

    # At most 4 from one country in the whole room: the room already holds 3 from the USA.
    capped = recommend(ds, event_id="e1", size=4, max_per_country=4)
    countries = ds.partners.set_index("partner_id")["country"]
    room_countries = [countries[p] for p in ["r1", "r2", "r3", *capped.partner_ids]]
    assert max(room_countries.count(c) for c in set(room_countries)) <= 4
    assert sum(countries[p] == "USA" for p in capped.partner_ids) <= 1

    per_sector = recommend(ds, event_id="e1", size=5, max_per_sector=1)
    sectors = ds.partners.set_index("partner_id")["sector"]
    picked = [sectors[p] for p in per_sector.partner_ids]
    assert "Industry" not in picked  # the room already has three
    assert len(picked) == len(set(picked))


def test_include_errors_are_request_errors():
    rows = [("r1", "Industry", "USA"), ("gone", "Academic", "KEN", None, "2020-01-01"),
            ("x", "Media", "FRA")]
    ds = make_ds(rows, {"e1": ["r1"]})
    with pytest.raises(RequestError, match="gone: not active on 2024-05-01"):
        recommend(ds, event_id="e1", include=["gone"])
    with pytest.raises(RequestError, match="r1: already in the room"):
        recommend(ds, event_id="e1", include=["r1"])
    with pytest.raises(RequestError, match="x: both included and excluded"):
        recommend(ds, event_id="e1", include=["x"], exclude="x")


def test_fatigue_deprioritises_frequent_attendees():
    # Two identical Academic candidates; a and b differ only in how often they were asked.
    rows = [("r1", "Industry", "USA"), ("a", "Academic", "FRA"), ("b", "Academic", "FRA"),
            ("c", "Industry", "USA")]
    events = {"e1": DAY, "old1": "2024-01-10", "old2": "2024-02-10", "old3": "2024-03-10",
              "ancient": "2019-01-01"}
    attendance = {"e1": ["r1"], "old1": ["a"], "old2": ["a"], "old3": ["a"], "ancient": ["b"]}
    ds = make_ds(rows, attendance, events)
    plan = recommend(ds, event_id="e1", size=1)
    assert plan.partner_ids == ["b"]
    assert plan.recommendations[0].recent_events == 0
    # With no fatigue window the two are a plain tie, broken by id.
    assert recommend(ds, event_id="e1", size=1, fatigue_window_days=0).partner_ids == ["a"]


def test_fatigue_outweighs_a_small_gain_only_when_weighted():
    # "a" (attended 4 recent events) adds a region and a country; "d" (never attended) adds
    # only a country, so it is the lesser pick until fatigue weighs heavily.
    rows = [("r1", "Industry", "USA"), ("r2", "Academic", "JPN"),
            ("a", "Academic", "FRA"), ("b", "Academic", "JPN")]
    events = {"e1": DAY, **{f"o{i}": f"2024-0{i}-01" for i in range(1, 5)}}
    attendance = {"e1": ["r1", "r2"], **{f"o{i}": ["a"] for i in range(1, 5)}}
    ds = make_ds(rows + [("d", "Academic", "CAN")], attendance, events)
    fresh = recommend(ds, event_id="e1", size=1, fatigue_weight=0.0)
    assert fresh.partner_ids == ["a"]
    tired = recommend(ds, event_id="e1", size=1, fatigue_weight=5.0)
    assert tired.partner_ids == ["d"]
    assert tired.recommendations[0].gain < fresh.recommendations[0].gain


def test_prefer_first_timers():
    rows = [("r1", "Industry", "USA"), ("a", "Academic", "FRA"), ("b", "Academic", "FRA")]
    events = {"e1": DAY, "ancient": "2015-01-01"}
    ds = make_ds(rows, {"e1": ["r1"], "ancient": ["a"]}, events)
    # a's one attendance is long ago: without the preference a wins the tie by id.
    assert recommend(ds, event_id="e1", size=1).partner_ids == ["a"]
    plan = recommend(ds, event_id="e1", size=1, prefer_first_timers=True)
    assert plan.partner_ids == ["b"]
    assert "would be their first convening" in plan.recommendations[0].reasons


def test_same_input_gives_the_same_list_every_time():
    ds, _ = _random_ds(3, n=60)
    first = recommend(ds, event_id="e1", size=5).to_dict()
    for _ in range(3):
        assert recommend(ds, event_id="e1", size=5).to_dict() == first
    # Row order of the source does not matter either.
    shuffled = Dataset.from_frames(
        partners=ds.partners.sample(frac=1.0, random_state=1),
        events=ds.events,
        attendance=ds.attendance.sample(frac=1.0, random_state=2),
    )
    assert recommend(shuffled, event_id="e1", size=5).to_dict() == first


def test_unknown_ids_are_all_named():
    ds = make_ds(TWO_GAPS, {"e1": ["r1"]})
    with pytest.raises(RequestError) as err:
        recommend(ds, event_id="nope", include=["zz1", "r2"], exclude=["zz2"], invited="zz3,r3")
    message = str(err.value)
    for name in ("nope", "zz1", "zz2", "zz3"):
        assert name in message
    assert "r2" not in message.replace("zz", "")


@pytest.mark.parametrize("size", [0, -1, 2.5, True])
def test_size_must_be_a_positive_integer(size):
    ds = make_ds(TWO_GAPS, {"e1": ["r1"]})
    with pytest.raises(ValueError, match="size"):
        recommend(ds, event_id="e1", size=size)


def test_bad_weights_and_missing_date_are_value_errors():
    ds = make_ds(TWO_GAPS, {"e1": ["r1"]})
    with pytest.raises(ValueError, match="not a partner column"):
        recommend(ds, event_id="e1", weights={"colour": 1})
    with pytest.raises(ValueError, match="at least one dimension"):
        recommend(ds, event_id="e1", weights={"sector": 0})
    with pytest.raises(ValueError, match="date"):
        recommend(ds, invited=["r1"])


def test_guests_only_when_no_partner_closes_a_gap():
    # Target: 30% Africa. The room has 1 African of 5 (20%). Only a Guest is African.
    rows = [(f"r{i}", "Industry", "USA") for i in range(4)] + [
        ("r_af", "Industry", "KEN"),
        ("p_us", "Industry", "USA"),
        ("g_ke", "Affected Community", "KEN", None, None, "Guest"),
    ]
    room = ["r0", "r1", "r2", "r3", "r_af"]
    targets = [("region", "Africa", 0.3)]
    ds = make_ds(rows, {"e1": room}, targets=targets)
    plan = recommend(ds, event_id="e1", size=1, weights={"region": 1})
    rec = plan.recommendations[0]
    assert (rec.partner_id, rec.membership) == ("g_ke", "Guest")
    assert rec.reasons[0].startswith("a Guest, not a Partner")
    assert "brings the room's Africa share from 20% to 33% (target: 30%)" in rec.reasons
    assert plan.to_dict()["recommendations"][0]["membership"] == "Guest"

    assert recommend(ds, event_id="e1", size=1, weights={"region": 1},
                     allow_guests=False).partner_ids == []

    # Once a Partner can close the gap, the Guest waits.
    ds2 = make_ds(rows + [("p_ng", "Industry", "NGA")], {"e1": room}, targets=targets)
    assert recommend(ds2, event_id="e1", size=1, weights={"region": 1}).partner_ids == ["p_ng"]


def test_a_new_convening_from_a_date_and_a_draft_list():
    ds = make_ds(TWO_GAPS, {"e1": ["acad_fr"]})
    plan = recommend(ds, date="2024-09-01", invited="r1,r2,r3", size=1,
                     weights={"sector": 1, "region": 1})
    assert plan.event_id is None and plan.date == "2024-09-01"
    assert plan.before.members == ("r1", "r2", "r3")
    assert plan.partner_ids[0] in {"acad_fr", "acad_de"}


def test_plan_json_shape_and_before_after():
    ds = make_ds(TWO_GAPS, {"e1": ["r1", "r2", "r3"]})
    out = json.loads(json.dumps(recommend(ds, event_id="e1", size=2).to_dict()))
    assert {"event_id", "date", "recommendations", "before", "after", "shortfall",
            "parameters"} <= set(out)
    assert out["event_id"] == "e1" and out["date"] == DAY and out["shortfall"] is None
    rec = out["recommendations"][0]
    assert {"partner_id", "name", "membership", "score", "reasons"} <= set(rec)
    assert out["before"]["composition"]["sector"] == {"Industry": 3}
    assert out["before"]["diversity"]["sector"]["blau"] == 0.0
    assert out["after"]["diversity"]["sector"]["blau"] > 0
    missing = {(g["dimension"], g["group"]) for g in out["before"]["gaps"] if g["missing"]}
    assert ("region", "Europe") in missing and ("sector", "Academic") in missing
    assert out["parameters"]["size"] == 2


def test_what_if_updates_composition_and_gaps():
    ds = make_ds(TWO_GAPS, {"e1": ["r1", "r2", "r3"]})
    base = what_if(ds, ["r1", "r2", "r3"], DAY)
    more = what_if(ds, ["r1", "r2", "r3", "acad_fr"], DAY)
    assert base.composition["region"] == {"Americas": 3}
    assert more.composition["region"] == {"Americas": 3, "Europe": 1}
    assert more.composition["sector"] == {"Industry": 3, "Academic": 1}
    base_gaps = {(g.dimension, g.group) for g in base.gaps}
    more_gaps = {(g.dimension, g.group) for g in more.gaps}
    assert ("region", "Europe") in base_gaps - more_gaps
    # Blau of sector: 1 - (3/4)^2 - (1/4)^2 = 0.375
    assert more.diversity["sector"]["blau"] == pytest.approx(0.375)
    with pytest.raises(RequestError, match="nobody"):
        what_if(ds, ["r1", "nobody"], DAY)


def test_a_guest_fills_a_gap_no_partner_can_close_even_while_partners_close_others():
    # Target: 20% Affected Community, a sector no Partner belongs to; a Guest does.
    rows = [
        ("r0", "Industry", "USA"),
        ("r1", "Industry", "USA"),
        ("r2", "Industry", "USA"),
        ("acad_fr", "Academic", "FRA"),  # a Partner closing the Academic and Europe gaps
        ("ind_us", "Industry", "USA"),
        ("g_ac", "Affected Community", "KEN", None, None, "Guest"),
    ]
    ds = make_ds(rows, {"e1": ["r0", "r1", "r2"]},
                 targets=[("sector", "Affected Community", 0.2)])
    plan = recommend(ds, event_id="e1", size=2, weights={"sector": 1, "region": 1})
    assert set(plan.partner_ids) == {"acad_fr", "g_ac"}
    guest = next(r for r in plan.recommendations if r.partner_id == "g_ac")
    assert guest.membership == "Guest"
    # Africa is no gap: no active Partner is African, so the baseline expects 0% of it.
    assert guest.reasons[0] == "a Guest, not a Partner: no active Partner can bring Affected Community"
    partner = next(r for r in plan.recommendations if r.partner_id == "acad_fr")
    assert not any("Guest" in r for r in partner.reasons)
    no_guests = recommend(ds, event_id="e1", size=2, weights={"sector": 1, "region": 1},
                          allow_guests=False)
    assert "g_ac" not in no_guests.partner_ids


def test_a_cap_that_blocks_everyone_is_named_in_the_shortfall():
    rows = [("r1", "Industry", "USA"), ("c0", "Industry", "FRA"), ("c1", "Industry", "DEU"),
            ("c2", "Industry", "JPN")]
    ds = make_ds(rows, {"e1": ["r1"]})
    assert len(recommend(ds, event_id="e1", size=3).partner_ids) == 3
    plan = recommend(ds, event_id="e1", size=3, max_per_sector=1)
    assert plan.partner_ids == []
    assert plan.shortfall == (
        "asked for 3 but only 0 could be recommended (3 active partners not in the room; "
        "3 more would go over the country or sector cap)"
    )
