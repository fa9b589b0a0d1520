"""One list of hostile payloads, through every output: nothing a name contains is ever executed.

The payloads are partner names, committee names, event names, sector labels and an extra column
of one dataset read from CSV by the real loader. Each output is checked for what would make the
payload live there:

- report JSON: every payload comes back as the same literal string;
- Markdown: no raw ``<tag``; HTML: only the report's own tags, no ``on*`` attribute, payload text
  shown escaped;
- XLSX report and the dashboard's XLSX downloads: no formula cell (``data_type != "f"`` and no
  ``<f>`` element in any sheet XML), payloads stored as literal text;
- the dashboard's CSV downloads (representation tables, planner invite list): no cell starts
  with ``= + - @`` tab or CR, the payload kept behind a leading ``'``;
- Neo4j: stored literally, and the Cypher payloads delete nothing.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import dash
import openpyxl
import pytest

import loaders
from analysis.report import build_report
from analysis.report_model import Report
from core.model import Dataset
from core.window import Window
from dashboard import planner_view
from dashboard.app import create_app
from dashboard.representation_view import export, gap_rows, group_rows
from graph.memory import MemoryStore
from reports import render
from stakeholder_graph import cli

PAYLOADS = [
    "') DETACH DELETE n //",
    '"; MATCH (n) DELETE n',
    "O'Brien \"Quoted\" `tick`",
    "back\\slash \\' \\\"",
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    "-1+2",
    "@SUM(A1)",
    "\t=1+1 tab",
    "\r=2+2 cr",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "\u202eexe.pdf RTL override",
]
RISKY_START = ("=", "+", "-", "@", "\t", "\r")
COUNTRIES = ["US", "Kenya", "India", "Brazil", "France", "Japan", "NGA"]
AS_OF = "2024-06-30"
N = len(PAYLOADS)


def _csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    # "\r\n" so that csv quotes the CR-prefixed payload (an unquoted CR ends the row)
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def as_sector(payload: str) -> str:
    """A payload as a sector label: a sector holds one value, so ';' (two values) is refused
    by the loader (see the test below); the Cypher payload keeps its quote and keywords."""
    return payload.replace(";", ",")


def write_dataset(folder: Path) -> Path:
    """Partner i: name, sector and note = payload i; committee and event i named payload i."""
    partners = [["partner_id", "name", "sector", "country", "joined", "note"]]
    partners += [[f"p{i:02}", p, as_sector(p), COUNTRIES[i % len(COUNTRIES)], "2018-01-01", p]
                 for i, p in enumerate(PAYLOADS)]
    committees = [["committee_id", "name", "program"]]
    committees += [[f"c{i:02}", p, "Labor"] for i, p in enumerate(PAYLOADS)]
    memberships = [["committee_id", "partner_id", "since"]]
    memberships += [[f"c{i:02}", f"p{j:02}", "2019-01-01"] for i in range(N) for j in (i, (i + 1) % N)]
    events = [["event_id", "name", "date", "country"]]
    events += [[f"e{i:02}", p, f"2023-{i % 12 + 1:02}-10", "Kenya"] for i, p in enumerate(PAYLOADS)]
    attendance = [["event_id", "partner_id", "role"]]
    attendance += [[f"e{i:02}", f"p{j:02}", "participant"] for i in range(N) for j in (i, (i + 2) % N)]
    for name, rows in {"partners": partners, "committees": committees, "memberships": memberships,
                       "events": events, "attendance": attendance}.items():
        (folder / f"{name}.csv").write_text(_csv(rows), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_dataset(tmp_path_factory.mktemp("payloads"))


@pytest.fixture(scope="module")
def ds(source: Path) -> Dataset:
    return loaders.read_dataset(source)


@pytest.fixture(scope="module")
def stored() -> list[str]:
    """Each payload as the loader stores it: labels and names are trimmed of outer whitespace."""
    return [p.strip() for p in PAYLOADS]


@pytest.fixture(scope="module")
def report(ds: Dataset) -> Report:
    return build_report(ds, Window.of(as_of=AS_OF))


@pytest.fixture(scope="module")
def report_json(report: Report) -> dict[str, Any]:
    """The report as the dashboard's representation views take it today (JSON)."""
    return report.to_dict()


