"""What /representation shows: every committee and event, its composition, diversity and gaps.

Rows come from the report dict of :func:`analysis.report.build_report` (so ``min_cell``
suppression is the report's), and :func:`to_csv` / :func:`to_xlsx` export what the tables show,
formula-injection safe: a CSV text cell starting with ``= + - @`` tab or CR gets a leading ``'``,
and every XLSX text cell is written as a string, never a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING

DIMENSIONS = ("sector", "region", "global_south")
KINDS = ("committee", "event")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

GROUP_COLUMNS = ("Kind", "Name", "Program", "Date", "Size", "Guests", "Composition", "Blau",
                 "Shannon", "Gaps", "Largest gap")
GAP_COLUMNS = ("Kind", "Name", "Program", "Date", "Dimension", "Category", "Count", "Size",
               "Share", "Expected", "Basis", "Shortfall", "p-value", "Missing")


def _label(dimension: str, category: str) -> str:
    if dimension == "global_south":
        return {"True": "Global South", "False": "Global North"}.get(category, category)
    return category


def _composition_text(counts: Mapping[str, Any], dimension: str) -> str:
    parts = []
    for category, count in counts.items():
        shown = "hidden" if count is None else str(count)
        parts.append(f"{_label(dimension, category)} {shown}")
    return " · ".join(parts)


def _round(value: Any, digits: int = 3) -> Any:
    return None if value is None else round(float(value), digits)


def group_rows(report: Mapping[str, Any], *, dimension: str = "sector",
               kind: str | None = None, gaps_only: bool = False) -> list[dict[str, Any]]:
    """One row per committee/event: size, composition on ``dimension``, diversity, gaps."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"dimension must be one of {DIMENSIONS}, got {dimension!r}")
    rows = []
    for group in report.get("groups", []):
        if kind and group.get("kind") != kind:
            continue
        gaps = [g for g in group.get("gaps", []) if g.get("dimension") == dimension]
        if gaps_only and not gaps:
            continue
        indices = group.get("diversity", {}).get(dimension, {})
        rows.append({
            "Kind": str(group.get("kind", "")).capitalize(),
            "Name": str(group.get("name", "")),
            "Program": str(group.get("program", "") or ""),
            "Date": group.get("date") or "",
            "Size": group.get("size"),
            "Guests": group.get("guests"),
            "Composition": _composition_text(group.get("composition", {}).get(dimension, {}),
                                             dimension),
            "Blau": _round(indices.get("blau")),
            "Shannon": _round(indices.get("shannon")),
            "Gaps": len(gaps),
            "Largest gap": gaps[0].get("sentence", "") if gaps else "",
        })
    return rows


def gap_rows(report: Mapping[str, Any], *, dimension: str | None = None,
             kind: str | None = None) -> list[dict[str, Any]]:
    """One row per gap of every group (shortfall and exact-test p-value)."""
    rows = []
    for group in report.get("groups", []):
        if kind and group.get("kind") != kind:
            continue
        for gap in group.get("gaps", []):
            if dimension and gap.get("dimension") != dimension:
                continue
            rows.append({
                "Kind": str(group.get("kind", "")).capitalize(),
                "Name": str(group.get("name", "")),
                "Program": str(group.get("program", "") or ""),
                "Date": group.get("date") or "",
                "Dimension": str(gap.get("dimension", "")),
                "Category": _label(str(gap.get("dimension", "")), str(gap.get("group", ""))),
                "Count": gap.get("count"),
                "Size": gap.get("size"),
                "Share": _round(gap.get("share")),
                "Expected": _round(gap.get("expected_share")),
                "Basis": str(gap.get("basis", "")),
                "Shortfall": gap.get("shortfall"),
                # significant digits: the strongest gaps have p-values like 3e-12
                "p-value": None if gap.get("p_value") is None
                else float(f"{float(gap['p_value']):.3g}"),
                "Missing": "yes" if gap.get("missing") else "no",
            })
    return rows


def target_rows(targets: Any) -> Any:
    """The dataset's targets table as rows (empty when none are given)."""
    out = []
    for row in targets.itertuples(index=False):
        out.append({"Dimension": str(row.dimension), "Group": str(row.group),
                    "Minimum share": _round(row.min_share),
                    "Maximum share": None if row.max_share != row.max_share
                    else _round(row.max_share)})
    return out


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
