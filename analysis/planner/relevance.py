"""Why a candidate is relevant to this convening: committee, topics, past convenings, host region.

Each kind of evidence is one relevance point; a point is worth :data:`RELEVANCE_POINT` in the
objective, so relevance ranks candidates after the gaps they close.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis.planner.request import Request
from analysis.snapshot import active_memberships
from core.model import Dataset

__all__ = ["RELEVANCE_POINT", "Evidence", "relevance_evidence", "labels_of"]

#: The objective's value of one relevance point.
RELEVANCE_POINT = 0.1


@dataclass(frozen=True)
class Evidence:
    """One relevance point of one candidate: its kind, words, and the facts behind them."""

    kind: str
    text: str
    facts: Mapping[str, Any]


def labels_of(value: Any) -> tuple[str, ...]:
    """A multi-valued cell (tuple, list or ``;`` text) as trimmed, case-folded labels."""
    if isinstance(value, str):
        value = value.split(";")
    if not isinstance(value, (tuple, list)):
        return ()
    return tuple(dict.fromkeys(str(v).strip().casefold() for v in value if str(v).strip()))


def _committee_seats(ds: Dataset, req: Request) -> dict[str, list[str]]:
    """Partner id -> names of the program's committees they sit on, on the date."""
    if req.window.program is None:
        return {}
    seats = active_memberships(ds, req.day)
    program_of = ds.committees.set_index("committee_id")["program"]
    names = ds.committees.set_index("committee_id")["name"]
    out: dict[str, list[str]] = {}
    for committee, partner in seats[["committee_id", "partner_id"]].itertuples(index=False):
        if req.window.matches_program(program_of.get(committee)):
            out.setdefault(str(partner), []).append(str(names.get(committee, committee)))
    return out


def _topic_events(ds: Dataset, req: Request, topics: set[str]) -> dict[str, list[str]]:
    """Partner id -> earlier convenings they attended that share one of ``topics``."""
    if not topics:
        return {}
    events = ds.events
    earlier = events["date"].notna() & (events["date"] < req.day)
    if req.event_id is not None:
        earlier &= events["event_id"] != req.event_id
    shares = events["topics"].map(lambda v: bool(topics & set(labels_of(v))))
    chosen = set(events.loc[earlier & shares.astype(bool), "event_id"])
    att = ds.attendance.loc[ds.attendance["event_id"].isin(chosen)]
    out: dict[str, list[str]] = {}
    for event, partner in att[["event_id", "partner_id"]].itertuples(index=False):
        out.setdefault(str(partner), []).append(str(event))
    return out


def _one(
    row: pd.Series, req: Request, seats: Mapping[str, list[str]],
    topic_events: Mapping[str, list[str]], first_timer: bool,
) -> tuple[Evidence, ...]:
    pid = str(row["partner_id"])
    topics = [t for t in req.topics if t.casefold() in set(labels_of(row.get("focus_areas")))]
    found: list[Evidence] = []
    if pid in seats:
        names = sorted(set(seats[pid]))
        found.append(Evidence("committee", f"sits on the {' and the '.join(names)} "
                              f"({req.window.program} program)", {"committees": names}))
    if topics:
        found.append(Evidence("topics", f"works on {', '.join(topics)}, topics of this convening",
                              {"topics": topics}))
    if pid in topic_events:
        k = len(set(topic_events[pid]))
        found.append(Evidence(
            "past_events", f"attended {k} earlier convening{'s' if k != 1 else ''} on this "
            "convening's topics", {"events": sorted(set(topic_events[pid]))}))
    region = row.get("region")
    if req.host_region is not None and isinstance(region, str) and region == req.host_region:
        found.append(Evidence("host_region", f"based in {region}, the host region",
                              {"region": region}))
    if req.prefer_first_timers and first_timer:
        found.append(Evidence("first_timer", "would be their first convening (first-timers "
                              "are preferred)", {}))
    return tuple(found)


def relevance_evidence(
    ds: Dataset, req: Request, pool: pd.DataFrame, first_timer: Sequence[bool]
) -> list[tuple[Evidence, ...]]:
    """Each candidate's relevance evidence, in ``pool`` order (one point per item)."""
    seats = _committee_seats(ds, req)
    topic_events = _topic_events(ds, req, {t.casefold() for t in req.topics})
    return [
        _one(row, req, seats, topic_events, bool(first))
        for (_, row), first in zip(pool.iterrows(), first_timer, strict=True)
    ]
