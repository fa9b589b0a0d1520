"""The report as a workbook: one sheet per section, written by :mod:`reports.tabular`.

The workbook holds everything the JSON holds in rows and columns (every group, gap and year), so
an analyst can filter and pivot; :mod:`reports.tabular` keeps every cell a literal.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from analysis.report_model import Report
from reports import text
from reports.tabular import Sheet, to_xlsx

__all__ = ["render_xlsx"]

INDICES = ("blau", "normalised_blau", "shannon", "evenness")
SCORECARD = (
    "year", "convenings", "all_sectors", "all_sectors_share", "global_south",
    "global_south_share", "seats_on", "seats", "industry_seats", "industry_seat_share", "summary",
)
GAPS = (
    "kind", "id", "name", "dimension", "category", "count", "size", "share", "expected_share",
    "ratio", "missing", "p_value", "shortfall", "basis", "test", "direction", "excess",
    "q_value", "significant", "sentence",
)
PROGRAMS = (
    "program", "convenings", "recorded", "all_sectors_share", "global_south_share",
    "mean_attendees", "seats", "industry_seat_share", "gaps",
)
RECURRING = (
    "kind", "program", "dimension", "group", "rooms", "gaps", "missing", "combined_p_value",
    "sentence",
)
REACH = (
    "year", "events", "attendances", "participants", "partners", "guests", "countries",
    "regions", "global_south", "global_south_share", "first_time", "repeat", "first_time_share",
    "gini", "top_decile_share",
)
PARTNERS = ("partner_id", "name", "sector", "country", "region")
NODES = ("partner_id", "name", "degree", "strength", "betweenness", "community")
CENTRALITY = ("eigenvector", "pagerank", "closeness", "kcore")


def _fields(obj: Any, names: Sequence[str]) -> list[Any]:
    """The values of ``obj``'s attributes named by a sheet's columns."""
    return [getattr(obj, name) for name in names]


def render_xlsx(report: Report) -> bytes:
    """The workbook as bytes (``report --format xlsx``)."""
    sheets = [_summary(report), _quality(report), _scorecard(report), _totals(report)]
    sheets += [*_groups(report)]
    sheets += [_programs(report), _recurring(report), *_reach(report), _network(report)]
    if report.changes is not None:
        sheets.append(_changes(report))
    method = [
        (k, v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))
        for k, v in report.method.items()
    ]
    sheets.append(Sheet("Method", ["item", "how"], method))
    return to_xlsx(sheets)


def _summary(report: Report) -> Sheet:
    rows: list[tuple[str, str]] = [("Report", text.title(report))]
    rows += [("Scope", s) for s in text.scope(report)] + text.headline(report)
    rows.append(("Scorecard summary", report.scorecard_summary))
    return Sheet("Summary", ["Item", "Value"], rows)


def _quality(report: Report) -> Sheet:
    dq = report.data_quality
    rows: list[list[Any]] = []
    if dq is not None:
        if dq.note:
            rows.append(["note", None, dq.note, ""])
        rows += [
            [key, f.count, f.effect, ", ".join(f.ids)] for key, f in dq.findings().items()
        ]
    return Sheet("Data quality", ["finding", "count", "effect", "ids"], rows)


def _scorecard(report: Report) -> Sheet:
    return Sheet("Scorecard", SCORECARD, [_fields(e, SCORECARD) for e in report.scorecard])


def _totals(report: Report) -> Sheet:
    rows = [
        [key, category, n]
        for key, counts in report.totals.categories.items()
        for category, n in counts.items()
    ]
    return Sheet("Totals", ["dimension", "category", "partners"], rows)


def _groups(report: Report) -> Iterator[Sheet]:
    dims = list(report.dimensions) or ["sector", "region"]
    head = ["kind", "id", "name", "program", "date", "size", "guests", "status"]
    rows = [
        _fields(g, head)
        + [getattr(g.diversity[d], i) if d in g.diversity else None for d in dims for i in INDICES]
        + [len(g.gaps)]
        for g in report.groups
    ]
    yield Sheet("Groups", head + [f"{d}_{i}" for d in dims for i in INDICES] + ["gaps"], rows)
    composition = [
        [g.kind, g.id, g.name, dim, category, n, g.shares.get(dim, {}).get(category)]
        for g in report.groups
        for dim, counts in g.composition.items()
        for category, n in counts.items()
    ]
    yield Sheet(
        "Composition", ["kind", "id", "name", "dimension", "category", "count", "share"],
        composition,
    )
    gaps = [
        [g.kind, g.id, g.name, *_fields(x, GAPS[3:])] for g in report.groups for x in g.gaps
    ]
    yield Sheet("Gaps", GAPS, gaps)


def _programs(report: Report) -> Sheet:
    dims = list(report.dimensions)
    rows = [_fields(p, PROGRAMS) + [p.event_blau.get(d) for d in dims] for p in report.programs]
    return Sheet("Programs", [*PROGRAMS, *(f"event_blau_{d}" for d in dims)], rows)


def _recurring(report: Report) -> Sheet:
    return Sheet("Recurring gaps", RECURRING, [_fields(r, RECURRING) for r in report.recurring_gaps])


def _reach(report: Report) -> Iterator[Sheet]:
    yield Sheet("Reach", REACH, [_fields(y, REACH) for y in report.reach.years])
    yield Sheet("Inactive", PARTNERS, [_fields(p, PARTNERS) for p in report.reach.inactive])


def _network(report: Report) -> Sheet:
    nodes = report.network.nodes or ()
    attributes = list(nodes[0].ei) if nodes else []
    bridging = [f"{kind}_{a}" for a in attributes for kind in ("ei", "participation")]
    rows = [
        _fields(n, NODES)
        + [value for a in attributes for value in (n.ei[a], n.participation[a])]
        + _fields(n, CENTRALITY)
        for n in nodes
    ]
    return Sheet("Network", [*NODES, *bridging, *CENTRALITY], rows)


def _changes(report: Report) -> Sheet:
    ch = report.changes
    assert ch is not None
    rows: list[list[Any]] = []
    for change, people in (("new partner", ch.new_partners), ("departure", ch.departures)):
        rows += [[change, p.partner_id, p.name, p.sector, ""] for p in people]
    for verb, gaps in (("opened", ch.gaps_opened), ("closed", ch.gaps_closed)):
        rows += [[f"gap {verb}", g.committee_id, g.name, g.dimension, g.group] for g in gaps]
    head = ["change", "id", "name", "sector or dimension", "category"]
    return Sheet("Changes", head, rows)
