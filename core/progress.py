"""Progress bars for long work, drawn with rich on stderr (quiet when stderr is not a terminal)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.progress import (
    Progress as RichProgress,
)

#: ``progress(step, done, total)``: long work reports each step's advance through one of these;
#: the command line draws it as a bar.
Progress = Callable[[str, int, int], None]


@contextmanager
def progress_bar(title: str) -> Iterator[Progress]:
    """Yield a ``progress(step, done, total)`` callback that draws one bar per step."""
    console = Console(stderr=True)
    columns = (
        TextColumn(f"{title}: {{task.description}}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with RichProgress(*columns, console=console, transient=False, disable=not console.is_terminal) as bar:
        tasks: dict[str, TaskID] = {}

        def update(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(step, total=max(total, 1))
            bar.update(tasks[step], completed=done, total=max(total, 1))

        yield update
