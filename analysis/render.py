"""Render a report as JSON, Markdown, HTML (one offline file with charts) or XLSX.

:func:`render` takes a :class:`analysis.report.Report` (or its ``to_dict()``) and a format:

- ``"json"``: the report dict, indented, NaN never emitted (``allow_nan=False``);
- ``"markdown"``: headline totals, the scorecard with its summary, the largest gaps in plain
  words (shortfall and p-value), committees, recent events, reach per year, network, changes;
- ``"html"``: the same, as one self-contained file (inline CSS and inline SVG charts built
  here, no script, no network access), every value passed through :func:`html.escape`;
- ``"xlsx"``: a workbook with one sheet per section. Every cell is a literal — text or number,
  never a formula: each text cell is stored as a string (``data_type = "s"``) and those starting
  with ``= + - @`` (or a tab/CR) get Excel's quote prefix, whatever a partner's name contains.

Markdown escapes the characters that would make a name into markup or break a table.
"""

from __future__ import annotations

import html
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["FORMATS", "render"]

FORMATS: tuple[str, ...] = ("json", "markdown", "html", "xlsx")

#: How many events the Markdown and HTML list (the JSON and the workbook hold them all).
EVENT_ROWS = 30
#: How many gaps, inactive partners and bridges the readable formats list.
LIST_ROWS = 15


def render(report: Any, fmt: str = "json") -> str | bytes:
    """Render ``report`` in ``fmt`` (one of :data:`FORMATS`); ``xlsx`` gives bytes.

    >>> render({"as_of": "2024-06-30"}, "json").splitlines()[1]
    '  "as_of": "2024-06-30"'
    """
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}, got {fmt!r}")
    data = report.to_dict() if hasattr(report, "to_dict") else report
    if not isinstance(data, dict):
        raise ValueError(f"report must be a Report or a dict, got {type(report).__name__}")
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    if fmt == "markdown":
        return _markdown(data)
    if fmt == "html":
        return _html(data)
    return _xlsx(data)


# --- shared wording ----------------------------------------------------------------------------


def _pct(value: Any) -> str:
    return "—" if value is None else f"{float(value):.0%}"


