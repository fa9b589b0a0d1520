"""reports.tabular: CSV and XLSX cells are literals; control characters never crash a workbook."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reports.tabular import FORMULA_START, Sheet, inert, sheet_title, to_csv, to_xlsx
from stakeholder_graph.cli import main


def workbook_cells(blob: bytes) -> list[openpyxl.cell.cell.Cell]:
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)
    book = openpyxl.load_workbook(io.BytesIO(blob))
    return [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]


@pytest.mark.parametrize("start", FORMULA_START)
def test_csv_text_starting_like_a_formula_gets_a_quote(start: str) -> None:
    text = to_csv(["name"], [[f"{start}1+1"]])
    assert list(csv.reader(io.StringIO(text)))[1] == [f"'{start}1+1"]


def test_numbers_stay_numbers_and_none_is_empty() -> None:
    assert inert(-5) == -5 and inert(2.5) == 2.5 and inert(None) == "" and inert(float("nan")) == ""
    assert inert(True) is True


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=30), min_size=1, max_size=8))
def test_any_text_makes_a_workbook_of_literals(values: list[str]) -> None:
    blob = to_xlsx([Sheet("S", ["value"], [[v] for v in values])])
    cells = workbook_cells(blob)
    assert not [c for c in cells if c.data_type == "f"]
    risky = [c for c in cells if isinstance(c.value, str) and c.value.startswith(FORMULA_START)]
    assert all(c.quotePrefix for c in risky)


def test_control_characters_are_replaced_in_both_formats() -> None:
    name = "Acme\x07 Labs\x00\x1b"
    cells = workbook_cells(to_xlsx([Sheet("S", ["name"], [[name]])]))
    assert cells[1].value == "Acme\ufffd Labs\ufffd\ufffd"
    assert list(csv.reader(io.StringIO(to_csv(["name"], [[name]]))))[1] == [
        "Acme\ufffd Labs\ufffd\ufffd"
    ]


def test_sheet_titles_are_made_valid_and_unique() -> None:
    blob = to_xlsx([Sheet("a/b:c" * 10, ["x"], []), Sheet("a/b:c" * 10, ["x"], [])])
    names = openpyxl.load_workbook(io.BytesIO(blob)).sheetnames
    assert len(names) == 2 and len(set(names)) == 2 and all(len(n) <= 31 for n in names)
    assert sheet_title("Gaps") == "Gaps"


def test_control_character_in_a_partner_name_reports_as_xlsx(tmp_path: Path) -> None:
    # It passes validate; the workbook used to crash with IllegalCharacterError.
    folder = tmp_path / "data"
    folder.mkdir()
    pd.DataFrame(
        {"partner_id": ["p1", "p2"], "name": ["Bell\x07 Corp", "Esc\x1b Org"],
         "sector": ["Industry", "Academic"], "country": ["USA", "KEN"],
         "joined": ["2020-01-01", "2020-01-01"]}
    ).to_csv(folder / "partners.csv", index=False)
    assert main(["validate", str(folder)]) == 0
    out = tmp_path / "report.xlsx"
    assert main(["report", str(folder), "--as-of", "2024-06-30", "--format", "xlsx",
                 "-o", str(out)]) == 0
    values = {c.value for c in workbook_cells(out.read_bytes()) if isinstance(c.value, str)}
    assert "Bell\ufffd Corp" in values and "Esc\ufffd Org" in values
