"""Rows of text -> a table: the header row found, columns cut at the last header, limits kept.

Both readers (CSV in :mod:`loaders.reader`, workbooks in :mod:`loaders.workbook`) feed rows
into a :class:`TableReader`, which finds the header row (the first of the first
:data:`HEADER_SCAN` rows holding every required column), keeps only named columns and reports
values that fall outside them. Nothing here grows with what a file *claims*: memory grows with
the rows and named columns read, and every limit gives a located problem.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from core.errors import Problem

#: A single cell may hold up to this many characters; csv's default (131,072) is too small for
#: long free-text cells, and an unbounded limit would let a broken quote swallow the whole file.
MAX_CELL = 1_000_000
#: A CSV record (one row, all its fields) may hold up to this many characters.
MAX_LINE = 2 * MAX_CELL
#: The largest table file read, so a wrong path (a disk image, a video) is refused quickly.
MAX_FILE_BYTES = 512 * 1024 * 1024
#: A header may name up to this many columns (tables have a handful plus a few properties).
MAX_COLUMNS = 1_000
#: A workbook may hold up to this many cells with values, over all its table sheets (the
#: 20,000-partner generated dataset holds about 1.1 million).
MAX_CELLS = 10_000_000
#: The header row is looked for among this many first non-blank rows.
HEADER_SCAN = 20
#: Columns holding dates: a number there, in a workbook, is an Excel serial date.
DATE_COLUMNS = frozenset({"joined", "left", "since", "until", "date", "first_seen"})


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index.

    >>> column_letter(0), column_letter(25), column_letter(16383)
    ('A', 'Z', 'XFD')
    """
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass
class RawTable:
    """A table as text: its header (trimmed, case-folded), rows and each row's line number.

    ``complete`` is False when reading stopped early (a limit, a malformed line): rows after
    that point are missing, so references to this table are not checked against it.
    ``note`` says where the header was found when rows above it were skipped.
    """

    name: str
    label: str  # how messages name the file: "partners.csv" or "book.xlsx[partners]"
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    header_line: int = 1
    complete: bool = True
    note: str = ""

    def where(self, line: int, column: str, message: str) -> Problem:
        return Problem(self.label, line, column, message)


def cell_text(value: object) -> str:
    """A workbook cell value as text (dates as ISO, whole floats without ``.0``).

    >>> cell_text(dt.datetime(2024, 5, 1)), cell_text(3.0), cell_text(None), cell_text(True)
    ('2024-05-01', '3', '', 'true')
    """
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def serial_date(value: object, epoch: dt.datetime | None) -> str | None:
    """An Excel serial day number as ISO text, or None when ``value`` is not one.

    >>> serial_date(42759, dt.datetime(1899, 12, 30))
    '2017-01-24'
    >>> serial_date("42759", dt.datetime(1899, 12, 30)) is None
    True
    """
    if epoch is None or isinstance(value, bool) or not isinstance(value, int | float):
        return None
    from openpyxl.utils.datetime import from_excel

    # Excel's calendar ends on 9999-12-31 (serial 2,958,465); anything else is not a date.
    if not 1 <= value <= 2_958_465:
        return None
    return cell_text(from_excel(value, epoch))


