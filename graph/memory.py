"""MemoryStore: the embedded store, the whole graph in memory, no server needed.

The read seams (graph/store.py) are answered in pandas from the held Dataset, with the same
meaning the Neo4j store's Cypher has; tests/graph/test_conformance.py holds the two equal.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from core.model import GUEST, KEYS, PARTNER, TABLES, Dataset
from core.progress import Progress
from core.window import Window
from graph.store import (
    COMMITTEE,
    EVENT,
    GraphStore,
    Incidence,
    LoadSummary,
    build_incidence,
    category_label,
    finish_compositions,
    finish_sizes,
    spans_to_counts,
    window_groups,
)


class MemoryStore(GraphStore):
    """An in-memory GraphStore; every command given a SOURCE path uses one.

    >>> from core.model import Dataset
    >>> import pandas as pd
    >>> store = MemoryStore()
    >>> ds = Dataset.from_frames(partners=pd.DataFrame({"partner_id": ["p1"], "name": ["A"],
    ...     "sector": ["Industry"], "country": ["USA"]}))
    >>> _ = store.load(ds); _ = store.load(ds)
    >>> len(store.dataset().partners)
    1
    """

    name = "memory"

    def __init__(self, dataset: Dataset | None = None):
        self._dataset = dataset if dataset is not None else Dataset.from_frames()

    def load(
        self, dataset: Dataset, *, replace: bool = False, progress: Progress | None = None
    ) -> LoadSummary:
        start = time.perf_counter()
        before = self._dataset
        after = dataset if replace else before.merged_with(dataset)
        summary = LoadSummary()
        for name in TABLES:
            old, new = _keys(before.table(name), name), _keys(dataset.table(name), name)
            summary.written[name] = len(dataset.table(name))
            # Counted per key, as the Neo4j store counts them: a replaced row is one created
            # and one deleted, not a change of zero.
            summary.created[name] = len(new - old)
            if replace:
                summary.deleted[name] = len(old - new)
            if progress is not None:
                progress(name, len(dataset.table(name)), len(dataset.table(name)))
        self._dataset = after
        summary.seconds = time.perf_counter() - start
        return summary

    def dataset(self) -> Dataset:
        return self._dataset

    def version(self) -> str:
        return self._dataset.version

    # ------------------------------------------------------------------ read seams

    def source(self) -> str:
        return self._dataset.source

    def partners(self, columns: Sequence[str] = ()) -> pd.DataFrame:
        frame = self._dataset.partners
        fixed = list(TABLES["partners"])
        extras = sorted({c for c in columns if c not in fixed})
        unknown = [c for c in extras if c not in frame.columns]
        if unknown:
            raise ValueError(f"partners have no column {unknown[0]!r}")
        return frame[fixed + extras].copy()

    def partner_extras(self) -> list[str]:
        return sorted(c for c in self._dataset.partners.columns if c not in TABLES["partners"])

    def tables(self, columns: Sequence[str] | None = None) -> Dataset:
        # The held Dataset already is that Dataset when no other table has extra columns:
        # handing it over saves a second normalisation of every table.
        ds = self._dataset
        plain = all(list(ds.table(t).columns) == list(TABLES[t]) for t in TABLES
                    if t != "partners")
        return ds if columns is None and plain else super().tables(columns)

    def _fixed(self, table: str) -> pd.DataFrame:
        return self._dataset.table(table)[list(TABLES[table])].copy()

    def committees(self) -> pd.DataFrame:
        return self._fixed("committees")

    def events(self) -> pd.DataFrame:
        return self._fixed("events")

    def memberships(self) -> pd.DataFrame:
        return self._fixed("memberships")

    def targets(self) -> pd.DataFrame:
        return self._fixed("targets")

    def links(self) -> pd.DataFrame:
        return self._fixed("links")

    def attendance(self, window: Window | None = None) -> pd.DataFrame:
        frame = self._fixed("attendance")
        if window is None:
            return frame
        _, events = self._groups(window)
        return frame.loc[frame["event_id"].isin(events)].reset_index(drop=True)

    def _groups(self, window: Window) -> tuple[list[str], list[str]]:
        return window_groups(window, self._dataset.committees, self._dataset.events)

    def _members(self, window: Window) -> tuple[pd.DataFrame, list[str], list[str]]:
        """``[kind, group_id, partner_id]`` of the window's groups (distinct), and the ids."""
        ds = self._dataset
        committee_ids, event_ids = self._groups(window)
        day = window.as_of
        seats = ds.memberships
        seats = seats.loc[_active(seats["since"], seats["until"], day)
                          & seats["committee_id"].isin(committee_ids)]
        partners = ds.partners
        active = partners.loc[_active(partners["joined"], partners["left"], day), "partner_id"]
        seats = seats.loc[seats["partner_id"].isin(active)]
        attended = ds.attendance.loc[ds.attendance["event_id"].isin(event_ids)]
        members = pd.concat([
            pd.DataFrame({"kind": COMMITTEE, "group_id": seats["committee_id"],
                          "partner_id": seats["partner_id"]}),
            pd.DataFrame({"kind": EVENT, "group_id": attended["event_id"],
                          "partner_id": attended["partner_id"]}),
        ], ignore_index=True).drop_duplicates()
        return members, committee_ids, event_ids

    def group_compositions(self, window: Window, dimensions: Sequence[str]) -> pd.DataFrame:
        dims = list(dimensions)
        members, _, _ = self._members(window)
        frames = [pd.DataFrame(columns=["kind", "group_id", "dimension", "category", "count"])]
        for dim in dims:
            labels = _labels(self._dataset.partners, dim)
            joined = members.merge(labels, on="partner_id", how="inner")
            counted = joined.groupby(["kind", "group_id", "category"]).size()
            frames.append(counted.rename("count").reset_index().assign(dimension=dim))
        out = pd.concat(frames, ignore_index=True)
        return finish_compositions(out, dims)

    def group_sizes(self, window: Window) -> pd.DataFrame:
        members, committee_ids, event_ids = self._members(window)
        kinds = self._dataset.partners.set_index("partner_id")["membership"]
        members = members.assign(guest=members["partner_id"].map(kinds).eq(GUEST))
        counted = members.groupby(["kind", "group_id"]).agg(size=("partner_id", "size"),
                                                             guests=("guest", "sum"))
        return finish_sizes(counted.reset_index(), committee_ids, event_ids)

    def active_counts(self, dates: Sequence[Any], dimensions: Sequence[str]) -> pd.DataFrame:
        partners = self._dataset.partners
        partners = partners.loc[partners["membership"] == PARTNER]
        spans = []
        for dim in dimensions:
            labels = _labels(partners, dim, keep=("joined", "left"))
            for category, part in labels.groupby("category", sort=False):
                joined, left = part["joined"], part["left"]
                spans.append((dim, str(category), int(joined.isna().sum()),
                              joined.dropna().to_numpy(dtype="datetime64[ns]").astype(np.int64),
                              left.dropna().to_numpy(dtype="datetime64[ns]").astype(np.int64)))
        return spans_to_counts(spans, dates, list(dimensions))

    def incidence(self, window: Window) -> Incidence:
        members, committee_ids, event_ids = self._members(window)
        partners = self._dataset.partners
        active = partners.loc[_active(partners["joined"], partners["left"], window.as_of)
                              & (partners["membership"] == PARTNER), "partner_id"]
        seats = members.loc[members["kind"] == COMMITTEE]
        attended = members.loc[members["kind"] == EVENT]
        return build_incidence(list(active), committee_ids, event_ids, seats, attended)


def _active(start: pd.Series, end: pd.Series, day: pd.Timestamp) -> pd.Series:
    """``start <= day < end`` with NaT open at either end."""
    return (start.isna() | (start <= day)) & (end.isna() | (day < end))


def _labels(partners: pd.DataFrame, dimension: str,
            keep: Sequence[str] = ()) -> pd.DataFrame:
    """``[partner_id, category, *keep]``: each partner's distinct labels in ``dimension``."""
    if dimension not in partners.columns:
        raise ValueError(f"dimension {dimension!r} is not a partner column")
    labels = partners[["partner_id", dimension, *keep]].rename(columns={dimension: "category"})
    labels = labels.explode("category") if labels["category"].map(
        lambda v: isinstance(v, tuple | list)).any() else labels
    labels = labels.loc[labels["category"].notna()]
    labels = labels.assign(category=labels["category"].map(category_label))
    labels = labels.loc[labels["category"].str.strip() != ""]
    return labels.drop_duplicates(["partner_id", "category"]).reset_index(drop=True)


def _keys(frame: pd.DataFrame, table: str) -> set[tuple[str, ...]]:
    columns = list(KEYS[table])
    return set(frame[columns].astype(str).itertuples(index=False, name=None))
