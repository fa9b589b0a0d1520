"""The report as one self-contained HTML file: inline CSS and SVG charts, no script, no network.

Every value passes :func:`html.escape`, so a partner's name is always text, never markup.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from analysis import labels
from analysis.report_model import Report
from reports import text

__all__ = ["render_html"]

num = labels.number

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;
max-width:72rem;padding:0 1rem;color:#1d2733;line-height:1.45}
h1{font-size:1.6rem}h2{margin-top:2rem;border-bottom:1px solid #d8dee6;padding-bottom:.2rem}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.92rem}
th,td{border:1px solid #d8dee6;padding:.3rem .55rem;text-align:left;vertical-align:top}
th{background:#f2f5f8}.kpis{display:flex;flex-wrap:wrap;gap:.8rem}
.kpi{background:#f2f5f8;border-radius:.5rem;padding:.6rem 1rem;min-width:9rem}
.kpi b{display:block;font-size:1.4rem}.quote{background:#fff8e1;border-left:4px solid #f0b400;
padding:.6rem 1rem}.muted{color:#5b6775;font-size:.9rem}svg{max-width:100%;height:auto}
"""
_COLOURS = ("#2b6cb0", "#2f855a", "#c05621", "#6b46c1", "#b83280", "#2c7a7b", "#975a16")


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _html_table(head: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    parts = ["<table><thead><tr>", *[f"<th>{_e(h)}</th>" for h in head], "</tr></thead><tbody>"]
    for row in rows:
        parts.append("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


def _svg_grouped_bars(
    title: str, names: Sequence[str], series: Mapping[str, Sequence[float | None]], *,
    percent: bool,
) -> str:
    """A grouped bar chart as inline SVG (values in [0, 1] when ``percent``)."""
    if not names or not series:
        return ""
    width, height, left, bottom, top = 720, 260, 48, 36, 30
    plot_w, plot_h = width - left - 16, height - bottom - top
    values = [v for vs in series.values() for v in vs if v is not None]
    vmax = 1.0 if percent else max([1.0, *values])
    group_w = plot_w / len(names)
    bar_w = max(2.0, group_w * 0.8 / len(series))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{_e(title)}"><title>{_e(title)}</title>',
        f'<text x="{left}" y="18" font-size="14" font-weight="600">{_e(title)}</text>',
    ]
    for tick in range(5):
        frac = tick / 4
        y = top + plot_h - frac * plot_h
        text = f"{frac:.0%}" if percent else num(round(vmax * frac, 1))
        out.append(
            f'<line x1="{left}" x2="{width - 16}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e2e8f0"/>'
        )
        out.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="10" text-anchor="end">{_e(text)}</text>'
        )
    for i, label in enumerate(names):
        x0 = left + i * group_w + group_w * 0.1
        for j, (name, vs) in enumerate(series.items()):
            v = vs[i]
            if v is None:
                continue
            h = plot_h * (float(v) / vmax if vmax else 0.0)
            x = x0 + j * bar_w
            shown = f"{v:.0%}" if percent else num(v)
            out.append(
                f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w - 1:.1f}" '
                f'height="{h:.1f}" fill="{_COLOURS[j % len(_COLOURS)]}"><title>{_e(label)} — '
                f"{_e(name)}: {_e(shown)}</title></rect>"
            )
        out.append(
            f'<text x="{left + i * group_w + group_w / 2:.1f}" y="{height - bottom + 14}" '
            f'font-size="11" text-anchor="middle">{_e(label)}</text>'
        )
    for j, name in enumerate(series):
        x = left + j * 190
        out.append(
            f'<rect x="{x}" y="{height - 14}" width="10" height="10" fill="{_COLOURS[j % len(_COLOURS)]}"/>'
        )
        out.append(f'<text x="{x + 14}" y="{height - 5}" font-size="11">{_e(name)}</text>')
    out.append("</svg>")
    return "".join(out)


