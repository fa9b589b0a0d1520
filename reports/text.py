"""The wording every readable format shares: headline rows, table rows and plain-words lines.

Everything here reads the typed :class:`analysis.report_model.Report`; names of categories and
percentages come from :mod:`analysis.labels`, hidden counts read ``"<k"``.
"""

from __future__ import annotations

from collections.abc import Mapping

from analysis import labels
from analysis.report_model import Group, RankedGap, Report, ScorecardYear

__all__ = [
    "EVENT_ROWS",
    "GROUP_HEAD",
    "LIST_ROWS",
    "PROGRAM_HEAD",
    "REACH_HEAD",
    "SCORECARD_HEAD",
    "changes_lines",
    "gap_line",
    "group_row",
    "headline",
    "mix",
    "network_lines",
    "program_rows",
    "reach_lines",
    "reach_rows",
    "scope",
    "scorecard_rows",
    "title",
]

#: How many events the Markdown and HTML list (the JSON and the workbook hold them all).
EVENT_ROWS = 30
#: How many gaps, inactive partners and bridges the readable formats list.
LIST_ROWS = 15

SCORECARD_HEAD = [
    "Year", "Convenings", "Every sector present", "Global South voices", "Industry seat share",
]
REACH_HEAD = [
    "Year", "Events", "Participants", "Guests", "Countries", "Regions", "Global South",
    "First-time", "Repeat", "Gini",
]
GROUP_HEAD = ["Name", "Size", "Guests", "Sectors", "Regions", "Blau (sector)", "Gaps"]
PROGRAM_HEAD = [
    "Program", "Convenings", "Every sector present", "Global South voices", "Mean attendees",
    "Mean Blau of rooms (sector)", "Industry seat share", "Gaps",
]

pct = labels.percent
num = labels.number


def count(report: Report, value: int | None) -> str:
    """A count of organisations: ``"<k"`` when the report hid it."""
    return labels.count(value, report.privacy.min_cell)


def mix(
    report: Report, dimension: str, counts: Mapping[str, int | None] | None, limit: int = 6
) -> str:
    """"Industry 5, Academic <5, +2 more": a composition in one line."""
    if not counts:
        return labels.MISSING
    items = list(counts.items())
    parts = [f"{labels.category(dimension, k)} {count(report, v)}" for k, v in items[:limit]]
    more = len(items) - limit
    return ", ".join(parts) + (f", +{more} more" if more > 0 else "")


def title(report: Report) -> str:
    return f"Representation and reach report — as of {report.as_of}"


def scope(report: Report) -> list[str]:
    out = []
    if report.source:
        out.append(f"Data: {report.source}")
    if report.since:
        out.append(f"Events after {report.since} up to {report.as_of}")
    else:
        out.append(f"Events up to {report.as_of}")
    if report.program:
        out.append(f"Program: {report.program}")
    k = report.privacy.min_cell
    if k:
        out.append(
            f"Counts below {k} are hidden ({report.privacy.suppressed_values} values); "
            f"\"<{k}\" marks a hidden count: below {k}, or hidden so that a smaller one cannot "
            "be worked out"
        )
    return out


def headline(report: Report) -> list[tuple[str, str]]:
    t = report.totals
    return [
        ("Partners (active)", count(report, t.partners)),
        ("Guests (not counted as Partners)", count(report, t.guests)),
        ("Countries", num(t.countries)),
        ("Sectors", mix(report, "sector", t.sectors, 10)),
        ("Regions", mix(report, "region", t.regions, 10)),
        ("Global South share of Partners", pct(t.global_south_share)),
        ("Committees", num(t.committees)),
        ("Convenings in the window", num(t.events)),
        ("Organisations taking part", num(t.participants)),
        ("Significant gaps", f"{num(t.gaps)} (of {num(t.gaps_found)} found in {num(t.tests)} tests)"),
    ]


def quality_lines(report: Report) -> list[str]:
    """The data-quality section in sentences: what is unknown and what it does to the figures."""
    return [] if report.data_quality is None else report.data_quality.sentences()


def no_gaps(report: Report) -> str:
    """What "Largest gaps" says when no gap is significant."""
    found = report.totals.gaps_found
    level = "" if report.alpha is None else f" at a false discovery rate of {report.alpha}"
    return f"No significant gaps{level} ({found} below the threshold before correction)."


def _judged(entry: ScorecardYear, value: int, share: float | None) -> str:
    if not entry.recorded:
        return "no attendance recorded"
    of = "" if entry.recorded == entry.convenings else f" of {entry.recorded} recorded"
    return f"{num(value)}{of} ({pct(share)})"


def scorecard_rows(report: Report) -> list[list[str]]:
    return [
        [
            str(e.year),
            num(e.convenings),
            _judged(e, e.all_sectors, e.all_sectors_share),
            _judged(e, e.global_south, e.global_south_share),
            f"{pct(e.industry_seat_share)} of {count(report, e.seats)}",
        ]
        for e in report.scorecard
    ]


