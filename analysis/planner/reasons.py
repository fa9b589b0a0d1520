"""Plain-words reasons for a pick, described against the room *before* it joins."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.planner.result import Recommendation
from analysis.planner.room import EPS, Dimension, IntArray

__all__ = ["DIMENSION_NAMES", "display", "pcts", "recommendation"]

DIMENSION_NAMES = {
    "sector": "sector",
    "region": "region",
    "global_south": "Global South",
    "country": "country",
    "subregion": "sub-region",
}


def display(dimension: str, group: str) -> str:
    """A category as people say it (``True`` of ``global_south`` is "Global South")."""
    if dimension == "global_south":
        return {"True": "Global South", "False": "Global North"}.get(group, group)
    return group


def pcts(*shares: float) -> list[str]:
    """Percentages with just enough decimals that the first differs from the others.

    >>> pcts(0.298, 0.32, 0.30)
    ['29.8%', '32.0%', '30.0%']
    """
    texts: list[str] = []
    for digits in (0, 1, 2):
        texts = [f"{100 * s:.{digits}f}%" for s in shares]
        if all(t != texts[0] for t in texts[1:]):
            return texts
    return texts


def _lacking(
    row: pd.Series, d: Dimension, g: int, label: str, basis: str, context: _Context
) -> str:
    """The reason for a category the room has none of."""
    if d.name == "sector":
        if context.baseline_sector.get(d.labels[g], 0) == 1 and not context.guest:
            return f"the only active {label} partner, a sector the room lacks"
        others = int(((context.codes[d.name] == g) & ~context.taken).sum()) - 1
        if others == 0:
            return f"the only {label} candidate not yet in the room, a sector the room lacks"
        return f"adds the {label} sector, which the room lacks"
    if d.name == "global_south":
        return f"adds a {label} voice, which the room lacks ({basis}: {d.expected[g]:.0%})"
    return f"adds {label}, which the room lacks"


def _dimension_reason(row: pd.Series, d: Dimension, g: int, context: _Context) -> str | None:
    count = d.counts[g]
    n = d.counts.sum()
    expected = float(d.expected[g])
    if expected <= EPS:
        return None
    label = display(d.name, d.labels[g])
    if d.name == "country":
        label = str(row.get("country_name") or d.labels[g])
    basis = "target" if d.basis[g] == "target" else "membership"
    if count == 0:
        return _lacking(row, d, g, label, basis, context)
    share, new_share = count / n, (count + 1) / (n + 1)
    if share < expected - EPS and new_share > share:
        old, new, aim = pcts(share, new_share, expected)
        return f"brings the room's {label} share from {old} to {new} ({basis}: {aim})"
    return None


def _variety_reason(dims: Sequence[Dimension], codes: Mapping[str, IntArray], i: int) -> str:
    """No gap to close: say which dimension's diversity the pick raises most."""
    best_name, best_change, before, after = "", -1.0, 0.0, 0.0
    for d in dims:
        _, b_after = d.after_each()
        new = float(b_after[codes[d.name][i]])
        change = new - d.blau()
        if change > best_change + EPS:
            best_name, best_change, before, after = d.name, change, d.blau(), new
    if best_change <= EPS:
        return "keeps the room's mix as it is (no gap left that this pick could close)"
    name = DIMENSION_NAMES.get(best_name, best_name)
    return f"widens the room's {name} mix (Blau {before:.2f} to {after:.2f})"


class _Context:
    """What a reason needs to know beyond the row: the pool, who is taken, the baseline."""

    def __init__(
        self,
        codes: Mapping[str, IntArray],
        taken: np.ndarray[tuple[int], np.dtype[np.bool_]],
        baseline_sector: Mapping[str, Any],
        guest: bool,
    ) -> None:
        self.codes = codes
        self.taken = taken
        self.baseline_sector = baseline_sector
        self.guest = guest


def _gap_reasons(row: pd.Series, dims: Sequence[Dimension], i: int, context: _Context) -> list[str]:
    lacks: list[str] = []  # categories the room has none of
    gaps: list[str] = []  # categories below the gap threshold
    country: list[str] = []
    minor: list[str] = []  # below the expected share, but not yet a gap
    for d in dims:
        g = int(context.codes[d.name][i])
        if g < 0:
            continue
        reason = _dimension_reason(row, d, g, context)
        if not reason:
            continue
        n = d.counts.sum()
        share = d.counts[g] / n if n else 0.0
        if d.counts[g] > 0 and share >= d.threshold * d.expected[g]:
            minor.append(reason)
        elif d.name == "country":
            country.append(reason)
        else:
            (lacks if d.counts[g] == 0 else gaps).append(reason)
    # What the room lacks outright comes first; the country only when nothing broader applies
    # (a new region or Global South voice already says it); then the largest small nudge.
    found = (lacks + gaps or country) + minor[:1]
    return found if found else [_variety_reason(dims, context.codes, i)]


def _attendance_reason(recent: int, first_timer: bool, window: int) -> str:
    if first_timer:
        return "would be their first convening"
    if recent:
        return f"attended {recent} convening{'s' if recent != 1 else ''} in the last {window} days"
    return f"has not attended a convening in the last {window} days"


def recommendation(
    pool: pd.DataFrame,
    i: int,
    dims: Sequence[Dimension],
    context: _Context,
    *,
    lead: Sequence[str],
    score: float,
    gain: float,
    recent: int,
    first_timer: bool,
    window: int,
) -> Recommendation:
    """Pick ``i`` of ``pool`` with its reasons, described against the room *before* it joins."""
    row = pool.iloc[i]
    reasons = [*lead, *_gap_reasons(row, dims, i, context)]
    reasons.append(_attendance_reason(recent, first_timer, window))
    return Recommendation(
        partner_id=str(row["partner_id"]),
        name=str(row["name"]),
        membership=str(row["membership"]),
        score=score,
        reasons=tuple(reasons),
        sector=str(row.get("sector", "")),
        country=str(row.get("country", "")),
        region=str(row.get("region", "")),
        gain=gain,
        recent_events=int(recent),
        included=bool(lead and lead[0] == "included on request"),
    )


Context = _Context