def _num(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def _mix(counts: dict[str, Any] | None, limit: int = 6) -> str:
    if not counts:
        return "—"
    parts = [f"{k} {_num(v)}" for k, v in list(counts.items())[:limit]]
    more = len(counts) - limit
    return ", ".join(parts) + (f", +{more} more" if more > 0 else "")


def _title(data: dict[str, Any]) -> str:
    return f"Representation and reach report — as of {data.get('as_of', '')}"


def _scope(data: dict[str, Any]) -> list[str]:
    out = []
    if data.get("source"):
        out.append(f"Data: {data['source']}")
    if data.get("since"):
        out.append(f"Events after {data['since']} up to {data.get('as_of')}")
    else:
        out.append(f"Events up to {data.get('as_of')}")
    if data.get("program"):
        out.append(f"Program: {data['program']}")
    privacy = data.get("privacy") or {}
    if privacy.get("min_cell"):
        out.append(
            f"Counts below {privacy['min_cell']} are hidden ({privacy.get('suppressed_values', 0)} "
            "values)"
        )
    return out


def _headline(data: dict[str, Any]) -> list[tuple[str, str]]:
    t = data.get("totals") or {}
    gs = t.get("global_south") or {}
    south, north = gs.get("True"), gs.get("False")
    share = None
    if isinstance(south, int) and isinstance(north, int) and south + north:
        share = south / (south + north)
    rows = [
        ("Partners (active)", _num(t.get("partners"))),
        ("Guests (not counted as Partners)", _num(t.get("guests"))),
        ("Countries", _num(t.get("countries"))),
        ("Sectors", _mix(t.get("sectors"), 10)),
        ("Regions", _mix(t.get("regions"), 10)),
        ("Global South share of Partners", _pct(share)),
        ("Committees", _num(t.get("committees"))),
        ("Convenings in the window", _num(t.get("events"))),
        ("Organisations taking part", _num(t.get("participants"))),
        ("Gaps found", _num(t.get("gaps"))),
    ]
    return rows


def _judged(entry: dict[str, Any], count: str, share: str) -> str:
    recorded = entry.get("recorded", entry.get("convenings"))
    if not recorded:
        return "no attendance recorded"
    of = "" if recorded == entry.get("convenings") else f" of {recorded} recorded"
    return f"{_num(entry.get(count))}{of} ({_pct(entry.get(share))})"


def _scorecard_rows(data: dict[str, Any]) -> list[list[str]]:
    return [
        [
            str(e["year"]),
            _num(e["convenings"]),
            _judged(e, "all_sectors", "all_sectors_share"),
            _judged(e, "global_south", "global_south_share"),
            f"{_pct(e.get('industry_seat_share'))} of {_num(e.get('seats'))}",
        ]
        for e in data.get("scorecard") or []
    ]


SCORECARD_HEAD = [
    "Year",
    "Convenings",
    "Every sector present",
    "Global South voices",
    "Industry seat share",
]
REACH_HEAD = [
    "Year",
    "Events",
    "Participants",
    "Guests",
    "Countries",
    "Regions",
    "Global South",
    "First-time",
    "Repeat",
    "Gini",
]


def _reach_rows(data: dict[str, Any]) -> list[list[str]]:
    return [
        [
            str(y["year"]),
            _num(y.get("events")),
            _num(y.get("participants")),
            _num(y.get("guests")),
            _num(y.get("countries")),
            _num(y.get("regions")),
            _pct(y.get("global_south_share")),
            _num(y.get("first_time")),
            _num(y.get("repeat")),
            "—" if y.get("gini") is None else f"{y['gini']:.2f}",
        ]
        for y in (data.get("reach") or {}).get("years", [])
    ]


def _gap_line(g: dict[str, Any]) -> str:
    return f"{g.get('name', '')} ({g.get('kind', '')}): {g.get('sentence', '')}"


def _committees(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [g for g in data.get("groups") or [] if g.get("kind") == "committee"]


def _events(data: dict[str, Any]) -> list[dict[str, Any]]:
    events = [g for g in data.get("groups") or [] if g.get("kind") == "event"]
    return sorted(events, key=lambda g: (g.get("date") or "", g["id"]), reverse=True)


GROUP_HEAD = ["Name", "Size", "Guests", "Sectors", "Regions", "Blau (sector)", "Gaps"]


def _gap_label(gap: dict[str, Any]) -> str:
    if gap.get("dimension") == "global_south":
        return {"True": "Global South", "False": "Global North"}.get(str(gap.get("group")), "")
    return f"{gap.get('group')} ({gap.get('dimension')})"


def _group_row(g: dict[str, Any], *, with_date: bool = False) -> list[str]:
    comp = g.get("composition") or {}
    blau = ((g.get("diversity") or {}).get("sector") or {}).get("blau")
    gaps = g.get("gaps") or []
    gap_text = "; ".join(_gap_label(x) for x in gaps[:4])
    if len(gaps) > 4:
        gap_text += f"; +{len(gaps) - 4} more"
    name = g.get("name", "")
    if with_date:
        name = f"{g.get('date') or ''} {name}".strip()
    return [
        name,
        _num(g.get("size")),
        _num(g.get("guests")),
        _mix(comp.get("sector")),
        _mix(comp.get("region")),
        "—" if blau is None else f"{blau:.2f}",
        gap_text or "none",
    ]


PROGRAM_HEAD = [
    "Program",
    "Convenings",
    "Every sector present",
    "Global South voices",
    "Mean attendees",
    "Mean Blau of rooms (sector)",
    "Industry seat share",
    "Gaps",
]


def _program_rows(data: dict[str, Any]) -> list[list[str]]:
    rows = []
    for p in data.get("programs") or []:
        blau = (p.get("event_blau") or {}).get("sector")
        rows.append(
            [
                p["program"] or "(no program)",
                _num(p.get("convenings")),
                _pct(p.get("all_sectors_share")),
                _pct(p.get("global_south_share")),
                "—" if p.get("mean_attendees") is None else f"{p['mean_attendees']:.0f}",
                "—" if blau is None else f"{blau:.2f}",
                f"{_pct(p.get('industry_seat_share'))} of {_num(p.get('seats'))}",
                _num(p.get("gaps")),
            ]
        )
    return rows


def _reach_lines(data: dict[str, Any]) -> list[str]:
    """Who attends everything, and who takes part in nothing."""
    reach = data.get("reach") or {}
    lines = []
    top = (reach.get("overall") or {}).get("most_active") or []
    if top:
        listed = ", ".join(
            f"{p['name']} ({p['events']}, {_pct(p.get('share_of_events'))})" for p in top[:5]
        )
        lines.append(f"Most frequent participants (events attended, share of all): {listed}.")
    inactive = reach.get("inactive") or []
    if reach.get("inactive_count"):
        names = ", ".join(str(p["name"]) for p in inactive[:LIST_ROWS])
        more = len(inactive) - LIST_ROWS
        lines.append(
            f"{reach['inactive_count']} active Partners took part in nothing in the window: "
            f"{names}" + (f", and {more} more." if more > 0 else ".")
        )
    return lines


def _network_lines(data: dict[str, Any]) -> list[str]:
    net = data.get("network") or {}
    if not net:
        return ["No network section."]
    nodes = net.get("nodes") or []
    communities = net.get("communities")
    count = len(communities) if isinstance(communities, (list, dict)) else communities
    lines = [
        f"{len(nodes)} organisations, {_num(net.get('edges'))} ties, {_num(count)} communities "
        f"(modularity {_num(net.get('modularity'))})."
    ]
    for attribute, bridges in (net.get("bridging") or {}).items():
        names = ", ".join(str(b.get("name") or b.get("partner_id")) for b in bridges[:LIST_ROWS])
        if names:
            lines.append(f"Bridging across {attribute}: {names}.")
    return lines


def _changes_lines(data: dict[str, Any]) -> list[str]:
    ch = data.get("changes")
    if not ch:
        return []
    t = ch.get("totals") or {}
    before, after = t.get("before") or {}, t.get("after") or {}
    lines = [
        f"From {ch['since']} to {ch['as_of']}: {ch.get('new_partners_count', 0)} new partners, "
        f"{ch.get('departures_count', 0)} departures; partners {_num(before.get('partners'))} → "
        f"{_num(after.get('partners'))}, countries {_num(before.get('countries'))} → "
        f"{_num(after.get('countries'))}; {ch.get('events', 0)} convenings.",
    ]
    if t.get("sectors"):
        signed = {k: "hidden" if v is None else f"{v:+d}" for k, v in t["sectors"].items()}
        lines.append("Change by sector: " + _mix(signed, 10))
    for verb, key in (("opened", "gaps_opened"), ("closed", "gaps_closed")):
        rows = ch.get(key) or []
        if rows:
            listed = "; ".join(f"{g['name']}: {g['group']} ({g['dimension']})" for g in rows[:20])
            lines.append(f"Gaps {verb} ({len(rows)}): {listed}.")
    return lines


# --- Markdown ---------------------------------------------------------------------------------

# Only what can turn text into markup or break a table mid-line; our text never starts a line
# (it follows "- " or sits in a cell), so list and heading markers need no escape.
_MD_SPECIAL = "\\`*_[]<>|~"


def _md(value: Any) -> str:
    """Escape text for Markdown: markup characters backslashed, newlines flattened."""
    text = " ".join(str(value).split())
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in text)


def _md_table(head: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(_md(h) for h in head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in rows]
    return lines


def _markdown(data: dict[str, Any]) -> str:
    out = [f"# {_md(_title(data))}", ""]
    out += [f"- {_md(s)}" for s in _scope(data)] + [""]
    out += ["## Headline", ""] + _md_table(["", ""], _headline(data)) + [""]
    out += ["## Scorecard: convenings with diverse stakeholders", ""]
    if data.get("scorecard"):
        out += _md_table(SCORECARD_HEAD, _scorecard_rows(data)) + [""]
    out += [_md(data.get("scorecard_summary") or "No convenings in the period."), ""]
    out += ["## Largest gaps", ""]
    gaps = data.get("largest_gaps") or []
    out += [f"- {_md(_gap_line(g))}" for g in gaps[:LIST_ROWS]] or ["No gaps below the threshold."]
    out += [""]
    if data.get("programs"):
        out += ["## Programs side by side", ""] + _md_table(PROGRAM_HEAD, _program_rows(data))
        out += [""]
    recurring = data.get("recurring_gaps") or []
    if recurring:
        out += ["## Recurring gaps: short in room after room", ""]
        out += [f"- {_md(r['sentence'])}" for r in recurring[:LIST_ROWS]] + [""]
    committees = _committees(data)
    out += ["## Committees", ""]
    if committees:
        out += _md_table(GROUP_HEAD, [_group_row(g) for g in committees]) + [""]
    else:
        out += ["No committees.", ""]
    events = _events(data)
    out += ["## Convenings", ""]
    if events:
        shown = events[:EVENT_ROWS]
        if len(events) > len(shown):
            out += [
                _md(f"The {len(shown)} most recent of {len(events)}; JSON and XLSX hold all."),
                "",
            ]
        out += _md_table(
            ["Date and name"] + GROUP_HEAD[1:], [_group_row(g, with_date=True) for g in shown]
        )
        out += [""]
    else:
        out += ["No convenings in the window.", ""]
    out += ["## Reach per year", ""]
    if _reach_rows(data):
        out += _md_table(REACH_HEAD, _reach_rows(data)) + [""]
    out += [line for text in _reach_lines(data) for line in (_md(text), "")]
    out += ["## Network", ""] + [_md(line) for line in _network_lines(data)] + [""]
    changes = _changes_lines(data)
    if changes:
        out += ["## What changed", ""] + [f"- {_md(line)}" for line in changes] + [""]
    out += ["## Method", ""]
    for key, value in (data.get("method") or {}).items():
        if isinstance(value, str):
            out.append(f"- {_md(key)}: {_md(value)}")
    return "\n".join(out) + "\n"


# --- HTML -------------------------------------------------------------------------------------

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
    title: str, labels: Sequence[str], series: dict[str, Sequence[float | None]], *, percent: bool
) -> str:
    """A grouped bar chart as inline SVG (values in [0, 1] when ``percent``)."""
    if not labels or not series:
        return ""
    width, height, left, bottom, top = 720, 260, 48, 36, 30
    plot_w, plot_h = width - left - 16, height - bottom - top
    values = [v for vs in series.values() for v in vs if v is not None]
    vmax = 1.0 if percent else max([1.0, *values])
    group_w = plot_w / len(labels)
    bar_w = max(2.0, group_w * 0.8 / len(series))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{_e(title)}"><title>{_e(title)}</title>',
        f'<text x="{left}" y="18" font-size="14" font-weight="600">{_e(title)}</text>',
    ]
    for tick in range(5):
        frac = tick / 4
        y = top + plot_h - frac * plot_h
        text = f"{frac:.0%}" if percent else _num(round(vmax * frac, 1))
        out.append(
            f'<line x1="{left}" x2="{width - 16}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e2e8f0"/>'
        )
        out.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="10" text-anchor="end">{_e(text)}</text>'
        )
    for i, label in enumerate(labels):
        x0 = left + i * group_w + group_w * 0.1
        for j, (name, vs) in enumerate(series.items()):
            v = vs[i]
            if v is None:
                continue
            h = plot_h * (float(v) / vmax if vmax else 0.0)
            x = x0 + j * bar_w
            shown = f"{v:.0%}" if percent else _num(v)
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


