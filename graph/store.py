"""The GraphStore interface: one graph, two implementations (MemoryStore, Neo4jStore).

Besides ``load`` and ``dataset`` (the whole graph, for round trips and exports), a store answers
the *read seams* the analysis needs, each a narrow table or a few arrays, so that a store of
record (Neo4j) aggregates where the data lives and the Python process holds no more of the graph
than the network computation needs:

=============================  ==============================================================
seam                           what it answers
=============================  ==============================================================
``partners(columns)``          the partner table, fixed columns plus the extra ones named
``committees()``, ``events()``  group tables (fixed columns)
``memberships()``              seats (fixed columns)
``attendance(window)``         attendance rows of the window's events (all events: ``None``)
``targets()``                  the targets table
``links()``                    direct partner-to-partner links (fixed columns)
``group_compositions(w, d)``   distinct members per (group, dimension, category) in a window
``group_sizes(w)``             members and Guests per committee and event of a window
``active_counts(dates, d)``    Partners active per (date, dimension, category): totals and
                               every event's baseline
``incidence(w)``               the two-mode partner x group incidence of a window, as arrays
``partner_extras()``          the extra partner columns held
``tables(columns)``            a Dataset built from the narrow reads above (for analyses that
                               walk rows: reach, scorecard, planner)
=============================  ==============================================================

Meaning of a :class:`~core.window.Window` ``w`` (the same in both stores, written once in
:func:`window_groups` and the Cypher/pandas it documents): the window's committees are those of
its program (all without one), sorted by id; its events are those dated ``since < date <=
as_of`` of its program, sorted by id. A committee's members are its memberships active on
``as_of`` (``since <= d < until``) of partners active on ``as_of`` (``joined <= d < left``,
Partners and Guests); an event's members are everyone who attended it. Program labels match as
:meth:`Window.matches_program` says (trimmed, case-insensitive).

Categories: a dimension is a partner column; booleans are labelled ``"True"``/``"False"``, a
list cell counts once per distinct value, an empty label is not counted.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from core.model import Dataset
from core.progress import Progress
from core.window import Window

#: Columns of :meth:`GraphStore.group_compositions`.
COMPOSITION_COLUMNS: tuple[str, ...] = ("kind", "group_id", "dimension", "category", "count")
#: Columns of :meth:`GraphStore.group_sizes`.
SIZE_COLUMNS: tuple[str, ...] = ("kind", "group_id", "size", "guests")
#: Columns of :meth:`GraphStore.active_counts`.
ACTIVE_COLUMNS: tuple[str, ...] = ("date", "dimension", "category", "count")
COMMITTEE = "committee"
EVENT = "event"


@dataclass
class LoadSummary:
    """What a load did: rows written per table, and removals under ``replace``."""

    written: dict[str, int] = field(default_factory=dict)
    created: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    #: Seconds of named phases of the load, where it has them (the bulk path's admin import).
    phases: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "written": dict(self.written),
            "created": dict(self.created),
            "deleted": dict(self.deleted),
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class Incidence:
    """The two-mode (partner x group) incidence of one window, as arrays.

    ``partner_ids`` are the window's Partners active on ``as_of`` plus everyone holding a seat
    or attending in it, sorted; ``group_ids``/``group_kinds`` are the window's committees
    (sorted) then its events (sorted). Entry ``k`` says partner ``partner_ids[rows[k]]``
    belongs to group ``cols[k]``; each pair appears once.

    >>> inc = Incidence(np.array(["p1", "p2"], dtype=object), np.array(["c1"], dtype=object),
    ...                 np.array(["committee"], dtype=object), np.array([0, 1], dtype=np.int32),
    ...                 np.array([0, 0], dtype=np.int32))
    >>> inc.matrix().toarray().tolist()
    [[1], [1]]
    """

    partner_ids: np.ndarray
    group_ids: np.ndarray
    group_kinds: np.ndarray
    rows: np.ndarray
    cols: np.ndarray

    def matrix(self) -> sp.csr_matrix:
        """The 0/1 CSR matrix (int32), partners by groups."""
        shape = (len(self.partner_ids), len(self.group_ids))
        data = np.ones(len(self.rows), dtype=np.int32)
        return sp.csr_matrix((data, (self.rows.astype(np.int64), self.cols.astype(np.int64))),
                             shape=shape)

    def equals(self, other: Incidence) -> bool:
        """Same ids in the same order and the same set of pairs (in any order)."""
        same_ids = all(np.array_equal(getattr(self, a), getattr(other, a))
                       for a in ("partner_ids", "group_ids", "group_kinds"))
        return same_ids and (self.matrix() != other.matrix()).nnz == 0


class GraphStore(abc.ABC):
    """Where the stakeholder graph lives.

    ``load`` upserts a validated Dataset (``replace=True`` makes the store match it exactly);
    ``dataset`` reads the whole graph back as a Dataset equal to what was loaded; ``version``
    changes whenever the content changes (callers cache analysis on it). The read seams (see
    the module docstring) answer the analysis without pulling the whole graph.
    """

    name: str = "store"

    @abc.abstractmethod
    def load(
        self, dataset: Dataset, *, replace: bool = False, progress: Progress | None = None
    ) -> LoadSummary: ...

    @abc.abstractmethod
    def dataset(self) -> Dataset: ...

    @abc.abstractmethod
    def version(self) -> str: ...

    # ------------------------------------------------------------------ read seams

    @abc.abstractmethod
    def source(self) -> str:
        """Where the loaded data came from (the Dataset's ``source``)."""

    @abc.abstractmethod
    def partners(self, columns: Sequence[str] = ()) -> pd.DataFrame:
        """The partner table: its fixed columns plus the extra ``columns`` named (an unknown
        name raises ValueError), in the Dataset's shape."""

    @abc.abstractmethod
    def committees(self) -> pd.DataFrame:
        """The committee table (fixed columns)."""

    @abc.abstractmethod
    def events(self) -> pd.DataFrame:
        """The event table (fixed columns)."""

    @abc.abstractmethod
    def memberships(self) -> pd.DataFrame:
        """The membership table (fixed columns)."""

    @abc.abstractmethod
    def attendance(self, window: Window | None = None) -> pd.DataFrame:
        """Attendance rows (fixed columns) of the window's events; every row when ``None``."""

    @abc.abstractmethod
    def targets(self) -> pd.DataFrame:
        """The targets table."""

    @abc.abstractmethod
    def links(self) -> pd.DataFrame:
        """The links table (fixed columns): small, one row per relation, so no window here."""

    @abc.abstractmethod
    def group_compositions(self, window: Window, dimensions: Sequence[str]) -> pd.DataFrame:
        """Distinct members per (kind, group_id, dimension, category) of the window's groups.

        Columns :data:`COMPOSITION_COLUMNS`, sorted by kind, group_id, dimension (in the order
        given) and category; zero counts are absent; ``count`` is int64.
        """

    @abc.abstractmethod
    def group_sizes(self, window: Window) -> pd.DataFrame:
        """Members and Guests of every committee and event of the window (zeros included).

        Columns :data:`SIZE_COLUMNS`, sorted by kind then group_id; sizes are int64.
        """

    @abc.abstractmethod
    def active_counts(self, dates: Sequence[Any], dimensions: Sequence[str]) -> pd.DataFrame:
        """Partners (membership ``Partner``) active on each date, per dimension and category.

        Columns :data:`ACTIVE_COLUMNS` (``date`` a Timestamp), one row per distinct date (sorted),
        dimension (in the order given) and category with a non-zero count.
        """

    @abc.abstractmethod
    def incidence(self, window: Window) -> Incidence:
        """The window's two-mode partner x group incidence (see :class:`Incidence`)."""

    @abc.abstractmethod
    def partner_extras(self) -> list[str]:
        """The extra partner columns the store holds (beyond the fixed ones), sorted."""

    def tables(self, columns: Sequence[str] | None = None) -> Dataset:
        """A Dataset of the fixed columns of every table plus the partner ``columns`` named
        (``None``: every extra partner column), read through the narrow seams: what the
        row-walking analyses (report, planner, dashboard) need, without the other tables'
        extra columns and without one dict per record."""
        chosen = self.partner_extras() if columns is None else columns
        return Dataset.from_frames(
            source=self.source(), partners=self.partners(chosen),
            committees=self.committees(), memberships=self.memberships(),
            events=self.events(), attendance=self.attendance(), targets=self.targets(),
            links=self.links())

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections; the memory store has none."""

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ---------------------------------------------------------------------- shared by both stores


def window_groups(
    window: Window, committees: pd.DataFrame, events: pd.DataFrame
) -> tuple[list[str], list[str]]:
    """The committee ids and event ids of ``window`` (each sorted), from the group tables.

    >>> w = Window.of(as_of="2024-06-30", since="2024-01-01", program="labor")
    >>> c = pd.DataFrame({"committee_id": ["c2", "c1"], "program": ["Labor", "Safety"]})
    >>> e = pd.DataFrame({"event_id": ["e1", "e2", "e3"], "program": ["Labor"] * 3,
    ...                   "date": pd.to_datetime(["2023-05-01", "2024-06-30", "2024-07-01"])})
    >>> window_groups(w, c, e)
    (['c2'], ['e2'])
    """
    chosen = committees["program"].map(window.matches_program).astype(bool)
    dates = events["date"]
    held = dates.notna() & (dates <= window.as_of)
    if window.since is not None:
        held &= dates > window.since
    held &= events["program"].map(window.matches_program).astype(bool)
    return (sorted(committees.loc[chosen, "committee_id"]),
            sorted(events.loc[held, "event_id"]))


def category_label(value: Any) -> str:
    """A category as text: booleans as ``"True"``/``"False"`` (as the analysis labels them)."""
    if isinstance(value, bool | np.bool_):
        return "True" if value else "False"
    return str(value)


def finish_compositions(frame: pd.DataFrame, dimensions: Sequence[str]) -> pd.DataFrame:
    """``frame`` (kind, group_id, dimension, category, count) in the documented order/dtypes."""
    order = {d: i for i, d in enumerate(dimensions)}
    out = frame.loc[frame["count"] > 0].assign(_d=frame["dimension"].map(order))
    out = out.sort_values(["kind", "group_id", "_d", "category"], kind="mergesort")
    out = out.drop(columns="_d").reset_index(drop=True)
    out["count"] = out["count"].astype("int64")
    for col in ("kind", "group_id", "dimension", "category"):
        out[col] = out[col].astype(object)
    return out[list(COMPOSITION_COLUMNS)]


def finish_sizes(frame: pd.DataFrame, committee_ids: Sequence[str],
                 event_ids: Sequence[str]) -> pd.DataFrame:
    """Sizes of every group of the window (absent groups get zeros), sorted, int64."""
    index = pd.MultiIndex.from_tuples(
        [(COMMITTEE, g) for g in committee_ids] + [(EVENT, g) for g in event_ids],
        names=["kind", "group_id"])
    counts = frame.set_index(["kind", "group_id"])[["size", "guests"]]
    out = counts.reindex(index, fill_value=0).astype("int64").reset_index()
    for col in ("kind", "group_id"):
        out[col] = out[col].astype(object)
    return out[list(SIZE_COLUMNS)]


def spans_to_counts(
    spans: Iterable[tuple[str, str, int, np.ndarray, np.ndarray]],
    dates: Sequence[Any], dimensions: Sequence[str],
) -> pd.DataFrame:
    """Active counts per date from each (dimension, category)'s membership spans.

    ``spans`` yields ``(dimension, category, always, joined, left)``: ``always`` partners with
    no ``joined`` date, the known ``joined`` and ``left`` days (int64 nanoseconds since the
    epoch, any order). The count on ``d`` is ``always + #(joined <= d) - #(left <= d)``: two
    binary searches per category for all dates at once.

    >>> ns = lambda *d: pd.to_datetime(list(d)).asi8
    >>> spans = [("sector", "A", 1, ns("2020-01-01"), ns("2020-06-01")),
    ...          ("sector", "B", 0, ns("2021-01-01"), ns())]
    >>> spans_to_counts(spans, ["2020-03-01", "2021-03-01"], ["sector"])["count"].tolist()
    [2, 1, 1]
    """
    days = pd.DatetimeIndex(pd.to_datetime(pd.Series(list(dates), dtype=object)))
    values = days.dropna().unique().sort_values().asi8
    order = {d: i for i, d in enumerate(dimensions)}
    parts = []
    for dim, category, always, joined, left in spans:
        count = (always + np.searchsorted(np.sort(joined), values, side="right")
                 - np.searchsorted(np.sort(left), values, side="right"))
        parts.append(pd.DataFrame({"date": values, "dimension": dim, "category": category,
                                   "count": count.astype(np.int64), "_d": order[dim]}))
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        {"date": pd.Series(dtype=np.int64), "dimension": pd.Series(dtype=object),
         "category": pd.Series(dtype=object), "count": pd.Series(dtype=np.int64),
         "_d": pd.Series(dtype=np.int64)})
    out = out.loc[out["count"] > 0]
    out = out.sort_values(["date", "_d", "category"], kind="mergesort").drop(columns="_d")
    out["date"] = pd.to_datetime(out["date"].astype(np.int64)).astype("datetime64[ns]")
    for col in ("dimension", "category"):
        out[col] = out[col].astype(object)
    return out.reset_index(drop=True)[list(ACTIVE_COLUMNS)]


def build_incidence(
    active: Sequence[str], committee_ids: Sequence[str], event_ids: Sequence[str],
    seats: pd.DataFrame, attendance: pd.DataFrame,
) -> Incidence:
    """An :class:`Incidence` from the active Partner ids and the (group_id, partner_id) pairs
    of the window's seats and attendance (duplicates allowed: each pair is kept once)."""
    partner_ids = np.array(sorted(set(active) | set(seats["partner_id"])
                                  | set(attendance["partner_id"])), dtype=object)
    committees = np.array(committee_ids, dtype=object)
    events = np.array(event_ids, dtype=object)
    people = pd.Index(partner_ids)
    rows = np.concatenate([people.get_indexer(seats["partner_id"]),
                           people.get_indexer(attendance["partner_id"])])
    cols = np.concatenate([pd.Index(committees).get_indexer(seats["group_id"]),
                           len(committees) + pd.Index(events).get_indexer(attendance["group_id"])])
    pairs = np.unique(np.column_stack([rows, cols]).astype(np.int64).reshape(-1, 2), axis=0)
    return Incidence(
        partner_ids=partner_ids,
        group_ids=np.concatenate([committees, events]),
        group_kinds=np.array([COMMITTEE] * len(committees) + [EVENT] * len(events), dtype=object),
        rows=pairs[:, 0].astype(np.int32), cols=pairs[:, 1].astype(np.int32))
