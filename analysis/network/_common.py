"""Helpers every network family shares: argument checks, JSON floats, block-by-block sums.

The block loops exist for scale: at 20,000 partners the adjacency holds 30M+ stored entries, and
a per-entry int64 temporary of all of them costs 250 MB, so sums walk the CSR rows in blocks of
about :data:`BLOCK_ENTRIES` entries.

>>> import numpy as np, scipy.sparse as sp
>>> row_sums(sp.csr_matrix(np.array([[0, 2, 1], [2, 0, 0], [1, 0, 0]]))).tolist()
[3, 2, 1]
>>> json_float(float("nan")) is None
True
"""

from __future__ import annotations

import math
import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import igraph as ig
import numpy as np
import scipy.sparse as sp

# Stored entries handled at once by the row-block loops.
BLOCK_ENTRIES = 1 << 21

# igraph draws from one process-wide generator; seeding it for one call must not race with
# another thread (dashboard callbacks) doing the same.
_IGRAPH_RNG_LOCK = threading.Lock()


@contextmanager
def seeded_igraph(seed: int) -> Iterator[None]:
    """igraph's generator seeded with ``seed`` for the calls inside the block only (Louvain's
    order, ARPACK's start vector), so equal seeds give equal results to the last digit."""
    with _IGRAPH_RNG_LOCK:
        ig.set_random_number_generator(random.Random(seed))
        try:
            yield
        finally:
            ig.set_random_number_generator(random)


def check_positive_int(name: str, value: int, minimum: int) -> None:
    """Raise ``ValueError`` naming ``name`` unless ``value`` is an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")


def json_float(value: Any) -> float | None:
    """A float for JSON: NaN and infinities become ``None``."""
    number = float(value)
    return None if math.isnan(number) or math.isinf(number) else number


def plain(value: Any) -> Any:
    """numpy scalars to Python ones, NaN to None (the report is plain JSON)."""
    if isinstance(value, (float, np.floating)):
        return json_float(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def row_indices(matrix: sp.csr_matrix) -> np.ndarray:
    """The row of every stored entry of a CSR matrix (int32: half the memory of int64)."""
    return np.repeat(np.arange(matrix.shape[0], dtype=np.int32), np.diff(matrix.indptr))


def row_blocks(indptr: np.ndarray, entries: int = BLOCK_ENTRIES) -> list[tuple[int, int]]:
    """Consecutive row ranges ``[a, b)`` holding about ``entries`` stored entries each."""
    n = len(indptr) - 1
    blocks = []
    start = 0
    while start < n:
        end = int(np.searchsorted(indptr, indptr[start] + entries, side="right")) - 1
        end = min(max(end, start + 1), n)
        blocks.append((start, end))
        start = end
    return blocks


def block_rows(indptr: np.ndarray, a: int, b: int) -> np.ndarray:
    """The row of each stored entry of rows ``[a, b)`` (int32)."""
    return np.repeat(np.arange(a, b, dtype=np.int32), np.diff(indptr[a:b + 1]))


def sum_dtype(matrix: sp.spmatrix) -> type[np.int64] | type[np.float64]:
    """The exact accumulator of a matrix's weights: int64 for counts (co-participation),
    float64 for real weights (direct links may weigh 0.5).

    >>> sum_dtype(sp.csr_matrix(np.array([[0, 0.5]]))).__name__
    'float64'
    """
    return np.float64 if matrix.dtype.kind == "f" else np.int64


def row_sums(matrix: sp.csr_matrix) -> np.ndarray:
    """Exact row sums of a CSR matrix (int64 for integer weights, float64 for real ones), block
    by block (no int64 copy of the whole data array, which is what ``matrix.sum(axis=1)``
    makes)."""
    dtype = sum_dtype(matrix)
    out = np.zeros(matrix.shape[0], dtype=dtype)
    indptr = matrix.indptr
    for a, b in row_blocks(indptr):
        lo = int(indptr[a])
        sums = np.concatenate([[0], np.cumsum(matrix.data[lo:indptr[b]], dtype=dtype)])
        out[a:b] = sums[indptr[a + 1:b + 1] - lo] - sums[indptr[a:b] - lo]
    return out
