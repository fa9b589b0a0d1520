"""What the commands share: dates from the command line, the dataset a SOURCE names, the store.

Every command module imports these from here, so that the command line has no circles: ``cli``
mounts the commands and ``common`` serves them all.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

# typer 0.29 ships its own copy of click; its exceptions are the ones the app raises.
from typer._click.exceptions import BadParameter

from core.errors import RequestError
from graph.store import GraphStore


def parse_day(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value if len(value) > 7 else f"{value}-01")
    except ValueError:
        raise BadParameter(f"expected YYYY-MM-DD or YYYY-MM, got {value!r}", param_hint=option) from None


def resolve_source(source: Path) -> Path:
    """A path as given, or the bundled dataset of that name ('demo', 'pai')."""
    if source.exists():
        return source
    from stakeholder_graph.datasets import BUNDLED, bundled_path

    if str(source) in BUNDLED:
        return bundled_path(str(source))
    raise RequestError(f"{source}: no such file or folder (bundled datasets: {', '.join(BUNDLED)})")


def open_store(source: Path | None, neo4j: str | None = None) -> GraphStore:
    """The store a read command works on: the dataset at SOURCE in memory, else Neo4j."""
    if source is not None:
        import loaders
        from graph.memory import MemoryStore

        return MemoryStore(loaders.read_dataset(resolve_source(source)))
    from core.settings import Neo4jSettings
    from graph.neo4j_store import Neo4jStore

    settings = Neo4jSettings.from_env(uri=neo4j)
    return Neo4jStore.connect(settings)
