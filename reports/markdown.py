"""The report as Markdown: headline, scorecard, gaps in plain words, rooms, reach, network.

Only what can turn text into markup or break a table is escaped (:func:`escape`); a partner's
name can never become a link, an image or an extra column.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from analysis.report_model import Report
from reports import text

__all__ = ["escape", "render_markdown"]

# Only what can turn text into markup or break a table mid-line; our text never starts a line
# (it follows "- " or sits in a cell), so list and heading markers need no escape.
_SPECIAL = "\\`*_[]<>|~"


def escape(value: Any) -> str:
    """Escape text for Markdown: markup characters backslashed, newlines flattened.

    >>> escape("a|b [x](y)")
    'a\\\\|b \\\\[x\\\\](y)'
    """
    flat = " ".join(str(value).split())
    return "".join("\\" + ch if ch in _SPECIAL else ch for ch in flat)


def _table(head: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(escape(h) for h in head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(escape(c) for c in row) + " |" for row in rows]
    return lines


def _bullets(lines: Iterable[str]) -> list[str]:
    return [f"- {escape(line)}" for line in lines]


def render_markdown(report: Report) -> str:
    out = [f"# {escape(text.title(report))}", ""]
    out += _bullets(text.scope(report)) + [""]
    out += ["## Headline", ""] + _table(["", ""], text.headline(report)) + [""]
    quality = text.quality_lines(report)
    if quality:
        out += ["## Data quality: what the records leave unknown", ""] + _bullets(quality) + [""]
    out += ["## Scorecard: convenings with diverse stakeholders", ""]
    if report.scorecard:
        out += _table(text.SCORECARD_HEAD, text.scorecard_rows(report)) + [""]
    out += [escape(report.scorecard_summary or "No convenings in the period."), ""]
    out += ["## Largest gaps", ""]
    gaps = [text.gap_line(g) for g in report.largest_gaps[: text.LIST_ROWS]]
    out += (_bullets(gaps) or [escape(text.no_gaps(report))]) + [""]
    if report.programs:
        out += ["## Programs side by side", ""]
        out += _table(text.PROGRAM_HEAD, text.program_rows(report)) + [""]
    if report.recurring_gaps:
        out += ["## Recurring gaps: short in room after room", ""]
        out += _bullets(r.sentence for r in report.recurring_gaps[: text.LIST_ROWS]) + [""]
    out += _rooms(report)
    out += ["## Reach per year", ""]
    if report.reach.years:
        out += _table(text.REACH_HEAD, text.reach_rows(report)) + [""]
    out += [line for sentence in text.reach_lines(report) for line in (escape(sentence), "")]
    out += ["## Network", ""] + [escape(line) for line in text.network_lines(report)] + [""]
    changes = text.changes_lines(report)
    if changes:
        out += ["## What changed", ""] + _bullets(changes) + [""]
    out += ["## Method", ""]
    out += [
        f"- {escape(key)}: {escape(value)}"
        for key, value in report.method.items()
        if isinstance(value, str)
    ]
    return "\n".join(out) + "\n"


def _rooms(report: Report) -> list[str]:
    out = ["## Committees", ""]
    committees = report.committees()
    if committees:
        out += _table(text.GROUP_HEAD, [text.group_row(report, g) for g in committees]) + [""]
    else:
        out += ["No committees.", ""]
    out += ["## Convenings", ""]
    events = report.events()
    if not events:
        return out + ["No convenings in the window.", ""]
    shown = events[: text.EVENT_ROWS]
    if len(events) > len(shown):
        note = f"The {len(shown)} most recent of {len(events)}; JSON and XLSX hold all."
        out += [escape(note), ""]
    rows = [text.group_row(report, g, with_date=True) for g in shown]
    return out + _table(["Date and name", *text.GROUP_HEAD[1:]], rows) + [""]
