"""The Dataset: the validated tables that every store holds and every analysis reads.

A :class:`Dataset` is seven pandas DataFrames with fixed, documented columns (the ``*_COLUMNS``
constants below) plus any extra columns the source carried. It is the contract between the
loaders, the stores and the analysis: both stores give back a Dataset equal to the one loaded.

Conventions, the same in every table so that both stores round-trip exactly:

- ids and text are ``str``; a missing optional text is ``""``;
- dates are ``datetime64[ns]`` with ``NaT`` for "open" (no joined date, no end);
- multi-valued cells (``topics`` and extra columns holding ``a;b``) are tuples of str;
- rows are sorted by their key, columns are the fixed ones then the extras in sorted order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

PARTNER_COLUMNS: tuple[str, ...] = (
    "partner_id",
    "name",
    "sector",
    "country",  # ISO3
    "country_name",
    "region",  # UN M49 region: Africa, Americas, Asia, Europe, Oceania
    "subregion",  # UN M49 sub-region
    "global_south",  # bool
    "joined",
    "left",
    "membership",  # "Partner" or "Guest"
)
COMMITTEE_COLUMNS: tuple[str, ...] = ("committee_id", "name", "program", "kind")
MEMBERSHIP_COLUMNS: tuple[str, ...] = ("committee_id", "partner_id", "role", "since", "until")
EVENT_COLUMNS: tuple[str, ...] = (
    "event_id",
    "name",
    "date",
    "kind",
    "program",
    "city",
    "country",
    "country_name",
    "region",
    "subregion",
    "topics",
    "status",  # "" = held when dated on or before as_of; planned/cancelled = never held
)
ATTENDANCE_COLUMNS: tuple[str, ...] = ("event_id", "partner_id", "role", "attendees")
TARGET_COLUMNS: tuple[str, ...] = ("dimension", "group", "min_share", "max_share")
#: Direct partner-to-partner relations (a collaboration, a grant, a joint project), kept in the
#: direction given; ``weight`` > 0 (default 1), active when ``since <= d < until``.
LINK_COLUMNS: tuple[str, ...] = ("source_id", "target_id", "kind", "since", "until", "weight")

TABLES: dict[str, tuple[str, ...]] = {
    "partners": PARTNER_COLUMNS,
    "committees": COMMITTEE_COLUMNS,
    "memberships": MEMBERSHIP_COLUMNS,
    "events": EVENT_COLUMNS,
    "attendance": ATTENDANCE_COLUMNS,
    "targets": TARGET_COLUMNS,
    "links": LINK_COLUMNS,
}
KEYS: dict[str, tuple[str, ...]] = {
    "partners": ("partner_id",),
    "committees": ("committee_id",),
    "memberships": ("committee_id", "partner_id", "since"),
    "events": ("event_id",),
    "attendance": ("event_id", "partner_id"),
    "targets": ("dimension", "group"),
    # Like a membership's terms, one pair may hold two links of one kind at different times
    # (a grant renewed years later), so ``since`` is part of the key.
    "links": ("source_id", "target_id", "kind", "since"),
}
DATE_COLUMNS: dict[str, tuple[str, ...]] = {
    "partners": ("joined", "left"),
    "memberships": ("since", "until"),
    "events": ("date",),
    "links": ("since", "until"),
}
FLOAT_COLUMNS: dict[str, tuple[str, ...]] = {
    "targets": ("min_share", "max_share"),
    "links": ("weight",),
}
#: The value a missing number takes (absent here: it stays NaN, as an open max_share does).
FLOAT_DEFAULTS: dict[str, dict[str, float]] = {"links": {"weight": 1.0}}
INT_COLUMNS: dict[str, tuple[str, ...]] = {"attendance": ("attendees",)}
BOOL_COLUMNS: dict[str, tuple[str, ...]] = {"partners": ("global_south",)}
LIST_COLUMNS: dict[str, tuple[str, ...]] = {"events": ("topics",)}

PARTNER = "Partner"
GUEST = "Guest"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and np.isnan(value):
        return ""
    if value is pd.NaT:
        return ""
    return str(value)


def _as_tuple(value: Any) -> tuple[str, ...]:
    if isinstance(value, tuple):
        return tuple(str(v) for v in value)
    if isinstance(value, (list, np.ndarray)):
        return tuple(str(v) for v in value)
    text = _text(value)
    if not text:
        return ()
    return tuple(part.strip() for part in text.split(";") if part.strip())


def normalise_table(table: str, frame: pd.DataFrame | None) -> pd.DataFrame:
    """Return ``frame`` in the canonical shape of ``table`` (columns, dtypes, row order).

    Missing fixed columns are added empty; extra columns are kept after the fixed ones in sorted
    order. Both stores pass what they read back through here, so equal data compares equal.
    """
    fixed = TABLES[table]
    if frame is None:
        frame = pd.DataFrame(columns=list(fixed))
    frame = frame.copy()
    for col in fixed:
        if col not in frame.columns:
            frame[col] = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    extras = sorted(c for c in frame.columns if c not in fixed)
    frame = frame[list(fixed) + extras]
    dates = DATE_COLUMNS.get(table, ())
    floats = FLOAT_COLUMNS.get(table, ())
    ints = INT_COLUMNS.get(table, ())
    bools = BOOL_COLUMNS.get(table, ())
    lists = LIST_COLUMNS.get(table, ())
    for col in frame.columns:
        if col in dates:
            frame[col] = pd.to_datetime(frame[col], errors="raise").astype("datetime64[ns]")
        elif col in floats:
            numbers = pd.to_numeric(frame[col]).astype("float64")
            default = FLOAT_DEFAULTS.get(table, {}).get(col)
            frame[col] = numbers if default is None else numbers.fillna(default)
        elif col in ints:
            frame[col] = pd.to_numeric(frame[col]).fillna(1).astype("int64")
        elif col in bools:
            frame[col] = frame[col].map(lambda v: bool(v) if v is not None else False).astype(bool)
        elif col in lists:
            frame[col] = pd.Series(
                [_as_tuple(v) for v in frame[col]], index=frame.index, dtype=object
            )
        else:
            values = frame[col].tolist()
            if any(isinstance(v, (tuple, list, np.ndarray)) for v in values):
                frame[col] = pd.Series([_as_tuple(v) for v in values], index=frame.index, dtype=object)
            else:
                frame[col] = pd.Series([_text(v) for v in values], index=frame.index, dtype=object)
    keys = list(KEYS[table])
    if len(frame):
        frame = frame.sort_values(keys, kind="mergesort", na_position="first")
    return frame.reset_index(drop=True)


@dataclass(frozen=True)
class Dataset:
    """Validated tables of one stakeholder network.

    Build one with :meth:`from_frames` (which normalises) or from a loader
    (:func:`loaders.read_dataset`). ``source`` names where it came from.

    >>> ds = Dataset.from_frames(partners=pd.DataFrame({"partner_id": ["p1"], "name": ["A"],
    ...     "sector": ["Industry"], "country": ["USA"]}))
    >>> ds.partners.loc[0, "membership"]
    'Partner'
    >>> len(ds.events)
    0
    """

    partners: pd.DataFrame
    committees: pd.DataFrame
    memberships: pd.DataFrame
    events: pd.DataFrame
    attendance: pd.DataFrame
    targets: pd.DataFrame
    links: pd.DataFrame
    source: str = ""
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_frames(
        cls, *, source: str = "", **frames: pd.DataFrame | None
    ) -> Dataset:
        unknown = set(frames) - set(TABLES)
        if unknown:
            raise ValueError(f"unknown tables: {sorted(unknown)}")
        tables = {name: normalise_table(name, frames.get(name)) for name in TABLES}
        partners = tables["partners"]
        if len(partners):
            partners["membership"] = partners["membership"].replace("", PARTNER)
        return cls(source=source, **tables)

    def table(self, name: str) -> pd.DataFrame:
        if name not in TABLES:
            raise ValueError(f"table must be one of {sorted(TABLES)}, got {name!r}")
        frame: pd.DataFrame = getattr(self, name)
        return frame

    def tables(self) -> dict[str, pd.DataFrame]:
        return {name: self.table(name) for name in TABLES}

    @property
    def version(self) -> str:
        """A stable content hash: equal data gives an equal version (used for caching)."""
        if "version" not in self._cache:
            digest = hashlib.sha256()
            for name in TABLES:
                frame = self.table(name)
                if name == "links" and not len(frame):
                    continue  # the newest table: a dataset without links keeps its old version
                digest.update(name.encode())
                digest.update("|".join(frame.columns).encode())
                if len(frame):
                    hashed = pd.util.hash_pandas_object(frame.astype(str), index=False)
                    digest.update(hashed.to_numpy().tobytes())
            self._cache["version"] = digest.hexdigest()[:16]
        return str(self._cache["version"])

    def equals(self, other: Dataset) -> bool:
        return all(self.table(n).equals(other.table(n)) for n in TABLES)

    def merged_with(self, newer: Dataset) -> Dataset:
        """Upsert ``newer`` into this dataset: rows with the same key are replaced."""
        frames: dict[str, pd.DataFrame] = {}
        for name in TABLES:
            old, new = self.table(name), newer.table(name)
            keys = list(KEYS[name])
            combined = pd.concat([old, new], ignore_index=True) if len(old) else new
            if len(combined):
                combined = combined.drop_duplicates(subset=keys, keep="last")
            frames[name] = combined
        return Dataset.from_frames(source=newer.source or self.source, **frames)

    def counts(self) -> dict[str, int]:
        return {name: len(self.table(name)) for name in TABLES}

    def partner_names(self) -> Mapping[str, str]:
        return dict(zip(self.partners["partner_id"], self.partners["name"], strict=True))


def extra_columns(table: str, frame: pd.DataFrame) -> list[str]:
    """The columns of ``frame`` beyond the fixed ones of ``table`` (kept as properties)."""
    return [c for c in frame.columns if c not in TABLES[table]]


def records(frame: pd.DataFrame, columns: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Rows as plain dicts with Python values (dates as ``datetime.date``, NaT as None)."""
    cols = list(columns) if columns is not None else list(frame.columns)
    out: list[dict[str, Any]] = []
    sub = frame[cols]
    converters: list[Callable[[Any], Any]] = []
    for col in cols:
        if pd.api.types.is_datetime64_any_dtype(sub[col]):
            converters.append(lambda v: None if pd.isna(v) else v.date())
        elif pd.api.types.is_bool_dtype(sub[col]):
            converters.append(bool)
        elif pd.api.types.is_integer_dtype(sub[col]):
            converters.append(int)
        elif pd.api.types.is_float_dtype(sub[col]):
            converters.append(lambda v: None if pd.isna(v) else float(v))
        else:
            converters.append(lambda v: list(v) if isinstance(v, tuple) else v)
    for row in sub.itertuples(index=False, name=None):
        out.append({c: f(v) for c, f, v in zip(cols, converters, row, strict=True)})
    return out
