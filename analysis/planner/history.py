"""How long each gap has recurred: the program's last convenings in a row that had it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from analysis.gaps import group_gaps
from core.model import Dataset
from core.window import Window

__all__ = ["HISTORY_CONVENINGS", "History", "gap_history"]

#: How many of the program's latest convenings before the date are looked at.
HISTORY_CONVENINGS = 10


@dataclass(frozen=True)
class History:
    """The program's convenings looked at (latest first) and each gap's run of them.

    ``streaks`` maps ``(dimension, category)`` to the number of those convenings, counted
    from the latest backwards, that had the category as a gap (missing, or below ``threshold``
    times its expected share), until the first that did not.
    """

    program: str | None
    events: tuple[str, ...]
    streaks: dict[tuple[str, str], int]

    def streak(self, dimension: str, category: str) -> int:
        return self.streaks.get((dimension, category), 0)


def program_convenings(
    ds: Dataset, window: Window, skip_event: str | None, limit: int = HISTORY_CONVENINGS
) -> pd.DataFrame:
    """The program's dated convenings before the window's day that someone attended, latest first.

    Empty when the window has no program: a convening outside any program has no series.
    """
    if window.program is None:
        return ds.events.iloc[0:0]
    events = ds.events
    mask = events["date"].notna() & (events["date"] < window.as_of)
    mask &= events["program"].map(window.matches_program).astype(bool)
    mask &= events["event_id"].isin(set(ds.attendance["event_id"]))
    if skip_event is not None:
        mask &= events["event_id"] != skip_event
    found = events.loc[mask].sort_values(["date", "event_id"], ascending=False, kind="mergesort")
    return found.head(limit)


def gap_history(
    ds: Dataset,
    window: Window,
    *,
    skip_event: str | None,
    dimensions: Sequence[str],
    targets: pd.DataFrame | None,
    threshold: float,
) -> History:
    """Each category's run of gaps over the program's latest convenings (see :class:`History`).

    The gaps are :func:`analysis.gaps.group_gaps`' (the report's): the same baseline, targets
    and threshold.
    """
    events = program_convenings(ds, window, skip_event)
    if not len(events):
        return History(program=window.program, events=(), streaks={})
    program = str(events["program"].iloc[0])  # the data's own spelling of the program
    found = group_gaps(
        ds, window.as_of - pd.Timedelta(days=1), list(dimensions), program=program,
        targets=targets if targets is not None else ds.targets.iloc[0:0], threshold=threshold,
        kinds=("event",), min_room=1,  # a short room still counts in a run of gaps
    )
    by_event = found.groupby("group_id")[["dimension", "group"]]
    gaps_of = {str(e): set(map(tuple, rows.to_numpy().tolist())) for e, rows in by_event}
    streaks: dict[tuple[str, str], int] = {}
    open_runs: set[tuple[str, str]] | None = None  # gaps unbroken since the latest convening
    for event_id in events["event_id"].astype(str):
        here = gaps_of.get(event_id, set())
        open_runs = here if open_runs is None else open_runs & here
        if not open_runs:
            break
        for key in open_runs:
            streaks[key] = streaks.get(key, 0) + 1
    return History(
        program=window.program, events=tuple(events["event_id"].astype(str)), streaks=streaks
    )