def _svg_hbars(title: str, dimension: str, counts: Mapping[str, int | None]) -> str:
    """Horizontal bars of a composition (hidden counts are left out)."""
    items = [(labels.category(dimension, k), v) for k, v in counts.items() if v is not None][:12]
    if not items:
        return ""
    width, row, left = 720, 22, 170
    height = 30 + row * len(items)
    vmax = max(float(v) for _, v in items) or 1.0
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{_e(title)}"><title>{_e(title)}</title>',
        f'<text x="0" y="16" font-size="14" font-weight="600">{_e(title)}</text>',
    ]
    for i, (label, value) in enumerate(items):
        y = 26 + i * row
        w = (width - left - 60) * float(value) / vmax
        out.append(
            f'<text x="{left - 6}" y="{y + 14}" font-size="12" text-anchor="end">{_e(label)}</text>'
        )
        out.append(
            f'<rect x="{left}" y="{y + 2}" width="{w:.1f}" height="{row - 6}" fill="{_COLOURS[0]}"/>'
        )
        out.append(
            f'<text x="{left + w + 4:.1f}" y="{y + 14}" font-size="12">{_e(num(value))}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def render_html(report: Report) -> str:
    body: list[str] = [f"<h1>{_e(text.title(report))}</h1>"]
    body.append("<p class='muted'>" + " · ".join(_e(s) for s in text.scope(report)) + "</p>")
    body += _headline(report) + _quality(report) + _scorecard(report) + _gaps(report)
    body += _rooms(report)
    body += _reach(report)
    body.append(
        "<h2>Network</h2>" + "".join(f"<p>{_e(line)}</p>" for line in text.network_lines(report))
    )
    changes = text.changes_lines(report)
    if changes:
        body.append(
            "<h2>What changed</h2><ul>" + "".join(f"<li>{_e(c)}</li>" for c in changes) + "</ul>"
        )
    body.append("<h2>Method</h2><ul>")
    for key, value in report.method.items():
        if isinstance(value, str):
            body.append(f"<li><b>{_e(key)}</b>: {_e(value)}</li>")
    body.append("</ul>")
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{_e(text.title(report))}</title><style>{_CSS}</style></head><body>"
        + "\n".join(part for part in body if part)
        + "</body></html>\n"
    )


def _headline(report: Report) -> list[str]:
    rows = text.headline(report)
    out = ["<h2>Headline</h2><div class='kpis'>"]
    out += [f"<div class='kpi'><b>{_e(v)}</b>{_e(k)}</div>" for k, v in rows[:3] + rows[5:9]]
    out.append("</div>")
    out.append(_svg_hbars("Partners by sector", "sector", report.totals.sectors))
    out.append(_svg_hbars("Partners by region", "region", report.totals.regions))
    return out


def _quality(report: Report) -> list[str]:
    lines = text.quality_lines(report)
    if not lines:
        return []
    items = "".join(f"<li>{_e(line)}</li>" for line in lines)
    return [f"<h2>Data quality: what the records leave unknown</h2><ul>{items}</ul>"]


def _scorecard(report: Report) -> list[str]:
    card = report.scorecard
    summary = report.scorecard_summary or "No convenings in the period."
    out = ["<h2>Scorecard: convenings with diverse stakeholders</h2>",
           f"<p class='quote'>{_e(summary)}</p>"]
    if card:
        series = {
            "Every sector present": [e.all_sectors_share for e in card],
            "Global South voices": [e.global_south_share for e in card],
            "Industry share of seats": [e.industry_seat_share for e in card],
        }
        years = [str(e.year) for e in card]
        out.append(_svg_grouped_bars("Scorecard per year", years, series, percent=True))
        out.append(_html_table(text.SCORECARD_HEAD, text.scorecard_rows(report)))
    return out


def _gaps(report: Report) -> list[str]:
    out = ["<h2>Largest gaps</h2>"]
    lines = [text.gap_line(g) for g in report.largest_gaps[: text.LIST_ROWS]]
    if lines:
        out.append("<ul>" + "".join(f"<li>{_e(line)}</li>" for line in lines) + "</ul>")
    else:
        out.append(f"<p>{_e(text.no_gaps(report))}</p>")
    if report.programs:
        out.append("<h2>Programs side by side</h2>")
        out.append(_html_table(text.PROGRAM_HEAD, text.program_rows(report)))
    if report.recurring_gaps:
        out.append("<h2>Recurring gaps: short in room after room</h2><ul>")
        out.append("".join(f"<li>{_e(r.sentence)}</li>" for r in report.recurring_gaps[: text.LIST_ROWS]))
        out.append("</ul>")
    return out


def _rooms(report: Report) -> list[str]:
    out = ["<h2>Committees</h2>"]
    committees = report.committees()
    out.append(
        _html_table(text.GROUP_HEAD, [text.group_row(report, g) for g in committees])
        if committees
        else "<p>No committees.</p>"
    )
    out.append("<h2>Convenings</h2>")
    events = report.events()
    if not events:
        return out + ["<p>No convenings in the window.</p>"]
    shown = events[: text.EVENT_ROWS]
    if len(events) > len(shown):
        note = f"The {len(shown)} most recent of {len(events)}; JSON and XLSX hold all."
        out.append(f"<p class='muted'>{_e(note)}</p>")
    rows = [text.group_row(report, g, with_date=True) for g in shown]
    out.append(_html_table(["Date and name", *text.GROUP_HEAD[1:]], rows))
    return out


def _reach(report: Report) -> list[str]:
    out = ["<h2>Reach per year</h2>"]
    years = report.reach.years
    if years:
        series: dict[str, Sequence[float | None]] = {
            "Participants": [y.participants for y in years],
            "First-time": [y.first_time for y in years],
        }
        out.append(_svg_grouped_bars("Participants per year", [str(y.year) for y in years],
                                     series, percent=False))
        out.append(_html_table(text.REACH_HEAD, text.reach_rows(report)))
    out += [f"<p>{_e(line)}</p>" for line in text.reach_lines(report)]
    return out