def _svg_hbars(title: str, counts: dict[str, Any]) -> str:
    """Horizontal bars of a composition (hidden counts are left out)."""
    items = [(k, v) for k, v in counts.items() if isinstance(v, (int, float))][:12]
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
            f'<text x="{left + w + 4:.1f}" y="{y + 14}" font-size="12">{_e(_num(value))}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def _html(data: dict[str, Any]) -> str:
    body: list[str] = [f"<h1>{_e(_title(data))}</h1>"]
    body.append("<p class='muted'>" + " · ".join(_e(s) for s in _scope(data)) + "</p>")
    body.append("<h2>Headline</h2><div class='kpis'>")
    for label, value in _headline(data)[:3] + _headline(data)[5:9]:
        body.append(f"<div class='kpi'><b>{_e(value)}</b>{_e(label)}</div>")
    body.append("</div>")
    totals = data.get("totals") or {}
    body.append(_svg_hbars("Partners by sector", totals.get("sectors") or {}))
    body.append(_svg_hbars("Partners by region", totals.get("regions") or {}))

    body.append("<h2>Scorecard: convenings with diverse stakeholders</h2>")
    card = data.get("scorecard") or []
    body.append(
        f"<p class='quote'>{_e(data.get('scorecard_summary') or 'No convenings in the period.')}</p>"
    )
    if card:
        body.append(
            _svg_grouped_bars(
                "Scorecard per year",
                [str(e["year"]) for e in card],
                {
                    "Every sector present": [e.get("all_sectors_share") for e in card],
                    "Global South voices": [e.get("global_south_share") for e in card],
                    "Industry share of seats": [e.get("industry_seat_share") for e in card],
                },
                percent=True,
            )
        )
        body.append(_html_table(SCORECARD_HEAD, _scorecard_rows(data)))

    body.append("<h2>Largest gaps</h2>")
    gaps = data.get("largest_gaps") or []
    if gaps:
        body.append(
            "<ul>" + "".join(f"<li>{_e(_gap_line(g))}</li>" for g in gaps[:LIST_ROWS]) + "</ul>"
        )
    else:
        body.append("<p>No gaps below the threshold.</p>")
    if data.get("programs"):
        body.append("<h2>Programs side by side</h2>")
        body.append(_html_table(PROGRAM_HEAD, _program_rows(data)))
    recurring = data.get("recurring_gaps") or []
    if recurring:
        body.append("<h2>Recurring gaps: short in room after room</h2><ul>")
        body.append("".join(f"<li>{_e(r['sentence'])}</li>" for r in recurring[:LIST_ROWS]))
        body.append("</ul>")

    body.append("<h2>Committees</h2>")
    committees = _committees(data)
    body.append(
        _html_table(GROUP_HEAD, [_group_row(g) for g in committees])
        if committees
        else "<p>No committees.</p>"
    )
    body.append("<h2>Convenings</h2>")
    events = _events(data)
    if events:
        shown = events[:EVENT_ROWS]
        if len(events) > len(shown):
            body.append(
                f"<p class='muted'>{_e(f'The {len(shown)} most recent of {len(events)}; JSON and XLSX hold all.')}</p>"
            )
        body.append(
            _html_table(
                ["Date and name"] + GROUP_HEAD[1:], [_group_row(g, with_date=True) for g in shown]
            )
        )
    else:
        body.append("<p>No convenings in the window.</p>")

    body.append("<h2>Reach per year</h2>")
    years = (data.get("reach") or {}).get("years") or []
    if years:
        body.append(
            _svg_grouped_bars(
                "Participants per year",
                [str(y["year"]) for y in years],
                {
                    "Participants": [y.get("participants") for y in years],
                    "First-time": [y.get("first_time") for y in years],
                },
                percent=False,
            )
        )
        body.append(_html_table(REACH_HEAD, _reach_rows(data)))
    body += [f"<p>{_e(text)}</p>" for text in _reach_lines(data)]
    body.append("<h2>Network</h2>" + "".join(f"<p>{_e(line)}</p>" for line in _network_lines(data)))
    changes = _changes_lines(data)
    if changes:
        body.append(
            "<h2>What changed</h2><ul>" + "".join(f"<li>{_e(c)}</li>" for c in changes) + "</ul>"
        )
    body.append("<h2>Method</h2><ul>")
    for key, value in (data.get("method") or {}).items():
        if isinstance(value, str):
            body.append(f"<li><b>{_e(key)}</b>: {_e(value)}</li>")
    body.append("</ul>")
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{_e(_title(data))}</title><style>{_CSS}</style></head><body>"
        + "\n".join(part for part in body if part)
        + "</body></html>\n"
    )


