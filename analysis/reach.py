"""Reach: how far the network's convenings reach, year by year, and who never takes part.

Per calendar year of the window (events with ``since < date <= as_of``, see
:mod:`analysis.snapshot`), counted over *participants* — distinct organisations that attended at
least one event that year, Partners and Guests alike:

- ``events``, ``participants`` (``partners`` and ``guests`` among them), ``attendances`` (rows);
- ``countries`` and ``regions``: how many distinct ones the participants come from, and the
  participants per region;
- ``global_south_share``: the share of participants from a Global South country;
- ``first_time`` / ``repeat``: participants whose first attendance ever (any event dated on or
  before ``as_of``, in the program when one is chosen) falls in that year, versus those who
  had attended before;
- ``gini``: Gini coefficient of the participants' attendance counts that year (0: everyone
  attends equally; near 1: a few attend everything) and ``top_decile_share``, the share of
  attendances made by the most active tenth of participants.

``overall["most_active"]`` lists the participants who attend the most events (who attends
everything), with their share of the window's events.

Over the whole window: the same Gini among participants, ``gini_partners`` among all Partners
active on ``as_of`` *including those who attended nothing*, and ``inactive``: Partners active on
``as_of`` who took part in nothing in the window — no event attended and no committee seat
active on any day of the window.

>>> round(gini([1, 1, 1, 1]), 3)
0.0
>>> round(gini([0, 0, 0, 4]), 3)
0.75
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from analysis.snapshot import (
    DateLike,
    active_partners,
    committees,
    events_in_window,
    to_timestamp,
)
from core.model import GUEST, PARTNER, Dataset

__all__ = ["TOP", "Reach", "gini", "reach", "top_share"]

#: How many of the most active participants ``overall["most_active"]`` lists.
TOP = 10


def gini(values: Sequence[float] | np.ndarray | pd.Series) -> float:
    """Gini coefficient of non-negative values; 0 for an empty or all-zero list.

    Uses the sorted-rank formula ``G = 2 * sum(i * x_(i)) / (n * sum x) - (n + 1) / n``.

    >>> round(gini([1, 2, 3, 4]), 4)
    0.25
    """
    x = np.asarray(values, dtype=float)
    if x.ndim != 1:
        raise ValueError(f"values must be 1-D, got shape {x.shape}")
    if np.isnan(x).any() or (x < 0).any():
        raise ValueError(f"values must be non-negative numbers, got {values!r}")
    n = x.size
    total = x.sum()
    if n == 0 or total == 0:  # nobody attended: no concentration to measure
        return 0.0
    x = np.sort(x)
    ranks = np.arange(1, n + 1)
    return float(2.0 * np.sum(ranks * x) / (n * total) - (n + 1.0) / n)


def top_share(values: Sequence[float] | np.ndarray | pd.Series, fraction: float = 0.1) -> float:
    """Share of the total held by the top ``fraction`` of values (at least one value).

    >>> top_share([1, 1, 1, 1, 1, 1, 1, 1, 1, 11])
    0.55
    """
    x = np.sort(np.asarray(values, dtype=float))[::-1]
    if x.size == 0 or x.sum() == 0:
        return 0.0
    take = max(1, math.ceil(fraction * x.size))
    return float(x[:take].sum() / x.sum())


@dataclass(frozen=True)
class Reach:
    """Reach per year and over the window; ``method`` says how it was counted."""

    as_of: str
    since: str | None
    program: str | None
    years: list[dict[str, Any]]
    overall: dict[str, Any]
    inactive: list[dict[str, Any]]
    method: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of,
            "since": self.since,
            "program": self.program,
            "years": [dict(y) for y in self.years],
            "overall": dict(self.overall),
            "inactive_count": len(self.inactive),
            "inactive": [dict(p) for p in self.inactive],
            "method": dict(self.method),
        }


def _share(part: int, whole: int) -> float | None:
    return float(part / whole) if whole else None


def _participant_stats(rows: pd.DataFrame) -> dict[str, Any]:
    """Figures over the attendance ``rows`` (one per event and participant, partner columns)."""
    people = rows.drop_duplicates("partner_id")
    per = rows.groupby("partner_id").size()
    known_gs = people["country"].astype(str) != ""
    regions = people.loc[people["region"].astype(str) != "", "region"].value_counts()
    regions = {str(k): int(v) for k, v in sorted(regions.items(), key=lambda kv: (-kv[1], kv[0]))}
    n = len(people)
    gs = int(people.loc[known_gs, "global_south"].sum())
    return {
        "events": int(rows["event_id"].nunique()),
        "attendances": len(rows),
        "participants": n,
        "partners": int((people["membership"] == PARTNER).sum()),
        "guests": int((people["membership"] == GUEST).sum()),
        "countries": int(people.loc[people["country"].astype(str) != "", "country"].nunique()),
        "regions": len(regions),
        "participants_by_region": regions,
        "global_south": gs,
        "global_south_share": _share(gs, int(known_gs.sum())),
        "gini": gini(per.to_numpy()),
        "top_decile_share": top_share(per.to_numpy()),
    }


def reach(
    ds: Dataset,
    *,
    as_of: DateLike | None = None,
    since: DateLike | None = None,
    program: str | None = None,
) -> Reach:
    """Reach of the convenings per calendar year, and who took part in nothing.

    Parameters
    ----------
    ds : Dataset
    as_of : date-like, optional
        Last day of the window (included); default today.
    since : date-like, optional
        Day before the window (excluded); default: from the first event.
    program : str, optional
        Only events (and, for ``inactive``, committees) of this program.

    Returns
    -------
    Reach
    """
    day = to_timestamp(as_of)
    start = None if since is None else to_timestamp(since, name="since")
    # First attendance ever is judged over all history up to as_of, not just the window, so a
    # partner returning after years away is a repeat, not a newcomer.
    history = events_in_window(ds, as_of=day, program=program)
    window = history if start is None else history.loc[history["date"] > start]
    attendance = ds.attendance.merge(history[["event_id", "date"]], on="event_id", how="inner")
    attendance = attendance.merge(ds.partners, on="partner_id", how="inner")
    first_seen = attendance.groupby("partner_id")["date"].min().dt.year.rename("first_year")
    rows = attendance.loc[attendance["event_id"].isin(window["event_id"])].copy()
    rows["year"] = rows["date"].dt.year
    rows = rows.merge(first_seen, left_on="partner_id", right_index=True, how="left")

    years: list[dict[str, Any]] = []
    for year in sorted(window["date"].dt.year.unique()):
        in_year = rows.loc[rows["year"] == year]
        stats = _participant_stats(in_year)
        stats["events"] = int((window["date"].dt.year == year).sum())
        people = in_year.drop_duplicates("partner_id")
        first = int((people["first_year"] == year).sum())
        entry: dict[str, Any] = {"year": int(year)}
        entry.update(stats)
        entry["first_time"] = first
        entry["repeat"] = len(people) - first
        entry["first_time_share"] = _share(first, len(people))
        years.append(entry)

    overall = _participant_stats(rows) if len(rows) else _participant_stats(rows.iloc[0:0])
    overall["events"] = len(window)
    members = active_partners(ds, day)
    per_partner = rows.groupby("partner_id").size()
    counts = per_partner.reindex(members["partner_id"]).fillna(0).to_numpy()
    overall["gini_partners"] = gini(counts)
    # Who attends everything: the most frequent participants and their share of the events.
    top = per_partner.sort_index().sort_values(ascending=False, kind="mergesort").head(TOP)
    names = ds.partners.set_index("partner_id")["name"]
    kinds = ds.partners.set_index("partner_id")["membership"]
    overall["most_active"] = [
        {
            "partner_id": str(pid),
            "name": str(names.get(pid, "")),
            "membership": str(kinds.get(pid, "")),
            "events": int(n),
            "share_of_events": float(n / len(window)) if len(window) else None,
        }
        for pid, n in top.items()
    ]
    overall["active_partners"] = len(members)
    overall["attending_partners"] = int((counts > 0).sum())

    seats = ds.memberships
    if program is not None:
        seats = seats.loc[
            seats["committee_id"].isin(committees(ds, program=program)["committee_id"])
        ]
    # A seat counts as taking part when it is active on some day of the window (start, as_of]:
    # it began by as_of and ends after the window's first day.
    first_day = None if start is None else start + pd.Timedelta(days=1)
    seated = seats["since"].isna() | (seats["since"] <= day)
    if first_day is not None:
        seated &= seats["until"].isna() | (seats["until"] > first_day)
    took_part = set(rows["partner_id"]) | set(seats.loc[seated, "partner_id"])
    idle = members.loc[~members["partner_id"].isin(took_part)]
    inactive = [
        {
            "partner_id": str(r.partner_id),
            "name": str(r.name),
            "sector": str(r.sector),
            "country": str(r.country),
            "region": str(r.region),
        }
        for r in idle.sort_values("partner_id").itertuples(index=False)
    ]
    overall["inactive"] = len(inactive)
    return Reach(
        as_of=day.date().isoformat(),
        since=None if start is None else start.date().isoformat(),
        program=program,
        years=years,
        overall=overall,
        inactive=inactive,
        method={
            "window": "since < date <= as_of",
            "participants": "distinct organisations attending (Partners and Guests)",
            "first_time": "first attendance ever, up to as_of, falls in the year",
            "gini": "Gini of attendance counts among participants (gini_partners: among all "
            "Partners active on as_of, zeros included)",
            "inactive": "Partners active on as_of with no attendance and no committee seat in "
            "the window",
        },
    )
