"""Snapshot in time: who is active on a date, which events fall in a window.

``tiny()`` is the hand-built dataset the other analysis tests share; its known answers are
worked out in the comments next to it.
"""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest

from analysis import snapshot
from analysis.snapshot import (
    active_counts_on,
    active_memberships,
    active_partners,
    committee_members,
    committees,
    event_attendees,
    events_in_window,
    to_timestamp,
)
from core.errors import RequestError
from core.model import Dataset

D1 = "2023-06-30"
D2 = "2024-06-30"


def tiny(extra_guests: int = 0) -> Dataset:
    """Seven Partners and one Guest over 2023-2024.

    - p4 (Civil Society, Kenya) leaves on 2024-01-01; p5 (Media, Brazil) joins 2024-03-01;
      p7 (Academic, Germany) joins 2024-06-01 and takes part in nothing.
    - g1 is a Guest (Government, Nigeria) who attends e3 and sits on c2.
    - c1's seat of p2 lapses on 2023-07-01 (mid-year); p2 joins c2 on 2024-01-15.
    - e1 (2023, Governance) has every sector of its day; e2 (2023, Labor) only Industry;
      e3 (2024, Labor) lacks Media; e4 (2024, Governance) has every sector.
    """
    partners = pd.DataFrame(
        {
            "partner_id": ["p1", "p2", "p3", "p4", "p5", "p6", "p7", "g1"],
            "name": ["Acme", "Bolt", "Uni", "Rights", "News", "Voice", "Inst", "Ministry"],
            "sector": [
                "Industry",
                "Industry",
                "Academic",
                "Civil Society",
                "Media",
                "Civil Society",
                "Academic",
                "Government",
            ],
            "country": ["USA", "GBR", "FRA", "KEN", "BRA", "IND", "DEU", "NGA"],
            "region": [
                "Americas",
                "Europe",
                "Europe",
                "Africa",
                "Americas",
                "Asia",
                "Europe",
                "Africa",
            ],
            "subregion": [
                "Northern America",
                "Northern Europe",
                "Western Europe",
                "Eastern Africa",
                "South America",
                "Southern Asia",
                "Western Europe",
                "Western Africa",
            ],
            "global_south": [False, False, False, True, True, True, False, True],
            "joined": [
                "2020-01-01",
                "2020-01-01",
                None,
                "2021-01-01",
                "2024-03-01",
                "2020-01-01",
                "2024-06-01",
                None,
            ],
            "left": [None, None, None, "2024-01-01", None, None, None, None],
            "membership": ["Partner"] * 7 + ["Guest"],
        }
    )
    if extra_guests:
        more = pd.DataFrame(
            {
                "partner_id": [f"gx{i}" for i in range(extra_guests)],
                "name": [f"Guest {i}" for i in range(extra_guests)],
                "sector": ["Affected Community"] * extra_guests,
                "country": ["PER"] * extra_guests,
                "region": ["Americas"] * extra_guests,
                "subregion": ["South America"] * extra_guests,
                "global_south": [True] * extra_guests,
                "membership": ["Guest"] * extra_guests,
            }
        )
        partners = pd.concat([partners, more], ignore_index=True)
    committees_ = pd.DataFrame(
        {
            "committee_id": ["c1", "c2"],
            "name": ["Board", "Labor Working Group"],
            "program": ["Governance", "Labor"],
            "kind": ["board", "working_group"],
        }
    )
    memberships = pd.DataFrame(
        {
            "committee_id": ["c1", "c1", "c1", "c1", "c2", "c2", "c2", "c2"],
            "partner_id": ["p1", "p2", "p4", "p3", "p6", "g1", "p5", "p2"],
            "since": [
                "2020-01-01",
                "2020-01-01",
                "2021-01-01",
                "2022-01-01",
                "2020-01-01",
                "2022-01-01",
                "2024-03-01",
                "2024-01-15",
            ],
            "until": [None, "2023-07-01", None, None, None, None, None, None],
        }
    )
    events = pd.DataFrame(
        {
            "event_id": ["e1", "e2", "e3", "e4"],
            "name": ["Spring forum", "Labor roundtable", "Labor summit", "Policy forum"],
            "date": ["2023-03-10", "2023-09-15", "2024-04-20", "2024-05-05"],
            "program": ["Governance", "Labor", "Labor", "Governance"],
            "country": ["USA", "GBR", "IND", "FRA"],
        }
    )
    rooms = {
        "e1": ["p1", "p3", "p4", "p6"],
        "e2": ["p1", "p2"],
        "e3": ["p1", "p3", "p6", "g1"],
        "e4": ["p2", "p3", "p5", "p6"],
    }
    if extra_guests:
        rooms["e2"] = rooms["e2"] + [f"gx{i}" for i in range(extra_guests)]
    attendance = pd.DataFrame(
        [(e, p) for e, people in rooms.items() for p in people], columns=["event_id", "partner_id"]
    )
    return Dataset.from_frames(
        partners=partners,
        committees=committees_,
        memberships=memberships,
        events=events,
        attendance=attendance,
    )


