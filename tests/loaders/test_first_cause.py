"""The first cause first: header rows found, echoes collapsed, clear messages for real exports,
and rows that cannot be counted right refused (issue 15 part 3)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from openpyxl import Workbook

import loaders
from core.errors import DataError
from stakeholder_graph import cli

HEADER = ["partner_id", "name", "sector", "country"]
PARTNERS = "partner_id,name,sector,country\np1,Alpha,Industry,US\np2,Beta,Academic,Kenya\n"
LOCATED = re.compile(r"^[^:]+:\d+: [^:]+: .+$")


def problems(path: Path) -> list[str]:
    with pytest.raises(DataError) as info:
        loaders.read_dataset(path)
    return [str(p) for p in info.value.problems]


def folder(tmp_path: Path, **tables: str) -> Path:
    out = tmp_path / "data"
    out.mkdir(exist_ok=True)
    tables.setdefault("partners", PARTNERS)
    for name, text in tables.items():
        (out / f"{name}.csv").write_text(text, encoding="utf-8")
    return out


def run(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = cli.main(["validate", str(path)])
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if not line.endswith("nothing was written.")]
    assert all(LOCATED.match(line) for line in lines), err
    return code, lines


# --- the header row --------------------------------------------------------------------------

def test_title_rows_above_a_csv_header_are_skipped(tmp_path: Path) -> None:
    path = folder(tmp_path, partners="Partner list,,,\nexported 2024-05-01,,,\n,,,\n" + PARTNERS)
    ds = loaders.read_dataset(path)
    assert ds.partners["partner_id"].tolist() == ["p1", "p2"]


def test_with_a_problem_the_header_row_is_named(tmp_path: Path) -> None:
    path = folder(tmp_path, partners="Partner list\n\n" + PARTNERS + "p3,Gamma,Media,Atlantis\n")
    assert problems(path) == [
        "partners.csv:3: -: header found on row 3; the row above it is not read",
        "partners.csv:6: country: unknown country 'Atlantis'",
    ]


def title_and_merged_header_book(path: Path, rows: int) -> Path:
    """A real export: a merged title, a merged group-label row, column names on row 3."""
    book = Workbook()
    sheet = book.active
    sheet.title = "partners"
    sheet["A1"] = "Consortium partners (export of 2024-05-01)"
    sheet.merge_cells("A1:F1")
    sheet["A2"], sheet["C2"] = "Who", "Where"
    sheet.merge_cells("A2:B2")
    sheet.merge_cells("C2:D2")
    for col, name in enumerate(["partner_id", "name", "sector", "country"], start=1):
        sheet.cell(row=3, column=col).value = name
    for i in range(rows):
        sheet.append([f"p{i}", f"Org {i}", "Industry", "US"])
    book.save(path)
    return path


def test_a_title_and_merged_group_labels_above_the_header(tmp_path: Path) -> None:
    """Before: 'missing required column' plus a line per row (1,732 lines for 1,728 rows)."""
    ds = loaders.read_dataset(title_and_merged_header_book(tmp_path / "book.xlsx", 1728))
    assert len(ds.partners) == 1728
    assert ds.partners.loc[0, "partner_id"] == "p0"


def test_a_header_merged_over_two_rows(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "partners"
    sheet["A1"], sheet["B1"], sheet["C1"] = "partner_id", "name", "Profile"
    sheet.merge_cells("A1:A2")
    sheet.merge_cells("B1:B2")
    sheet.merge_cells("C1:D1")
    sheet["C2"], sheet["D2"] = "sector", "country"
    sheet.append(["p1", "Alpha", "Industry", "US"])
    book.save(tmp_path / "book.xlsx")
    ds = loaders.read_dataset(tmp_path / "book.xlsx")
    assert ds.partners[["partner_id", "sector", "country"]].values.tolist() == [["p1", "Industry", "USA"]]


def test_no_header_row_is_one_message(tmp_path: Path) -> None:
    rows = "".join(f"p{i},Org {i},Industry,US\n" for i in range(30))
    assert problems(folder(tmp_path, partners="Partner list\n" + rows)) == [
        "partners.csv:1: -: no header row with partner_id, name, sector, country in the first 20 rows"
    ]


def test_a_data_row_above_the_header_is_not_dropped_silently(tmp_path: Path) -> None:
    path = folder(tmp_path, partners="p9,Nine,Media,France\n" + PARTNERS)
    assert "partners.csv:1: -: a row above the header (row 2) that looks like data: move it below the header or delete it" in problems(path)


def test_a_misspelt_column_is_still_reported_as_missing(tmp_path: Path) -> None:
    path = folder(tmp_path, partners="partner_id,name,sector,contry\np1,A,Industry,US\n")
    assert problems(path) == ["partners.csv:1: country: missing required column"]


# --- collapsing echoes -----------------------------------------------------------------------

def test_text_serial_dates_are_collapsed_and_name_the_date(tmp_path: Path) -> None:
    """Before: 999 lines "not a date: '42759'" with no hint."""
    events = "event_id,name,date\n" + "".join(f"e{i},Meeting {i},42759\n" for i in range(999))
    found = problems(folder(tmp_path, events=events))
    assert found == [
        "events.csv:2: date: not a date: '42759' is an Excel serial number for 2017-01-24: write "
        "2017-01-24 (YYYY-MM-DD), or format the cell as a date",
        *[f"events.csv:{n}: date: not a date: '42759' is an Excel serial number for 2017-01-24: "
          "write 2017-01-24 (YYYY-MM-DD), or format the cell as a date" for n in (3, 4)],
        "events.csv:5: date: … and 996 more rows like this (up to line 1000)",
    ]


def test_numeric_date_cells_in_a_workbook_are_dates(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "partners"
    sheet.append([*HEADER, "joined", "left"])
    sheet.append(["p1", "Alpha", "Industry", "US", 42759, 45000.0])
    book.save(tmp_path / "book.xlsx")
    ds = loaders.read_dataset(tmp_path / "book.xlsx")
    assert str(ds.partners.loc[0, "joined"].date()) == "2017-01-24"
    assert str(ds.partners.loc[0, "left"].date()) == "2023-03-15"


# --- clear messages for real files -----------------------------------------------------------

def test_utf16_without_a_bom_is_named(tmp_path: Path) -> None:
    path = tmp_path / "data"
    path.mkdir()
    (path / "partners.csv").write_bytes(PARTNERS.encode("utf-16-le"))
    assert problems(path) == [
        "partners.csv:0: -: this looks like UTF-16 (little-endian) text without a byte-order mark: "
        "save the file as UTF-8 CSV"
    ]


def test_a_folder_named_like_a_table_is_an_error(tmp_path: Path) -> None:
    path = folder(tmp_path)
    (path / "events.csv").mkdir()
    assert problems(path) == ["events.csv:0: -: a folder, not a file: expected a CSV file with this name"]


def test_a_symlink_loop_and_a_dangling_link_are_errors(tmp_path: Path) -> None:
    path = folder(tmp_path)
    os.symlink("events.csv", path / "events.csv")
    os.symlink("nowhere.csv", path / "committees.csv")
    assert problems(path) == [
        "committees.csv:0: -: a link to 'nowhere.csv', which does not exist: expected a CSV file",
        "events.csv:0: -: a link that loops back on itself: expected a CSV file",
    ]


def test_a_dataset_path_that_loops(tmp_path: Path) -> None:
    os.symlink("loop.xlsx", tmp_path / "loop.xlsx")
    assert problems(tmp_path / "loop.xlsx") == [
        f"{tmp_path / 'loop.xlsx'}:0: -: a link that loops back on itself: expected a dataset"]


@pytest.mark.parametrize(("value", "kind"), [
    ("EU", "a group of countries, not a country"), ("Global", "not a country"),
    ("Remote", "not a country"), ("Europe", "a region, not a country"),
])
def test_non_countries_say_to_leave_the_cell_empty(tmp_path: Path, value: str, kind: str) -> None:
    path = folder(tmp_path, partners=f"partner_id,name,sector,country\np1,A,Industry,{value}\n")
    assert problems(path) == [
        f"partners.csv:2: country: '{value}' is {kind}: leave the cell empty (country Unknown) "
        "or give the country of the headquarters"
    ]


def test_an_ambiguous_country_is_not_guessed(tmp_path: Path) -> None:
    """Before: "Congo" silently became COG."""
    path = folder(tmp_path, partners="partner_id,name,sector,country\np1,A,Industry,Congo\np2,B,Media,Korea\n")
    assert problems(path) == [
        "partners.csv:2: country: ambiguous country 'Congo': Congo Republic (COG) or DR Congo (COD)? write the ISO3 code",
        "partners.csv:3: country: ambiguous country 'Korea': North Korea (PRK) or South Korea (KOR)? write the ISO3 code",
    ]


# --- refuse what cannot be counted right (issue 15 part 3) ------------------------------------

@pytest.mark.parametrize(("tables", "expected"), [
    ({"partners": "partner_id,name,sector,country\np1,A,Academia;Industry,US\n"},
     "partners.csv:2: sector: two values in one cell ('Academia;Industry'): sector holds one value; "
     "record another in an extra column (e.g. sector_2), which is kept as a property"),
    ({"partners": "partner_id,name,sector,country\np1,A,Industry,US;GB\n"},
     "partners.csv:2: country: two values in one cell ('US;GB'): country holds one value; "
     "record another in an extra column (e.g. country_2), which is kept as a property"),
    ({"partners": "partner_id,name,sector,country,membership\np1,A,Industry,US,Partner;Guest\n"},
     "partners.csv:2: membership: two values in one cell ('Partner;Guest'): membership holds one "
     "value; record another in an extra column (e.g. membership_2), which is kept as a property"),
    ({"committees": "committee_id,name,program\nc1,Steering,Labor;Safety\n"},
     "committees.csv:2: program: two values in one cell ('Labor;Safety'): program holds one value; "
     "record another in an extra column (e.g. program_2), which is kept as a property"),
], ids=["sector", "country", "membership", "committee-program"])
def test_a_second_value_in_a_single_valued_column(tmp_path: Path, tables: dict[str, str], expected: str) -> None:
    assert problems(folder(tmp_path, **tables)) == [expected]


def test_ids_that_differ_only_in_case_or_unicode_form(tmp_path: Path) -> None:
    partners = "partner_id,name,sector,country\np1,A,Industry,US\nP1,B,Media,US\n\uff50\uff12,C,Media,US\np2,D,Media,US\n"
    assert problems(folder(tmp_path, partners=partners)) == [
        "partners.csv:3: partner_id: partner_id 'P1' differs from 'p1' (line 2) only in case or "
        "Unicode form: they would be one id; give distinct ids or the same spelling",
        "partners.csv:5: partner_id: partner_id 'p2' differs from 'ｐ２' (line 4) only in case or "
        "Unicode form: they would be one id; give distinct ids or the same spelling",
    ]


def test_a_reference_in_another_case_gets_a_hint(tmp_path: Path) -> None:
    path = folder(tmp_path, committees="committee_id,name\nc1,Steering\n",
                  memberships="committee_id,partner_id\nc1,P1\n")
    assert problems(path) == [
        "memberships.csv:2: partner_id: unknown partner 'P1': not in partners (ids match exactly: did you mean 'p1'?)"
    ]


def test_sheets_that_differ_only_in_case_or_spaces(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Before: two sheets `partners` and `partners ` loaded one and dropped the other."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in (("partners", [["p1", "A", "Industry", "US"]]),
                        ("partners ", [["p2", "B", "Media", "US"], ["p3", "C", "Academic", "US"]])):
        sheet = book.create_sheet(title)
        sheet.append(HEADER)
        for row in rows:
            sheet.append(row)
    book.save(tmp_path / "book.xlsx")
    code, lines = run(tmp_path / "book.xlsx", capsys)
    assert code == 1
    assert lines == ["book.xlsx[partners ]:0: -: a second sheet for table partners (sheet 'partners'): "
                     "sheet names are matched ignoring case and surrounding spaces; keep one sheet per table"]


def test_every_problem_at_once_exit_1_and_nothing_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = folder(tmp_path, partners="partner_id,name,sector,country\np1,A,Academia;Industry,EU\nP1,B,Media,Congo\n")
    code, lines = run(path, capsys)
    assert code == 1
    assert [line.split(": ")[0] + ": " + line.split(": ")[1] for line in lines] == [
        "partners.csv:2: country", "partners.csv:2: sector", "partners.csv:3: country", "partners.csv:3: partner_id",
    ]


def test_a_date_outside_the_timestamp_range_is_located(tmp_path: Path) -> None:
    """Found by tests/loaders/test_fuzz.py: a flipped digit made 3022-01-01, which pandas cannot
    hold, and the report crashed with an internal error."""
    path = folder(tmp_path, events="event_id,name,date\ne1,Summit,3022-01-01\n")
    assert problems(path) == ["events.csv:2: date: date 3022-01-01 is out of range: years 1678 to 2261"]


def test_a_numeric_date_cell_past_2261_is_located(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "partners"
    sheet.append([*HEADER, "joined"])
    sheet.append(["p1", "Alpha", "Industry", "US", 2_958_465])  # Excel's last day, 9999-12-31
    book.save(tmp_path / "book.xlsx")
    code, lines = run(tmp_path / "book.xlsx", capsys)
    assert code == 1
    assert lines == ["book.xlsx[partners]:2: joined: date 9999-12-31 is out of range: years 1678 to 2261"]
