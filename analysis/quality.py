"""Data quality: what the records leave unknown on a date, and what each gap does to the figures.

Every finding counts something the figures cannot see and says, in plain words, how the analysis
treats it (DESIGN.md, "The dataset"):

- ``unknown_join_date``: Partners with an empty ``joined``. Each counts from its first evidence
  (:func:`analysis.snapshot.partner_starts`); ``left_out`` are those not counted on ``as_of``
  for that reason alone;
- ``unknown_country``: Partners active on ``as_of`` without a country: in the totals, "Unknown"
  in every geographic dimension and outside those baselines;
- ``undated_seats``: committee seats (of the program) without a ``since`` date;
- ``convenings_without_attendance``: events held in the window with no attendance row;
- ``planned_events``: events of the program dated after ``as_of`` or whose ``status`` says
  planned or cancelled: never counted as held.

Before the first dated fact of the dataset nobody is counted, and :attr:`DataQuality.note` says
why.

>>> import pandas as pd
>>> from core.model import Dataset
>>> ds = Dataset.from_frames(partners=pd.DataFrame({"partner_id": ["a", "b"], "name": ["A", "B"],
...     "sector": ["X", "Y"], "country": ["KEN", ""], "joined": ["2016-09-28", None]}))
>>> dq = data_quality(ds, as_of="2016-01-01")
>>> dq.note
'The data holds no dated fact before 2016-09-28: on 2016-01-01 no partner is counted.'
>>> data_quality(ds, as_of="2020-01-01").unknown_country.count
1
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis.diversity import labels_of
from analysis.snapshot import (
    DateLike,
    active_partners,
    committees,
    events_in_window,
    not_held_mask,
    partner_starts,
    program_mask,
    to_timestamp,
)
from core.model import PARTNER, Dataset

__all__ = ["DataQuality", "Finding", "data_quality", "left_out"]


@dataclass(frozen=True)
class Finding:
    """One kind of missing record: how many (``None`` when too few to publish), which, what it
    is (``subject``) and what it does to the figures (``effect``, free of any count)."""

    count: int | None
    ids: tuple[str, ...]
    subject: str
    effect: str

    @property
    def sentence(self) -> str:
        """``"Subject: 3. Effect"``; without the number when it is not published."""
        count = "fewer than the minimum cell size" if self.count is None else str(self.count)
        return f"{self.subject}: {count}. {self.effect}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "ids": list(self.ids),
            "effect": self.effect,
            "sentence": self.sentence,
        }

    def record(self) -> dict[str, Any]:
        return self.to_dict()


@dataclass(frozen=True)
class DataQuality:
    """The data-quality section of a report on ``as_of`` (window and program as the report's)."""

    as_of: str
    first_evidence: str | None
    roster_date: str | None
    note: str | None
    unknown_join_date: Finding
    left_out: Finding
    unknown_country: Finding
    undated_seats: Finding
    convenings_without_attendance: Finding
    planned_events: Finding

    def findings(self) -> dict[str, Finding]:
        return {
            "unknown_join_date": self.unknown_join_date,
            "left_out": self.left_out,
            "unknown_country": self.unknown_country,
            "undated_seats": self.undated_seats,
            "convenings_without_attendance": self.convenings_without_attendance,
            "planned_events": self.planned_events,
        }

    def sentences(self) -> list[str]:
        """The note (if any), then the effect of every finding with a count above 0."""
        out = [self.note] if self.note else []
        return out + [f.sentence for f in self.findings().values() if f.count != 0]

    def published(self, shown: Callable[[int | None], int | None], *, ids: bool) -> DataQuality:
        """This section as a publication shows it: counts through ``shown`` (``None`` when too
        small to publish), organisation and event ids only when ``ids`` is true."""
        def one(f: Finding) -> Finding:
            count = shown(f.count)
            return dataclasses.replace(f, count=count, ids=f.ids if ids and count is not None else ())

        return dataclasses.replace(
            self,
            unknown_join_date=one(self.unknown_join_date),
            left_out=one(self.left_out),
            unknown_country=one(self.unknown_country),
            undated_seats=one(self.undated_seats),
            convenings_without_attendance=one(self.convenings_without_attendance),
            planned_events=one(self.planned_events),
        )

    def record(self) -> dict[str, Any]:
        return self.to_dict()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "as_of": self.as_of,
            "first_evidence": self.first_evidence,
            "roster_date": self.roster_date,
            "note": self.note,
        }
        out.update({key: f.to_dict() for key, f in self.findings().items()})
        out["sentences"] = self.sentences()
        return out


def _iso(value: Any) -> str | None:
    return None if pd.isna(value) else pd.Timestamp(value).date().isoformat()


