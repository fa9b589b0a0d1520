"""Snapshot in time: who is active on a date, which events fall in a window.

This module is the **only** temporal filter of the analysis: every other module asks it who was
active, so that the interval rules of ../shared/DESIGN.md are written exactly once.

Interval rules (DESIGN.md, "The dataset"):

- a partner is active on day ``d`` when ``counted_from <= d < left`` (an empty ``left`` is open);
  ``counted_from`` is ``joined`` where it is known. An empty ``joined`` is *unknown*, not "since
  forever": such a partner counts from the first evidence that it was a partner — an optional
  ``first_seen`` column, its first dated committee seat, or its first attendance at a held, dated
  event, whichever is earliest. A partner with no dated evidence at all counts from the latest
  dated fact of the whole dataset (the roster lists it, so it was a partner when the roster was
  last brought up to date, which is no earlier than that fact), or from the day before its
  ``left`` date when that is earlier. See :func:`core.evidence.partner_starts`;
- a membership is active on ``d`` when ``since <= d < until`` **and** its partner is active
  on ``d``;
- an event is in the window ``(since, as_of]`` when ``since < date <= as_of``: the window is
  *exclusive* of ``since`` and *inclusive* of ``as_of``, so consecutive windows
  ``(D0, D1]``, ``(D1, D2]`` never count an event twice. With ``since=None`` the window is open
  at the start (every event dated on or before ``as_of``). An event whose optional ``status``
  says planned or cancelled is never held, whatever its date;
- program labels match case-insensitively after trimming
  (:meth:`core.window.Window.matches_program`).

Dates may be given as :class:`datetime.date`, :class:`datetime.datetime`, ISO strings or
:class:`pandas.Timestamp`; ``None`` for ``as_of`` means today.

>>> import pandas as pd
>>> from core.model import Dataset
>>> ds = Dataset.from_frames(partners=pd.DataFrame({
...     "partner_id": ["p1", "p2", "p3"], "name": ["A", "B", "C"],
...     "sector": ["Industry", "Academic", "Media"], "country": ["USA", "FRA", "KEN"],
...     "joined": ["2020-01-01", "2020-01-01", "2023-01-01"],
...     "left": [None, "2022-06-30", None]}))
>>> active_partners(ds, "2022-06-29")["partner_id"].tolist()
['p1', 'p2']
>>> active_partners(ds, "2022-06-30")["partner_id"].tolist()
['p1']
>>> active_partners(ds, "2019-12-31")["partner_id"].tolist()  # before the first dated fact
[]
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from core.errors import RequestError
from core.evidence import NOT_HELD, not_held_mask, partner_starts
from core.model import GUEST, PARTNER, Dataset
from core.window import DateLike, Window, same_program, to_timestamp

MEMBERSHIP_KINDS = (PARTNER, GUEST)

__all__ = [
    "DateLike",
    "NOT_HELD",
    "active_counts_on",
    "active_mask",
    "active_memberships",
    "active_partners",
    "committee_members",
    "committees",
    "counted_partners",
    "event_attendees",
    "events_in_window",
    "known_program",
    "not_held_mask",
    "partner_starts",
    "program_mask",
    "program_subset",
    "to_timestamp",
]

def _check_membership(membership: str | None) -> None:
    if membership is not None and membership not in MEMBERSHIP_KINDS:
        raise ValueError(
            f"membership must be one of {MEMBERSHIP_KINDS} or None, got {membership!r}"
        )


def active_mask(start: pd.Series, end: pd.Series, day: pd.Timestamp) -> pd.Series:
    """Boolean mask of rows active on ``day``: ``start <= day < end``, ``NaT`` open."""
    return (start.isna() | (start <= day)) & (end.isna() | (day < end))


def counted_partners(ds: Dataset, membership: str | None = PARTNER) -> pd.DataFrame:
    """``ds.partners`` (one ``membership`` kind, or all with ``None``) plus ``counted_from``."""
    _check_membership(membership)
    starts = partner_starts(ds)
    partners = ds.partners.assign(counted_from=starts["counted_from"].to_numpy())
    if membership is not None:
        partners = partners.loc[partners["membership"] == membership]
    return partners


def active_partners(
    ds: Dataset, as_of: DateLike | None = None, *, membership: str | None = PARTNER
) -> pd.DataFrame:
    """Partners active on ``as_of`` (``counted_from <= as_of < left``, see :func:`partner_starts`).

    Parameters
    ----------
    ds : Dataset
    as_of : date-like, optional
        The day of the snapshot; default today.
    membership : {"Partner", "Guest", None}, default "Partner"
        Keep only this kind of member; ``None`` keeps everyone (Guests too). Totals and
        committee baselines count Partners only (DESIGN.md), hence the default.

    Returns
    -------
    DataFrame
        The matching rows of ``ds.partners`` (same columns, index reset, sorted by id).
    """
    _check_membership(membership)
    day = to_timestamp(as_of)
    partners = ds.partners
    starts = partner_starts(ds)
    mask = active_mask(starts["counted_from"], starts["left"], day).to_numpy()
    if membership is not None:
        mask &= (partners["membership"] == membership).to_numpy()
    return partners.loc[mask].reset_index(drop=True)


def program_mask(labels: pd.Series, program: str | None) -> pd.Series:
    """Which program ``labels`` are ``program`` (:func:`core.window.same_program`); all if None.

    The one program filter of the analysis: committees, events and :func:`program_subset`.

    >>> program_mask(pd.Series(["Labor", " labor ", "Safety", ""]), "LABOR").tolist()
    [True, True, False, False]
    """
    if program is None:
        return pd.Series(True, index=labels.index, dtype=bool)
    return labels.map(lambda label: same_program(label, program)).astype(bool)


def committees(ds: Dataset, *, program: str | None = None) -> pd.DataFrame:
    """Committees, optionally only those of ``program`` (see :func:`program_mask`)."""
    frame = ds.committees
    if program is not None:
        frame = frame.loc[program_mask(frame["program"], program)]
    return frame.reset_index(drop=True)


def program_subset(ds: Dataset, window: Window | str | None) -> Dataset:
    """The dataset restricted to one program's committees and events (partners unchanged).

    Hands analyses that take a whole dataset (the network) the same program filter as every
    other section. ``window`` is a :class:`core.window.Window` or a program label.
    """
    program = window.program if isinstance(window, Window) else window
    if program is None:
        return ds
    chosen = ds.committees.loc[program_mask(ds.committees["program"], program)]
    events = ds.events.loc[program_mask(ds.events["program"], program)]
    return dataclasses.replace(
        ds,
        committees=chosen.reset_index(drop=True),
        memberships=ds.memberships.loc[
            ds.memberships["committee_id"].isin(chosen["committee_id"])
        ].reset_index(drop=True),
        events=events.reset_index(drop=True),
        attendance=ds.attendance.loc[
            ds.attendance["event_id"].isin(events["event_id"])
        ].reset_index(drop=True),
        # Partners keep the first evidence found in the whole dataset, whatever the program.
        _cache={"partner_starts": partner_starts(ds)},
    )


def known_program(ds: Dataset, program: str | None) -> None:
    """Refuse a program no committee or event has (:class:`RequestError` naming the known ones)."""
    if program is None:
        return
    labels = pd.concat([ds.committees["program"], ds.events["program"]], ignore_index=True)
    if not program_mask(labels, program).any():
        known = ", ".join(sorted({str(p) for p in labels if isinstance(p, str) and p.strip()}))
        raise RequestError(f"unknown program {program!r}; known: {known}")


def active_memberships(
    ds: Dataset,
    as_of: DateLike | None = None,
    *,
    program: str | None = None,
    membership: str | None = None,
) -> pd.DataFrame:
    """Committee memberships (seats) active on ``as_of`` whose partner is active too.

    Parameters
    ----------
    ds : Dataset
    as_of : date-like, optional
        Default today.
    program : str, optional
        Keep only seats on committees of this program.
    membership : {"Partner", "Guest", None}, default None
        Kind of the seat holder; ``None`` keeps every seat (a Guest may sit on a committee).

    Returns
    -------
    DataFrame
        ``ds.memberships`` rows (committee_id, partner_id, role, since, until), sorted.
    """
    day = to_timestamp(as_of)
    seats = ds.memberships
    seats = seats.loc[active_mask(seats["since"], seats["until"], day)]
    members = active_partners(ds, day, membership=membership)
    seats = seats.loc[seats["partner_id"].isin(members["partner_id"])]
    if program is not None:
        seats = seats.loc[
            seats["committee_id"].isin(committees(ds, program=program)["committee_id"])
        ]
    return seats.reset_index(drop=True)


def committee_members(
    ds: Dataset, committee_id: str, as_of: DateLike | None = None
) -> pd.DataFrame:
    """Partner rows of the members of one committee on ``as_of`` (one row per partner).

    Raises :class:`~core.errors.RequestError` for an unknown committee id.
    """
    if committee_id not in set(ds.committees["committee_id"]):
        raise RequestError(f"unknown committee id {committee_id!r}")
    seats = active_memberships(ds, as_of)
    ids = seats.loc[seats["committee_id"] == committee_id, "partner_id"].unique()
    partners = ds.partners
    return partners.loc[partners["partner_id"].isin(ids)].reset_index(drop=True)


def events_in_window(
    ds: Dataset,
    *,
    as_of: DateLike | None = None,
    since: DateLike | None = None,
    program: str | None = None,
) -> pd.DataFrame:
    """Events with ``since < date <= as_of`` (``since`` exclusive, ``as_of`` inclusive).

    Parameters
    ----------
    ds : Dataset
    as_of : date-like, optional
        Last day of the window, included; default today.
    since : date-like, optional
        The day *before* the window starts (excluded); ``None`` = from the beginning.
    program : str, optional
        Keep only events of this program (see :func:`program_mask`).

    Returns
    -------
    DataFrame
        ``ds.events`` rows sorted by date then event id. Undated events, and events whose
        ``status`` says planned or cancelled, are never in a window.
    """
    end = to_timestamp(as_of)
    events = ds.events
    mask = events["date"].notna() & (events["date"] <= end) & ~not_held_mask(events)
    if since is not None:
        start = to_timestamp(since, name="since")
        if start >= end:
            raise RequestError(f"since ({start.date()}) must be before as_of ({end.date()})")
        mask &= events["date"] > start
    if program is not None:
        mask &= program_mask(events["program"], program)
    out = events.loc[mask]
    return out.sort_values(["date", "event_id"], kind="mergesort").reset_index(drop=True)


def event_attendees(ds: Dataset, event_id: str) -> pd.DataFrame:
    """Everyone who attended ``event_id`` — Partners and Guests — as partner rows.

    The attendance ``role`` and ``attendees`` columns are added. Raises
    :class:`~core.errors.RequestError` for an unknown event id.
    """
    if event_id not in set(ds.events["event_id"]):
        raise RequestError(f"unknown event id {event_id!r}")
    rows = ds.attendance.loc[
        ds.attendance["event_id"] == event_id, ["partner_id", "role", "attendees"]
    ]
    out = ds.partners.merge(rows, on="partner_id", how="inner", validate="one_to_one")
    return out.sort_values("partner_id", kind="mergesort").reset_index(drop=True)


def active_counts_on(
    partners: pd.DataFrame,
    days: Sequence[Any] | pd.Series | np.ndarray,
    attribute: str,
    *,
    start: str = "joined",
) -> pd.DataFrame:
    """How many of ``partners`` in each ``attribute`` category are active on each of ``days``.

    The vectorised form of :func:`active_partners` for many dates at once (an event's
    baseline is the Partners active on its date): for each category the active count on ``d`` is
    ``#(joined <= d) - #(left <= d)`` among its partners, found with two binary searches, so
    thousands of event dates cost one ``searchsorted`` per category instead of a filter per date.

    Parameters
    ----------
    partners : DataFrame
        Partner rows with ``start``, ``left`` and ``attribute`` (pre-filter by membership).
    days : sequence of date-like
    attribute : str
        Column to count by; missing labels (``""``/NaN) are not counted.
    start : str, default "joined"
        The column of the first day counted: pass ``"counted_from"`` with the rows of
        :func:`counted_partners` to apply the dataset's rules for unknown join dates.

    Returns
    -------
    DataFrame
        Indexed by the distinct ``days`` (sorted Timestamps), one column per category, int64.

    >>> import pandas as pd
    >>> p = pd.DataFrame({"sector": ["A", "A", "B"],
    ...     "joined": pd.to_datetime(["2020-01-01", None, "2021-01-01"]),
    ...     "left": pd.to_datetime([None, "2020-06-01", None])})
    >>> active_counts_on(p, ["2020-03-01", "2021-03-01"], "sector").to_dict("list")
    {'A': [2, 1], 'B': [0, 1]}
    """
    if attribute not in partners.columns:
        raise ValueError(f"attribute {attribute!r} is not a column of partners")
    stamps = pd.DatetimeIndex(pd.to_datetime(pd.Series(list(days), dtype=object))).unique()
    stamps = stamps.sort_values()
    values = stamps.asi8
    labels = partners[attribute]
    known = labels.notna() & (labels.astype(str) != "")
    columns: dict[Any, np.ndarray] = {}
    frame = partners.loc[known]
    if frame[attribute].map(lambda v: isinstance(v, tuple | list)).any():
        # a multi-valued column (a;b): the partner counts in each of its values
        frame = frame.explode(attribute)
        frame = frame.loc[frame[attribute].notna() & (frame[attribute].astype(str) != "")]
    for category, part in frame.groupby(attribute, sort=True):
        # NaT start = active since forever: it always counts as "joined on or before d".
        joined = part[start]
        always = int(joined.isna().sum())
        joined_sorted = np.sort(joined.dropna().to_numpy(dtype="datetime64[ns]").astype(np.int64))
        left_sorted = np.sort(
            part["left"].dropna().to_numpy(dtype="datetime64[ns]").astype(np.int64)
        )
        started = always + np.searchsorted(joined_sorted, values, side="right")
        ended = np.searchsorted(left_sorted, values, side="right")
        columns[category] = (started - ended).astype(np.int64)
    return pd.DataFrame(columns, index=stamps)
