"""Renderers of the typed report: JSON, Markdown, HTML and XLSX, and the one tabular writer.

:func:`render` takes an :class:`analysis.report_model.Report` and a format:

- ``"json"``: :meth:`Report.to_dict`, indented, NaN never emitted (:mod:`reports.json`);
- ``"markdown"``: headline, scorecard, the largest gaps in plain words, committees, recent
  events, reach per year, network, changes (:mod:`reports.markdown`);
- ``"html"``: the same as one self-contained file with inline SVG charts (:mod:`reports.html`);
- ``"xlsx"``: a workbook with one sheet per section (:mod:`reports.xlsx`), every cell a literal
  (:mod:`reports.tabular`, also used for the dashboard's and the planner's downloads).
"""

from __future__ import annotations

from analysis.report_model import Report
from reports.html import render_html
from reports.json import render_json
from reports.markdown import render_markdown
from reports.xlsx import render_xlsx

__all__ = ["FORMATS", "render"]

FORMATS: tuple[str, ...] = ("json", "markdown", "html", "xlsx")


def render(report: Report, fmt: str = "json") -> str | bytes:
    """Render ``report`` in ``fmt`` (one of :data:`FORMATS`); ``xlsx`` gives bytes."""
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}, got {fmt!r}")
    if not isinstance(report, Report):
        raise ValueError(f"report must be an analysis Report, got {type(report).__name__}")
    if fmt == "json":
        return render_json(report)
    if fmt == "markdown":
        return render_markdown(report)
    if fmt == "html":
        return render_html(report)
    return render_xlsx(report)