def reach_rows(report: Report) -> list[list[str]]:
    return [
        [
            str(y.year),
            num(y.events),
            count(report, y.participants),
            count(report, y.guests),
            num(y.countries),
            num(y.regions),
            pct(y.global_south_share),
            count(report, y.first_time),
            count(report, y.repeat),
            f"{y.gini:.2f}",
        ]
        for y in report.reach.years
    ]


def gap_line(gap: RankedGap) -> str:
    return f"{gap.name} ({gap.kind}): {gap.gap.sentence}"


def group_row(report: Report, g: Group, *, with_date: bool = False) -> list[str]:
    blau = g.diversity["sector"].blau if "sector" in g.diversity else None
    shown = [x for x in g.gaps if x.significant] or list(g.gaps)
    gap_text = "; ".join(
        labels.category_with_dimension(x.dimension, x.group) + ("" if x.significant else " (n.s.)")
        for x in shown[:4]
    )
    if len(g.gaps) > 4:
        gap_text += f"; +{len(g.gaps) - min(len(shown), 4)} more"
    if g.status != "tested":
        gap_text = g.status_note or g.status
    name = f"{g.date or ''} {g.name}".strip() if with_date else g.name
    return [
        name,
        count(report, g.size),
        count(report, g.guests),
        mix(report, "sector", g.composition.get("sector")),
        mix(report, "region", g.composition.get("region")),
        labels.MISSING if blau is None else f"{blau:.2f}",
        gap_text or "none",
    ]


def program_rows(report: Report) -> list[list[str]]:
    rows = []
    for p in report.programs:
        blau = p.event_blau.get("sector")
        rows.append([
            p.program or "(no program)",
            num(p.convenings),
            pct(p.all_sectors_share),
            pct(p.global_south_share),
            labels.MISSING if p.mean_attendees is None else f"{p.mean_attendees:.0f}",
            labels.MISSING if blau is None else f"{blau:.2f}",
            f"{pct(p.industry_seat_share)} of {count(report, p.seats)}",
            num(p.gaps),
        ])
    return rows


def reach_lines(report: Report) -> list[str]:
    """Who attends everything, and who takes part in nothing."""
    reach = report.reach
    lines = []
    top = reach.overall.most_active
    if top:
        listed = ", ".join(f"{p.name} ({p.events}, {pct(p.share_of_events)})" for p in top[:5])
        lines.append(f"Most frequent participants (events attended, share of all): {listed}.")
    if reach.inactive_count:
        names = ", ".join(p.name for p in reach.inactive[:LIST_ROWS])
        more = len(reach.inactive) - LIST_ROWS
        tail = f": {names}" + (f", and {more} more." if more > 0 else ".") if names else "."
        lines.append(
            f"{reach.inactive_count} active Partners took part in nothing in the window{tail}"
        )
    elif reach.inactive_suppressed:
        lines.append("The number of active Partners who took part in nothing is hidden.")
    return lines


def network_lines(report: Report) -> list[str]:
    net = report.network
    organisations = len(net.nodes) if net.nodes is not None else net.organisations
    lines = [
        f"{organisations} organisations, {num(net.edges)} ties, {len(net.communities)} "
        f"communities (modularity {num(net.modularity)})."
    ]
    if net.bridging is None:
        lines.append(
            f"Under the minimum cell size {report.privacy.min_cell} no organisation is listed."
        )
        return lines
    for attribute, bridges in net.bridging.items():
        names = ", ".join(b.name or b.partner_id for b in bridges[:LIST_ROWS])
        if names:
            lines.append(f"Bridging across {attribute}: {names}.")
    return lines


def changes_lines(report: Report) -> list[str]:
    ch = report.changes
    if ch is None:
        return []
    t = ch.totals
    lines = [
        f"From {ch.since} to {ch.as_of}: {count(report, ch.new_partners_count)} new partners, "
        f"{count(report, ch.departures_count)} departures; partners "
        f"{count(report, t.before.partners)} → {count(report, t.after.partners)}, "
        f"countries {num(t.before.countries)} → {num(t.after.countries)}; "
        f"{ch.events} convenings.",
    ]
    if t.sectors:
        signed = ", ".join(
            f"{k} {'hidden' if v is None else f'{v:+d}'}" for k, v in t.sectors.items()
        )
        lines.append("Change by sector: " + signed)
    for verb, rows in (("opened", ch.gaps_opened), ("closed", ch.gaps_closed)):
        if rows:
            listed = "; ".join(
                f"{g.name}: {labels.category_with_dimension(g.dimension, g.group)}"
                for g in rows[:20]
            )
            lines.append(f"Gaps {verb} ({len(rows)}): {listed}.")
    return lines
