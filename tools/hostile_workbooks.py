"""Workbooks as real exports and attackers make them: the shapes the loader must read or refuse.

Used by ``tools/fuzz_datasets.py`` (random cases), ``tests/test_reliability_fuzz.py`` (property
tests) and to write the fixed corpus in ``tests/data/nasty`` (``python tools/hostile_workbooks.py``).

Kinds: ``far_cell`` (one value at XFD1048576), ``claimed_dimension`` (the sheet claims
``A1:XFD1048576``), ``title_rows`` (a merged title and a blank row above the header),
``merged_header`` (group labels merged above the column names), ``serial_dates`` (dates as Excel
serial numbers, numeric and as text), ``duplicate_sheet`` (a second ``partners `` sheet).
"""

from __future__ import annotations

import random
import re
import sys
import zipfile
from pathlib import Path
from typing import Any

KINDS = ("far_cell", "claimed_dimension", "title_rows", "merged_header", "serial_dates",
         "duplicate_sheet")
#: What ``validate`` says about each kind in the corpus (``ok`` = exit 0).
EXPECTED = {
    "far_cell": "a value beyond the last column (XFD)",
    "claimed_dimension": "ok",
    "title_rows": "ok",
    "merged_header": "ok",
    "serial_dates": "is an Excel serial number for 2017-01-24",
    "duplicate_sheet": "a second sheet for table partners",
}


def claim_dimension(path: Path, ref: str = "A1:XFD1048576") -> None:
    """Make every sheet of a saved workbook claim ``ref`` as its dimension."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    for name in parts:
        if name.startswith("xl/worksheets/sheet"):
            parts[name] = re.sub(rb'<dimension ref="[^"]*" ?/>', f'<dimension ref="{ref}"/>'.encode(),
                                 parts[name])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def _date_column(sheet: Any) -> int | None:
    for cell in next(sheet.iter_rows(min_row=1, max_row=1), ()):
        if str(cell.value).strip().casefold() in ("joined", "left", "since", "until", "date"):
            return int(cell.column)
    return None


def damage_book(book: Any, kind: str, rng: random.Random) -> None:
    """Apply one kind (all but ``claimed_dimension``, which works on the saved file)."""
    if not book.worksheets:
        return
    sheet = rng.choice(book.worksheets)
    if kind == "far_cell":
        sheet["XFD1048576"] = "x"
    elif kind in ("title_rows", "merged_header"):
        sheet.insert_rows(1, 2)
        if kind == "title_rows":
            sheet["A1"] = "Exported from the member database"
            sheet.merge_cells("A1:D1")
        else:
            sheet["A2"], sheet["C2"] = "Who", "Where"
            sheet.merge_cells("A2:B2")
            sheet.merge_cells("C2:D2")
    elif kind == "serial_dates":
        column = _date_column(sheet)
        if column is not None and sheet.max_row >= 2:
            sheet.cell(row=2, column=column).value = 42759
            if sheet.max_row >= 3:
                sheet.cell(row=3, column=column).value = "42759"
    elif kind == "duplicate_sheet":
        copy = book.create_sheet(f"{sheet.title} ")
        for row in sheet.iter_rows(values_only=True):
            copy.append(list(row))


def write_corpus(root: Path) -> None:
    """One ``book.xlsx`` per kind under ``root/xlsx_<kind>/``: a small valid partners sheet
    (with a ``joined`` column) given that one shape."""
    from openpyxl import Workbook

    for kind in KINDS:
        book = Workbook()
        sheet = book.active
        sheet.title = "partners"
        sheet.append(["partner_id", "name", "sector", "country", "joined"])
        for row in (["p1", "Alpha", "Industry", "US", "2016-01-01"],
                    ["p2", "Beta", "Civil Society", "Kenya", ""],
                    ["p3", "Gamma", "Academic", "India", "2019-03"]):
            sheet.append(row)
        if kind != "claimed_dimension":
            damage_book(book, kind, random.Random(0))
        folder = root / f"xlsx_{kind}"
        folder.mkdir(parents=True, exist_ok=True)
        book.save(folder / "book.xlsx")
        if kind == "claimed_dimension":
            claim_dimension(folder / "book.xlsx")


if __name__ == "__main__":
    write_corpus(Path(sys.argv[1]) if len(sys.argv) > 1 else
                 Path(__file__).resolve().parents[1] / "tests" / "data" / "nasty")
