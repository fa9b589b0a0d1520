"""The Theory of Change scorecard across two years, by hand.

tiny(): 2023 has e1 (every sector of its day: Industry, Academic, Civil Society; Global South
p4, p6) and e2 (Industry only, no Global South). 2024 has e3 (the Guest g1 is in the room;
Media is missing, Media's p5 having joined 2024-03-01) and e4 (every sector). Seats on
2023-12-31: c1 p1 p3 p4, c2 p6 g1 -- p2's seat ended 2023-07-01 -- so Industry 1 of 5. On
as_of 2024-06-30: c1 p1 p3, c2 p6 g1 p5 p2 -- p4 left 2024-01-01 -- so Industry 2 of 6.
"""

from __future__ import annotations

import pytest

from analysis.scorecard import event_mix, scorecard
from tests.analysis.test_snapshot import D2, tiny


def test_scorecard_known_answers() -> None:
    card = scorecard(tiny(), as_of=D2)
    y2023, y2024 = card.to_list()
    assert (y2023["year"], y2023["convenings"]) == (2023, 2)
    assert y2023["all_sectors_share"] == 0.5
    assert y2023["global_south_share"] == 0.5
    assert y2023["seats_on"] == "2023-12-31"
    assert (y2023["industry_seats"], y2023["seats"]) == (1, 5)
    assert y2023["industry_seat_share"] == pytest.approx(0.2)

    assert (y2024["year"], y2024["convenings"]) == (2024, 2)
    assert y2024["all_sectors_share"] == 0.5
    assert y2024["global_south_share"] == 1.0
    assert y2024["seats_on"] == D2
    assert y2024["industry_seat_share"] == pytest.approx(2 / 6)
    assert y2024["sectors_most_often_missing"] == {"Media": 1}
    assert y2024["change"]["global_south_share"] == pytest.approx(0.5)


def test_summary_in_plain_words() -> None:
    card = scorecard(tiny(), as_of=D2)
    last = card.to_list()[-1]["summary"]
    assert last.startswith("In 2024, 1 of 2 convenings had every sector in the room")
    assert "unchanged from 1 of 2 in 2023" in last
    assert "2 of 2 had Global South voices (up from 1 of 2)" in last
    assert "Industry held 33% of committee seats (2 of 6), up from 20%" in last
    assert "the share with Global South voices went from 50% to 100% (improving)" in card.summary
    assert "Industry's share of committee seats went from 20% to 33% (worsening)" in card.summary
    assert card.trend["global_south_share"]["direction"] == "improving"


def test_event_mix_guest_counts_in_the_room() -> None:
    mix = event_mix(tiny(), as_of=D2).set_index("event_id")
    assert mix.loc["e1", "all_present"] and mix.loc["e4", "all_present"]
    assert not mix.loc["e2", "all_present"]
    assert mix.loc["e3", "missing"] == ("Media",)
    assert mix.loc["e3", "attendees"] == 4  # the Guest is in the room
    assert mix.loc["e1", "required"] == 3  # Media's only Partner had not joined yet


def test_a_guest_supplies_global_south_voices() -> None:
    ds = tiny()
    # Remove p6 from e3: only the Guest g1 (Nigeria) is then from the Global South.
    att = ds.attendance.loc[
        ~((ds.attendance.event_id == "e3") & (ds.attendance.partner_id == "p6"))
    ]
    from core.model import Dataset

    smaller = Dataset.from_frames(
        partners=ds.partners,
        committees=ds.committees,
        memberships=ds.memberships,
        events=ds.events,
        attendance=att,
    )
    mix = event_mix(smaller, as_of=D2).set_index("event_id")
    assert mix.loc["e3", "global_south"]


def test_program_filter_and_window() -> None:
    labor = scorecard(tiny(), as_of=D2, program="Labor").to_list()
    assert [(e["year"], e["convenings"], e["all_sectors"]) for e in labor] == [
        (2023, 1, 0),
        (2024, 1, 0),
    ]
    # Labor seats: c2 only; 2023-12-31: p6 g1 (no Industry); 2024-06-30: p6 g1 p5 p2.
    assert labor[0]["industry_seat_share"] == 0.0
    assert labor[1]["industry_seat_share"] == pytest.approx(0.25)
    recent = scorecard(tiny(), as_of=D2, since="2023-12-31").to_list()
    assert [e["year"] for e in recent] == [2024]
    assert scorecard(tiny(), as_of="2022-12-31").summary == "No convenings in the period."


