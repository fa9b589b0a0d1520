"""Tests of analysis.segments: hand-computed profiles and segments planted in the data."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analysis import segments
from core.model import Dataset


def _small() -> Dataset:
    return Dataset.from_frames(
        partners=pd.DataFrame({
            "partner_id": ["a", "b", "c", "d"], "name": list("ABCD"), "sector": "Industry",
            "country": ["KEN", "USA", "IND", "FRA"],
            "global_south": [True, False, True, False],
            "joined": ["2020-01-01", "2019-01-01", None, "2023-01-01"],
        }),
        committees=pd.DataFrame({"committee_id": ["c1", "c2"], "name": ["C1", "C2"]}),
        memberships=pd.DataFrame({"committee_id": ["c1", "c2", "c1"],
                                  "partner_id": ["d", "d", "b"],
                                  "since": ["2023-01-01", "2023-01-01", "2019-01-01"],
                                  "until": [None, None, "2020-01-01"]}),
        events=pd.DataFrame({"event_id": ["e1", "e2"], "name": "x",
                             "kind": ["Workshop", "Webinar"], "program": ["Media", ""],
                             "date": ["2023-03-01", "2023-04-01"]}),
        attendance=pd.DataFrame({"event_id": ["e1", "e1", "e1", "e2", "e2"],
                                 "partner_id": ["a", "b", "c", "a", "b"]}),
    )


def test_participation_profile_by_hand() -> None:
    profile = segments.participation_profile(_small(), as_of="2024-01-01")
    assert profile.index.tolist() == ["a", "b", "c", "d"]
    assert profile.columns.tolist() == [
        "kind: Webinar", "kind: Workshop", "program: Media", "program: other",
        "committee_seats", "years_active", "global_south_share"]
    assert profile["kind: Workshop"].tolist() == [1, 1, 1, 0]
    assert profile["kind: Webinar"].tolist() == [1, 1, 0, 0]
    assert profile["program: other"].tolist() == [1, 1, 0, 0]
    # b's seat ended in 2020; d holds two.
    assert profile["committee_seats"].tolist() == [0, 0, 0, 2]
    # c has no joined date: counted from the start of the data (b joined 2019-01-01).
    np.testing.assert_allclose(profile["years_active"], [4.0, 1826 / 365.25, 1826 / 365.25,
                                                         365 / 365.25])
    # a met b, c at e1 and b at e2: 1 Global South of 3; b met a, c then a: 3 of 3;
    # c met a, b: 1 of 2; d attended nothing.
    np.testing.assert_allclose(profile["global_south_share"], [1 / 3, 1.0, 0.5, 0.0])


def _planted(seed: int = 0) -> Dataset:
    """Three planted groups of 12: workshop regulars, committee members, the inactive."""
    rng = np.random.default_rng(seed)
    regulars = [f"r{i:02d}" for i in range(12)]
    seated = [f"s{i:02d}" for i in range(12)]
    quiet = [f"q{i:02d}" for i in range(12)]
    ids = regulars + seated + quiet
    events = [f"e{i:02d}" for i in range(20)]
    attendance = [(e, p) for e in events for p in regulars if rng.random() < 0.8]
    # A webinar nobody from these groups attends (its kind and program still become features).
    seats = [(f"c{j}", p) for p in seated for j in range(2)]
    return Dataset.from_frames(
        partners=pd.DataFrame({"partner_id": ids, "name": ids, "sector": "Industry",
                               "country": "USA", "joined": "2020-01-01"}),
        committees=pd.DataFrame({"committee_id": ["c0", "c1", "c2"], "name": "C"}),
        memberships=pd.DataFrame(seats, columns=["committee_id", "partner_id"]).assign(
            since="2021-01-01"),
        events=pd.DataFrame({
            "event_id": events + ["w0"], "name": "x",
            "kind": ["Workshop"] * 20 + ["Webinar"],
            "program": ["Synthetic Media"] * 20 + ["Public Policy"],
            "date": ["2023-05-01"] * 21}),
        attendance=pd.DataFrame(attendance, columns=["event_id", "partner_id"]),
    )


def test_planted_segments_are_found_and_described() -> None:
    result = segments.segment_partners(_planted(), as_of="2024-01-01", seed=0)
    assert result.k == 3
    frame = result.frame.set_index("partner_id")
    found = {frozenset(frame.index[frame["segment"] == s]) for s in range(3)}
    groups = {frozenset(p for p in frame.index if p.startswith(x)) for x in "rsq"}
    assert found == groups
    assert [d["size"] for d in result.descriptions] == [12, 12, 12]
    by_group = {
        prefix: result.descriptions[int(frame.loc[f"{prefix}00", "segment"])]["description"]
        for prefix in "rsq"
    }
    assert by_group["r"].startswith("frequent attendees of Synthetic Media workshops")
    assert "no committee seats" in by_group["r"]
    assert "most hold committee seats (100%)" in by_group["s"]
    assert by_group["q"].startswith("attended no events")
    assert result.silhouette is not None and result.silhouette > 0.5


def test_segments_are_deterministic_per_seed_and_numbered_by_size() -> None:
    ds = _planted(seed=3)
    first = segments.segment_partners(ds, as_of="2024-01-01", seed=1)
    again = segments.segment_partners(ds, as_of="2024-01-01", seed=1)
    assert first.frame.equals(again.frame)
    assert first.descriptions == again.descriptions
    sizes = [d["size"] for d in first.descriptions]
    assert sizes == sorted(sizes, reverse=True) and sum(sizes) == 36


def test_identical_profiles_make_one_segment() -> None:
    ds = Dataset.from_frames(partners=pd.DataFrame({
        "partner_id": list("abcd"), "name": list("ABCD"), "sector": "X", "country": "USA"}))
    result = segments.segment_partners(ds, as_of="2024-01-01")
    assert result.k == 1 and result.silhouette is None
    assert result.frame["segment"].tolist() == [0, 0, 0, 0]
    assert result.descriptions[0]["description"] == "attended no events; no committee seats"


def test_empty_window_has_no_segments() -> None:
    ds = Dataset.from_frames(partners=pd.DataFrame({
        "partner_id": ["a"], "name": ["A"], "sector": "X", "country": "USA",
        "joined": ["2030-01-01"]}))
    result = segments.segment_partners(ds, as_of="2024-01-01")
    assert result.k == 0 and result.frame.empty and result.descriptions == []
    json.dumps(result.to_dict(), allow_nan=False)


def test_to_dict_is_plain_json() -> None:
    out = segments.segment_partners(_planted(), as_of="2024-01-01").to_dict()
    assert json.loads(json.dumps(out, allow_nan=False)) == out
    assert len(out["partners"]) == 36 and out["k"] == 3
    assert out["method"]["n_init"] == segments.N_INIT


@pytest.mark.parametrize("k_range", [(1, 3), (4, 3), (2,)])
def test_bad_k_range_is_refused(k_range: tuple[int, ...]) -> None:
    with pytest.raises(ValueError, match="k_range"):
        segments.segment_partners(_small(), as_of="2024-01-01", k_range=k_range)


def test_segments_differing_by_tenure_alone_are_told_apart() -> None:
    ids = [f"p{i}" for i in range(8)]
    ds = Dataset.from_frames(partners=pd.DataFrame({
        "partner_id": ids, "name": ids, "sector": "X", "country": "USA",
        "joined": ["2014-01-01"] * 4 + ["2020-01-01"] * 4}))
    result = segments.segment_partners(ds, as_of="2024-01-01", k_range=(2, 3))
    assert result.k == 2
    words = sorted(d["description"] for d in result.descriptions)
    assert words == ["attended no events; no committee seats; about 10 years in the network",
                     "attended no events; no committee seats; about 4 years in the network"]
