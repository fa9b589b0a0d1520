"""Period over period on the tiny dataset: D1 = 2023-06-30 versus D2 = 2024-06-30."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis.changes import changes
from core.errors import RequestError
from core.model import Dataset
from tests.analysis.test_snapshot import D1, D2, tiny


def test_new_partners_departures_and_totals() -> None:
    out = changes(tiny(), since=D1, as_of=D2).to_dict()
    assert [p["partner_id"] for p in out["new_partners"]] == ["p5", "p7"]
    assert [p["partner_id"] for p in out["departures"]] == ["p4"]
    assert out["totals"]["partners"] == 1  # 5 -> 6
    assert out["totals"]["sectors"] == {"Academic": 1, "Civil Society": -1, "Media": 1}
    assert out["totals"]["regions"] == {"Africa": -1, "Americas": 1, "Europe": 1}
    assert out["events"] == 3  # e2, e3, e4
    json.dumps(out, allow_nan=False)


def test_committee_gaps_opened_and_closed() -> None:
    out = changes(tiny(), since=D1, as_of=D2, dimensions=("sector",), min_room=1).to_dict()
    # c1 on D1 lacks Civil Society share; on D2 it lacks Media and Civil Society.
    assert [(g["committee_id"], g["group"]) for g in out["gaps_opened"]] == [("c1", "Media")]
    assert out["gaps_closed"] == []
    # c1 Civil Society, c2 Industry and c2 Academic hold at both dates.
    assert out["gaps_persisting"] == 3


def test_a_gap_closes_when_a_seat_is_filled() -> None:
    ds = tiny()
    seats = pd.concat(
        [
            ds.memberships,
            pd.DataFrame(
                {
                    "committee_id": ["c1"],
                    "partner_id": ["p6"],
                    "since": [pd.Timestamp("2024-02-01")],
                }
            ),
        ],
        ignore_index=True,
    )
    filled = Dataset.from_frames(
        partners=ds.partners,
        committees=ds.committees,
        memberships=seats,
        events=ds.events,
        attendance=ds.attendance,
    )
    out = changes(filled, since=D1, as_of=D2, dimensions=("sector",), min_room=1)
    got = out.to_dict()
    # On D2 c1 = p1, p3, p6: Civil Society 1/3 against 1/6 -- the D1 gap has closed.
    assert [(g["committee_id"], g["group"]) for g in got["gaps_closed"]] == [
        ("c1", "Civil Society")
    ]
    assert [(g["committee_id"], g["group"]) for g in got["gaps_opened"]] == [("c1", "Media")]
    assert got["gaps_persisting"] == 2
    words = " ".join(out.sentences())
    assert "Gap closed: Board" in words and "Gap opened: Board" in words


def test_program_limits_the_committees_compared() -> None:
    got = changes(
        tiny(), since=D1, as_of=D2, program="Labor", dimensions=("sector",), min_room=1
    ).to_dict()
    assert got["gaps_opened"] == [] and got["gaps_closed"] == []
    assert got["gaps_persisting"] == 2  # c2 Industry and Academic; c1 is not in Labor
    assert got["events"] == 2  # e2, e3
    # Program labels match case-insensitively, as labels in the data do.
    shouted = changes(
        tiny(), since=D1, as_of=D2, program=" LABOR ", dimensions=("sector",), min_room=1
    ).to_dict()
    assert shouted["gaps_persisting"] == 2 and shouted["events"] == 2


def test_every_dimension_is_compared() -> None:
    out = changes(tiny(), since=D1, as_of=D2, dimensions=("sector", "country")).to_dict()
    totals = out["totals"]
    # p4 (Kenya, Eastern Africa) left; p5 (Brazil) and p7 (Germany) joined.
    assert totals["subregions"] == {"Eastern Africa": -1, "South America": 1, "Western Europe": 1}
    assert totals["global_south"] == {"False": 1}  # Kenya out, Brazil in, Germany in
    assert totals["countries_by_code"] == {"BRA": 1, "DEU": 1, "KEN": -1}
    assert totals["before"]["subregions"]["Western Europe"] == 1
    assert totals["after"]["global_south"] == {"False": 4, "True": 2}


def test_small_committees_are_not_compared() -> None:
    # Both committees hold 3 or 4 people: below the default minimum room of 5, nothing is tested.
    got = changes(tiny(), since=D1, as_of=D2, dimensions=("sector",)).to_dict()
    assert (got["gaps_opened"], got["gaps_closed"], got["gaps_persisting"]) == ([], [], 0)


def test_since_must_precede_as_of() -> None:
    with pytest.raises(RequestError, match="since"):
        changes(tiny(), since=D2, as_of=D1)
