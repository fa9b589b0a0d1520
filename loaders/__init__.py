"""Loaders: read a CSV folder or an XLSX workbook, normalise and validate it, build a Dataset."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from core.model import Dataset
from loaders.countries import load_global_south_overrides
from loaders.reader import read_source
from loaders.validate import SPECS, build_dataset

__all__ = ["read_dataset"]


def read_dataset(path: str | Path, *, global_south: Mapping[str, bool] | None = None) -> Dataset:
    """Read, normalise and validate a dataset; raise DataError listing every problem.

    ``path`` is a folder of ``<table>.csv`` files, one ``.xlsx`` workbook with a sheet per
    table, or a single partners CSV. ``global_south`` overrides the default Global South
    classification per ISO3 code (default: the file named by ``STAKEHOLDER_GRAPH_GLOBAL_SOUTH``).
    """
    path = Path(path)
    overrides = dict(global_south) if global_south is not None else load_global_south_overrides()
    tables, problems = read_source(path, {name: spec.required for name, spec in SPECS.items()})
    return build_dataset(tables, source=str(path), problems=problems, global_south=overrides)
