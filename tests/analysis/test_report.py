"""build_report: DESIGN.md's keys, known answers on the tiny dataset, Guests, programs, min_cell."""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Any

import pandas as pd
import pytest
from scipy import stats

from analysis.diversity import diversity, group_compositions
from analysis.report import build_report
from core.errors import RequestError
from core.window import Window
from tests.analysis.test_snapshot import D1, D2, tiny


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    # The tiny rooms hold 2 to 4 people: test them all (min_room=1) to check the arithmetic.
    return build_report(tiny(), Window.of(as_of=D2), min_room=1).to_dict()


def group(data: dict[str, Any], kind: str, gid: str) -> dict[str, Any]:
    return next(g for g in data["groups"] if g["kind"] == kind and g["id"] == gid)


def test_design_keys_and_plain_json(report: dict[str, Any]) -> None:
    for key in ("as_of", "totals", "groups", "reach", "scorecard", "network"):
        assert key in report
    assert report["as_of"] == D2
    for key in ("partners", "countries", "sectors", "regions"):
        assert key in report["totals"]
    g = report["groups"][0]
    for key in ("kind", "id", "name", "size", "composition", "diversity", "gaps"):
        assert key in g
    assert set(g["diversity"]["sector"]) >= {"blau", "shannon", "normalised_blau", "evenness"}
    card = report["scorecard"][0]
    for key in (
        "year",
        "convenings",
        "all_sectors_share",
        "global_south_share",
        "industry_seat_share",
    ):
        assert key in card
    node = report["network"]["nodes"][0]
    for key in ("partner_id", "degree", "strength", "betweenness", "community"):
        assert key in node
    text = json.dumps(report, allow_nan=False)  # NaN never emitted
    assert json.loads(text) == report
    assert "changes" not in report


def test_totals_known_answers(report: dict[str, Any]) -> None:
    t = report["totals"]
    assert t["partners"] == 6 and t["countries"] == 6 and t["guests"] == 1
    assert t["sectors"] == {"Academic": 2, "Industry": 2, "Civil Society": 1, "Media": 1}
    assert t["regions"] == {"Europe": 3, "Americas": 2, "Asia": 1}
    assert t["committees"] == 2 and t["events"] == 4
    assert t["committee_seats"] == 6  # c1: p1 p3; c2: p6 g1 p5 p2
    assert t["participants"] == 7 and t["attendance"] == 14
    early = build_report(tiny(), Window.of(as_of=D1)).to_dict()["totals"]
    assert early["partners"] == 5
    assert early["sectors"] == {"Civil Society": 2, "Industry": 2, "Academic": 1}
    assert early["events"] == 1


def test_typed_totals_and_alpha_read_as_the_json_says(report: dict[str, Any]) -> None:
    typed = build_report(tiny(), Window.of(as_of=D2), min_room=1)
    t = typed.totals
    assert dict(t.sectors) == report["totals"]["sectors"]
    assert dict(t.regions) == report["totals"]["regions"]
    # p5 (Brazil) and p6 (India) of the six Partners active on D2.
    assert dict(t.global_south) == report["totals"]["global_south"] == {"False": 4, "True": 2}
    assert t.global_south_share == pytest.approx(2 / 6)
    assert typed.alpha == report["parameters"]["alpha"] == 0.05
    hidden = dataclasses.replace(t, categories={"global_south": {"False": 4, "True": None}})
    assert hidden.global_south_share is None  # a share of a hidden count is hidden too
    assert dataclasses.replace(t, categories={}).global_south_share is None


def test_guests_never_change_totals() -> None:
    plain = build_report(tiny(), Window.of(as_of=D2)).to_dict()["totals"]
    more = build_report(tiny(extra_guests=5), Window.of(as_of=D2)).to_dict()["totals"]
    for key in (
        "partners",
        "countries",
        "sectors",
        "regions",
        "subregions",
        "global_south",
        "diversity",
    ):
        assert more[key] == plain[key]
    assert more["guests"] == 6