def test_convenings_without_attendance_records_are_not_judged() -> None:
    ds = tiny()
    from core.model import Dataset

    # Drop e2's attendance: its room is unknown, so 2023 is judged on e1 alone.
    unknown = Dataset.from_frames(
        partners=ds.partners,
        committees=ds.committees,
        memberships=ds.memberships,
        events=ds.events,
        attendance=ds.attendance.loc[ds.attendance.event_id != "e2"],
    )
    y2023 = scorecard(unknown, as_of=D2).to_list()[0]
    assert (y2023["convenings"], y2023["recorded"]) == (2, 1)
    assert y2023["all_sectors_share"] == 1.0 and y2023["global_south_share"] == 1.0
    assert "1 convening with an attendance record (of 2 held)" in y2023["summary"]
    bare = Dataset.from_frames(
        partners=ds.partners,
        committees=ds.committees,
        memberships=ds.memberships,
        events=ds.events,
    )
    entries = scorecard(bare, as_of=D2).to_list()
    assert all(e["all_sectors_share"] is None and e["recorded"] == 0 for e in entries)
    assert entries[0]["summary"].startswith("In 2023, 2 convenings were held but no attendance")


def test_bundled_demo_tells_the_story_its_readme_states() -> None:
    """The figures stakeholder_graph/data/demo/README.md quotes for --as-of 2026-12-01."""
    from pathlib import Path

    import loaders

    demo = Path(__file__).resolve().parents[2] / "stakeholder_graph" / "data" / "demo"
    card = scorecard(loaders.read_dataset(demo), as_of="2026-12-01").to_list()
    got = {e["year"]: e for e in card}
    assert sorted(got) == list(range(2017, 2027))
    first, last = got[2017], got[2026]
    assert (first["convenings"], first["all_sectors"], first["global_south"]) == (3, 2, 0)
    assert (first["industry_seats"], first["seats"]) == (14, 22)
    assert (last["convenings"], last["all_sectors"], last["global_south"]) == (4, 2, 4)
    assert (last["industry_seats"], last["seats"]) == (37, 82)
    assert got[2019]["industry_seat_share"] == pytest.approx(0.73, abs=0.005)  # the peak


def test_planned_events_never_count_as_held() -> None:
    from pathlib import Path

    import loaders

    demo = Path(__file__).resolve().parents[2] / "stakeholder_graph" / "data" / "demo"
    ds = loaders.read_dataset(demo)
    # The three 2027 events are marked planned: a far as-of date does not make them held.
    card = scorecard(ds, as_of="2035-01-01").to_list()
    assert [e["year"] for e in card] == list(range(2017, 2027))
    mix = event_mix(ds, as_of="2035-01-01")
    assert not mix["event_id"].str.startswith("2027-").any()
    # Without a status column, an event dated after as_of is not held on as_of either.
    assert event_mix(tiny(), as_of="2024-04-30")["event_id"].tolist() == ["e1", "e2", "e3"]


def test_programs_side_by_side() -> None:
    from analysis.scorecard import by_program

    rows = {r["program"]: r for r in by_program(tiny(), as_of=D2)}
    assert sorted(rows) == ["Governance", "Labor"]
    gov, labor = rows["Governance"], rows["Labor"]
    # Governance: e1 and e4 both have every sector and Global South voices; c1 = p1, p3.
    assert (gov["convenings"], gov["all_sectors_share"], gov["global_south_share"]) == (2, 1.0, 1.0)
    assert (gov["seats"], gov["industry_seat_share"]) == (2, 0.5)
    # Labor: e2 (Industry only) and e3 (no Media); c2 = p6, g1, p5, p2.
    assert (labor["all_sectors_share"], labor["global_south_share"]) == (0.0, 0.5)
    assert labor["mean_attendees"] == 3.0
    assert (labor["seats"], labor["industry_seat_share"]) == (4, 0.25)
