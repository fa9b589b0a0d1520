"""The one formula-safe tabular writer: CSV and XLSX that a spreadsheet opens as plain data.

Every table the product writes for a spreadsheet (the report's workbook, the dashboard's
downloads, the planner's invite list) goes through here, so the policy is one:

- **Numbers stay numbers**, booleans stay booleans, ``None`` and NaN are empty cells.
- **Text is never a formula.** In CSV a text cell starting with ``= + - @``, tab or carriage
  return gets a leading ``'`` (the OWASP advice for CSV injection). In XLSX every text cell is
  stored as a string (``data_type "s"``, so openpyxl never writes a ``<f>`` element) and such a
  cell also gets Excel's quote prefix, so it stays literal when someone edits it.
- **No character XML forbids.** Control characters other than tab, newline and carriage return
  cannot be stored in an XLSX file (openpyxl raises ``IllegalCharacterError``); they become
  U+FFFD (the replacement character) in both formats, so both show the same text.
- Lists and dicts are written as JSON text.

>>> to_csv(["name", "n"], [["=1+1", 3], ["ok\\x07", None]]).splitlines()
['name,n', "'=1+1,3", 'ok\\ufffd,']
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "FORMULA_START", "Sheet", "cell_text", "inert", "records", "sheet_title", "to_csv", "to_xlsx",
]

#: A spreadsheet reads a cell starting with one of these as a formula.
FORMULA_START: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")

# What XML 1.0 forbids in text: C0 controls except tab, LF, CR (the same set as openpyxl's
# ILLEGAL_CHARACTERS_RE), written out so the CSV path does not need openpyxl.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_REPLACEMENT = "\ufffd"
# Excel refuses these in a sheet title and cuts titles at 31 characters.
_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Sheet:
    """One worksheet: a title, the column names and the rows (sequences of cell values)."""

    title: str
    head: Sequence[str]
    rows: Iterable[Sequence[Any]]


def cell_text(value: Any) -> str:
    """Text a cell may hold: XML-illegal control characters replaced, lists and dicts as JSON.

    >>> cell_text("a\\x00b"), cell_text(["x", 1])
    ('a\\ufffdb', '["x", 1]')
    """
    if isinstance(value, (list, tuple, dict)):
        value = json.dumps(value, ensure_ascii=False)
    return _ILLEGAL.sub(_REPLACEMENT, str(value))


def _plain(value: Any) -> Any:
    """A number, a boolean, ``None`` or cleaned text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
        if math.isnan(number) or math.isinf(number):
            return None
        return value
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        return _plain(value.item())
    return cell_text(value)


def inert(value: Any) -> Any:
    """A CSV cell value a spreadsheet will not run (see the module docstring).

    >>> inert("=HYPERLINK(1)"), inert("-5"), inert(-5), inert(None)
    ("'=HYPERLINK(1)", "'-5", -5, '')
    """
    plain = _plain(value)
    if plain is None:
        return ""
    if isinstance(plain, str) and plain.startswith(FORMULA_START):
        return "'" + plain
    return plain


def records(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> list[list[Any]]:
    """Mapping rows as sequences in ``columns`` order (a missing key is an empty cell)."""
    return [[row.get(c) for c in columns] for row in rows]


def to_csv(head: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV text (CRLF line ends, as spreadsheets expect) with every cell made inert."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([inert(h) for h in head])
    for row in rows:
        writer.writerow([inert(v) for v in row])
    return buffer.getvalue()


def sheet_title(title: str, taken: Iterable[str] = ()) -> str:
    """A title Excel accepts: forbidden characters dropped, at most 31 characters, unique.

    >>> sheet_title("Gaps: a/b [2024]"), sheet_title("Gaps", ["Gaps"])
    ('Gaps a b 2024', 'Gaps (2)')
    """
    base = " ".join(_TITLE_FORBIDDEN.sub(" ", cell_text(title)).split())[:31] or "Sheet"
    used = {t.casefold() for t in taken}
    name, n = base, 1
    while name.casefold() in used:
        n += 1
        name = f"{base[: 31 - len(f' ({n})')]} ({n})"
    return name


def _literal(cell: Any, value: Any) -> None:
    plain = _plain(value)
    cell.value = plain
    if isinstance(plain, str):
        # openpyxl marks text starting with "=" as a formula: force a plain string, and give
        # risky text Excel's quote prefix so it stays literal when edited.
        cell.data_type = "s"
        if plain.startswith(FORMULA_START):
            cell.quotePrefix = True


def to_xlsx(sheets: Sequence[Sheet]) -> bytes:
    """An XLSX workbook, one worksheet per :class:`Sheet`, bold frozen header row."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for spec in sheets:
        sheet = book.create_sheet(sheet_title(spec.title, book.sheetnames))
        for col, name in enumerate(spec.head, start=1):
            cell = sheet.cell(row=1, column=col)
            _literal(cell, name)
            cell.font = bold
        for r, row in enumerate(spec.rows, start=2):
            for col, value in enumerate(row, start=1):
                _literal(sheet.cell(row=r, column=col), value)
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
