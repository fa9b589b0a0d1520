"""The planner's inputs, checked once: a :class:`Request` the rest of the planner trusts."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from analysis.dimensions import is_multi_valued
from analysis.snapshot import DateLike, active_partners, event_attendees, to_timestamp
from core.errors import RequestError
from core.model import Dataset
from core.window import Window

__all__ = ["DEFAULT_WEIGHTS", "Request", "TargetsLike", "check_request", "ids", "targets_frame"]

#: Dimension -> weight of its gaps. Country is not here: a room cannot hold every country, so
#: country only breaks ties (a country new to the room) and caps, unless targets name countries.
DEFAULT_WEIGHTS: dict[str, float] = {
    "sector": 1.0,
    "region": 1.0,
    "global_south": 1.0,
}

TargetsLike: TypeAlias = pd.DataFrame | Mapping[str, Mapping[str, float]] | None


@dataclass(frozen=True)
class Request:
    """What to plan, every value checked: the room, the window, the options."""

    event_id: str | None
    window: Window
    room_ids: tuple[str, ...]
    invited: tuple[str, ...]
    include: tuple[str, ...]
    exclude: tuple[str, ...]
    size: int
    weights: Mapping[str, float]
    max_per_country: int | None
    max_per_sector: int | None
    fatigue_window_days: int
    prefer_first_timers: bool
    allow_guests: bool
    targets: pd.DataFrame | None
    targets_source: str
    threshold: float
    today: pd.Timestamp
    exact: bool
    topics: tuple[str, ...] = ()
    host_region: str | None = None

    @property
    def day(self) -> pd.Timestamp:
        return self.window.as_of

    @property
    def caps(self) -> dict[str, int]:
        """Dimension -> cap on the whole room, for the caps that are set."""
        both = {"country": self.max_per_country, "sector": self.max_per_sector}
        return {k: v for k, v in both.items() if v is not None}


def check_size(size: Any) -> int:
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)):
        raise ValueError(f"size must be an integer >= 0, got {size!r}")
    if size < 0:
        raise ValueError(f"size must be at least 0 (0 evaluates the room), got {size}")
    return int(size)


def check_cap(name: str, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1 or None, got {value!r}")
    return int(value)


def check_number(name: str, value: Any, *, minimum: float = 0.0) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float, np.integer, np.floating))
        or math.isnan(value)
        or math.isinf(value)
        or value < minimum
    ):
        raise ValueError(f"{name} must be a finite number >= {minimum:g}, got {value!r}")
    return float(value)


def check_weights(ds: Dataset, weights: Mapping[str, float] | None) -> dict[str, float]:
    chosen = dict(DEFAULT_WEIGHTS if weights is None else weights)
    if not isinstance(chosen, dict) or not chosen:
        raise ValueError(f"weights must map dimension -> weight, got {weights!r}")
    out: dict[str, float] = {}
    for dim, w in chosen.items():
        if dim not in ds.partners.columns:
            raise ValueError(
                f"weights names {dim!r}, which is not a partner column "
                f"(have {sorted(ds.partners.columns)})"
            )
        value = check_number(f"weights[{dim!r}]", w)
        if value > 0 and is_multi_valued(ds.partners, str(dim)):
            # seats are counted per person in one category; a partner in several values of a
            # column would fill several seats at once, so such a column only weighs relevance
            raise ValueError(
                f"weights names {dim!r}, which holds several values per partner (a;b): the "
                "planner fills seats of single-valued columns; focus areas already count as "
                "relevance to the event's topics"
            )
        if value > 0:  # a zero weight switches a dimension off
            out[str(dim)] = value
    if not out:
        raise ValueError(f"weights must give at least one dimension a weight > 0, got {weights!r}")
    return out


def ids(values: Iterable[str] | str | None) -> tuple[str, ...]:
    """Ids in order, trimmed, without repeats; a string is a comma list typed by a person.

    >>> ids(" p1, p2,,p1")
    ('p1', 'p2')
    """
    if values is None:
        return ()
    if isinstance(values, str):
        values = values.split(",")
    out: list[str] = []
    for v in values:
        text = str(v).strip()
        if text and text not in out:
            out.append(text)
    return tuple(out)


def targets_frame(ds: Dataset, targets: TargetsLike) -> pd.DataFrame | None:
    """Targets as a DataFrame of ``dimension, group, min_share`` (None: the dataset's table)."""
    if targets is None:
        return ds.targets if len(ds.targets) else None
    if isinstance(targets, pd.DataFrame):
        return targets if len(targets) else None
    if isinstance(targets, Mapping):
        rows = [
            {"dimension": dim, "group": group, "min_share": float(share)}
            for dim, groups in targets.items()
            for group, share in groups.items()
        ]
        return pd.DataFrame(rows) if rows else None
    raise ValueError(
        f"targets must be a DataFrame or {{dimension: {{group: share}}}}, got {targets!r}"
    )


def _unknown_ids(ds: Dataset, event_id: str | None, lists: Mapping[str, tuple[str, ...]]) -> None:
    problems: list[str] = []
    if event_id is not None and event_id not in set(ds.events["event_id"]):
        problems.append(f"unknown event id {event_id!r}")
    known = set(ds.partners["partner_id"])
    for what, values in lists.items():
        bad = [i for i in values if i not in known]
        if bad:
            problems.append(f"unknown partner ids in {what}: {', '.join(bad)}")
    if problems:
        raise RequestError("; ".join(problems))


def _labels(value: Any) -> tuple[str, ...]:
    """A multi-valued cell (a tuple of labels, or a ``;`` list) as trimmed labels."""
    if isinstance(value, str):
        value = value.split(";")
    if not isinstance(value, (tuple, list)):
        return ()
    return tuple(dict.fromkeys(str(v).strip() for v in value if str(v).strip()))


def _event_facts(
    ds: Dataset, event_id: str | None, date: DateLike | None, program: str | None
) -> tuple[Window, tuple[str, ...], str | None]:
    """The plan's window (the convening's day and program), the event's topics and region."""
    topics: tuple[str, ...] = ()
    region: str | None = None
    if event_id is not None:
        row = ds.events.loc[ds.events["event_id"] == event_id].iloc[0]
        if program is None and isinstance(row.get("program"), str):
            program = row["program"]
        topics = _labels(row.get("topics"))
        got = row.get("region")
        region = got if isinstance(got, str) and got.strip() else None
        if date is None:
            if pd.isna(row["date"]):
                raise RequestError(f"event {event_id!r} has no date: give one")
            date = row["date"]
    window = Window.of(as_of=to_timestamp(date, name="date"), program=program)
    return window, topics, region


def _check_include(
    ds: Dataset, window: Window, room: tuple[str, ...], include: tuple[str, ...],
    exclude: tuple[str, ...],
) -> None:
    day = window.as_of
    active_ids = set(active_partners(ds, day, membership=None)["partner_id"])
    problems: list[str] = []
    for bad, problem in (
        ([i for i in include if i in set(exclude)], "both included and excluded"),
        ([i for i in include if i not in active_ids], f"not active on {day.date()}"),
        ([i for i in include if i in set(room)], "already in the room"),
    ):
        if bad:
            problems.append(f"cannot include {', '.join(bad)}: {problem}")
    if problems:
        raise RequestError("; ".join(problems))


def check_request(ds: Dataset, options: Mapping[str, Any]) -> Request:
    """Check :func:`analysis.planner.recommend`'s keyword arguments and build the request.

    Raises ``ValueError`` for a malformed option (named) and
    :class:`~core.errors.RequestError` for ids the data does not hold (all of them named).
    """
    size = check_size(options["size"])
    max_country = check_cap("max_per_country", options["max_per_country"])
    max_sector = check_cap("max_per_sector", options["max_per_sector"])
    fatigue_days = int(check_number("fatigue_window_days", options["fatigue_window_days"]))
    weights = check_weights(ds, options["weights"])
    event_id = options["event_id"]
    if event_id is None and options["date"] is None:
        raise ValueError(
            "give an event_id, or a date (and a draft invite list) for a new convening"
        )
    invited, include, exclude = (ids(options[k]) for k in ("invited", "include", "exclude"))
    _unknown_ids(ds, event_id, {"invited": invited, "include": include, "exclude": exclude})
    window, topics, region = _event_facts(ds, event_id, options["date"], options["program"])
    room: list[str] = []
    if event_id is not None:
        room = event_attendees(ds, event_id)["partner_id"].tolist()
    room += [i for i in invited if i not in room]
    _check_include(ds, window, tuple(room), include, exclude)
    targets = targets_frame(ds, options["targets"])
    source = "given" if options["targets"] is not None else (
        "dataset" if targets is not None else "none")
    return Request(
        event_id=event_id, window=window, room_ids=tuple(room), invited=invited,
        include=include, exclude=exclude, size=size, weights=weights,
        max_per_country=max_country, max_per_sector=max_sector,
        fatigue_window_days=fatigue_days,
        prefer_first_timers=bool(options["prefer_first_timers"]),
        allow_guests=bool(options["allow_guests"]), targets=targets, targets_source=source,
        threshold=check_number("threshold", options["threshold"]),
        today=to_timestamp(options["today"], name="today"), exact=bool(options["exact"]),
        topics=topics, host_region=region,
    )
