"""Reading raw tables from a CSV folder or an XLSX workbook, with every problem located.

The reader only turns bytes into rows of text: encoding and delimiter detection, quoting, ragged
rows, duplicate headers, the header row (:mod:`loaders.table`), folders and links where a file
is expected. Meaning (dates, countries, references) is checked in
:mod:`loaders.validate`.
"""

from __future__ import annotations

import csv
import errno
import io
import os
import warnings
from collections.abc import Mapping
from pathlib import Path

from core.errors import DataError, Problem
from loaders.table import MAX_CELL, MAX_FILE_BYTES, MAX_LINE, RawTable, TableReader
from loaders.workbook import read_workbook

__all__ = ["RawTable", "decode", "read_csv_table", "read_source", "sniff_delimiter"]

DELIMITERS = (",", ";", "\t")
TABLE_SUFFIXES = (".csv", ".tsv", ".txt")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")

csv.field_size_limit(MAX_CELL)


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




def utf16_without_bom(data: bytes) -> str | None:
    """``"little-endian"`` or ``"big-endian"`` when ``data`` looks like UTF-16 text without a BOM.

    Latin text in UTF-16 has a NUL in every other byte; a text CSV has none.

    >>> utf16_without_bom("partner_id,name".encode("utf-16-le")), utf16_without_bom(b"a,b")
    ('little-endian', None)
    """
    sample = data[:4096]
    half = len(sample) // 2
    if half < 2:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd >= 0.3 * half and even <= 0.05 * half:
        return "little-endian"
    if even >= 0.3 * half and odd <= 0.05 * half:
        return "big-endian"
    return None


def _text_of(data: bytes, label: str) -> tuple[str | None, Problem | None]:
    """The file's text, or the one problem that stops it from being read as CSV."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, Problem(label, 0, "-", "UTF-16 text is not supported: save the file as UTF-8")
    order = utf16_without_bom(data)
    if order is not None:
        return None, Problem(label, 0, "-", f"this looks like UTF-16 ({order}) text without a "
                             "byte-order mark: save the file as UTF-8 CSV")
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        return None, Problem(label, line, "-", "NUL byte in file: this is not a text CSV")
    try:
        text, _encoding = decode(data)
    except ValueError as exc:
        return None, Problem(label, 0, "-", str(exc))
    if not text.strip():
        return None, Problem(label, 1, "-", "empty file: expected a header row")
    return text, None


def pick_delimiter(text: str, required: tuple[str, ...]) -> str:
    r"""The delimiter of the first of the first lines that names every required column.

    >>> pick_delimiter("Partner list 2024\npartner_id;name;sector;country\n",
    ...                ("partner_id", "name", "sector", "country"))
    ';'
    """
    lines = text.splitlines()[:20] if len(text) < 1_000_000 else text[:1_000_000].splitlines()[:20]
    for line in lines:
        delimiter = sniff_delimiter(line)
        names = {cell.strip().strip('"').strip().casefold() for cell in line.split(delimiter)}
        if required and set(required) <= names:
            return delimiter
    return sniff_delimiter(_first_line(text))


def read_csv_table(
    path: Path, name: str, required: tuple[str, ...] = (), label: str | None = None
) -> tuple[RawTable | None, list[Problem]]:
    """One CSV file as a RawTable (None when it cannot be read), and every problem found."""
    label = label or path.name
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, [Problem(label, 0, "-", f"file too large ({size:,} bytes; at most {MAX_FILE_BYTES:,})")]
        data = path.read_bytes()
    except OSError as exc:
        return None, [Problem(label, 0, "-", f"cannot read file: {exc.strerror or exc}")]
    text, problem = _text_of(data, label)
    if text is None:
        return None, [problem] if problem else []
    problems: list[Problem] = []
    table_reader = TableReader(name, label, required, problems)
    complete = _read_records(text, pick_delimiter(text, required), table_reader, problems)
    table = table_reader.finish()
    if table is not None:
        table.complete = complete
    return table, problems


def _read_records(text: str, delimiter: str, table_reader: TableReader, problems: list[Problem]) -> bool:
    """Feed every record to ``table_reader``; False when reading stopped before the end."""
    label = table_reader.label
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    last_line = 0
    try:
        for row in reader:
            start = last_line + 1
            last_line = reader.line_num
            if table_reader.failed:
                break  # no header row: the rest cannot be read as this table
            if not any(cell.strip() for cell in row):
                continue  # blank lines are not rows
            length = sum(map(len, row)) + len(row)
            if length > MAX_LINE:
                problems.append(Problem(label, start, "-", f"a line of {length:,} characters: at "
                                        f"most {MAX_LINE:,} are read; rows after it were not read"))
                return False
            width = table_reader.raw_width
            if table_reader.table is not None and len(row) != width:
                problems.append(Problem(
                    label, start, "-", f"ragged row: {len(row)} fields where the header has {width}"))
                continue
            table_reader.feed_fields(start, row)
    except csv.Error as exc:
        message = str(exc)
        if "field larger than field limit" in message:
            message = (f"a cell longer than {MAX_CELL:,} characters (or an unbalanced quote); "
                       "rows after it were not read")
        elif "unexpected end of data" in message or "EOF" in message:
            message = "unbalanced quote: a quoted field is never closed"
        problems.append(Problem(label, last_line + 1, "-", f"malformed CSV: {message}"))
        return False
    return True


def _not_a_file(path: Path, expected: str = "a CSV file") -> str | None:
    """Why ``path`` cannot be read as ``expected``, or None for a regular file."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return f"a link that loops back on itself: expected {expected}"
        if path.is_symlink():
            return f"a link to {os.readlink(path)!r}, which does not exist: expected {expected}"
        return f"cannot read: {exc.strerror or exc}"
    import stat

    if stat.S_ISDIR(mode):
        return "a folder, not a file: expected a CSV file with this name"
    if not stat.S_ISREG(mode):
        return "not a regular file (a device, pipe or socket): expected a CSV file"
    return None


