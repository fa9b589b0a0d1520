"""The convening planner: hand-built rooms with known best picks, rules, what-ifs and JSON."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis.planner import OBJECTIVE, recommend, what_if
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
    extra: dict[str, object] | None = None,
) -> Dataset:
    """rows: (id, sector, country[, joined, left, membership]); events: id -> date.

    ``extra`` adds frames or columns: ``focus`` (id -> focus areas), ``event_cols`` (event
    columns such as program, topics, country), ``committees`` and ``memberships`` frames.
    """
    extra = extra or {}
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
                "focus_areas": ";".join(extra.get("focus", {}).get(pid, ())),
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
    for col, values in extra.get("event_cols", {}).items():
        frames["events"][col] = [values.get(e, "") for e in events]
    for name in ("committees", "memberships"):
        if name in extra:
            frames[name] = extra[name]
    if targets:
        frames["targets"] = pd.DataFrame(targets, columns=["dimension", "group", "min_share"])
    return Dataset.from_frames(**frames)


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
    kinds = [(r.kind, r.facts.get("category")) for r in plan.recommendations[0].why]
    assert ("gap", "Academic") in kinds and ("gap", "Europe") in kinds


def test_a_room_reads_its_counts_and_blau_by_dimension():
    ds = make_ds(TWO_GAPS, {"e1": ["r1", "r2", "r3"]})
    room = what_if(ds, ["r1", "r2", "acad_fr"], DAY)
    assert dict(room.counts("sector")) == {"Industry": 2, "Academic": 1}
    assert dict(room.counts("region")) == {"Americas": 2, "Europe": 1}
    assert room.counts("no such dimension") == {}
    assert room.blau["sector"] == pytest.approx(1 - (2 / 3) ** 2 - (1 / 3) ** 2)
    assert room.blau_total == pytest.approx(sum(room.blau.values()))


def test_two_picks_do_not_close_the_same_gap_twice():
    # 10 Partners: a room of 5 seats asks for 1 Academic, 1 European, 0.5 Civil Society,
    # 4 Americas and 3.5 Industry seats; the room holds 3 US Industry partners.
    rows = [("r1", "Industry", "USA"), ("r2", "Industry", "USA"), ("r3", "Industry", "USA"),
            ("acad_fr", "Academic", "FRA"), ("acad_de", "Academic", "DEU"),
            ("cs_us", "Civil Society", "USA")] + [(f"i{k}", "Industry", "USA") for k in range(4)]
    ds = make_ds(rows, {"e1": ["r1", "r2", "r3"]})
    plan = recommend(ds, event_id="e1", size=2, weights={"sector": 1, "region": 1})
    # After an Academic European joins, their seats are filled: not a second Academic
    # European, although before the first pick that one scored as high.
    assert plan.partner_ids == ["acad_de", "cs_us"] or plan.partner_ids == ["acad_fr", "cs_us"]
    assert [round(r.gain.gaps, 6) for r in plan.recommendations] == [2.0, 1.5]


def test_gains_are_positive_and_in_order_and_add_up_to_the_objective():
    ds = make_ds(TWO_GAPS, {"e1": ["r1", "r2", "r3"]})
    plan = recommend(ds, event_id="e1", size=4)
    gains = [r.gain.total for r in plan.recommendations]
    assert all(g > 0 for g in gains)
    assert gains == sorted(gains, reverse=True)
    assert plan.objective.before + sum(gains) == pytest.approx(plan.objective.after)
    assert plan.objective.statement == OBJECTIVE


def test_reasons_state_the_numbers():
    rows = [("r1", "Industry", "USA"), ("r2", "Industry", "USA"), ("only_acad", "Academic", "FRA"),
            ("ind_us", "Industry", "USA")]
    ds = make_ds(rows, {"e1": ["r1", "r2"]})
    plan = recommend(ds, event_id="e1", size=1, weights={"sector": 1, "region": 1})
    rec = plan.recommendations[0]
    assert rec.partner_id == "only_acad"
    # 4 Partners: Academic is 25% of them, 0.75 of a room of 3 seats.
    assert rec.reasons[0] == ("fills a seat for Academic: 0 in the room so far, 0.8 of 3 seats "
                              "at the membership's 25%")
    assert "adds France, a country new to the room" in rec.reasons


def test_inactive_partners_and_people_in_the_room_are_never_recommended():
    rows = [
        ("r1", "Industry", "USA"),
        ("gone", "Academic", "KEN", "2010-01-01", "2020-01-01"),
        ("left_today", "Academic", "KEN", "2010-01-01", DAY),  # left == d: not active
        ("later", "Academic", "KEN", "2025-01-01", None),
        ("joined_today", "Media", "IND", DAY, None),  # joined == d: active
        ("in_room", "Academic", "KEN"),
        # Dated: with no evidence of its own, an undated partner counts only from the latest
        # dated fact of the data ("later", 2025), after DAY.
        ("ok", "Civil Society", "FRA", "2010-01-01", None),
    ]
    ds = make_ds(rows, {"e1": ["r1", "in_room"]})
    plan = recommend(ds, event_id="e1", size=10)
    assert set(plan.partner_ids) == {"joined_today", "ok"}
    assert plan.shortfall == "asked for 10 but only 2 active partners are not in the room: all picked"
    full = make_ds(rows, {"e1": ["r1", "in_room", "joined_today", "ok"]})
    assert recommend(full, event_id="e1", size=1).shortfall == (
        "asked for 1 but every active partner is already in the room")


# Half Industry, half Academic, all American. A room of r1, a1, a2 has its two Academic seats
# of four; the Industry partners who could fill the rest are excluded.
SATURATED = [("r1", "Industry", "USA"), ("r2", "Industry", "USA"), ("r3", "Industry", "USA"),
             ("a1", "Academic", "USA"), ("a2", "Academic", "USA"), ("a3", "Academic", "USA")]


def test_nobody_who_gains_nothing_is_added_and_the_plan_says_why():
    ds = make_ds(SATURATED, {"e1": ["r1", "a1", "a2"]})
    plan = recommend(ds, event_id="e1", size=1, weights={"sector": 1}, exclude="r2,r3")
    assert plan.partner_ids == []
    assert plan.shortfall == (
        "stopped at 0 of 1 picks rather than add someone who gains nothing: 1 active partner "
        "not in the room and not excluded; 1 would add nothing the objective counts (no gap "
        "they could close, no relevance to this convening, nothing new to the room)")


def test_include_exclude_and_caps_are_honoured():
    ds = make_ds(TWO_GAPS, {"e1": ["r1", "r2", "r3"]})
    plan = recommend(ds, event_id="e1", size=3, include=["ind_us"], exclude="acad_fr")
    assert plan.partner_ids[0] == "ind_us"
    assert plan.recommendations[0].included
    assert plan.recommendations[0].reasons[0] == "included on request"
    assert "acad_fr" not in plan.partner_ids
    capped = recommend(ds, event_id="e1", size=6, max_per_country=4)
    countries = ds.partners.set_index("partner_id")["country"]
    room = ["r1", "r2", "r3", *capped.partner_ids]
    assert (countries[room] == "USA").sum() <= 4
    sector_cap = recommend(ds, event_id="e1", size=6, max_per_sector=3)
    sectors = ds.partners.set_index("partner_id")["sector"]
    assert "Industry" not in set(sectors[sector_cap.partner_ids])


def test_an_included_partner_who_gains_nothing_says_what_it_trades_off():
    ds = make_ds(SATURATED, {"e1": ["r1", "a1", "a2"]})
    plan = recommend(ds, event_id="e1", size=1, include=["a3"], weights={"sector": 1})
    first = plan.recommendations[0]
    assert plan.partner_ids == ["a3"] and first.gain.total == 0
    assert first.why[-1].kind == "no_gain"


def test_include_errors_are_request_errors():
    ds = make_ds(TWO_GAPS + [("gone", "Academic", "FRA", "2010-01-01", "2020-01-01")],
                 {"e1": ["r1"]})
    with pytest.raises(RequestError, match="both included and excluded"):
        recommend(ds, event_id="e1", include=["acad_fr"], exclude=["acad_fr"])
    with pytest.raises(RequestError, match="not active"):
        recommend(ds, event_id="e1", include=["gone"])
    with pytest.raises(RequestError, match="already in the room"):
        recommend(ds, event_id="e1", include=["r1"])


def test_fewer_recent_attendances_win_a_tie():
    rows = [("r1", "Industry", "USA"), ("busy", "Academic", "FRA"), ("fresh", "Academic", "FRA"),
            ("x", "Industry", "USA")]
    events = {"e1": DAY, "old1": "2024-01-10", "old2": "2024-02-10"}
    ds = make_ds(rows, {"e1": ["r1"], "old1": ["busy", "x"], "old2": ["busy"]}, events=events)
    plan = recommend(ds, event_id="e1", size=1)
    assert plan.partner_ids == ["fresh"]


def test_prefer_first_timers_is_a_relevance_point():
    rows = [("r1", "Industry", "USA"), ("b_old", "Academic", "FRA"), ("z_new", "Academic", "FRA")]
    ds = make_ds(rows, {"e1": ["r1"], "old": ["b_old"]}, events={"e1": DAY, "old": "2020-01-01"})
    assert recommend(ds, event_id="e1", size=1).partner_ids == ["b_old"]  # a tie: smaller id
    plan = recommend(ds, event_id="e1", size=1, prefer_first_timers=True)
    assert plan.partner_ids == ["z_new"]
    assert plan.recommendations[0].gain.relevance == pytest.approx(0.1)
    assert "would be their first convening (first-timers are preferred)" in (
        plan.recommendations[0].reasons)


def test_same_input_gives_the_same_list_every_time():
    ds = make_ds(TWO_GAPS, {"e1": ["r1", "r2", "r3"]})
    first = recommend(ds, event_id="e1", size=4).to_dict()
    for _ in range(3):
        assert recommend(ds, event_id="e1", size=4).to_dict() == first


def test_unknown_ids_are_all_named():
    ds = make_ds(TWO_GAPS, {"e1": ["r1"]})
    with pytest.raises(RequestError) as info:
        recommend(ds, event_id="nope", invited=["x1"], include=["x2"], exclude=["x3"])
    for bad in ("nope", "x1", "x2", "x3"):
        assert bad in str(info.value)


@pytest.mark.parametrize("size", [-1, 2.5, "3", True])
def test_size_must_be_a_whole_number_from_zero(size):
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


def test_a_guest_only_for_a_gap_no_active_partner_can_close():
    # Target: 30% Africa. The room has 1 African of 5. Only a Guest is African.
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
    assert rec.reasons[0] == "a Guest, not a Partner: no active Partner outside the room is Africa"
    # Without Guests, the American Partner fills the Americas' last 0.2 of a seat.
    assert recommend(ds, event_id="e1", size=1, weights={"region": 1},
                     allow_guests=False).partner_ids == ["p_us"]
    # An African Partner exists: the Guest waits, even when that Partner is excluded.
    ds2 = make_ds(rows + [("p_ng", "Industry", "NGA")], {"e1": room}, targets=targets)
    assert recommend(ds2, event_id="e1", size=1, weights={"region": 1}).partner_ids == ["p_ng"]
    excluded = recommend(ds2, event_id="e1", size=1, weights={"region": 1}, exclude=["p_ng"])
    assert "g_ke" not in excluded.partner_ids


def test_a_guest_fills_a_gap_no_partner_can_close_even_while_partners_close_others():
    rows = [
        ("r0", "Industry", "USA"), ("r1", "Industry", "USA"), ("r2", "Industry", "USA"),
        ("acad_fr", "Academic", "FRA"), ("ind_us", "Industry", "USA"),
        ("g_ac", "Affected Community", "KEN", None, None, "Guest"),
        ("g_ac2", "Affected Community", "KEN", None, None, "Guest"),
    ]
    ds = make_ds(rows, {"e1": ["r0", "r1", "r2"]},
                 targets=[("sector", "Affected Community", 0.2), ("region", "Europe", 0.3)])
    plan = recommend(ds, event_id="e1", size=2, weights={"sector": 1, "region": 1})
    assert set(plan.partner_ids) == {"acad_fr", "g_ac"}
    more = recommend(ds, event_id="e1", size=3, weights={"sector": 1, "region": 1})
    assert "g_ac2" not in more.partner_ids  # 20% of 6 seats is 1.2: one Guest closes it
    guest = next(r for r in plan.recommendations if r.partner_id == "g_ac")
    assert guest.reasons[0] == ("a Guest, not a Partner: no active Partner outside the room is "
                                "Affected Community")
    partner = next(r for r in plan.recommendations if r.partner_id == "acad_fr")
    assert not any("Guest" in r for r in partner.reasons)


def test_country_picks_nobody_unless_the_targets_name_countries():
    rows = [("r1", "Industry", "USA"), ("r2", "Academic", "USA"), ("c_fr", "Industry", "FRA"),
            ("c_us", "Industry", "USA"), ("c_de", "Industry", "DEU")]
    ds = make_ds(rows, {"e1": ["r1", "r2"]})
    plan = recommend(ds, event_id="e1", size=1, weights={"sector": 1})
    assert not any(r.kind == "gap" and r.facts["dimension"] == "country"
                   for rec in plan.recommendations for r in rec.why)
    assert plan.after.gaps_of("country") == ()
    targeted = make_ds(rows, {"e1": ["r1", "r2"]}, targets=[("country", "DEU", 0.3)])
    plan = recommend(targeted, event_id="e1", size=1, weights={"sector": 1})
    assert plan.partner_ids == ["c_de"]
    assert ("country", "DEU") in {(r.facts["dimension"], r.facts["category"])
                                  for r in plan.recommendations[0].why if r.kind == "gap"}


def _relevance_ds() -> Dataset:
    rows = [("r1", "Industry", "USA"), ("r2", "Academic", "USA"),
            ("a_plain", "Civil Society", "KEN"), ("b_comm", "Civil Society", "KEN"),
            ("c_topic", "Civil Society", "KEN"), ("d_past", "Civil Society", "KEN"),
            ("e_host", "Civil Society", "CAN")]
    events = {"e1": DAY, "old": "2023-03-01"}
    cols = {"program": {"e1": "Labor", "old": "Health"}, "topics": {"e1": "automation",
            "old": "automation;health"}, "region": {"e1": "Americas", "old": "Americas"}}
    committees = pd.DataFrame({"committee_id": ["lc"], "name": ["Labor Council"],
                               "program": ["labor"], "kind": ["working group"]})
    seats = pd.DataFrame({"committee_id": ["lc"], "partner_id": ["b_comm"],
                          "role": ["member"], "since": ["2020-01-01"], "until": [None]})
    return make_ds(rows, {"e1": ["r1", "r2"], "old": ["d_past"]}, events=events,
                   extra={"event_cols": cols, "committees": committees, "memberships": seats,
                          "focus": {"c_topic": ("Automation",)}})


def test_relevance_ranks_committee_topic_past_event_and_host_region_partners_higher():
    ds = _relevance_ds()
    assert ds.events.set_index("event_id").loc["e1", "region"] == "Americas"
    plan = recommend(ds, event_id="e1", size=5, weights={"sector": 1})
    assert plan.partner_ids[-1] == "a_plain"  # the only one with no relevance point
    texts = {r.partner_id: r.reasons for r in plan.recommendations}
    assert "sits on the Labor Council (Labor program)" in texts["b_comm"]
    assert "works on automation, topics of this convening" in texts["c_topic"]
    assert "attended 1 earlier convening on this convening's topics" in texts["d_past"]
    assert "based in Americas, the host region" in texts["e_host"]


def test_a_gap_that_recurred_in_the_program_weighs_more():
    # Two candidates close one seat each: Africa (missing at the last 3 program convenings)
    # and Asia (never a gap before). One seat: Africa wins, and the reason says why.
    # The African Partners joined before the program's convenings (an undated partner with no
    # evidence of its own would count only from the latest dated fact, e1's day).
    rows = [("r1", "Industry", "USA"), ("r2", "Industry", "USA"),
            ("af", "Industry", "KEN", "2020-01-01"), ("as", "Industry", "IND"),
            ("af2", "Industry", "NGA", "2020-01-01"), ("as2", "Industry", "IND")]
    events = {"e1": DAY, "p1": "2021-01-01", "p2": "2022-01-01", "p3": "2023-01-01"}
    att = {"e1": ["r1", "r2"], "p1": ["r1", "as2"], "p2": ["r2", "as2"], "p3": ["r1", "as2"]}
    cols = {"program": {e: "Labor" for e in events}}
    ds = make_ds(rows, att, events=events, extra={"event_cols": cols})
    plan = recommend(ds, event_id="e1", size=1, weights={"region": 1})
    assert plan.partner_ids == ["af"]
    gap = plan.recommendations[0].why[0]
    assert gap.facts["category"] == "Africa" and gap.facts["streak"] == 3
    assert gap.text.endswith("short at each of the last 3 Labor convenings")
    assert plan.objective.history == ("p3", "p2", "p1")


def test_size_zero_evaluates_a_draft_list_without_recommending():
    ds = make_ds(TWO_GAPS, {"e1": ["acad_fr"]})
    plan = recommend(ds, date="2024-09-01", invited="r1,r2,acad_us", size=0)
    assert plan.recommendations == () and plan.shortfall is None
    assert plan.before == plan.after
    assert plan.before.members == ("acad_us", "r1", "r2")
    assert plan.objective.before == plan.objective.after > 0
    assert plan.objective.seats == 3 and plan.objective.proven_optimal


def test_planning_a_past_event_warns():
    ds = make_ds(TWO_GAPS, {"e1": ["r1"]})
    past = recommend(ds, event_id="e1", size=1, today="2025-01-01")
    assert past.warnings and "past event" in past.warnings[0] and DAY in past.warnings[0]
    assert recommend(ds, event_id="e1", size=1, today="2024-01-01").warnings == ()
    assert recommend(ds, date="2023-01-01", size=1, today="2025-01-01").warnings == ()


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
            "parameters", "objective", "method"} <= set(out)
    assert out["event_id"] == "e1" and out["date"] == DAY and out["shortfall"] is None
    rec = out["recommendations"][0]
    assert {"partner_id", "name", "membership", "score", "reasons", "gain"} <= set(rec)
    assert rec["gain"] > 0 and rec["gain"] == pytest.approx(sum(rec["gain_parts"].values()))
    objective = out["objective"]
    assert objective["statement"] == OBJECTIVE
    assert objective["optimum"] == pytest.approx(objective["after"])
    assert objective["gap"] == pytest.approx(objective["optimum"] - objective["greedy"])
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


def test_a_cap_that_blocks_everyone_is_named_in_the_shortfall():
    rows = [("r1", "Industry", "USA"), ("c0", "Industry", "FRA"), ("c1", "Industry", "DEU"),
            ("c2", "Industry", "JPN")]
    ds = make_ds(rows, {"e1": ["r1"]})
    assert len(recommend(ds, event_id="e1", size=3).partner_ids) == 3
    plan = recommend(ds, event_id="e1", size=3, max_per_sector=1)
    assert plan.partner_ids == []
    assert plan.shortfall == (
        "stopped at 0 of 3 picks rather than add someone who gains nothing: 3 active partners "
        "not in the room; 3 would go over the country or sector cap")


def test_over_the_exact_solvers_limits_the_plan_says_greedy_only(monkeypatch):
    from analysis.planner import exact

    monkeypatch.setattr(exact, "EXACT_MAX_CANDIDATES", 2)
    ds = make_ds(TWO_GAPS, {"e1": ["r1", "r2", "r3"]})
    o = recommend(ds, event_id="e1", size=2).objective
    assert o.optimum is None and o.gap is None and not o.proven_optimal
    assert o.solver == "greedy only: over the exact solver's limits (2 candidates, 50 seats)"
    assert o.bound.startswith("greedy >= (1 - 1/e)")
    assert recommend(ds, event_id="e1", size=2, exact=False).objective.solver == (
        "greedy only: the exact solve was not asked for")