def ids(frame: pd.DataFrame, column: str = "partner_id") -> list[str]:
    return sorted(frame[column])


def test_active_partners_at_two_dates() -> None:
    ds = tiny()
    # D1: p5 and p7 have not joined yet; p4 has not left.
    assert ids(active_partners(ds, D1)) == ["p1", "p2", "p3", "p4", "p6"]
    # D2: p4 left on 2024-01-01; p5 and p7 joined.
    assert ids(active_partners(ds, D2)) == ["p1", "p2", "p3", "p5", "p6", "p7"]


def test_joined_day_counts_left_day_does_not() -> None:
    ds = tiny()
    assert "p5" in ids(active_partners(ds, "2024-03-01"))
    assert "p5" not in ids(active_partners(ds, "2024-02-29"))
    assert "p4" in ids(active_partners(ds, "2023-12-31"))
    assert "p4" not in ids(active_partners(ds, "2024-01-01"))


def test_membership_filter() -> None:
    ds = tiny()
    assert ids(active_partners(ds, D2, membership="Guest")) == ["g1"]
    assert ids(active_partners(ds, D2, membership=None)) == [
        "g1",
        "p1",
        "p2",
        "p3",
        "p5",
        "p6",
        "p7",
    ]
    with pytest.raises(ValueError, match="membership"):
        active_partners(ds, D2, membership="Member")


def test_active_memberships_lapsed_and_departed() -> None:
    ds = tiny()
    seats = active_memberships(ds, D1)
    pairs = sorted(zip(seats["committee_id"], seats["partner_id"], strict=True))
    assert pairs == [
        ("c1", "p1"),
        ("c1", "p2"),
        ("c1", "p3"),
        ("c1", "p4"),
        ("c2", "g1"),
        ("c2", "p6"),
    ]
    # p2's c1 seat lapsed on 2023-07-01; p4 left the network on 2024-01-01 (seat still open).
    seats = active_memberships(ds, D2)
    pairs = sorted(zip(seats["committee_id"], seats["partner_id"], strict=True))
    assert pairs == [
        ("c1", "p1"),
        ("c1", "p3"),
        ("c2", "g1"),
        ("c2", "p2"),
        ("c2", "p5"),
        ("c2", "p6"),
    ]
    assert ids(active_memberships(ds, D2, membership="Partner")) == ["p1", "p2", "p3", "p5", "p6"]


def test_program_filter_on_committees_and_seats() -> None:
    ds = tiny()
    assert ids(committees(ds, program="Labor"), "committee_id") == ["c2"]
    assert set(active_memberships(ds, D2, program="Governance")["committee_id"]) == {"c1"}
    assert committees(ds, program="Nothing").empty


def test_committee_members() -> None:
    ds = tiny()
    assert ids(committee_members(ds, "c1", D1)) == ["p1", "p2", "p3", "p4"]
    assert ids(committee_members(ds, "c1", D2)) == ["p1", "p3"]
    with pytest.raises(RequestError, match="c9"):
        committee_members(ds, "c9", D2)


