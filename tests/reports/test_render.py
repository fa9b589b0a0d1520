"""Renderers: every format from one report; injection payloads stay inert in XLSX, HTML, Markdown."""

from __future__ import annotations

import doctest
import io
import json
from html.parser import HTMLParser
from typing import Any

import pandas as pd
import pytest
from openpyxl import load_workbook

from analysis import labels, privacy
from analysis.report import build_report
from core.model import Dataset
from core.window import Window
from reports import markdown, render, tabular
from tests.analysis.test_snapshot import D2, tiny

PAYLOADS = [
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "-1+2",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "| pipe | [link](http://x) *bold*",
]


def hostile() -> Dataset:
    """The tiny dataset with every name, sector and committee replaced by a payload."""
    ds = tiny()
    partners = ds.partners.copy()
    partners["name"] = [PAYLOADS[i % len(PAYLOADS)] for i in range(len(partners))]
    partners.loc[partners["partner_id"] == "p7", "sector"] = "=1+1"
    committees = ds.committees.copy()
    committees["name"] = [PAYLOADS[0], PAYLOADS[4]]
    events = ds.events.copy()
    events["name"] = [PAYLOADS[i] for i in range(len(events))]
    return Dataset.from_frames(
        partners=partners,
        committees=committees,
        memberships=ds.memberships,
        events=events,
        attendance=ds.attendance,
    )


@pytest.fixture(scope="module")
def report() -> Any:
    # The tiny rooms hold 2 to 4 people: test them all (min_room=1).
    return build_report(tiny(), Window.of(as_of=D2, since="2023-06-30"), min_room=1)


@pytest.fixture(scope="module")
def bad_report() -> Any:
    return build_report(hostile(), Window.of(as_of=D2, since="2023-06-30"))


def test_json_round_trips(report: Any) -> None:
    text = render(report, "json")
    assert isinstance(text, str)
    assert json.loads(text) == report.to_dict()
    assert "NaN" not in text


def test_markdown_reads_well(report: Any) -> None:
    text = render(report, "markdown")
    assert isinstance(text, str)
    assert text.startswith("# Representation and reach report — as of 2024-06-30")
    # Labor: e2 (Blau 0, Industry only) and e3 (0.75) -> 0.38; Governance since D1: e4 only.
    # One gap of these small rooms survives the false discovery rate.
    assert "| Labor | 2 | 0% | 50% | 3 | 0.38 | 25% of 4 | 1 |" in text
    for heading in (
        "## Headline",
        "## Scorecard",
        "## Largest gaps",
        "## Committees",
        "## Convenings",
        "## Reach per year",
        "## Network",
        "## What changed",
        "## Data quality: what the records leave unknown",
    ):
        assert heading in text
    assert "- Partners without a join date: 1. Each counts from its first dated evidence" in text
    assert "| Significant gaps | 1 (of " in text
    assert ", q = " in text  # the largest gaps carry their q-value beside the p-value
    assert "| Partners (active) | 6 |" in text
    assert "In 2024, 1 of 2 convenings had every sector in the room" in text
    assert "(n.s.)" in text  # a room's gaps not significant after correction say so
    assert "| 2024 | 2 | 1 (50%) | 2 (100%) | 33% of 6 |" in text
    assert "Inst" in text  # the one Partner who took part in nothing


def test_html_is_self_contained_with_charts(report: Any) -> None:
    text = render(report, "html")
    assert isinstance(text, str)
    assert text.startswith("<!DOCTYPE html>")
    assert text.count("<svg") >= 3
    lowered = text.lower()
    assert "<script" not in lowered
    assert "http://" not in lowered.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in lowered
    assert "In 2024, 1 of 2 convenings had every sector in the room" in text


def test_render_refuses_unknown_format(report: Any) -> None:
    with pytest.raises(ValueError, match="fmt"):
        render(report, "pdf")


def xlsx_cells(blob: bytes) -> list[Any]:
    book = load_workbook(io.BytesIO(blob))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def test_xlsx_has_a_sheet_per_section(report: Any) -> None:
    blob = render(report, "xlsx")
    assert isinstance(blob, bytes)
    book = load_workbook(io.BytesIO(blob))
    assert book.sheetnames == [
        "Summary",
        "Data quality",
        "Scorecard",
        "Totals",
        "Groups",
        "Composition",
        "Gaps",
        "Programs",
        "Recurring gaps",
        "Reach",
        "Inactive",
        "Network",
        "Changes",
        "Method",
    ]
    card = book["Scorecard"]
    assert [c.value for c in card[1]][:4] == [
        "year",
        "convenings",
        "all_sectors",
        "all_sectors_share",
    ]
    assert card["A3"].value == 2024 and card["D3"].value == 0.5


def test_xlsx_payloads_stay_literal_text(bad_report: Any) -> None:
    blob = render(bad_report, "xlsx")
    cells = xlsx_cells(blob)
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    values = {c.value for c in cells if isinstance(c.value, str)}
    for payload in PAYLOADS[:4] + ["=1+1"]:
        assert payload in values  # kept verbatim, as a string
    risky = [
        c for c in cells if isinstance(c.value, str) and c.value.startswith(("=", "+", "-", "@"))
    ]
    assert risky and all(c.quotePrefix for c in risky)
    # The raw sheet XML holds no <f> formula element at all.
    import zipfile

    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)


class Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [name for name, _ in attrs]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_escapes_everything(bad_report: Any) -> None:
    text = render(bad_report, "html")
    parser = Collector()
    parser.feed(text)
    assert "script" not in parser.tags and "img" not in parser.tags
    assert "onerror" not in parser.attrs
    joined = "".join(parser.text)
    assert "<script>alert(1)</script>" in joined  # shown as text, not run


def test_markdown_escapes_markup(bad_report: Any) -> None:
    text = render(bad_report, "markdown")
    assert "<script>" not in text and "\\<script\\>" in text
    assert "[link](http://x)" not in text
    for line in text.splitlines():
        if line.startswith("| ") and "pipe" in line:
            cells = line.count(" | ")
            header = next(h for h in text.splitlines() if h.startswith("| Name |"))
            assert cells == header.count(" | ")  # an escaped pipe never adds a column


def test_min_cell_report_renders_everywhere() -> None:
    hidden = build_report(tiny(), Window.of(as_of=D2), min_cell=3)
    for fmt in ("json", "markdown", "html", "xlsx"):
        out = render(hidden, fmt)
        assert out
    assert "Counts below 3 are hidden" in str(render(hidden, "markdown"))


def test_empty_dataset_renders() -> None:
    ds = Dataset.from_frames(
        partners=pd.DataFrame(
            {"partner_id": ["p1"], "name": ["A"], "sector": ["Industry"], "country": ["USA"]}
        )
    )
    empty = build_report(ds, Window.of(as_of=D2))
    assert "No convenings in the period." in str(render(empty, "markdown"))
    assert render(empty, "xlsx")
    assert "<svg" in str(render(empty, "html"))


@pytest.mark.parametrize("module", [markdown, tabular, privacy, labels])
def test_doctests(module: Any) -> None:
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
