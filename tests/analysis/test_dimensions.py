"""Any categorical partner column is a dimension: compositions, indices, gaps, targets, CLI."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis.dimensions import categorical_columns, is_multi_valued, resolve_dimensions
from analysis.gaps import DEFAULT_DIMENSIONS
from analysis.report import build_report
from core.errors import RequestError
from core.model import Dataset
from core.window import Window

AS_OF = "2024-06-30"


def dataset(targets: pd.DataFrame | None = None) -> Dataset:
    """Ten partners with a single-valued ``size`` and a multi-valued ``focus``; one committee
    of five (a room big enough to test), all large, two of them working on health."""
    ids = [f"p{i}" for i in range(10)]
    sizes = ["large"] * 6 + ["small"] * 4
    focus = [("health", "labor"), ("health",), ("labor",), ("labor",), ("labor",), ("media",),
             ("health",), ("health", "media"), ("labor",), ("media",)]
    partners = pd.DataFrame({
        "partner_id": ids, "name": [f"Org {i}" for i in range(10)],
        "sector": ["Industry", "Academic"] * 5, "country": ["FR"] * 10,
        "joined": ["2020-01-01"] * 10, "size": sizes, "focus": focus,
        "website": [f"https://{i}.example" for i in ids],
    })
    committees = pd.DataFrame({"committee_id": ["c1"], "name": ["Board"]})
    memberships = pd.DataFrame({"committee_id": ["c1"] * 5, "partner_id": ids[:5],
                                "since": ["2021-01-01"] * 5})
    frames = {"partners": partners, "committees": committees, "memberships": memberships}
    if targets is not None:
        frames["targets"] = targets
    return Dataset.from_frames(**frames)


def board(report_dict: dict) -> dict:
    return next(g for g in report_dict["groups"] if g["id"] == "c1")


def test_categorical_columns_leave_out_one_value_per_partner() -> None:
    ds = dataset()
    assert categorical_columns(ds) == ["focus", "size"]  # extras in the model's sorted order
    assert is_multi_valued(ds.partners, "focus") and not is_multi_valued(ds.partners, "size")


def test_a_single_valued_column_has_composition_indices_and_gaps() -> None:
    ds = dataset()
    report = build_report(ds, Window.of(as_of=AS_OF),
                          dimensions=(*DEFAULT_DIMENSIONS, "size")).to_dict()
    group = board(report)
    assert group["composition"]["size"] == {"large": 5}
    assert group["diversity"]["size"]["blau"] == 0.0
    gap = next(g for g in group["gaps"] if g["dimension"] == "size")
    assert gap["group"] == "small" and gap["count"] == 0 and gap["missing"]
    assert gap["expected_share"] == pytest.approx(0.4)
    # hypergeometric: 5 drawn from 10 of which 4 small, none small: C(6,5) / C(10,5)
    assert gap["p_value"] == pytest.approx(6 / 252)


def test_a_multi_valued_column_counts_a_partner_in_each_value_and_sizes_count_people() -> None:
    ds = dataset()
    report = build_report(ds, Window.of(as_of=AS_OF),
                          dimensions=(*DEFAULT_DIMENSIONS, "focus")).to_dict()
    group = board(report)
    # p0 health+labor, p1 health, p2 labor, p3 labor, p4 labor
    assert group["composition"]["focus"] == {"health": 2, "labor": 4}
    gap = next(g for g in group["gaps"] if g["dimension"] == "focus" and g["group"] == "media")
    # 3 of the 10 partners work on media: the share is of people (10), not of values (12)
    assert gap["expected_share"] == pytest.approx(3 / 10)
    assert "focus" in report["method"]["multi_valued_dimensions"]


def test_a_target_naming_the_dimension_is_the_expected_share() -> None:
    targets = pd.DataFrame({"dimension": ["size"], "group": ["small"], "min_share": [0.5]})
    report = build_report(dataset(targets), Window.of(as_of=AS_OF),
                          dimensions=(*DEFAULT_DIMENSIONS, "size")).to_dict()
    gap = next(g for g in board(report)["gaps"] if g["dimension"] == "size")
    assert gap["expected_share"] == pytest.approx(0.5)


def test_names_match_case_insensitively_and_bad_names_are_refused() -> None:
    ds = dataset()
    assert resolve_dimensions(ds, ["SIZE", " Focus "], DEFAULT_DIMENSIONS)[-2:] == ["size", "focus"]
    with pytest.raises(RequestError, match="no such partner column.*focus, size"):
        resolve_dimensions(ds, ["colour"], DEFAULT_DIMENSIONS)
    with pytest.raises(RequestError, match="does not group them"):
        resolve_dimensions(ds, ["website"], DEFAULT_DIMENSIONS)


def test_report_cli_takes_dimension(capsys: pytest.CaptureFixture[str]) -> None:
    from stakeholder_graph.cli import main

    assert main(["report", "demo", "--as-of", AS_OF, "--dimension", "focus_areas"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["parameters"]["dimensions"][-1] == "focus_areas"
    assert any(g["composition"].get("focus_areas") for g in out["groups"])
    assert main(["report", "demo", "--dimension", "website"]) == 1
    assert "does not group them" in capsys.readouterr().err


def test_the_representation_page_offers_and_shows_a_dataset_column() -> None:
    import sys

    from dashboard.app import create_app
    from graph.memory import MemoryStore

    app = create_app(MemoryStore(dataset()))
    rep = sys.modules["dashboard.pages.representation"]
    with app.server.test_request_context("/"):
        offered = [o["value"] for o in rep.dimension_options()]
        groups, gaps, note, _ = rep.update_tables(AS_OF, None, "committee", None, "focus", [])
    assert offered == ["sector", "region", "global_south", "focus", "size"]
    assert "labor 4" in groups[0]["Composition"] and "health 2" in groups[0]["Composition"]
    assert [g["Category"] for g in gaps if g["Dimension"].casefold() == "focus"] == ["media"]
    assert "counts once in each" in note


def test_plan_weighs_a_single_valued_column_and_refuses_a_multi_valued_one(
        tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    import csv
    import shutil

    from stakeholder_graph.cli import main
    from stakeholder_graph.datasets import bundled_path

    folder = tmp_path / "demo"
    shutil.copytree(bundled_path("demo"), folder)
    path = folder / "partners.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for i, row in enumerate(rows):
        row["size"] = "small" if i % 4 == 0 else "large"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    event = "2027-labor-and-the-economy-convening"
    assert main(["plan", event, str(folder), "--size", "4",
                 "--weights", "sector=1,size=1"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["recommendations"]
    assert "size" in json.dumps(plan["before"]) + json.dumps(plan["after"])
    assert main(["plan", event, str(folder), "--weights", "sector=1,focus_areas=1"]) != 0
    assert "several values per partner" in capsys.readouterr().err
