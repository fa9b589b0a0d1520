"""Downloads of dashboard tables (rows as mappings), written by the one formula-safe writer.

Every CSV and XLSX the dashboard offers goes through :mod:`reports.tabular`, the writer the
report and the exports use: text a spreadsheet would run (= + - @ tab CR) stays literal, and
characters XML forbids are replaced, with one policy everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from reports.tabular import Sheet, inert, records
from reports.tabular import to_csv as _csv
from reports.tabular import to_xlsx as _xlsx

#: A CSV cell a spreadsheet will not run (the writer's own rule).
safe_text = inert


def to_csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """CSV text of ``rows`` (only ``columns``, in order), formula-injection safe."""
    return _csv(columns, records(rows, columns))


def to_xlsx(sheets: Mapping[str, tuple[Sequence[str], Iterable[Mapping[str, Any]]]]) -> bytes:
    """An XLSX workbook with one sheet per entry (title -> ``(columns, rows)``); text cells are
    always strings, never formulas."""
    return _xlsx([Sheet(title, columns, records(rows, columns))
                  for title, (columns, rows) in sheets.items()])
