"""Property tests over the loaders for workbooks, and end to end over random valid datasets.

tests/loaders/test_fuzz.py damages CSV folders; this file covers the rest of issue 10's item 1:

- random XLSX workbooks (formulas, dates, numbers, booleans, huge strings, None in any cell;
  random sheet names; damaged zip bytes and damaged XML parts; and the shapes of
  ``tools/hostile_workbooks.py``: a stray cell at XFD1048576, a claimed ``A1:XFD1048576``
  dimension, title rows, merged header labels, serial dates, a duplicate sheet) -> ``read_dataset`` returns a
  Dataset or raises DataError, never any other exception; inputs are bounded in size (at most a
  dozen rows of nine cells, one 200,000-character string) so every example is quick;
- random *valid* datasets (built by strategies so that every rule holds) -> ``validate`` exits
  0 and ``report --format json`` exits 0 with JSON whose totals match the generated data.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import warnings
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

import loaders
from core.errors import DataError
from core.model import Dataset
from stakeholder_graph import cli
from tools.hostile_workbooks import KINDS, claim_dimension, damage_book

TABLES = {
    "partners": ["partner_id", "name", "sector", "country", "joined", "left"],
    "committees": ["committee_id", "name", "program"],
    "memberships": ["committee_id", "partner_id", "since", "until"],
    "events": ["event_id", "name", "date", "country"],
    "attendance": ["event_id", "partner_id", "role", "attendees"],
    "targets": ["dimension", "group", "min_share"],
}
HUGE = "z" * 200_000
AS_OF = dt.date(2024, 6, 30)

# --- workbooks ----------------------------------------------------------------------------------

cell_values = st.one_of(
    st.none(),
    st.sampled_from(["=SUM(A1:A3)", '=HYPERLINK("http://x","y")', "=1/0", "+cmd", "@SUM(A1)",
                     "p1", "c1", "e1", "Industry", "US", "Kenya", "2020-01-01", "2020-13", HUGE]),
    # openpyxl refuses control characters in cells, so only printable text is generated
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=30),
    st.integers(-(10**15), 10**15),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)),
    st.datetimes(dt.datetime(1900, 1, 1), dt.datetime(2100, 12, 31)),
)
sheet_names = st.one_of(
    st.sampled_from(sorted(TABLES)),
    st.sampled_from(["PARTNERS", " partners ", "Partners", "Sheet1", "attendance2", "événements"]),
    st.text(st.characters(whitelist_categories=("L", "N")), min_size=1, max_size=31),
)


@st.composite
def workbooks(draw: st.DrawFn) -> tuple[list[tuple[str, list[list[object]]]], list[str]]:
    """Sheets (name, rows) starting from valid headers, then random cells written over them."""
    names = draw(st.lists(sheet_names, min_size=0, max_size=4,
                          unique_by=lambda n: n.strip().casefold()))
    sheets = []
    for name in names:
        header = list(TABLES.get(name.strip().casefold(), ["a", "b", "c"]))
        if draw(st.booleans()):
            header = draw(st.lists(cell_values, max_size=9))
        rows = [header] + draw(st.lists(st.lists(cell_values, max_size=9), max_size=12))
        sheets.append((name, rows))
    damage = draw(st.lists(st.sampled_from(["truncate", "flip", "xml", *KINDS]), max_size=2))
    return sheets, damage


def _write_workbook(path: Path, sheets: list[tuple[str, list[list[object]]]], damage: list[str],
                    rng: random.Random) -> None:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets:
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    if not sheets:
        book.create_sheet("empty")
    for kind in damage:
        if kind in KINDS and kind != "claimed_dimension":
            damage_book(book, kind, rng)
    book.save(path)
    if "claimed_dimension" in damage:
        claim_dimension(path)
    data = path.read_bytes()
    for kind in damage:
        if kind == "truncate":
            data = data[: rng.randrange(len(data) + 1)]
        elif kind == "flip" and data:
            at = rng.randrange(len(data))
            data = data[:at] + bytes([data[at] ^ rng.randint(1, 255)]) + data[at + 1:]
        elif kind == "xml":
            try:
                with zipfile.ZipFile(io.BytesIO(data)) as zin:
                    parts = {n: zin.read(n) for n in zin.namelist()}
            except Exception:  # noqa: BLE001 - an earlier flip may have broken the zip itself
                continue
            victim = rng.choice(sorted(parts))
            blob = bytearray(parts[victim])
            if blob:
                blob[rng.randrange(len(blob))] = rng.choice(b"<>&\"'\x00\xff")
            parts[victim] = bytes(blob)
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w") as zout:
                for n, b in parts.items():
                    zout.writestr(n, b)
            data = out.getvalue()
    path.write_bytes(data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow,
                                                                   HealthCheck.data_too_large])
@given(book=workbooks(), seed=st.integers(0, 2**32 - 1))
def test_random_workbooks_give_a_dataset_or_a_data_error(
    tmp_path_factory: pytest.TempPathFactory, book: tuple, seed: int,  # type: ignore[type-arg]
) -> None:
    path = tmp_path_factory.mktemp("book") / "book.xlsx"
    _write_workbook(path, *book, random.Random(seed))
    with warnings.catch_warnings(record=True) as caught:
        # openpyxl's UserWarnings about a damaged book would reach the user's stderr
        warnings.simplefilter("always")
        try:
            result: Dataset | DataError = loaders.read_dataset(path)
        except DataError as err:
            result = err
    assert [str(w.message) for w in caught] == []
    if isinstance(result, DataError):
        err = result
        assert err.problems, "a DataError names at least one problem"
        for problem in err.problems:
            # located in the book (a missing table names the book by its full path)
            assert "book.xlsx" in problem.file and problem.line >= 0, str(problem)
            assert problem.message, str(problem)
    else:
        assert isinstance(result, Dataset)
        # a returned Dataset holds the contract: unique ids, every reference resolved
        assert result.partners["partner_id"].is_unique
        assert set(result.attendance["partner_id"]) <= set(result.partners["partner_id"])
        assert set(result.memberships["partner_id"]) <= set(result.partners["partner_id"])


def test_a_damaged_sheet_xml_is_a_located_data_error(tmp_path: Path) -> None:
    """Found by this fuzzing: openpyxl's read-only mode parsed sheet XML lazily, mid-iteration,
    and the ParseError escaped as an internal error."""
    path = tmp_path / "book.xlsx"
    rows = [TABLES["partners"], ["p1", "Alpha", "Industry", "US", "", ""]]
    _write_workbook(path, [("partners", rows)], [], random.Random(0))
    with zipfile.ZipFile(path) as zin:
        parts = {n: zin.read(n) for n in zin.namelist()}
    sheet = next(n for n in parts if n.startswith("xl/worksheets/sheet"))
    parts[sheet] = parts[sheet].replace(b"<sheetData>", b"<sheetData><row r='1'><c>&bad;</c>")
    with zipfile.ZipFile(path, "w") as zout:
        for n, b in parts.items():
            zout.writestr(n, b)
    with pytest.raises(DataError) as caught:
        loaders.read_dataset(path)
    assert [str(p) for p in caught.value.problems][0].startswith("book.xlsx[partners]:")


def test_a_huge_country_cell_is_refused_as_unknown(tmp_path: Path) -> None:
    """Found by tools/fuzz_datasets.py: country_converter needed minutes for a 200,000-char
    value; such a value is now an ordinary located 'unknown country' problem."""
    (tmp_path / "partners.csv").write_text(
        f"partner_id,name,sector,country\np1,Alpha,Industry,{HUGE}\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        loaders.read_dataset(tmp_path)
    (problem,) = caught.value.problems
    assert str(problem).startswith("partners.csv:2: country: unknown country 'zzz")


# --- random valid datasets, end to end ----------------------------------------------------------

SECTORS = ["Industry", "Civil Society", "Academic", "Media", "Government"]
COUNTRIES = {"US": "USA", "Kenya": "KEN", "IND": "IND", "Brazil": "BRA", "FR": "FRA",
             "Japan": "JPN", "NGA": "NGA"}
names = st.text(st.characters(whitelist_categories=("L", "N", "Zs", "P", "S")), min_size=1,
                max_size=40).filter(lambda s: s.strip() != "")
days = st.dates(dt.date(2010, 1, 1), dt.date(2024, 6, 1))


@st.composite
def valid_datasets(draw: st.DrawFn) -> dict[str, list[list[str]]]:
    n = draw(st.integers(1, 12))
    partners = []
    for i in range(n):
        joined = draw(st.one_of(st.none(), days))
        left = None
        if joined is not None and draw(st.booleans()):
            left = joined + dt.timedelta(days=draw(st.integers(1, 3000)))
        partners.append([f"p{i}", draw(names), draw(st.sampled_from(SECTORS)),
                         draw(st.sampled_from(sorted(COUNTRIES))),
                         joined.isoformat() if joined else "", left.isoformat() if left else ""])
    ids = [p[0] for p in partners]
    committees = [[f"c{i}", draw(names), draw(st.sampled_from(["Labor", "Safety", ""]))]
                  for i in range(draw(st.integers(0, 3)))]
    memberships = []
    for c in committees:
        for pid in draw(st.lists(st.sampled_from(ids), unique=True, max_size=n)):
            memberships.append([c[0], pid, draw(days).isoformat(), ""])
    events = [[f"e{i}", draw(names), draw(days).isoformat(), draw(st.sampled_from(sorted(COUNTRIES)))]
              for i in range(draw(st.integers(0, 4)))]
    attendance = []
    for e in events:
        for pid in draw(st.lists(st.sampled_from(ids), unique=True, max_size=n)):
            attendance.append([e[0], pid, draw(st.sampled_from(["participant", "speaker", "Speaker "])),
                               str(draw(st.integers(1, 5)))])
    tables = {"partners": partners, "committees": committees, "memberships": memberships,
              "events": events, "attendance": attendance}
    if draw(st.booleans()):
        tables["targets"] = [["sector", "Civil Society", "0.3"]]
    return tables


def _active(row: list[str], day: dt.date) -> bool:
    joined = dt.date.fromisoformat(row[4]) if row[4] else None
    left = dt.date.fromisoformat(row[5]) if row[5] else None
    return (joined is None or joined <= day) and (left is None or day < left)


def _write(folder: Path, tables: dict[str, list[list[str]]], as_xlsx: bool) -> Path:
    if as_xlsx:
        book = Workbook()
        book.remove(book.active)
        for name, rows in tables.items():
            sheet = book.create_sheet(name)
            sheet.append(TABLES[name])
            for row in rows:
                sheet.append(row)
                for cell in sheet[sheet.max_row]:
                    cell.data_type = "s"  # a name such as "=x" stays text, as a user's would
        path = folder / "data.xlsx"
        book.save(path)
        return path
    for name, rows in tables.items():
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(TABLES[name])
        writer.writerows(rows)
        (folder / f"{name}.csv").write_text(buffer.getvalue(), encoding="utf-8")
    return folder


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(tables=valid_datasets(), as_xlsx=st.booleans())
def test_any_valid_dataset_validates_and_reports(
    tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str],
    tables: dict[str, list[list[str]]], as_xlsx: bool,
) -> None:
    source = _write(tmp_path_factory.mktemp("valid"), tables, as_xlsx)
    capsys.readouterr()
    code = cli.main(["validate", str(source)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert f"partners: {len(tables['partners'])}" in out

    code = cli.main(["report", str(source), "--format", "json", "--as-of", AS_OF.isoformat()])
    out, err = capsys.readouterr()
    assert code == 0, err
    data = json.loads(out)
    # Known answers from the generated rows, counted independently of the loaders.
    active = [p for p in tables["partners"] if _active(p, AS_OF)]
    assert data["totals"]["partners"] == len(active)
    expected_sectors: dict[str, int] = {}
    for p in active:
        expected_sectors[p[2]] = expected_sectors.get(p[2], 0) + 1
    assert {k: v for k, v in data["totals"]["sectors"].items() if v} == expected_sectors
    assert data["totals"]["countries"] == len({COUNTRIES[p[3]] for p in active})
    events_in_window = {e[0] for e in tables["events"] if dt.date.fromisoformat(e[2]) <= AS_OF}
    reported = {g["id"] for g in data["groups"] if g["kind"] == "event"}
    assert reported <= events_in_window


def test_report_on_a_dataset_without_partners_but_with_events(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found by tools/fuzz_datasets.py (a truncated partners.csv left only its header).

    The dataset is valid (validate exits 0) but ``report`` failed with an internal
    IndexError in analysis/scorecard.py ``event_mix``: with no partners the baseline has no
    columns, and ``absent.to_numpy()`` was then an *object* array that ``names[row]`` refused.
    """
    (tmp_path / "partners.csv").write_text("partner_id,name,sector,country\n", encoding="utf-8")
    (tmp_path / "events.csv").write_text("event_id,name,date\ne1,W,2021-06-01\n", encoding="utf-8")
    assert cli.main(["validate", str(tmp_path)]) == 0
    capsys.readouterr()
    code = cli.main(["report", str(tmp_path), "--format", "json", "--as-of", AS_OF.isoformat()])
    out, err = capsys.readouterr()
    assert "internal error" not in err, err
    assert code == 0, err
    data = json.loads(out)
    assert data["totals"]["partners"] == 0
    assert [g["id"] for g in data["groups"] if g["kind"] == "event"] == ["e1"]