def left_out(ds: Dataset, as_of: DateLike | None = None) -> pd.DataFrame:
    """Partners not counted on ``as_of`` only because their join date is unknown.

    Rows of ``ds.partners`` (Partners only) with an empty ``joined``, not yet counted on
    ``as_of`` (their first evidence is later) and not gone by then.
    """
    day = to_timestamp(as_of)
    starts = partner_starts(ds)
    partners = ds.partners
    mask = (
        (partners["membership"] == PARTNER).to_numpy()
        & partners["joined"].isna().to_numpy()
        & (starts["counted_from"] > day).to_numpy()
        & (partners["left"].isna() | (partners["left"] > day)).to_numpy()
    )
    return partners.loc[mask].reset_index(drop=True)


def _join_findings(ds: Dataset, day: pd.Timestamp) -> tuple[Finding, Finding, str | None]:
    starts = partner_starts(ds)
    roster = starts.loc[starts["basis"] == "roster", "counted_from"]
    roster_day = _iso(roster.iloc[0]) if len(roster) else None
    undated = ds.partners.loc[
        ds.partners["joined"].isna() & (ds.partners["membership"] == PARTNER), "partner_id"
    ]
    how = "from its first dated evidence (a first_seen date, a committee seat or an attendance)"
    if roster_day:
        how += f", or, with none, from {roster_day}, the latest dated fact in the data"
    unknown = Finding(
        count=len(undated),
        ids=tuple(undated),
        subject="Partners without a join date",
        effect=f"Each counts {how}; none counts from before the data starts.",
    )
    gone = left_out(ds, day)
    out = Finding(
        count=len(gone),
        ids=tuple(gone["partner_id"]),
        subject=f"Partners left out of the figures of {day.date()}",
        effect="Their join date is unknown and nothing shows they were Partners yet.",
    )
    return unknown, out, roster_day


def _country_finding(ds: Dataset, day: pd.Timestamp) -> Finding:
    members = active_partners(ds, day)
    blank = labels_of(members, "country").isna()
    ids = tuple(members.loc[blank.to_numpy(), "partner_id"])
    return Finding(
        count=len(ids),
        ids=ids,
        subject="Active Partners without a country",
        effect="They count in the totals and as Unknown in country, region, sub-region and "
        "Global South, outside the baselines and shares of those dimensions.",
    )


def _seat_finding(ds: Dataset, program: str | None) -> Finding:
    chosen = committees(ds, program=program)["committee_id"]
    seats = ds.memberships.loc[
        ds.memberships["committee_id"].isin(chosen) & ds.memberships["since"].isna()
    ]
    ids = tuple(f"{c}:{p}" for c, p in zip(seats["committee_id"], seats["partner_id"], strict=True))
    return Finding(
        count=len(ids),
        ids=ids,
        subject="Committee seats without a start date",
        effect="Each counts from its holder's start, so a committee on an early date can show "
        "members who joined it later.",
    )


def _event_findings(
    ds: Dataset, day: pd.Timestamp, since: pd.Timestamp | None, program: str | None
) -> tuple[Finding, Finding]:
    held = events_in_window(ds, as_of=day, since=since, program=program)
    empty = held.loc[~held["event_id"].isin(ds.attendance["event_id"]), "event_id"]
    silent = Finding(
        count=len(empty),
        ids=tuple(empty),
        subject="Convenings in the window without attendance recorded",
        effect="Their rooms are unknown: no composition, indices or gaps, and the scorecard's "
        "shares leave them out.",
    )
    events = ds.events.loc[program_mask(ds.events["program"], program)]
    later = events["date"].notna() & (events["date"] > day)
    planned = events.loc[later | not_held_mask(events), "event_id"]
    return silent, Finding(
        count=len(planned),
        ids=tuple(planned),
        subject=f"Events planned or cancelled (dated after {day.date()}, or so marked in status)",
        effect="They never count as held: not in the window, the scorecard, reach or the network.",
    )


def data_quality(
    ds: Dataset,
    *,
    as_of: DateLike | None = None,
    since: DateLike | None = None,
    program: str | None = None,
) -> DataQuality:
    """The data-quality findings of ``ds`` for a report on ``as_of`` (see the module docstring).

    Parameters
    ----------
    ds : Dataset
    as_of : date-like, optional
        The report's day; default today.
    since : date-like, optional
        The report's window start (excluded), for the convenings.
    program : str, optional
        Only the committees and events of this program (case-insensitive).

    Returns
    -------
    DataQuality
    """
    day = to_timestamp(as_of)
    start = None if since is None else to_timestamp(since, name="since")
    unknown, gone, roster_day = _join_findings(ds, day)
    starts = partner_starts(ds)["counted_from"]
    first = _iso(starts.min()) if starts.notna().any() else None
    note = None
    if first is not None and day < pd.Timestamp(first):
        note = (
            f"The data holds no dated fact before {first}: on {day.date()} no partner is counted."
        )
    silent, planned = _event_findings(ds, day, start, program)
    return DataQuality(
        as_of=day.date().isoformat(),
        first_evidence=first,
        roster_date=roster_day,
        note=note,
        unknown_join_date=unknown,
        left_out=gone,
        unknown_country=_country_finding(ds, day),
        undated_seats=_seat_finding(ds, program),
        convenings_without_attendance=silent,
        planned_events=planned,
    )
