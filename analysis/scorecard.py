"""The Theory of Change scorecard: did this year's convenings bring diverse stakeholders together?

One entry per calendar year that has events in the window (``since < date <= as_of``):

- ``convenings``: events that year; ``recorded``: those with any attendance recorded;
- ``all_sectors_share``: share of them whose attendees (Guests included) cover *every* sector
  present among the Partners active on the event's date;
- ``global_south_share``: share with at least one attendee from a Global South country.

Both shares are taken over the ``recorded`` convenings: an event with no attendance rows (the
public PAI roster has many) has an unknown room, not an empty one, so it is not counted as
lacking anyone; when no convening of a year has a record, both shares are ``None`` and the
summary says so.
- ``industry_seat_share``: Industry's share of committee seats (memberships) active at the
  year's end (31 December), or on ``as_of`` for the year of ``as_of``; a seat counts when its
  holder is active on that day too.

Each entry carries the counts behind the shares, the change from the previous entry
(``change``) and a sentence a leader can quote (``summary``). :attr:`Scorecard.summary` is the
whole story in a few sentences and :attr:`Scorecard.trend` compares the first and last years.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from analysis.diversity import category_label
from analysis.labels import percent
from analysis.snapshot import (
    DateLike,
    active_counts_on,
    active_memberships,
    counted_partners,
    events_in_window,
    to_timestamp,
)
from core.model import Dataset

__all__ = [
    "Scorecard", "by_program", "event_mix", "scorecard", "summarise", "trend_of", "year_sentence",
]

FIGURES: tuple[str, ...] = ("all_sectors_share", "global_south_share", "industry_seat_share")


@dataclass(frozen=True)
class Scorecard:
    """Scorecard entries (oldest first), their trend and a plain-words summary."""

    entries: list[dict[str, Any]]
    trend: dict[str, Any]
    summary: str
    as_of: str
    program: str | None = None
    method: dict[str, Any] = field(default_factory=dict)

    def to_list(self) -> list[dict[str, Any]]:
        """The ``scorecard`` value of the report JSON."""
        return [dict(e) for e in self.entries]

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of,
            "program": self.program,
            "entries": self.to_list(),
            "trend": dict(self.trend),
            "summary": self.summary,
            "method": dict(self.method),
        }


def event_mix(
    ds: Dataset,
    *,
    as_of: DateLike | None = None,
    since: DateLike | None = None,
    program: str | None = None,
    attribute: str = "sector",
) -> pd.DataFrame:
    """Per event in the window: does the room cover every category, does it have Global South?

    Returns
    -------
    DataFrame
        ``[event_id, date, year, attendees, required, covered, missing, all_present,
        global_south]`` where ``required`` is how many ``attribute`` categories the Partners
        active on the event's date hold, ``covered`` how many of them the attendees hold,
        ``missing`` the absent ones (sorted tuple), ``all_present`` whether none is absent.
    """
    events = events_in_window(ds, as_of=as_of, since=since, program=program)
    columns = ["event_id", "date", "year", "attendees", "required", "covered", "missing"]
    if not len(events):
        return pd.DataFrame(columns=columns + ["all_present", "global_south"])
    partners = ds.partners
    baseline = active_counts_on(
        counted_partners(ds), events["date"], attribute, start="counted_from"
    )
    baseline.columns = [category_label(c) for c in baseline.columns]
    required = baseline.reindex(pd.DatetimeIndex(events["date"])) > 0
    required.index = pd.Index(events["event_id"].to_numpy(), name="event_id")

    rows = ds.attendance.loc[
        ds.attendance["event_id"].isin(events["event_id"]), ["event_id", "partner_id"]
    ]
    rows = rows.merge(
        partners[["partner_id", attribute, "global_south"]], on="partner_id", how="inner"
    )
    labels = rows[attribute].map(category_label)
    known = rows[attribute].notna() & (labels.str.strip() != "")
    present = pd.crosstab(rows.loc[known, "event_id"], labels[known]) > 0
    present = present.reindex(index=required.index, columns=required.columns, fill_value=False)
    absent = required & ~present
    names = np.array(required.columns, dtype=object)
    missing = [tuple(sorted(names[row])) for row in absent.to_numpy(dtype=bool)]
    gs = rows.groupby("event_id")["global_south"].any().reindex(required.index, fill_value=False)
    size = rows.groupby("event_id").size().reindex(required.index, fill_value=0)
    out = pd.DataFrame(
        {
            "event_id": events["event_id"].to_numpy(),
            "date": events["date"].to_numpy(),
            "year": events["date"].dt.year.to_numpy(),
            "attendees": size.to_numpy().astype("int64"),
            "required": required.sum(axis=1).to_numpy().astype("int64"),
            "covered": (required & present).sum(axis=1).to_numpy().astype("int64"),
            "missing": missing,
            "all_present": ~absent.any(axis=1).to_numpy(),
            "global_south": gs.to_numpy().astype(bool),
        }
    )
    return out


def _seat_share(
    ds: Dataset, day: pd.Timestamp, program: str | None, industry: str
) -> dict[str, Any]:
    seats = active_memberships(ds, day, program=program)
    sectors = seats.merge(ds.partners[["partner_id", "sector"]], on="partner_id", how="left")[
        "sector"
    ]
    total = len(sectors)
    held = int((sectors.astype(str).str.strip().str.casefold() == industry.casefold()).sum())
    return {
        "seats_on": day.date().isoformat(),
        "seats": total,
        "industry_seats": held,
        "industry_seat_share": (held / total) if total else None,
    }


def _pct(value: float | None) -> str:
    return percent(value, missing="n/a")


def _direction(now: float | None, before: float | None) -> str:
    if now is None or before is None:
        return ""
    delta = now - before
    if abs(delta) < 0.005:
        return "unchanged from"
    return "up from" if delta > 0 else "down from"


def _rooms(entry: dict[str, Any]) -> str:
    """'5 convenings' or, when some lack an attendance record, '4 recorded convenings (of 5)'."""
    n, r = entry["convenings"], entry["recorded"]
    noun = "convening" if r == 1 else "convenings"
    return f"{r} {noun}" if r == n else f"{r} {noun} with an attendance record (of {n} held)"


def _compared(
    now: float | None, before: dict[str, Any] | None, key: str, count: str, *, year: bool
) -> str:
    if before is None or now is None or before[key] is None:
        return ""
    when = f" in {before['year']}" if year else ""
    return f" ({_direction(now, before[key])} {before[count]} of {before['recorded']}{when})"


def year_sentence(entry: dict[str, Any], previous: dict[str, Any] | None) -> str:
    year = entry["year"]
    if entry["recorded"] == 0:
        n = entry["convenings"]
        held = f"{n} convening was" if n == 1 else f"{n} convenings were"
        parts = [f"In {year}, {held} held but no attendance was recorded"]
    else:
        parts = [
            f"In {year}, {entry['all_sectors']} of {_rooms(entry)} had every sector in the room"
            + _compared(
                entry["all_sectors_share"], previous, "all_sectors_share", "all_sectors", year=True
            ),
            f"{entry['global_south']} of {entry['recorded']} had Global South voices"
            + _compared(
                entry["global_south_share"],
                previous,
                "global_south_share",
                "global_south",
                year=False,
            ),
        ]
    if entry["industry_seat_share"] is None:
        parts.append("no committee seats were filled")
    else:
        seats = (
            f"Industry held {_pct(entry['industry_seat_share'])} of committee seats "
            f"({entry['industry_seats']} of {entry['seats']})"
        )
        if previous is not None and previous["industry_seat_share"] is not None:
            word = _direction(entry["industry_seat_share"], previous["industry_seat_share"])
            seats += f", {word} {_pct(previous['industry_seat_share'])}"
        parts.append(seats)
    return "; ".join(parts) + "."


def scorecard(
    ds: Dataset,
    *,
    as_of: DateLike | None = None,
    since: DateLike | None = None,
    program: str | None = None,
    industry: str = "Industry",
) -> Scorecard:
    """The per-year scorecard of DESIGN.md (``report`` JSON key ``scorecard``).

    Parameters
    ----------
    ds : Dataset
    as_of : date-like, optional
        Last day counted; default today. Seats of the year of ``as_of`` are counted on it.
    since : date-like, optional
        Only events after this day.
    program : str, optional
        Only events and committees of this program.
    industry : str, default "Industry"
        The sector label whose seat share is tracked (matched case-insensitively).

    Returns
    -------
    Scorecard
    """
    day = to_timestamp(as_of)
    mix = event_mix(ds, as_of=day, since=since, program=program)
    entries: list[dict[str, Any]] = []
    previous: dict[str, Any] | None = None
    for year, part in mix.groupby("year", sort=True):
        n = len(part)
        # A convening without attendance rows cannot be judged: its room is unknown, not empty.
        judged = part.loc[part["attendees"] > 0]
        r = len(judged)
        full = int(judged["all_present"].sum())
        south = int(judged["global_south"].sum())
        year_end = pd.Timestamp(year=int(year), month=12, day=31)
        seats_day = min(year_end, day)
        entry: dict[str, Any] = {
            "year": int(year),
            "convenings": n,
            "recorded": r,
            "all_sectors": full,
            "all_sectors_share": full / r if r else None,
            "global_south": south,
            "global_south_share": south / r if r else None,
        }
        entry.update(_seat_share(ds, seats_day, program, industry))
        missed: dict[str, int] = {}
        for gone in judged["missing"]:
            for label in gone:
                missed[label] = missed.get(label, 0) + 1
        entry["sectors_most_often_missing"] = dict(
            sorted(missed.items(), key=lambda kv: (-kv[1], kv[0]))
        )
        entry["change"] = {
            f: (
                None
                if previous is None or entry[f] is None or previous[f] is None
                else entry[f] - previous[f]
            )
            for f in FIGURES
        }
        entry["summary"] = year_sentence(entry, previous)
        entries.append(entry)
        previous = entry
    trend = trend_of(entries)
    return Scorecard(
        entries=entries,
        trend=trend,
        summary=summarise(entries, trend),
        as_of=day.date().isoformat(),
        program=program,
        method={
            "window": "since < date <= as_of",
            "all_sectors": "attendees (Guests included) cover every sector held by the Partners "
            "active on the event's date; shares over convenings with attendance recorded",
            "global_south": "at least one attendee from a Global South country",
            "industry_seat_share": f"{industry!r} share of committee seats active on 31 December "
            "(on as_of for its own year), seat holder active",
        },
    )


def trend_of(entries: list[dict[str, Any]]) -> dict[str, Any]:
    if not entries:
        return {"first_year": None, "last_year": None}
    first, last = entries[0], entries[-1]
    out: dict[str, Any] = {"first_year": first["year"], "last_year": last["year"]}
    for f in FIGURES:
        a, b = first[f], last[f]
        out[f] = {
            "first": a,
            "last": b,
            "change": None if a is None or b is None else b - a,
            "direction": _word(a, b, lower_is_better=f == "industry_seat_share"),
        }
    return out


def _word(a: float | None, b: float | None, *, lower_is_better: bool) -> str:
    if a is None or b is None:
        return "unknown"
    if abs(b - a) < 0.005:
        return "steady"
    better = (b < a) if lower_is_better else (b > a)
    return "improving" if better else "worsening"


def summarise(entries: list[dict[str, Any]], trend: dict[str, Any]) -> str:
    if not entries:
        return "No convenings in the period."
    text = [entries[-1]["summary"]]
    if len(entries) > 1:
        first, last = trend["first_year"], trend["last_year"]
        clauses = []
        for key, words in (
            ("all_sectors_share", "the share of convenings with every sector"),
            ("global_south_share", "the share with Global South voices"),
            ("industry_seat_share", "Industry's share of committee seats"),
        ):
            t = trend[key]
            if t["direction"] != "unknown":  # a year without records cannot anchor a trend
                clauses.append(
                    f"{words} went from {_pct(t['first'])} to {_pct(t['last'])} ({t['direction']})"
                )
        if clauses:
            text.append(f"From {first} to {last}, " + "; ".join(clauses) + ".")
    missed = entries[-1]["sectors_most_often_missing"]
    if missed:
        label, times = next(iter(missed.items()))
        text.append(
            f"The sector most often absent in {entries[-1]['year']} was {label} "
            f"({times} of {entries[-1]['recorded']} convenings)."
        )
    return " ".join(text)


def by_program(
    ds: Dataset,
    *,
    as_of: DateLike | None = None,
    since: DateLike | None = None,
    industry: str = "Industry",
) -> list[dict[str, Any]]:
    """The scorecard's figures per program over the whole window, to compare programs.

    One entry per program that has committees or events (``""`` = no program), sorted by name:
    ``convenings``, ``recorded``, ``all_sectors_share``, ``global_south_share`` (over the
    recorded convenings, as in :func:`scorecard`), ``mean_attendees``, and the committees'
    ``industry_seat_share`` on ``as_of``.
    """
    day = to_timestamp(as_of)
    mix = event_mix(ds, as_of=day, since=since)
    programs = ds.events.set_index("event_id")["program"]
    mix = mix.assign(program=mix["event_id"].map(programs).fillna(""))
    names = sorted(set(ds.events["program"]) | set(ds.committees["program"]))
    out = []
    for name in names:
        part = mix.loc[mix["program"] == name]
        judged = part.loc[part["attendees"] > 0]
        r = len(judged)
        # program "" selects the committees filed under no program, as for events.
        seats = _seat_share(ds, day, name, industry)
        out.append(
            {
                "program": name,
                "convenings": len(part),
                "recorded": r,
                "all_sectors_share": float(judged["all_present"].mean()) if r else None,
                "global_south_share": float(judged["global_south"].mean()) if r else None,
                "mean_attendees": float(judged["attendees"].mean()) if r else None,
                "seats": seats["seats"],
                "industry_seat_share": seats["industry_seat_share"],
            }
        )
    return out