def _folder_files(path: Path, names: Mapping[str, tuple[str, ...]],
                  problems: list[Problem]) -> dict[str, Path]:
    files: dict[str, Path] = {}
    for child in sorted(path.iterdir()):
        stem, suffix = child.stem.strip().casefold(), child.suffix.casefold()
        if suffix not in TABLE_SUFFIXES or stem not in names:
            continue
        why = _not_a_file(child)
        if why is not None:
            problems.append(Problem(child.name, 0, "-", why))
        elif stem in files:
            problems.append(
                Problem(child.name, 0, "-", f"second file for table {stem} ({files[stem].name})")
            )
        else:
            files[stem] = child
    return files


def read_source(
    path: Path, names: Mapping[str, tuple[str, ...]]
) -> tuple[dict[str, RawTable], list[Problem]]:
    """All tables of a CSV folder, a single CSV file (the partners table) or a workbook.

    ``names`` maps each table name to its required columns (used to find the header row).
    Returns the tables that could be read and every problem found, so that validation can go on
    and report the rest of the problems too.
    """
    problems: list[Problem] = []
    tables: dict[str, RawTable] = {}
    if not path.exists():
        why = _not_a_file(path, "a dataset") if path.is_symlink() else "no such file or folder"
        raise DataError([Problem(str(path), 0, "-", why or "no such file or folder")])
    if path.is_dir():
        for name, file in _folder_files(path, names, problems).items():
            table, found = read_csv_table(file, name, names[name])
            problems.extend(found)
            if table is not None:
                tables[name] = table
    elif path.suffix.casefold() in WORKBOOK_SUFFIXES:
        # openpyxl warns (UserWarning on stderr) about parts of a damaged book it skips; the
        # user is told about the book through Problems only, so those warnings are silenced.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tables, problems = read_workbook(path, names)
    elif path.suffix.casefold() in TABLE_SUFFIXES:
        why = _not_a_file(path)
        if why is not None:
            return {}, [Problem(path.name, 0, "-", why)]
        table, problems = read_csv_table(path, "partners", names.get("partners", ()))
        if table is not None:
            tables["partners"] = table
    else:
        problems.append(
            Problem(path.name, 0, "-", "expected a folder of CSV files or an .xlsx workbook")
        )
    return tables, problems
