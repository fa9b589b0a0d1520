"""Reasons for each pick, made from the numbers that chose it, described before it joins.

:func:`replay` walks the picks in order from the room as it stands, computing each pick's
marginal gain (the same :meth:`~analysis.planner.objective.Model.gain_of` the search used) and
one :class:`~analysis.planner.result.Reason` per term of it that is not zero.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.planner.objective import BoolArray, Category, Model
from analysis.planner.relevance import RELEVANCE_POINT, Evidence
from analysis.planner.result import Gain, Reason, Recommendation
from analysis.planner.room import EPS, FloatArray

__all__ = ["DIMENSION_NAMES", "display", "replay"]

DIMENSION_NAMES = {
    "sector": "sector",
    "region": "region",
    "global_south": "Global South group",
    "country": "country",
    "subregion": "sub-region",
}


def display(dimension: str, group: str) -> str:
    """A category as people say it (``True`` of ``global_south`` is "Global South").

    >>> display("global_south", "True"), display("sector", "Academic")
    ('Global South', 'Academic')
    """
    if dimension == "global_south":
        return {"True": "Global South", "False": "Global North"}.get(group, group)
    return group


def _gap_text(cat: Category, in_room: int, n_seats: int, program: str | None) -> str:
    source = "target" if cat.basis == "target" else "membership"
    share = f"the {source}'s {cat.expected:.0%}"
    if abs(cat.aim - cat.expected) > 1e-9:
        share += f", scaled to {cat.aim:.0%} beside the targets"
    text = (f"fills a seat for {cat.display}: {in_room} in the room so far, "
            f"{cat.seats:.1f} of {n_seats} seats at {share}")
    if cat.streak and program:
        runs = "the last" if cat.streak == 1 else f"each of the last {cat.streak}"
        text += f"; short at {runs} {program} convening{'s' if cat.streak != 1 else ''}"
    return text


def _gap_reasons(
    model: Model, row: BoolArray, counts: FloatArray
) -> tuple[list[Reason], set[int]]:
    step = model.weight * np.clip(model.seats - counts, 0.0, 1.0)
    found = [int(k) for k in np.flatnonzero(row) if step[k] > EPS]
    found.sort(key=lambda k: -float(step[k]))
    out = []
    for k in found:
        cat = model.categories[k]
        facts = {"dimension": cat.dimension, "category": cat.label, "in_room": int(counts[k]),
                 "seats": cat.seats, "n_seats": model.n_seats, "aim": cat.aim,
                 "expected": cat.expected, "basis": cat.basis, "streak": cat.streak,
                 "gain": float(step[k])}
        out.append(Reason("gap", _gap_text(cat, int(counts[k]), model.n_seats,
                                           model.history.program), facts))
    return out, set(found)


def _new_reasons(model: Model, row: BoolArray, counts: FloatArray, said: set[int]) -> list[Reason]:
    out = []
    for k in np.flatnonzero(row & (counts == 0)):
        if int(k) in said:
            continue
        cat = model.categories[k]
        noun = DIMENSION_NAMES.get(cat.dimension, cat.dimension)
        out.append(Reason("new_category", f"adds {cat.display}, a {noun} new to the room",
                          {"dimension": cat.dimension, "category": cat.label}))
    return out


def _guest_reason(model: Model, lone: BoolArray) -> Reason:
    cats = [model.categories[k] for k in np.flatnonzero(lone)]
    names = ", ".join(c.display for c in cats)
    return Reason("guest", f"a Guest, not a Partner: no active Partner outside the room is "
                  f"{names}", {"categories": [[c.dimension, c.label] for c in cats]})


def _attendance(recent: int, first_timer: bool, window: int) -> Reason:
    facts = {"recent": recent, "first_timer": first_timer, "window_days": window}
    if first_timer:
        return Reason("attendance", "would be their first convening", facts)
    if recent:
        return Reason("attendance", f"attended {recent} convening{'s' if recent != 1 else ''} "
                      f"in the last {window} days", facts)
    return Reason("attendance", f"has not attended a convening in the last {window} days", facts)


def _why(
    model: Model, row: BoolArray, counts: FloatArray, evidence: tuple[Evidence, ...],
    lone: BoolArray | None, person: tuple[int, bool],
) -> list[Reason]:
    gaps, said = _gap_reasons(model, row, counts)
    out = ([_guest_reason(model, lone)] if lone is not None and lone.any() else []) + gaps
    out += [Reason(e.kind, e.text, e.facts) for e in evidence]
    out += _new_reasons(model, row, counts, said)
    if not any(e.kind == "first_timer" for e in evidence):
        out.append(_attendance(person[0], person[1], model.req.fatigue_window_days))
    return out


def _recommendation(row: pd.Series, gain: Gain, why: list[Reason], recent: int,
                    included: bool) -> Recommendation:
    return Recommendation(
        partner_id=str(row["partner_id"]), name=str(row["name"]),
        membership=str(row["membership"]), gain=gain, why=tuple(why),
        sector=str(row.get("sector", "")), country=str(row.get("country", "")),
        region=str(row.get("region", "")), recent_events=recent, included=included,
    )


def replay(
    model: Model, picks: Sequence[int], recent: dict[str, int], ever: set[str]
) -> list[Recommendation]:
    """The included, then ``picks`` in order, each with its marginal gain and its reasons."""
    pool = model.pool
    counts = pool.room_counts.copy()
    out: list[Recommendation] = []
    for j in range(len(pool.included)):
        row, ev = pool.included_matrix[j], model.included_evidence[j]
        person = pool.included.iloc[j]
        pid = str(person["partner_id"])
        gain = model.gain_of(row, RELEVANCE_POINT * len(ev), counts)
        why = [Reason("included", "included on request", {})]
        why += _why(model, row, counts, ev, None, (recent.get(pid, 0), pid not in ever))
        if gain.total <= EPS:
            why.append(Reason("no_gain", "adds nothing the objective counts: kept because it was "
                              "requested, in a seat another pick could have had", {}))
        out.append(_recommendation(person, gain, why, recent.get(pid, 0), True))
        counts = counts + row
    for i in picks:
        row, ev = pool.matrix[i], model.evidence[i]
        person = pool.candidates.iloc[i]
        pid = str(person["partner_id"])
        gain = model.gain_of(row, float(model.relevance[i]), counts)
        lone = model.guest_lone[i] if model.is_guest[i] else None
        why = _why(model, row, counts, ev, lone, (recent.get(pid, 0), pid not in ever))
        out.append(_recommendation(person, gain, why, recent.get(pid, 0), False))
        counts = counts + row
    return out
