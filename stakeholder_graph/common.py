"""What the commands share: dates, the dataset a SOURCE names, the store, writing output files.

Every command module imports these from here, so that the command line has no circles: ``cli``
mounts the commands and ``common`` serves them all.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
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


def check_output(path: Path) -> Path:
    """The folder an output file goes to; a :class:`RequestError` when it cannot be written.

    Commands call it before the work, so a typo in ``--output`` costs no waiting.
    """
    folder = path.parent
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise RequestError(f"{path}: cannot write: the folder {folder} {what}")
    if path.is_dir():
        raise RequestError(f"{path}: cannot write: it is a folder; give a file name")
    return folder


def write_output(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` atomically: a temporary file beside it, then a rename.

    A reader (or a second command writing the same file) sees the old file or the new one,
    never half of either; a failed write leaves the old file as it was and no temporary file.
    A missing folder, a folder where the file should be, or a folder we may not write to is a
    :class:`RequestError` (exit code 1) that names the path.
    """
    target = Path(path)
    folder = check_output(target)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        handle = tempfile.NamedTemporaryFile(
            dir=folder, prefix=f".{target.name}.", suffix=".tmp", delete=False
        )
    except OSError as exc:
        raise RequestError(f"{target}: cannot write: {exc.strerror or exc}") from None
    temporary = Path(handle.name)
    try:
        with handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, _file_mode(target))
        os.replace(temporary, target)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise RequestError(f"{target}: cannot write: {exc.strerror or exc}") from None


def _file_mode(target: Path) -> int:
    """The mode the file would have had: the old file's, else the usual one under the umask."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask
