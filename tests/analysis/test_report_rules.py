"""The report follows the rules of issue 15: empty and small rooms, unknowns, significance."""

from __future__ import annotations

import pandas as pd

from analysis.report import build_report
from core.model import Dataset
from core.window import Window
from tests.analysis.test_snapshot import D2, history, tiny


def with_silent_event() -> Dataset:
    """tiny() plus e5 (2024-06-01), held but with no attendance recorded."""
    ds = tiny()
    events = pd.concat(
        [ds.events, pd.DataFrame({"event_id": ["e5"], "name": ["Silent"],
                                  "date": [pd.Timestamp("2024-06-01")]})],
        ignore_index=True,
    )
    return Dataset.from_frames(partners=ds.partners, committees=ds.committees,
                               memberships=ds.memberships, events=events,
                               attendance=ds.attendance)


def groups_by_id(out: dict) -> dict:  # type: ignore[type-arg]
    return {g["id"]: g for g in out["groups"]}


def test_an_empty_room_is_no_attendance_recorded_never_no_gaps() -> None:
    out = build_report(with_silent_event(), Window.of(as_of=D2)).to_dict()
    silent = groups_by_id(out)["e5"]
    assert silent["size"] == 0 and silent["gaps"] == [] and silent["status"] == "empty"
    assert silent["status_note"].startswith("no attendance recorded")
    assert all(v is None for d in silent["diversity"].values() for v in d.values())
    assert out["data_quality"]["convenings_without_attendance"]["ids"] == ["e5"]


def test_small_rooms_are_described_not_tested() -> None:
    out = build_report(tiny(), Window.of(as_of=D2)).to_dict()
    rooms = groups_by_id(out)
    # Every tiny room holds 2 to 4 people: composition and indices, no gap, no test.
    assert {g["status"] for g in rooms.values()} == {"too small"}
    assert all(g["gaps"] == [] for g in rooms.values())
    assert rooms["e3"]["diversity"]["sector"]["blau"] == 0.75
    assert out["totals"]["tests"] == 0 and out["largest_gaps"] == []
    assert out["parameters"]["min_room"] == 5 and out["parameters"]["alpha"] == 0.05


def test_largest_gaps_hold_significant_gaps_only_ranked_by_head_count() -> None:
    out = build_report(tiny(), Window.of(as_of=D2), min_room=1).to_dict()
    everything = [x for g in out["groups"] for x in g["gaps"]]
    assert out["totals"]["gaps_found"] == len(everything)
    assert out["totals"]["gaps"] == sum(x["significant"] for x in everything)
    assert all(g["significant"] for g in out["largest_gaps"])
    heads = [g["shortfall"] if g["direction"] == "under" else g["excess"]
             for g in out["largest_gaps"]]
    assert heads == sorted(heads, reverse=True)
    strict = build_report(tiny(), Window.of(as_of=D2), min_room=1, alpha=1e-3).to_dict()
    kept = [x for g in strict["groups"] for x in g["gaps"] if x["q_value"] <= 1e-3]
    assert strict["totals"]["gaps"] == len(kept) <= out["totals"]["gaps"]
    assert strict["totals"]["gaps_found"] == out["totals"]["gaps_found"]


def test_before_the_first_evidence_the_membership_is_empty_and_the_report_says_why() -> None:
    out = build_report(history(), Window.of(as_of="2016-12-31")).to_dict()
    assert out["totals"]["partners"] == 0
    assert out["data_quality"]["note"] == (
        "The data holds no dated fact before 2017-01-01: on 2016-12-31 no partner is counted."
    )
    assert out["data_quality"]["left_out"]["count"] == 5  # b, c, d, e, f


def test_program_matches_case_insensitively() -> None:
    plain = build_report(tiny(), Window.of(as_of=D2, program="Labor")).to_dict()
    shouted = build_report(tiny(), Window.of(as_of=D2, program=" LABOR ")).to_dict()
    assert [g["id"] for g in shouted["groups"]] == [g["id"] for g in plain["groups"]] == [
        "c2", "e2", "e3"
    ]
