"""Reading raw tables from a CSV folder or an XLSX workbook, with every problem located.

The reader only turns bytes into rows of text: encoding and delimiter detection, quoting, ragged
rows, duplicate headers. Meaning (dates, countries, references) is checked in
:mod:`loaders.validate`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import DataError, Problem

#: A single cell may hold up to this many characters; csv's default (131,072) is too small for
#: long free-text cells, and an unbounded limit would let a broken quote swallow the whole file.
MAX_CELL = 1_000_000
#: The largest table file read, so a wrong path (a disk image, a video) is refused quickly.
MAX_FILE_BYTES = 512 * 1024 * 1024
DELIMITERS = (",", ";", "\t")
TABLE_SUFFIXES = (".csv", ".tsv", ".txt")

csv.field_size_limit(MAX_CELL)


@dataclass
class RawTable:
    """A table as text: its header (trimmed, case-folded), rows and each row's line number."""

    name: str
    label: str  # how messages name the file: "partners.csv" or "book.xlsx[partners]"
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    header_line: int = 1

    def where(self, line: int, column: str, message: str) -> Problem:
        return Problem(self.label, line, column, message)


def decode(data: bytes) -> tuple[str, str]:
    """Decode UTF-8 (with or without BOM) or Windows-1252; raise ValueError otherwise.

    >>> decode("café".encode("cp1252"))
    ('café', 'windows-1252')
    >>> decode(b"\\xef\\xbb\\xbfid")
    ('id', 'utf-8-sig')
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValueError("UTF-16 text is not supported: save the file as UTF-8")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"not UTF-8 or Windows-1252 text (undecodable byte at offset {exc.start}): "
            "save the file as UTF-8 CSV"
        ) from None


def sniff_delimiter(header_line: str) -> str:
    """The delimiter of a header line: the most frequent of ``,`` ``;`` and tab outside quotes.

    >>> sniff_delimiter("partner_id;name;sector")
    ';'
    >>> sniff_delimiter('id,"a;b",c')
    ','
    """
    counts = {d: 0 for d in DELIMITERS}
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _first_line(text: str) -> str:
    for i, char in enumerate(text):
        if char in "\r\n":
            return text[:i]
    return text


def read_csv_table(path: Path, name: str, label: str | None = None) -> tuple[RawTable | None, list[Problem]]:
    label = label or path.name
    problems: list[Problem] = []
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, [Problem(label, 0, "-", f"file too large ({size} bytes)")]
        data = path.read_bytes()
    except OSError as exc:
        return None, [Problem(label, 0, "-", f"cannot read file: {exc.strerror or exc}")]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, [Problem(label, 0, "-", "UTF-16 text is not supported: save the file as UTF-8")]
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        return None, [Problem(label, line, "-", "NUL byte in file: this is not a text CSV")]
    try:
        text, _encoding = decode(data)
    except ValueError as exc:
        return None, [Problem(label, 0, "-", str(exc))]
    if not text.strip():
        return None, [Problem(label, 1, "-", "empty file: expected a header row")]
    delimiter = sniff_delimiter(_first_line(text))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    table: RawTable | None = None
    last_line = 0
    try:
        for row in reader:
            start = last_line + 1
            last_line = reader.line_num
            if header is None:
                header = [cell.strip().casefold() for cell in row]
                table = RawTable(name, label, header, header_line=start)
                seen: dict[str, int] = {}
                for index, column in enumerate(header):
                    if not column:
                        problems.append(table.where(start, f"#{index + 1}", "empty column name"))
                    elif column in seen:
                        problems.append(table.where(start, column, "duplicate column name"))
                    seen.setdefault(column, index)
                continue
            assert table is not None
            if not any(cell.strip() for cell in row):
                continue  # blank lines are not rows
            if len(row) != len(header):
                problems.append(
                    table.where(
                        start, "-", f"ragged row: {len(row)} fields where the header has {len(header)}"
                    )
                )
                continue
            table.rows.append(row)
            table.lines.append(start)
    except csv.Error as exc:
        message = str(exc)
        if "field larger than field limit" in message:
            message = f"a cell longer than {MAX_CELL} characters (or an unbalanced quote)"
        elif "unexpected end of data" in message or "EOF" in message:
            message = "unbalanced quote: a quoted field is never closed"
        problems.append(Problem(label, last_line + 1, "-", f"malformed CSV: {message}"))
    return table, problems


def _cell_text(value: object) -> str:
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


def read_workbook(path: Path, names: tuple[str, ...]) -> tuple[dict[str, RawTable], list[Problem]]:
    """Every sheet whose name is a table name (case-insensitive) as a RawTable."""
    from openpyxl import load_workbook

    label = path.name
    try:
        # data_only: a formula cell contributes its cached value, never its formula text.
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        return {}, [Problem(label, 0, "-", f"not a readable .xlsx workbook ({type(exc).__name__})")]
    tables: dict[str, RawTable] = {}
    problems: list[Problem] = []
    try:
        for sheet_name in book.sheetnames:
            name = sheet_name.strip().casefold()
            if name not in names:
                continue
            sheet = book[sheet_name]
            sheet_label = f"{label}[{sheet_name}]"
            table: RawTable | None = None
            width = 0
            try:
                # read_only parses a sheet's XML lazily: a damaged part fails here, mid-iteration
                rows = list(enumerate(sheet.iter_rows(values_only=True), start=1))
            except Exception as exc:  # noqa: BLE001 - openpyxl/ElementTree raise many kinds
                problems.append(Problem(sheet_label, 0, "-",
                                        f"damaged sheet, cannot be read ({type(exc).__name__})"))
                continue
            for line, values in rows:
                cells = [_cell_text(v) for v in values]
                if table is None:
                    if not any(c.strip() for c in cells):
                        continue
                    while cells and not cells[-1].strip():
                        cells.pop()
                    width = len(cells)
                    table = RawTable(name, sheet_label, [c.strip().casefold() for c in cells], header_line=line)
                    seen: set[str] = set()
                    for index, column in enumerate(table.header):
                        if not column:
                            problems.append(table.where(line, f"#{index + 1}", "empty column name"))
                        elif column in seen:
                            problems.append(table.where(line, column, "duplicate column name"))
                        seen.add(column)
                    continue
                extra = cells[width:]
                if any(c.strip() for c in extra):
                    problems.append(table.where(line, "-", f"a value beyond the last column ({width})"))
                    continue
                cells = (cells + [""] * width)[:width]
                if not any(c.strip() for c in cells):
                    continue
                table.rows.append(cells)
                table.lines.append(line)
            if table is None:
                problems.append(Problem(sheet_label, 1, "-", "empty sheet: expected a header row"))
            else:
                tables[name] = table
    finally:
        book.close()
    return tables, problems


def read_source(path: Path, names: tuple[str, ...]) -> tuple[dict[str, RawTable], list[Problem]]:
    """All tables of a CSV folder, a single CSV file (the partners table) or a workbook.

    Returns the tables that could be read and every problem found, so that validation can go on
    and report the rest of the problems too.
    """
    problems: list[Problem] = []
    tables: dict[str, RawTable] = {}
    if not path.exists():
        raise DataError([Problem(str(path), 0, "-", "no such file or folder")])
    if path.is_dir():
        files: dict[str, Path] = {}
        for child in sorted(path.iterdir()):
            stem, suffix = child.stem.strip().casefold(), child.suffix.casefold()
            if child.is_file() and suffix in TABLE_SUFFIXES and stem in names:
                if stem in files:
                    problems.append(
                        Problem(child.name, 0, "-", f"second file for table {stem} ({files[stem].name})")
                    )
                    continue
                files[stem] = child
        for name, file in files.items():
            table, found = read_csv_table(file, name)
            problems.extend(found)
            if table is not None:
                tables[name] = table
    elif path.suffix.casefold() in (".xlsx", ".xlsm"):
        # openpyxl warns (UserWarning on stderr) about parts of a damaged book it skips; the
        # user is told about the book through Problems only, so those warnings are silenced.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tables, problems = read_workbook(path, names)
    elif path.suffix.casefold() in TABLE_SUFFIXES:
        table, problems = read_csv_table(path, "partners")
        if table is not None:
            tables["partners"] = table
    else:
        problems.append(
            Problem(path.name, 0, "-", "expected a folder of CSV files or an .xlsx workbook")
        )
    return tables, problems
