"""Reading an XLSX workbook by what its sheets contain, not by what they claim.

A sheet's XML may claim any dimension (``A1:XFD1048576``) and hold a stray cell anywhere;
openpyxl's ``iter_rows`` pads every row to the claimed width and yields every missing row, which
turns one stray cell into 17 billion empty ones. Here a sheet is streamed row by row with
openpyxl's own sheet parser, which yields only the rows and cells present in the file, and only
the named columns are kept (:class:`loaders.table.TableReader`). Limits
(:data:`~loaders.table.MAX_FILE_BYTES`, :data:`MAX_UNZIPPED_BYTES`,
:data:`~loaders.table.MAX_CELLS`, :data:`~loaders.table.MAX_COLUMNS`,
:data:`~loaders.table.MAX_CELL`) give located problems instead of hangs.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from core.errors import Problem
from loaders.table import MAX_CELLS, MAX_FILE_BYTES, RawTable, TableReader, cell_text

#: The sheets and strings of a workbook may unzip to at most this many bytes (a zip bomb of
#: empty styled cells is refused before it is parsed).
MAX_UNZIPPED_BYTES = 1024 * 1024 * 1024

#: Merged ranges starting below this row are not looked at (they cannot be in a header area).
MERGE_ROWS = 200

_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]{1,3})(\d{1,7}):([A-Z]{1,3})(\d{1,7})"')


def _column_index(letters: bytes) -> int:
    index = 0
    for char in letters:
        index = index * 26 + char - 64
    return index - 1


def header_merges(archive: zipfile.ZipFile, member: str) -> list[tuple[int, int, int, int]]:
    """The merged ranges near a sheet's top as ``(first_row, first_col, last_row, last_col)``.

    Read with a byte scan of the sheet XML (merges are listed after the cells), so the cells are
    parsed once only. Rows are 1-based sheet rows, columns 0-based.
    """
    found: list[tuple[int, int, int, int]] = []  # may repeat a match seen across a chunk edge
    tail = b""
    with archive.open(member) as handle:
        while chunk := handle.read(1 << 20):
            data = tail + chunk
            for match in _MERGE.finditer(data):
                a, r1, b, r2 = match.groups()
                if int(r1) <= MERGE_ROWS:
                    found.append((int(r1), _column_index(a), int(r2), _column_index(b)))
            tail = data[-200:]  # a match cut by the chunk boundary is found next time
    # Only merges near the top can touch a header; a sheet may list thousands further down.
    return sorted(set(found))[:1000]


def _fill_merged(
    line: int, cells: dict[int, object], merges: list[tuple[int, int, int, int]],
    tops: dict[tuple[int, int], object],
) -> None:
    """Give every cell of a merged range in this row its range's top-left value."""
    for r1, c1, r2, c2 in merges:
        if r1 == line and c1 in cells:
            tops[(r1, c1)] = cells[c1]
        if r1 <= line <= r2 and (r1, c1) in tops:
            # a header spans a handful of columns; a merge of a whole row is cut at 1,000
            for col in range(c1, min(c2, c1 + 1000) + 1):
                cells.setdefault(col, tops[(r1, c1)])


def _sheet_rows(sheet: Any, book: Any) -> Iterator[tuple[int, dict[int, object]]]:
    """``(row number, {0-based column: value})`` for each row present in the sheet's XML."""
    from openpyxl.worksheet._reader import WorkSheetParser

    # The parser is openpyxl's own (shared strings, dates, types); it is used directly because
    # the public iter_rows pads rows and fills gaps up to the claimed dimension.
    with sheet._get_source() as source:
        parser = WorkSheetParser(
            source, sheet._shared_strings, data_only=True, epoch=book.epoch,
            date_formats=book._date_formats, timedelta_formats=book._timedelta_formats,
        )
        for line, cells in parser.parse():
            yield line, {c["column"] - 1: c["value"] for c in cells if c["value"] is not None}


