"""The dashboard's downloads: CSV and XLSX a spreadsheet opens as data, never as formulas.

A CSV text cell starting with ``= + - @``, tab or CR gets a leading ``'``; every XLSX text cell
is written as a string (openpyxl would store a ``str`` starting with ``=`` as a formula).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

def safe_text(value: Any) -> Any:
    """A CSV cell that a spreadsheet will not run: text starting with = + - @ tab CR gets '."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def to_csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """CSV text of ``rows`` (only ``columns``, in order), formula-injection safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_text(c) for c in columns])
    for row in rows:
        writer.writerow([safe_text("" if row.get(c) is None else row.get(c)) for c in columns])
    return buffer.getvalue()


def to_xlsx(sheets: Mapping[str, tuple[Sequence[str], Iterable[Mapping[str, Any]]]]) -> bytes:
    """An XLSX workbook with one sheet per entry; text cells are always strings, never formulas.

    ``sheets`` maps a sheet title to ``(columns, rows)``.
    """
    book = Workbook()
    book.remove(book.active)
    for title, (columns, rows) in sheets.items():
        sheet = book.create_sheet(title=title[:31])
        sheet.append([str(c) for c in columns])
        for row in rows:
            sheet.append([row.get(c) for c in columns])
        for cells in sheet.iter_rows():
            for cell in cells:
                if isinstance(cell.value, str):
                    # openpyxl stores a str starting with "=" as a formula; force plain text
                    cell.data_type = TYPE_STRING
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
