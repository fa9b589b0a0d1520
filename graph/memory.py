"""MemoryStore: the embedded store, the whole graph in memory, no server needed."""

from __future__ import annotations

import time

import pandas as pd

from core.model import KEYS, TABLES, Dataset
from graph.store import GraphStore, LoadSummary, Progress


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


def _keys(frame: pd.DataFrame, table: str) -> set[tuple[str, ...]]:
    columns = list(KEYS[table])
    return set(frame[columns].astype(str).itertuples(index=False, name=None))