def _zip_problem(path: Path, label: str) -> Problem | None:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return Problem(label, 0, "-", f"file too large ({size:,} bytes; at most {MAX_FILE_BYTES:,})")
        with zipfile.ZipFile(path) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except (OSError, zipfile.BadZipFile, ValueError) as exc:
        return Problem(label, 0, "-", f"not a readable .xlsx workbook ({type(exc).__name__})")
    if unzipped > MAX_UNZIPPED_BYTES:
        return Problem(label, 0, "-", f"the workbook unzips to {unzipped:,} bytes; at most "
                       f"{MAX_UNZIPPED_BYTES:,} are read: save the tables as CSV files")
    return None


def _table_sheets(book: Any, label: str, names: Mapping[str, tuple[str, ...]],
                  problems: list[Problem]) -> dict[str, str]:
    """Table name -> sheet name; a second sheet for a table is a problem, never dropped."""
    chosen: dict[str, str] = {}
    for sheet_name in book.sheetnames:
        name = sheet_name.strip().casefold()
        if name not in names:
            continue
        if name in chosen:
            problems.append(Problem(
                f"{label}[{sheet_name}]", 0, "-",
                f"a second sheet for table {name} (sheet {chosen[name]!r}): sheet names are "
                "matched ignoring case and surrounding spaces; keep one sheet per table"))
            continue
        chosen[name] = sheet_name
    return chosen


def read_sheet(
    book: Any, sheet_name: str, name: str, label: str, required: tuple[str, ...],
    budget: list[int], problems: list[Problem],
) -> RawTable | None:
    """One sheet through a TableReader; ``budget`` holds the cells still allowed."""
    sheet = book[sheet_name]
    sheet_label = f"{label}[{sheet_name}]"
    reader = TableReader(name, sheet_label, required, problems, epoch=book.epoch)
    merges = header_merges(book._archive, sheet._worksheet_path)
    tops: dict[tuple[int, int], object] = {}
    line = 0
    try:
        for line, cells in _sheet_rows(sheet, book):
            budget[0] -= sum(1 for v in cells.values() if cell_text(v).strip())
            if budget[0] < 0:
                problems.append(Problem(sheet_label, line, "-", f"more than {MAX_CELLS:,} cells "
                                        "with values in the workbook: save the tables as CSV files"))
                break
            if reader.failed:
                break  # no header: the rest of the sheet cannot be read as this table
            if merges and reader.table is None:
                _fill_merged(line, cells, merges, tops)
            reader.feed(line, cells)
    except Exception as exc:  # noqa: BLE001 - openpyxl/ElementTree raise many kinds
        problems.append(Problem(sheet_label, line, "-",
                                f"damaged sheet, cannot be read past this row ({type(exc).__name__})"))
        table = reader.finish()
        if table is not None:
            table.complete = False
        return table
    table = reader.finish()
    if table is not None and budget[0] < 0:
        table.complete = False
    return table


def read_workbook(
    path: Path, required: Mapping[str, tuple[str, ...]]
) -> tuple[dict[str, RawTable], list[Problem]]:
    """Every sheet whose name is a table name (ignoring case and outer spaces) as a RawTable."""
    from openpyxl import load_workbook

    label = path.name
    refused = _zip_problem(path, label)
    if refused is not None:
        return {}, [refused]
    try:
        # data_only: a formula cell contributes its cached value, never its formula text.
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        return {}, [Problem(label, 0, "-", f"not a readable .xlsx workbook ({type(exc).__name__})")]
    tables: dict[str, RawTable] = {}
    problems: list[Problem] = []
    budget = [MAX_CELLS]
    try:
        for name, sheet_name in _table_sheets(book, label, required, problems).items():
            if budget[0] < 0:
                break
            table = read_sheet(book, sheet_name, name, label, required[name], budget, problems)
            if table is not None:
                tables[name] = table
    finally:
        book.close()
    return tables, problems