def test_events_window_excludes_since_includes_as_of() -> None:
    ds = tiny()
    assert ids(events_in_window(ds, as_of=D2), "event_id") == ["e1", "e2", "e3", "e4"]
    assert ids(events_in_window(ds, as_of="2024-04-20", since="2023-03-10"), "event_id") == [
        "e2",
        "e3",
    ]
    assert ids(events_in_window(ds, as_of="2024-04-19"), "event_id") == ["e1", "e2"]
    assert ids(events_in_window(ds, as_of=D2, program="Labor"), "event_id") == ["e2", "e3"]
    assert ids(events_in_window(ds, as_of=D2, program="Governance"), "event_id") == ["e1", "e4"]
    with pytest.raises(RequestError, match="since"):
        events_in_window(ds, as_of=D1, since=D2)


def test_consecutive_windows_never_double_count() -> None:
    ds = tiny()
    first = events_in_window(ds, as_of="2023-09-15")
    second = events_in_window(ds, as_of=D2, since="2023-09-15")
    assert set(first["event_id"]) | set(second["event_id"]) == {"e1", "e2", "e3", "e4"}
    assert not set(first["event_id"]) & set(second["event_id"])


def test_event_attendees_include_guests() -> None:
    ds = tiny()
    room = event_attendees(ds, "e3")
    assert ids(room) == ["g1", "p1", "p3", "p6"]
    assert room.set_index("partner_id").loc["g1", "membership"] == "Guest"
    with pytest.raises(RequestError, match="nope"):
        event_attendees(ds, "nope")


def test_to_timestamp() -> None:
    assert to_timestamp("2024-02-29") == pd.Timestamp("2024-02-29")
    assert to_timestamp(pd.Timestamp("2024-02-29 13:00")) == pd.Timestamp("2024-02-29")
    with pytest.raises(RequestError, match="as_of"):
        to_timestamp("not a date")


def test_active_counts_on_matches_active_partners_on_random_data() -> None:
    rng = np.random.default_rng(7)
    n = 300
    start = pd.Timestamp("2015-01-01")
    joined = start + pd.to_timedelta(rng.integers(0, 3000, n), unit="D")
    left = joined + pd.to_timedelta(rng.integers(1, 2000, n), unit="D")
    joined = pd.Series(joined).where(rng.random(n) > 0.2)
    left = pd.Series(left).where(rng.random(n) > 0.5)
    frame = pd.DataFrame(
        {
            "partner_id": [f"p{i}" for i in range(n)],
            "name": "x",
            "sector": rng.choice(["A", "B", "C"], n),
            "country": "USA",
            "joined": joined,
            "left": left,
        }
    )
    ds = Dataset.from_frames(partners=frame)
    days = pd.to_datetime(["2014-06-01", "2016-02-29", "2018-07-01", "2020-12-31", "2026-01-01"])
    counts = active_counts_on(
        snapshot.counted_partners(ds, membership=None), days, "sector", start="counted_from"
    )
    for day in days:
        expected = active_partners(ds, day)["sector"].value_counts()
        got = counts.loc[day]
        got = got[got > 0]
        assert got.sort_index().to_dict() == expected.sort_index().to_dict()


def test_package_exports_keep_modules_importable_by_name() -> None:
    import types

    import analysis
    from analysis import changes, diversity, gaps, labels, privacy, reach, report, scorecard

    for module in (changes, diversity, gaps, labels, privacy, reach, report, scorecard, snapshot):
        assert isinstance(module, types.ModuleType)
    assert callable(analysis.build_report) and callable(analysis.active_partners)
    # presentation left analysis for reports/ (issue 14): no renderer is importable from here
    assert not hasattr(analysis, "render")


def test_doctests() -> None:
    result = doctest.testmod(snapshot)
    assert result.attempted > 0 and result.failed == 0


