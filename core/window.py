"""The :class:`Window` of a question: on which day, since when, for which program.

Every report, dashboard view, plan and export asks its question of one window. It is checked once,
here, and handed on as one argument, so that "since excluded, as_of included" and "program labels
match case-insensitively" have a single source.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Any, TypeAlias

import pandas as pd

from core.errors import RequestError

DateLike: TypeAlias = _dt.date | _dt.datetime | str | pd.Timestamp


def to_timestamp(value: DateLike | None, *, name: str = "as_of") -> pd.Timestamp:
    """Turn a date-like value into a midnight :class:`pandas.Timestamp`; ``None`` is today.

    Raises :class:`~core.errors.RequestError` naming ``name`` when the value is not a date
    (users type these on the command line).

    >>> to_timestamp("2024-06-30")
    Timestamp('2024-06-30 00:00:00')
    """
    if value is None:
        return pd.Timestamp(_dt.date.today())
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise RequestError(f"{name} must be a date (YYYY-MM-DD), got {value!r}") from exc
    if pd.isna(stamp):
        raise RequestError(f"{name} must be a date (YYYY-MM-DD), got {value!r}")
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    return stamp.normalize()


def same_program(label: object, program: str) -> bool:
    """Whether a committee's or event's program ``label`` is ``program``.

    Trimmed and case-insensitive; the empty program is "filed under no program".

    >>> same_program(" labor", "Labor"), same_program("", ""), same_program(None, "Labor")
    (True, True, False)
    """
    text = "" if label is None or (isinstance(label, float) and label != label) else label
    return isinstance(text, str) and text.strip().casefold() == program.strip().casefold()


@dataclass(frozen=True)
class Window:
    """Events with ``since < date <= as_of``, memberships active on ``as_of``, one program or all.

    Build it with :meth:`Window.of`, which checks the values once (``since`` must be before
    ``as_of``; an empty program is "every program").

    >>> w = Window.of(as_of="2024-06-30", since="2023-01-01", program=" Labor ")
    >>> w.as_of, w.since, w.program
    (Timestamp('2024-06-30 00:00:00'), Timestamp('2023-01-01 00:00:00'), 'Labor')
    >>> w.matches_program("labor"), w.matches_program("Safety")
    (True, False)
    """

    as_of: pd.Timestamp
    since: pd.Timestamp | None = None
    program: str | None = None

    @classmethod
    def of(
        cls,
        *,
        as_of: DateLike | None = None,
        since: DateLike | None = None,
        program: str | None = None,
    ) -> Window:
        day = to_timestamp(as_of, name="as_of")
        start = None if since is None else to_timestamp(since, name="since")
        if start is not None and start >= day:
            raise RequestError(
                f"since ({start.date()}) must be before as_of ({day.date()})"
            )
        if program is not None and not isinstance(program, str):
            raise RequestError(f"program must be a label, got {program!r}")
        label = (program or "").strip() or None
        return cls(as_of=day, since=start, program=label)

    def matches_program(self, label: object) -> bool:
        """Whether a committee's or event's program label is this window's (case-insensitive)."""
        return self.program is None or same_program(label, self.program)

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.date().isoformat(),
            "since": None if self.since is None else self.since.date().isoformat(),
            "program": self.program,
        }
