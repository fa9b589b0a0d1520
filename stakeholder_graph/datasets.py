"""The example datasets installed with the package.

``demo``
    A fictional consortium made for the demo: about 120 Partners and 15 Guests in every sector
    and UN M49 region, ten years of committees and convenings, upcoming events for the planner
    and representation gaps planted on purpose (``data/demo/README.md`` lists them). Written by
    ``tools/make_demo.py``.
``pai``
    The real Partnership on AI roster from public sources, each row with its ``source``
    (``data/pai/README.md`` says where it is incomplete).

>>> (bundled_path("demo") / "partners.csv").is_file()
True
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from core.errors import RequestError, StakeholderGraphError

__all__ = ["BUNDLED", "bundled_path"]

#: Names of the bundled datasets; the first one is what ``stakeholder-graph demo`` opens.
BUNDLED: tuple[str, ...] = ("demo", "pai")


def bundled_path(name: str) -> Path:
    """The folder of the bundled dataset ``name``, ready for ``loaders.read_dataset``.

    Parameters
    ----------
    name : str
        One of :data:`BUNDLED` (``"demo"`` or ``"pai"``), matched exactly.

    Returns
    -------
    Path
        A folder of CSV files in the documented dataset format.

    Raises
    ------
    RequestError
        ``name`` is not a bundled dataset; the message lists the known ones.
    StakeholderGraphError
        The package was installed without its data files.

    >>> bundled_path("pai").name
    'pai'
    """
    if name not in BUNDLED:
        raise RequestError(f"unknown bundled dataset {name!r}: choose one of {', '.join(BUNDLED)}")
    folder = resources.files("stakeholder_graph").joinpath("data", name)
    # The data ships as ordinary package files (pyproject package-data), so the resource is a real
    # folder on disk; a zipped install would give another Traversable, which loaders cannot read.
    if not isinstance(folder, Path) or not (folder / "partners.csv").is_file():
        raise StakeholderGraphError(
            f"the bundled dataset {name!r} is missing from this installation "
            "(reinstall stakeholder-graph with its package data)"
        )
    return folder
