"""MemoryStore: upsert and replace semantics, counted per key."""

from __future__ import annotations

import pandas as pd

from core.model import Dataset
from graph.memory import MemoryStore


def partners(*ids: str) -> Dataset:
    return Dataset.from_frames(partners=pd.DataFrame({
        "partner_id": list(ids), "name": [i.upper() for i in ids],
        "sector": ["Industry"] * len(ids), "country": ["USA"] * len(ids),
    }))


def test_upsert_keeps_one_row_per_key_and_counts_created() -> None:
    store = MemoryStore()
    first = store.load(partners("a", "b"))
    again = store.load(partners("b", "c"))
    assert first.created["partners"] == 2
    assert again.created["partners"] == 1 and again.written["partners"] == 2
    assert store.dataset().partners["partner_id"].tolist() == ["a", "b", "c"]


def test_replace_counts_a_swapped_row_as_created_and_deleted() -> None:
    store = MemoryStore(partners("a", "b"))
    summary = store.load(partners("a", "c"), replace=True)
    assert summary.created["partners"] == 1 and summary.deleted["partners"] == 1
    assert store.dataset().equals(partners("a", "c"))


def test_version_changes_with_content_only() -> None:
    store = MemoryStore(partners("a"))
    before = store.version()
    store.load(partners("a"))
    assert store.version() == before
    store.load(partners("b"))
    assert store.version() != before
