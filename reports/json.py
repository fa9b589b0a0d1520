"""The report as JSON: :meth:`Report.to_dict` indented, NaN never emitted."""

from __future__ import annotations

import json

from analysis.report_model import Report

__all__ = ["render_json"]


def render_json(report: Report) -> str:
    """The JSON that ``report --format json`` prints (DESIGN.md, "JSON printed by report")."""
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