class TableReader:
    """Finds the header among the first rows, then turns each row into the named columns.

    Rows are fed as sparse mappings ``{0-based column: value}``; a CSV row is ``dict(enumerate(
    fields))``. ``problems`` is appended to.
    """

    def __init__(
        self, name: str, label: str, required: tuple[str, ...], problems: list[Problem],
        *, epoch: dt.datetime | None = None,
    ) -> None:
        self.name, self.label, self.required = name, label, required
        self.problems = problems
        self.epoch = epoch  # a workbook's date epoch: numbers in date columns are serial dates
        self.table: RawTable | None = None
        self.failed = False  # no usable header: rows are not read
        self.positions: list[int] = []  # column index of each named column
        self._slot: dict[int, int] = {}  # column index -> position in a row
        self._unnamed: list[int] = []  # columns under an empty header cell
        self.dates: set[int] = set()
        self.raw_width = 0
        self._buffer: list[tuple[int, dict[int, str]]] = []
        self._last = -1

    # -- the header --------------------------------------------------------------------------

    def feed(self, line: int, cells: Mapping[int, object]) -> None:
        """Take one row (blank rows are skipped)."""
        if self.failed:
            return
        if self.table is not None:
            self._data_row(line, cells)
            return
        text = {i: cell_text(v).strip() for i, v in cells.items()}
        if not any(text.values()):
            return
        self._buffer.append((line, text))
        if self.required and set(self.required) <= {v.casefold() for v in text.values()}:
            self._use_header(len(self._buffer) - 1)
        elif len(self._buffer) >= HEADER_SCAN:
            self._fallback()

    def feed_fields(self, line: int, fields: list[str]) -> None:
        """Take one CSV record of the header's width (the fast path for large CSV tables)."""
        table = self.table
        if table is None or self.failed or any(fields[i].strip() for i in self._unnamed):
            self.feed(line, dict(enumerate(fields)))
            return
        # a csv field is already bounded by csv.field_size_limit, and CSV has no serial dates
        out = [fields[p] for p in self.positions]
        table.rows.append(out)
        table.lines.append(line)

    def finish(self) -> RawTable | None:
        """The table read, or None when there was no header row (the problem is recorded)."""
        if self.table is None and not self.failed:
            if not self._buffer:
                kind = "sheet" if "[" in self.label else "file"
                self.problems.append(Problem(self.label, 1, "-", f"empty {kind}: expected a header row"))
                return None
            self._fallback()
        return self.table

    def _fallback(self) -> None:
        # No row holds every required column: the row holding most of them is the header (so
        # a misspelt column is reported as missing there); with none at all, say so once.
        def score(item: tuple[int, dict[int, str]]) -> int:
            return len(set(self.required) & {v.casefold() for v in item[1].values()})

        best = max(range(len(self._buffer)), key=lambda i: (score(self._buffer[i]), -i))
        if self.required and score(self._buffer[best]) == 0:
            line = self._buffer[0][0]
            self.problems.append(Problem(
                self.label, line, "-",
                f"no header row with {', '.join(self.required)} in the first {HEADER_SCAN} rows",
            ))
            self.failed = True
            return
        self._use_header(best)

    def _use_header(self, index: int) -> None:
        line, cells = self._buffer[index]
        above, after = self._buffer[:index], self._buffer[index + 1:]
        self._buffer = []
        self.raw_width = max(cells) + 1
        named = sorted(i for i, v in cells.items() if v)
        if len(named) > MAX_COLUMNS:
            self.problems.append(Problem(
                self.label, line, "-", f"{len(named)} columns: at most {MAX_COLUMNS} are read"))
            self.failed = True
            return
        header = [cells[i].casefold() for i in named]
        self.positions = named
        self._slot = {p: k for k, p in enumerate(named)}
        self._unnamed = [i for i in range(self.raw_width) if i not in self._slot]
        self._last = named[-1] if named else -1
        table = RawTable(self.name, self.label, header, header_line=line)
        if above:
            rows = "row above it is" if len(above) == 1 else f"{len(above)} rows above it are"
            table.note = f"header found on row {line}; the {rows} not read"
            self._check_above(above, cells, line)
        seen: set[str] = set()
        for column in header:
            if column in seen:
                self.problems.append(table.where(line, column, "duplicate column name"))
            seen.add(column)
        self.dates = {i for i, name in zip(named, header, strict=True) if name in DATE_COLUMNS}
        self.table = table
        for row_line, row in after:
            self._data_row(row_line, row)

    def _check_above(
        self, above: list[tuple[int, dict[int, str]]], header: dict[int, str], line: int
    ) -> None:
        """A row above the header is a title or a group label, never data: say so if it is."""
        where = [i for i, v in header.items() if v.casefold() in self.required]
        for row_line, row in above:
            values = [row.get(i, "") for i in where]
            # a data row fills every required column with distinct values; a title fills one,
            # and a merged group label repeats itself
            if all(values) and len(set(values)) == len(values):
                self.problems.append(Problem(
                    self.label, row_line, "-",
                    f"a row above the header (row {line}) that looks like data: move it below "
                    "the header or delete it"))

    # -- data rows ---------------------------------------------------------------------------

    def _data_row(self, line: int, cells: Mapping[int, object]) -> None:
        table = self.table
        assert table is not None
        out = [""] * len(self.positions)
        stray: int | None = None
        for index, value in cells.items():
            k = self._slot.get(index)
            if k is None:
                if stray is None and cell_text(value).strip():
                    stray = index
                continue
            text = serial_date(value, self.epoch) if index in self.dates else None
            text = text if text is not None else cell_text(value)
            if len(text) > MAX_CELL:
                self.problems.append(table.where(
                    line, table.header[k], f"a cell of {len(text):,} characters: at most {MAX_CELL:,}"))
                text = text[:MAX_CELL]
            out[k] = text
        if stray is not None:
            letter = column_letter(stray)
            where = ("beyond the last column" if stray > self._last
                     else "in a column with no name")
            self.problems.append(table.where(line, letter, f"a value {where} ({letter})"))
            return
        if any(v.strip() for v in out):
            table.rows.append(out)
            table.lines.append(line)
