"""Period over period: what changed between ``since`` and ``as_of``.

- ``new_partners``: Partners active on ``as_of`` who were not active on ``since``;
- ``departures``: Partners active on ``since`` who are not active on ``as_of``;
- ``totals``: the membership totals on each day and their difference (partners, countries, and
  per category of every dimension: sector, region, sub-region, Global South and any dimension
  asked for, with partners of unknown value under "Unknown");
- ``gaps_opened`` / ``gaps_closed``: committee gaps (committee, dimension, category, direction)
  present on ``as_of`` but not on ``since``, and the reverse; ``gaps_persisting`` counts the
  rest. Committees are compared because they persist; events differ from one window to the next.
  Each day's committee tests are one family for the q-values; small committees are not tested.
- ``events``: convenings in the window ``(since, as_of]``.

Both days go through :mod:`analysis.snapshot`, so the interval rules are the same as everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from analysis.diversity import membership_totals, plural
from analysis.gaps import DEFAULT_ALPHA, DEFAULT_DIMENSIONS, DEFAULT_MIN_ROOM, group_gaps
from analysis.snapshot import DateLike, active_partners, events_in_window, to_timestamp
from core.errors import RequestError
from core.model import Dataset

__all__ = ["Changes", "changes"]

_PARTNER_FIELDS = ("partner_id", "name", "sector", "country", "region")
#: Dimensions whose totals are always compared, before those the caller asks for.
TOTAL_DIMENSIONS: tuple[str, ...] = ("sector", "region", "subregion", "global_south")
_GAP_FIELDS = ("count", "size", "ratio", "missing", "p_value", "q_value", "significant")


@dataclass(frozen=True)
class Changes:
    """What changed from ``since`` to ``as_of``."""

    since: str
    as_of: str
    program: str | None
    new_partners: list[dict[str, Any]]
    departures: list[dict[str, Any]]
    totals: dict[str, Any]
    gaps_opened: list[dict[str, Any]]
    gaps_closed: list[dict[str, Any]]
    gaps_persisting: int
    events: int
    method: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "since": self.since,
            "as_of": self.as_of,
            "program": self.program,
            "new_partners_count": len(self.new_partners),
            "new_partners": [dict(p) for p in self.new_partners],
            "departures_count": len(self.departures),
            "departures": [dict(p) for p in self.departures],
            "totals": self.totals,
            "gaps_opened": [dict(g) for g in self.gaps_opened],
            "gaps_closed": [dict(g) for g in self.gaps_closed],
            "gaps_persisting": self.gaps_persisting,
            "events": self.events,
            "method": dict(self.method),
        }

    def sentences(self) -> list[str]:
        """The changes in plain words."""
        t = self.totals
        out = [
            f"From {self.since} to {self.as_of}: {len(self.new_partners)} new partners, "
            f"{len(self.departures)} departures; partners {t['before']['partners']} -> "
            f"{t['after']['partners']}, countries {t['before']['countries']} -> "
            f"{t['after']['countries']}."
        ]
        for verb, rows in (("opened", self.gaps_opened), ("closed", self.gaps_closed)):
            for g in rows:
                out.append(f"Gap {verb}: {g['name']} — {g['group']} ({g['dimension']}).")
        return out


def _people(frame: pd.DataFrame) -> list[dict[str, Any]]:
    rows = frame.sort_values("partner_id", kind="mergesort")
    return [{f: str(getattr(r, f)) for f in _PARTNER_FIELDS} for r in rows.itertuples(index=False)]


def _delta(before: dict[str, Any], after: dict[str, Any]) -> dict[str, int]:
    labels = sorted(set(before) | set(after))
    out = {k: int(after.get(k, 0)) - int(before.get(k, 0)) for k in labels}
    return {k: v for k, v in out.items() if v != 0}


def _committee_gap_keys(
    ds: Dataset,
    day: pd.Timestamp,
    program: str | None,
    dims: Sequence[str],
    options: dict[str, Any],
) -> pd.DataFrame:
    found = group_gaps(ds, day, dims, program=program, kinds=("committee",), **options)
    found = found.loc[found["kind"] == "committee"]
    return found[["group_id", "dimension", "group", "direction", *_GAP_FIELDS]]


def _totals(
    ds: Dataset, start: pd.Timestamp, day: pd.Timestamp, dims: Sequence[str]
) -> dict[str, Any]:
    """Totals on both days and their differences, for every dimension."""
    every = list(dict.fromkeys([*TOTAL_DIMENSIONS, *dims]))
    before = membership_totals(ds, start, every)
    after = membership_totals(ds, day, every)
    keys = ["partners", "countries", *(plural(d) for d in every)]
    totals: dict[str, Any] = {
        "before": {k: before[k] for k in keys},
        "after": {k: after[k] for k in keys},
        "partners": after["partners"] - before["partners"],
        "countries": after["countries"] - before["countries"],
    }
    for dim in every:
        totals[plural(dim)] = _delta(before[plural(dim)], after[plural(dim)])
    return totals


def changes(
    ds: Dataset,
    *,
    since: DateLike,
    as_of: DateLike | None = None,
    program: str | None = None,
    dimensions: Sequence[str] = DEFAULT_DIMENSIONS,
    threshold: float = 0.8,
    min_room: int = DEFAULT_MIN_ROOM,
    alpha: float = DEFAULT_ALPHA,
) -> Changes:
    """Compare the network on ``since`` with the network on ``as_of``.

    Parameters
    ----------
    ds : Dataset
    since : date-like
        The earlier day (required).
    as_of : date-like, optional
        The later day; default today.
    program : str, optional
        Only committees (for gaps) and events of this program.
    dimensions : sequence of str, default ("sector", "region", "global_south")
        Dimensions for the committee gaps, compared in the totals too (after sector, region,
        sub-region and Global South).
    threshold, min_room, alpha
        As in :func:`analysis.gaps.find_gaps`.

    Returns
    -------
    Changes
    """
    start = to_timestamp(since, name="since")
    day = to_timestamp(as_of)
    if start >= day:
        raise RequestError(f"since ({start.date()}) must be before as_of ({day.date()})")
    then = active_partners(ds, start)
    now = active_partners(ds, day)
    new = now.loc[~now["partner_id"].isin(then["partner_id"])]
    gone = then.loc[~then["partner_id"].isin(now["partner_id"])]

    dims = list(dimensions)
    totals = _totals(ds, start, day, dims)
    options = {"threshold": threshold, "min_room": min_room, "alpha": alpha}
    old_gaps = _committee_gap_keys(ds, start, program, dims, options)
    new_gaps = _committee_gap_keys(ds, day, program, dims, options)
    key = ["group_id", "dimension", "group", "direction"]
    both = old_gaps.merge(
        new_gaps, on=key, how="outer", suffixes=("_before", "_after"), indicator=True
    )
    names = ds.committees.set_index("committee_id")["name"].to_dict()

    def listed(side: str, suffix: str) -> list[dict[str, Any]]:
        part = both.loc[both["_merge"] == side].sort_values(key, kind="mergesort")
        return [
            {
                "committee_id": str(r["group_id"]),
                "name": str(names.get(r["group_id"], "")),
                "dimension": str(r["dimension"]),
                "group": str(r["group"]),
                "direction": str(r["direction"]),
                "count": int(r[f"count_{suffix}"]),
                "size": int(r[f"size_{suffix}"]),
                "ratio": float(r[f"ratio_{suffix}"]),
                "missing": bool(r[f"missing_{suffix}"]),
                "p_value": float(r[f"p_value_{suffix}"]),
                "q_value": float(r[f"q_value_{suffix}"]),
                "significant": bool(r[f"significant_{suffix}"]),
            }
            for _, r in part.iterrows()
        ]

    events = events_in_window(ds, as_of=day, since=start, program=program)
    return Changes(
        since=start.date().isoformat(),
        as_of=day.date().isoformat(),
        program=program,
        new_partners=_people(new),
        departures=_people(gone),
        totals=totals,
        gaps_opened=listed("right_only", "after"),
        gaps_closed=listed("left_only", "before"),
        gaps_persisting=int((both["_merge"] == "both").sum()),
        events=len(events),
        method={
            "partners": "Partners active on each day (joined <= d < left)",
            "gaps": "committee gaps on since versus on as_of, keyed by committee, dimension, "
            "category and direction; q-values over each day's committee tests",
            "totals": "every dimension; partners of unknown value under Unknown",
            "events": "since < date <= as_of",
        },
    )