def test_committee_and_event_groups(report: dict[str, Any]) -> None:
    c1 = group(report, "committee", "c1")
    assert c1["size"] == 2 and c1["composition"]["sector"] == {"Academic": 1, "Industry": 1}
    assert {g["group"] for g in c1["gaps"] if g["dimension"] == "sector"} == {
        "Media",
        "Civil Society",
    }
    c2 = group(report, "committee", "c2")
    assert c2["size"] == 4 and c2["guests"] == 1
    e3 = group(report, "event", "e3")
    assert e3["size"] == 4 and e3["guests"] == 1 and e3["date"] == "2024-04-20"
    assert e3["composition"]["sector"] == {
        "Academic": 1,
        "Civil Society": 1,
        "Government": 1,
        "Industry": 1,
    }
    media = next(g for g in e3["gaps"] if g["group"] == "Media")
    assert media["missing"] and media["p_value"] == pytest.approx(stats.hypergeom.cdf(0, 5, 1, 4))
    # Diversity over the union of the room's and the baseline's categories (k = 5 for e3).
    assert e3["diversity"]["sector"] == pytest.approx(diversity([1, 1, 1, 1, 0], k=5))
    assert c1["diversity"]["sector"]["blau"] == pytest.approx(0.5)
    assert [g["id"] for g in report["groups"]] == ["c1", "c2", "e1", "e2", "e3", "e4"]


def test_program_filter_selects_exactly_its_groups() -> None:
    labor = build_report(tiny(), Window.of(as_of=D2, program="Labor")).to_dict()
    assert [(g["kind"], g["id"]) for g in labor["groups"]] == [
        ("committee", "c2"),
        ("event", "e2"),
        ("event", "e3"),
    ]
    assert [e["convenings"] for e in labor["scorecard"]] == [1, 1]
    assert labor["totals"]["partners"] == 6  # the membership is not a program's
    governance = build_report(tiny(), Window.of(as_of=D2, program="Governance")).to_dict()
    assert [g["id"] for g in governance["groups"]] == ["c1", "e1", "e4"]
    # The network sees the program's groups only: p5 only attends e4 and sits on c2 (Labor).
    with pytest.raises(RequestError, match="unknown program 'Labour'; known: Governance, Labor"):
        build_report(tiny(), Window.of(as_of=D2, program="Labour"))
    node_ids = {n["partner_id"] for n in labor["network"]["nodes"]}
    assert "p5" in node_ids  # via c2
    assert "p4" not in node_ids  # left before D2, only attended e1 (Governance)


def test_since_turns_on_changes_and_limits_events() -> None:
    out = build_report(tiny(), Window.of(as_of=D2, since=D1)).to_dict()
    assert [g["id"] for g in out["groups"] if g["kind"] == "event"] == ["e2", "e3", "e4"]
    assert out["changes"]["new_partners_count"] == 2
    assert out["changes"]["departures"][0]["partner_id"] == "p4"
    assert [e["year"] for e in out["scorecard"]] == [2023, 2024]
    with pytest.raises(RequestError, match="since"):
        build_report(tiny(), Window.of(as_of=D1, since=D2))