# --- XLSX -------------------------------------------------------------------------------------

_RISKY = ("=", "+", "-", "@", "\t", "\r", "\n")


def _literal(cell: Any, value: Any) -> None:
    """Store ``value`` as a literal: numbers as numbers, everything else as a string."""
    if value is None:
        cell.value = None
        return
    if isinstance(value, bool):
        cell.value = value
        return
    if isinstance(value, (int, float)):
        cell.value = value
        return
    if isinstance(value, (list, tuple, dict)):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    cell.value = text
    # openpyxl marks any text starting with "=" as a formula; force a plain string, and
    # quote-prefix risky leading characters so Excel keeps them literal even when edited.
    cell.data_type = "s"
    if text.startswith(_RISKY):
        cell.quotePrefix = True


def _sheet(book: Any, title: str, head: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    from openpyxl.styles import Font

    sheet = book.create_sheet(title)
    for col, name in enumerate(head, start=1):
        cell = sheet.cell(row=1, column=col)
        _literal(cell, name)
        cell.font = Font(bold=True)
    for r, row in enumerate(rows, start=2):
        for col, value in enumerate(row, start=1):
            _literal(sheet.cell(row=r, column=col), value)
    sheet.freeze_panes = "A2"


def _xlsx(data: dict[str, Any]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    summary = [("Report", _title(data))] + [("Scope", s) for s in _scope(data)]
    summary += _headline(data)
    summary.append(("Scorecard summary", data.get("scorecard_summary") or ""))
    _sheet(book, "Summary", ["Item", "Value"], summary)

    card_head = [
        "year",
        "convenings",
        "all_sectors",
        "all_sectors_share",
        "global_south",
        "global_south_share",
        "seats_on",
        "seats",
        "industry_seats",
        "industry_seat_share",
        "summary",
    ]
    _sheet(
        book,
        "Scorecard",
        card_head,
        [[e.get(k) for k in card_head] for e in data.get("scorecard") or []],
    )

    totals = data.get("totals") or {}
    total_rows = []
    for key in ("sectors", "regions", "subregions", "global_south"):
        for cat, n in (totals.get(key) or {}).items():
            total_rows.append([key, cat, n])
    _sheet(book, "Totals", ["dimension", "category", "partners"], total_rows)

    groups = data.get("groups") or []
    dims = list((data.get("parameters") or {}).get("dimensions") or ["sector", "region"])
    group_head = ["kind", "id", "name", "program", "date", "size", "guests"]
    div_head = [
        f"{d}_{i}" for d in dims for i in ("blau", "normalised_blau", "shannon", "evenness")
    ]
    group_rows = []
    comp_rows = []
    gap_rows = []
    for g in groups:
        div = g.get("diversity") or {}
        group_rows.append(
            [g.get(k) for k in group_head]
            + [
                (div.get(d) or {}).get(i)
                for d in dims
                for i in ("blau", "normalised_blau", "shannon", "evenness")
            ]
            + [len(g.get("gaps") or [])]
        )
        for dim, counts in (g.get("composition") or {}).items():
            shares = (g.get("shares") or {}).get(dim) or {}
            for cat, n in counts.items():
                comp_rows.append([g["kind"], g["id"], g.get("name"), dim, cat, n, shares.get(cat)])
        for x in g.get("gaps") or []:
            gap_rows.append(
                [
                    g["kind"],
                    g["id"],
                    g.get("name"),
                    x.get("dimension"),
                    x.get("group"),
                    x.get("count"),
                    x.get("size"),
                    x.get("share"),
                    x.get("expected_share"),
                    x.get("ratio"),
                    x.get("missing"),
                    x.get("p_value"),
                    x.get("shortfall"),
                    x.get("basis"),
                    x.get("test"),
                    x.get("sentence"),
                ]
            )
    _sheet(book, "Groups", group_head + div_head + ["gaps"], group_rows)
    _sheet(
        book,
        "Composition",
        ["kind", "id", "name", "dimension", "category", "count", "share"],
        comp_rows,
    )
    _sheet(
        book,
        "Gaps",
        [
            "kind",
            "id",
            "name",
            "dimension",
            "category",
            "count",
            "size",
            "share",
            "expected_share",
            "ratio",
            "missing",
            "p_value",
            "shortfall",
            "basis",
            "test",
            "sentence",
        ],
        gap_rows,
    )

    program_head = [
        "program",
        "convenings",
        "recorded",
        "all_sectors_share",
        "global_south_share",
        "mean_attendees",
        "seats",
        "industry_seat_share",
        "gaps",
    ]
    program_rows = [
        [p.get(k) for k in program_head] + [(p.get("event_blau") or {}).get(d) for d in dims]
        for p in data.get("programs") or []
    ]
    _sheet(book, "Programs", program_head + [f"event_blau_{d}" for d in dims], program_rows)
    recurring_head = [
        "kind",
        "program",
        "dimension",
        "group",
        "rooms",
        "gaps",
        "missing",
        "combined_p_value",
        "sentence",
    ]
    _sheet(
        book,
        "Recurring gaps",
        recurring_head,
        [[r.get(k) for k in recurring_head] for r in data.get("recurring_gaps") or []],
    )

    reach = data.get("reach") or {}
    reach_head = [
        "year",
        "events",
        "attendances",
        "participants",
        "partners",
        "guests",
        "countries",
        "regions",
        "global_south",
        "global_south_share",
        "first_time",
        "repeat",
        "first_time_share",
        "gini",
        "top_decile_share",
    ]
    _sheet(
        book,
        "Reach",
        reach_head,
        [[y.get(k) for k in reach_head] for y in reach.get("years") or []],
    )
    inactive_head = ["partner_id", "name", "sector", "country", "region"]
    _sheet(
        book,
        "Inactive",
        inactive_head,
        [[p.get(k) for k in inactive_head] for p in reach.get("inactive") or []],
    )

    nodes = (data.get("network") or {}).get("nodes") or []
    node_head = (
        list(nodes[0].keys())
        if nodes
        else ["partner_id", "name", "degree", "strength", "betweenness", "community"]
    )
    _sheet(book, "Network", node_head, [[n.get(k) for k in node_head] for n in nodes])

    ch = data.get("changes")
    if ch:
        rows: list[list[Any]] = []
        for p in ch.get("new_partners") or []:
            rows.append(["new partner", p.get("partner_id"), p.get("name"), p.get("sector"), ""])
        for p in ch.get("departures") or []:
            rows.append(["departure", p.get("partner_id"), p.get("name"), p.get("sector"), ""])
        for verb in ("opened", "closed"):
            for g in ch.get(f"gaps_{verb}") or []:
                rows.append(
                    [
                        f"gap {verb}",
                        g.get("committee_id"),
                        g.get("name"),
                        g.get("dimension"),
                        g.get("group"),
                    ]
                )
        _sheet(book, "Changes", ["change", "id", "name", "sector or dimension", "category"], rows)

    method = [
        (k, v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))
        for k, v in (data.get("method") or {}).items()
    ]
    _sheet(book, "Method", ["item", "how"], method)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
