"""The GraphStore interface: one graph, two implementations (MemoryStore, Neo4jStore)."""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import Any

from core.model import Dataset
from core.progress import Progress


@dataclass
class LoadSummary:
    """What a load did: rows written per table, and removals under ``replace``."""

    written: dict[str, int] = field(default_factory=dict)
    created: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "written": dict(self.written),
            "created": dict(self.created),
            "deleted": dict(self.deleted),
            "seconds": round(self.seconds, 3),
        }


class GraphStore(abc.ABC):
    """Where the stakeholder graph lives.

    ``load`` upserts a validated Dataset (``replace=True`` makes the store match it exactly);
    ``dataset`` reads the whole graph back as a Dataset equal to what was loaded; ``version``
    changes whenever the content changes (callers cache analysis on it).
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

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections; the memory store has none."""

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