def history() -> Dataset:
    """Six Partners, five of them with an unknown join date, and the evidence for each.

    - a joined 2017-01-01 (the first dated fact of the data);
    - b: first seat 2018-03-01; c: first attendance 2019-05-01 (e1, held);
    - d: ``first_seen`` 2018-06 (the 1st); it also attends e1, later;
    - e: no evidence of its own: counted from the latest dated fact, e1's 2019-05-01;
      attending the *planned* e2 (2018-01-01) is no evidence;
    - f: no evidence, left 2018-01-01: counted on 2017-12-31 only.
    """
    partners = pd.DataFrame(
        {
            "partner_id": list("abcdef"),
            "name": list("ABCDEF"),
            "sector": ["Industry"] * 6,
            "country": ["USA"] * 6,
            "joined": ["2017-01-01", None, None, None, None, None],
            "left": [None] * 5 + ["2018-01-01"],
            "first_seen": ["", "", "", "2018-06", "", ""],
        }
    )
    seats = pd.DataFrame({"committee_id": ["k"], "partner_id": ["b"], "since": ["2018-03-01"]})
    events = pd.DataFrame(
        {
            "event_id": ["e1", "e2"],
            "name": ["Forum", "Plan"],
            "date": ["2019-05-01", "2018-01-01"],
            "status": ["held", "Planned"],
        }
    )
    attendance = pd.DataFrame(
        {"event_id": ["e1", "e1", "e2"], "partner_id": ["c", "d", "e"]}
    )
    return Dataset.from_frames(
        partners=partners,
        committees=pd.DataFrame({"committee_id": ["k"], "name": ["K"]}),
        memberships=seats,
        events=events,
        attendance=attendance,
    )


def test_unknown_join_date_counts_from_the_first_evidence() -> None:
    ds = history()
    starts = snapshot.partner_starts(ds).set_index("partner_id")
    assert starts["basis"].to_dict() == {
        "a": "joined",
        "b": "membership",
        "c": "attendance",
        "d": "first_seen",
        "e": "roster",
        "f": "left",
    }
    assert starts.loc["d", "counted_from"] == pd.Timestamp("2018-06-01")
    assert starts.loc["e", "counted_from"] == pd.Timestamp("2019-05-01")
    # Before the first evidence of anything the membership is empty.
    assert ids(active_partners(ds, "2016-12-31")) == []
    assert ids(active_partners(ds, "2017-12-31")) == ["a", "f"]
    assert ids(active_partners(ds, "2018-03-01")) == ["a", "b"]
    assert ids(active_partners(ds, "2018-06-01")) == ["a", "b", "d"]
    assert ids(active_partners(ds, "2019-05-01")) == ["a", "b", "c", "d", "e"]
    # The vectorised count agrees on every one of those days.
    days = ["2016-12-31", "2017-12-31", "2018-03-01", "2018-06-01", "2019-05-01"]
    counts = active_counts_on(
        snapshot.counted_partners(ds), days, "sector", start="counted_from"
    )
    assert counts["Industry"].tolist() == [0, 2, 2, 3, 5]


def test_a_seat_counts_only_while_its_holder_is_counted() -> None:
    ds = history()
    assert len(active_memberships(ds, "2018-02-28")) == 0
    assert ids(active_memberships(ds, "2018-03-01")) == ["b"]


def test_planned_cancelled_and_future_events_are_never_held() -> None:
    ds = history()
    # e2 is dated in the past but marked Planned: not held on any day.
    assert ids(events_in_window(ds, as_of="2035-01-01"), "event_id") == ["e1"]
    assert ids(events_in_window(ds, as_of="2019-04-30"), "event_id") == []
    cancelled = Dataset.from_frames(
        partners=ds.partners,
        events=pd.DataFrame(
            {
                "event_id": ["x", "y", "z"],
                "name": ["X", "Y", "Z"],
                "date": ["2020-01-01", "2020-02-01", "2027-01-01"],
                "status": [" Cancelled ", "", "held"],
            }
        ),
    )
    assert ids(events_in_window(cancelled, as_of="2026-01-01"), "event_id") == ["y"]
    assert ids(events_in_window(cancelled, as_of="2035-01-01"), "event_id") == ["y", "z"]


def test_program_matches_case_insensitively() -> None:
    ds = tiny()
    assert ids(committees(ds, program=" labor "), "committee_id") == ["c2"]
    assert ids(events_in_window(ds, as_of=D2, program="LABOR"), "event_id") == ["e2", "e3"]
    assert ids(active_memberships(ds, D2, program="governance")) == ["p1", "p3"]


def test_program_subset_keeps_the_evidence_of_the_whole_dataset() -> None:
    ds = history()
    # Without committee k, b's only evidence (its seat) is gone from the subset.
    subset = snapshot.program_subset(ds, "nothing")
    assert len(subset.memberships) == 0
    assert ids(active_partners(subset, "2018-03-01")) == ["a", "b"]
