"""The data-quality section: what the records leave unknown and what that does to the figures."""

from __future__ import annotations

import doctest
import json

import pandas as pd

from analysis import quality as quality_module
from analysis.quality import data_quality, left_out
from core.model import Dataset
from tests.analysis.test_snapshot import history


def messy() -> Dataset:
    """history() plus a partner without country, an undated seat, a silent and a planned event."""
    ds = history()
    partners = pd.concat(
        [
            ds.partners,
            pd.DataFrame(
                {
                    "partner_id": ["g"],
                    "name": ["G"],
                    "sector": ["Civil Society"],
                    "country": [""],
                    "joined": [pd.Timestamp("2017-06-01")],
                }
            ),
        ],
        ignore_index=True,
    )
    seats = pd.concat(
        [ds.memberships, pd.DataFrame({"committee_id": ["k"], "partner_id": ["g"]})],
        ignore_index=True,
    )
    events = pd.concat(
        [
            ds.events,
            pd.DataFrame(
                {
                    "event_id": ["silent", "later"],
                    "name": ["Silent", "Later"],
                    "date": [pd.Timestamp("2019-02-01"), pd.Timestamp("2030-01-01")],
                }
            ),
        ],
        ignore_index=True,
    )
    return Dataset.from_frames(
        partners=partners,
        committees=ds.committees,
        memberships=seats,
        events=events,
        attendance=ds.attendance,
    )


def test_each_finding_counts_and_names_what_is_unknown() -> None:
    dq = data_quality(messy(), as_of="2018-12-31")
    assert dq.first_evidence == "2017-01-01" and dq.roster_date == "2019-05-01"
    assert dq.note is None
    assert dq.unknown_join_date.ids == ("b", "c", "d", "e", "f")
    # On 2018-12-31: c (first attendance 2019-05) and e (roster, 2019-05) are not counted yet;
    # f has left, so its unknown start is not what keeps it out.
    assert dq.left_out.ids == ("c", "e")
    assert dq.unknown_country.ids == ("g",)
    assert dq.undated_seats.ids == ("k:g",)
    assert dq.convenings_without_attendance.count == 0  # "silent" is after as_of
    # e2 is marked planned; e1, "silent" and "later" are dated after 2018-12-31.
    assert set(dq.planned_events.ids) == {"e1", "e2", "silent", "later"}
    later = data_quality(messy(), as_of="2020-01-01")
    assert later.convenings_without_attendance.ids == ("silent",)
    assert later.planned_events.ids == ("e2", "later")
    assert later.left_out.count == 0


def test_before_the_first_evidence_the_report_says_why() -> None:
    dq = data_quality(messy(), as_of="2015-01-01")
    assert dq.note == (
        "The data holds no dated fact before 2017-01-01: on 2015-01-01 no partner is counted."
    )
    assert dq.sentences()[0] == dq.note
    assert list(left_out(messy(), "2015-01-01")["partner_id"]) == ["b", "c", "d", "e", "f"]


def test_every_finding_says_what_it_does_to_the_figures() -> None:
    out = data_quality(messy(), as_of="2020-01-01").to_dict()
    json.dumps(out, allow_nan=False)
    for key in (
        "unknown_join_date",
        "left_out",
        "unknown_country",
        "undated_seats",
        "convenings_without_attendance",
        "planned_events",
    ):
        assert set(out[key]) == {"count", "ids", "effect", "sentence"} and out[key]["effect"]
    assert (
        "Unknown in country, region, sub-region and Global South"
        in out["unknown_country"]["effect"]
    )
    assert "never count as held" in out["planned_events"]["effect"]
    assert len(out["sentences"]) == 5  # every finding with a count; left_out is 0


def test_a_publication_hides_small_counts_and_every_id() -> None:
    dq = data_quality(messy(), as_of="2020-01-01")
    shown = dq.published(lambda n: None if n is not None and 0 < n < 2 else n, ids=False)
    assert shown.unknown_country.count is None and shown.unknown_country.ids == ()
    assert shown.unknown_country.sentence.startswith(
        "Active Partners without a country: fewer than the minimum cell size."
    )
    assert shown.unknown_join_date.count == 5 and shown.unknown_join_date.ids == ()
    assert shown.left_out.count == 0


def test_program_limits_seats_and_events() -> None:
    dq = data_quality(messy(), as_of="2020-01-01", program="Nothing")
    assert dq.undated_seats.count == 0 and dq.planned_events.count == 0
    assert dq.unknown_country.count == 1  # partners belong to the network, not to a program


def test_doctests() -> None:
    result = doctest.testmod(quality_module)
    assert result.attempted > 0 and result.failed == 0