def walk(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [x for v in value.values() for x in walk(v)]
    if isinstance(value, list):
        return [x for v in value for x in walk(v)]
    return [value]


def test_min_cell_hides_small_counts_and_what_derives_from_them() -> None:
    out = build_report(tiny(), Window.of(as_of=D2), min_cell=2, min_room=1).to_dict()
    t = out["totals"]
    # Civil Society 1 and Media 1 are hidden; with the total 6 shown they would add up to 2 and so
    # be 1 each: Academic (the smallest shown, ties by label) is hidden with them.
    assert t["sectors"] == {"Academic": None, "Industry": 2, "Civil Society": None, "Media": None}
    assert "totals.sectors.Media" in t["suppressed"]
    assert t["diversity"]["sector"]["blau"] is None
    c1 = group(out, "committee", "c1")
    assert c1["composition"]["sector"] == {"Academic": None, "Industry": None}
    assert c1["shares"]["sector"] == {"Academic": None, "Industry": None}
    assert "composition.sector.Academic" in c1["suppressed"]
    for gap in c1["gaps"]:  # missing categories (count 0) name nobody and stay
        assert gap["count"] == 0
        # ...but a p-value drawn from a hidden baseline count or size is hidden with it.
        assert (gap["p_value"] is None) == (gap["baseline_count"] is None or gap["size"] is None)
    # Academic 1 and Industry 1 of 2 would be 1 each given the size: the size is hidden too.
    assert c1["size"] is None and "size" in c1["suppressed"]
    c2 = group(out, "committee", "c2")
    industry = next(g for g in c2["gaps"] if g["group"] == "Industry")
    assert all(industry[k] is None for k in ("count", "share", "ratio", "p_value", "shortfall"))
    assert out["privacy"]["min_cell"] == 2 and out["privacy"]["suppressed_values"] > 0
    # No count from 1 to min_cell - 1 survives in composition, totals or gaps.
    hidden = [
        v
        for g in out["groups"]
        for v in walk(g["composition"]) + [x["count"] for x in g["gaps"]]
        if isinstance(v, int) and 0 < v < 2
    ]
    assert hidden == []
    json.dumps(out, allow_nan=False)


def test_min_cell_hides_who_joined_and_small_differences() -> None:
    out = build_report(tiny(), Window.of(as_of=D2, since=D1), min_cell=2).to_dict()["changes"]
    assert out["departures"] == [] and out["departures_count"] is None  # p4 alone
    # Two joined: the count is shown, but no organisation is named under min_cell.
    assert out["new_partners_count"] == 2 and out["new_partners"] == []
    assert out["totals"]["sectors"] == {"Academic": None, "Civil Society": None, "Media": None}
    assert "departures" in out["suppressed"]
    for fmt in ("markdown", "html"):
        from reports import render

        hidden = build_report(tiny(), Window.of(as_of=D2, since=D1), min_cell=2)
        assert "hidden" in str(render(hidden, fmt))


def test_deterministic_output() -> None:
    a = json.dumps(build_report(tiny(), Window.of(as_of=D2), seed=3).to_dict())
    b = json.dumps(build_report(tiny(), Window.of(as_of=D2), seed=3).to_dict())
    assert a == b


def test_bad_options_refused() -> None:
    with pytest.raises(ValueError, match="min_cell"):
        build_report(tiny(), Window.of(as_of=D2), min_cell=0)
    with pytest.raises(ValueError, match="threshold"):
        build_report(tiny(), Window.of(as_of=D2), threshold=-1.0)


def test_group_compositions_reexported_and_shaped() -> None:
    table = group_compositions(tiny(), D2)
    assert list(table.columns) == ["kind", "group_id", "dimension", "category", "count"]
    assert table["count"].dtype == "int64"
    assert set(table["dimension"]) == {"sector", "region"}


def test_an_independent_computation_agrees_on_a_generated_dataset(tmp_path: Any) -> None:
    """Group sizes, shares and Blau from a plain per-group loop equal the report's."""
    import loaders
    from loaders.generate import generate

    generate(tmp_path, partners=400, seed=5)
    ds = loaders.read_dataset(tmp_path)
    as_of = ds.events["date"].max()
    out = build_report(ds, Window.of(as_of=as_of.date())).to_dict()
    from analysis.snapshot import committee_members, event_attendees

    checked = 0
    for g in out["groups"][:: max(1, len(out["groups"]) // 40)]:
        if g["kind"] == "committee":
            members = committee_members(ds, g["id"], as_of)
        else:
            members = event_attendees(ds, g["id"])
        assert g["size"] == len(members)
        sectors = members["sector"].value_counts()
        expected = sorted((str(k), int(v)) for k, v in sectors.items())
        assert sorted(g["composition"]["sector"].items()) == expected
        p = sectors / sectors.sum() if len(sectors) else pd.Series(dtype=float)
        blau = 1 - float((p**2).sum()) if len(p) else 0.0
        assert g["diversity"]["sector"]["blau"] == pytest.approx(blau)
        shannon = -float((p * p.map(math.log)).sum()) if len(p) else 0.0
        assert g["diversity"]["sector"]["shannon"] == pytest.approx(shannon)
        checked += 1
    assert checked > 10