def test_a_sector_with_two_values_is_refused_not_split(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "partners.csv").write_text(
        _csv([["partner_id", "name", "sector", "country"],
              ["p1", "Acme", '"; MATCH (n) DELETE n', "US"]]), encoding="utf-8")
    assert cli.main(["validate", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "partners.csv:2: sector:" in err and "Traceback" not in err


def test_the_loader_keeps_every_payload_literally(ds: Dataset, stored: list[str]) -> None:
    partners = ds.partners.set_index("partner_id")
    assert partners["name"].tolist() == stored
    assert partners["sector"].tolist() == [as_sector(p) for p in stored]
    assert ds.committees["name"].tolist() == stored
    assert ds.events["name"].tolist() == stored
    # ";" makes the "note" column multi-valued (a;b): each part is kept, trimmed, in order
    expected = [tuple(part.strip() for part in p.split(";")) for p in stored]
    notes = [v if isinstance(v, tuple) else (v,) for v in partners["note"]]
    assert notes == expected


def _strings(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*(_strings(k) | _strings(v) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return set().union(*(_strings(v) for v in value))
    return set()


def test_report_json_holds_every_payload_literally(
    source: Path, stored: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["report", str(source), "--format", "json", "--as-of", AS_OF]) == 0
    data = json.loads(capsys.readouterr().out)
    committees = {g["id"]: g["name"] for g in data["groups"] if g["kind"] == "committee"}
    events = {g["id"]: g["name"] for g in data["groups"] if g["kind"] == "event"}
    assert committees == {f"c{i:02}": p for i, p in enumerate(stored)}
    assert events == {f"e{i:02}": p for i, p in enumerate(stored)}
    assert data["totals"]["sectors"] == {as_sector(p): 1 for p in stored}
    assert set(stored) <= _strings(data)


def test_markdown_has_no_raw_markup(report: Report) -> None:
    text = render(report, "markdown")
    assert isinstance(text, str)
    # a Markdown viewer renders inline HTML: every "<" before a tag name must be backslashed
    raw = re.findall(r"(?<!\\)<[A-Za-z/!?]", text)
    assert raw == [], raw
    assert "\\<script\\>alert(1)\\</script\\>" in text  # shown, backslash-escaped


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.handlers: list[tuple[str, str]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.handlers += [(tag, name) for name, _ in attrs if name.startswith("on")]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_escapes_every_payload(report: Report, stored: list[str]) -> None:
    text = render(report, "html")
    assert isinstance(text, str)
    assert "<script" not in text.casefold() and "<img" not in text.casefold()
    parser = _Tags()
    parser.feed(text)
    assert "script" not in parser.tags and "img" not in parser.tags
    assert parser.handlers == []
    shown = "".join(parser.text)
    for payload in ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
                    '=HYPERLINK("http://x","y")', "') DETACH DELETE n //"):
        assert payload in shown  # the reader sees the text itself


def _no_formulas(data: bytes) -> set[str]:
    """Every text value of the workbook, after checking no cell or sheet XML holds a formula."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        for name in book.namelist():
            if name.startswith("xl/worksheets/"):
                xml = book.read(name)
                assert b"<f>" not in xml and b"<f " not in xml, name
    values: set[str] = set()
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    cells = 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                cells += 1
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    values.add(cell.value)
    assert cells > 0
    return values


def test_xlsx_report_has_no_formula_cells(report: Report, stored: list[str]) -> None:
    data = render(report, "xlsx")
    assert isinstance(data, bytes)
    values = _no_formulas(data)
    joined = "\n".join(values)
    for payload in stored:
        assert payload in joined, payload


def test_xlsx_report_through_the_cli(source: Path, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.xlsx"
    assert cli.main(["report", str(source), "--format", "xlsx", "--as-of", AS_OF,
                     "--output", str(out)]) == 0
    assert '=HYPERLINK("http://x","y")' in _no_formulas(out.read_bytes())


# --- the dashboard's downloads ----------------------------------------------------------------


@pytest.fixture(scope="module")
def app(ds: Dataset) -> dash.Dash:
    return create_app(MemoryStore(ds))


def _download_bytes(payload: dict[str, Any]) -> bytes:
    content = payload["content"]
    return base64.b64decode(content) if payload.get("base64") else content.encode("utf-8")


def _assert_safe_csv(data: bytes, stored: list[str], *, present: list[str]) -> None:
    text = data.decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]
    assert cells
    risky = [c for c in cells if c.startswith(RISKY_START)]
    assert risky == [], risky
    joined = "\n".join(cells)
    for payload in present:
        if payload.startswith(RISKY_START):
            assert "'" + payload in cells or "'" + payload in joined, payload
        else:
            assert payload in joined, payload


def test_representation_csv_download_is_formula_safe(
    app: dash.Dash, report_json: dict[str, Any], stored: list[str]
) -> None:
    groups, gaps = group_rows(report_json), gap_rows(report_json)
    assert {r["Name"] for r in groups} == set(stored)
    with app.server.app_context():
        _, data = export("csv", groups, gaps)
    _assert_safe_csv(data, stored, present=stored)


def test_representation_xlsx_download_has_no_formulas(
    app: dash.Dash, report_json: dict[str, Any], stored: list[str]
) -> None:
    with app.server.app_context():
        _, data = export("xlsx", group_rows(report_json), gap_rows(report_json))
    values = _no_formulas(data)
    assert set(stored) <= values


@pytest.fixture(scope="module")
def plan(app: dash.Dash, ds: Dataset) -> dict[str, Any]:
    with app.server.app_context():
        return planner_view.make_plan(ds, mode="new", event_id=None, date="2024-09-01",
                              draft=["p00", "p04"], size=N - 2)


def test_planner_recommends_the_payload_partners(plan: dict[str, Any]) -> None:
    recommended = {r["partner_id"] for r in plan["recommendations"]}
    assert recommended and not recommended & {"p00", "p04"}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_planner_export_is_inert(app: dash.Dash, ds: Dataset, plan: dict[str, Any],
                                 stored: list[str], fmt: str) -> None:
    picked = [r["partner_id"] for r in plan["recommendations"]]
    with app.server.app_context():
        added = [f"p{i:02}" for i in range(N) if f"p{i:02}" not in {"p00", "p04", *picked}]
        payload = planner_view.export_invites(ds, plan, picked, added, fmt)
    data = _download_bytes(payload)
    # the whole room is exported: the draft, every pick and the added partners: all 13 payloads
    if fmt == "csv":
        _assert_safe_csv(data, stored, present=stored)
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
        assert len(rows) == N
    else:
        assert set(stored) <= _no_formulas(data)


# --- Neo4j ------------------------------------------------------------------------------------


@pytest.mark.neo4j
def test_neo4j_stores_every_payload_literally(neo4j_store: Any, neo4j_driver: Any, ds: Dataset,
                                              stored: list[str]) -> None:
    neo4j_store.load(ds)
    back = neo4j_store.dataset()
    assert back.equals(ds)
    # read independently of the store's own queries: nothing was deleted or rewritten
    records, _, _ = neo4j_driver.execute_query(
        "MATCH (p:Partner) RETURN p.partner_id AS id, p.name AS name ORDER BY id")
    assert [r["name"] for r in records] == stored
    records, _, _ = neo4j_driver.execute_query("MATCH (c:Committee) RETURN count(c) AS n")
    assert records[0]["n"] == N
    records, _, _ = neo4j_driver.execute_query("MATCH (s:Sector) RETURN count(s) AS n")
    assert records[0]["n"] == N
    records, _, _ = neo4j_driver.execute_query("MATCH ()-[r:ATTENDED]->() RETURN count(r) AS n")
    assert records[0]["n"] == 2 * N


def test_payload_dataset_has_the_expected_shape(ds: Dataset) -> None:
    assert ds.counts()["partners"] == N
    assert ds.counts()["memberships"] == 2 * N
    assert ds.counts()["attendance"] == 2 * N
    assert ds.counts()["committees"] == ds.counts()["events"] == N
