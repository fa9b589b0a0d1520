"""Who connects categories: bridging (E-I index, participation coefficient) and mixing matrices.

>>> import scipy.sparse as sp, numpy as np, pandas as pd
>>> from analysis.network.projection import CoParticipation
>>> cp = CoParticipation(np.array(["a", "b", "c"], dtype=object),
...     sp.csr_matrix(np.array([[0, 2, 1], [2, 0, 0], [1, 0, 0]])), pd.Timestamp(0), None)
>>> frame = pd.DataFrame({"partner_id": ["a", "b", "c"], "sector": ["X", "X", "Y"]})
>>> mixing_matrix(cp, frame).to_numpy().tolist()
[[4, 1], [1, 0]]
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analysis.network._common import block_rows, row_blocks
from analysis.network.projection import CoParticipation

UNKNOWN = "Unknown"


def _categories(cp: CoParticipation, partners_frame: pd.DataFrame, attribute: str
                ) -> tuple[np.ndarray, np.ndarray]:
    """(category of each node, sorted categories); empty labels become ``"Unknown"``."""
    for column in ("partner_id", attribute):
        if column not in partners_frame.columns:
            raise ValueError(f"partners_frame has no column {column!r}")
    lookup = pd.Series(partners_frame[attribute].to_numpy(), index=partners_frame["partner_id"])
    lookup = lookup[~lookup.index.duplicated()]
    values = lookup.reindex(pd.Index(cp.partner_ids))
    missing = values.index[values.isna() & ~values.index.isin(lookup.index)]
    if len(missing):
        raise ValueError(f"partners_frame lacks partners of the graph, e.g. {missing[0]!r}")
    labels = np.array(
        [UNKNOWN if (v is None or (isinstance(v, float) and math.isnan(v)) or str(v) == "")
         else str(v) for v in values.tolist()],
        dtype=object,
    )
    return labels, np.array(sorted(set(labels.tolist())), dtype=object)


def _category_sums(cp: CoParticipation, labels: np.ndarray, categories: np.ndarray,
                   *, weighted: bool) -> np.ndarray:
    """Dense n x categories: each node's ties (or tie weights) into each category."""
    adj = cp.adjacency
    codes = pd.Index(categories).get_indexer(labels)
    width = len(categories)
    out = np.zeros((cp.n_nodes, width), dtype=float)
    indptr = adj.indptr
    # Block by block: a one-hot product would need a ones copy of all 30M+ entries at scale.
    # The sums are of integers, exact in float64, so the result equals the matrix product.
    for a, b in row_blocks(indptr):
        lo, hi = int(indptr[a]), int(indptr[b])
        cells = (block_rows(indptr, a, b) - a).astype(np.int64) * width + codes[
            adj.indices[lo:hi]]
        sums = np.bincount(cells, weights=adj.data[lo:hi] if weighted else None,
                           minlength=(b - a) * width)
        out[a:b] = sums.reshape(b - a, width)
    return out


def bridging(
    cp: CoParticipation,
    partners_frame: pd.DataFrame,
    *,
    attribute: str = "sector",
    weighted: bool = False,
) -> pd.DataFrame:
    """Who connects categories: E-I index and participation coefficient of each partner.

    Parameters
    ----------
    cp : CoParticipation
    partners_frame : DataFrame
        Has ``partner_id`` and ``attribute`` for every node of ``cp`` (e.g. ``ds.partners``).
    attribute : str, default "sector"
        The partner column whose categories are bridged; empty labels count as "Unknown".
    weighted : bool, default False
        Count ties (False) or sum their weights (True).

    Returns
    -------
    DataFrame
        ``partner_id, category, internal, external, ei, participation`` in node order:
        ``internal``/``external`` are ties (or weights) to the same / other categories;
        ``ei = (external - internal) / (external + internal)`` (Krackhardt and Stern) in
        [-1, 1]; ``participation = 1 - sum_s (k_is / k_i)**2`` over categories ``s`` (Guimerà
        and Amaral), 0 when all ties stay in one category. Both are NaN for isolated partners.

    >>> import scipy.sparse as sp, numpy as np, pandas as pd
    >>> cp = CoParticipation(np.array(["a", "b", "c"], dtype=object),
    ...     sp.csr_matrix(np.array([[0, 1, 1], [1, 0, 0], [1, 0, 0]])), pd.Timestamp(0), None)
    >>> frame = pd.DataFrame({"partner_id": ["a", "b", "c"], "sector": ["X", "X", "Y"]})
    >>> bridging(cp, frame)[["ei", "participation"]].to_dict("list")
    {'ei': [0.0, -1.0, 1.0], 'participation': [0.5, 0.0, 0.0]}
    """
    labels, categories = _categories(cp, partners_frame, attribute)
    by_category = _category_sums(cp, labels, categories, weighted=weighted)
    total = by_category.sum(axis=1)
    codes = pd.Index(categories).get_indexer(labels)
    internal = by_category[np.arange(len(labels)), codes] if len(labels) else np.zeros(0)
    external = total - internal
    with np.errstate(invalid="ignore", divide="ignore"):
        ei = np.where(total > 0, (external - internal) / total, np.nan)
        shares = by_category / total[:, None]
        participation = np.where(total > 0, 1.0 - np.nansum(shares**2, axis=1), np.nan)
    return pd.DataFrame({
        "partner_id": cp.partner_ids.astype(object),
        "category": labels,
        "internal": internal,
        "external": external,
        "ei": ei,
        "participation": participation,
    })


def mixing_matrix(
    cp: CoParticipation,
    partners_frame: pd.DataFrame,
    *,
    attribute: str = "sector",
    normalized: bool = False,
    weighted: bool = True,
) -> pd.DataFrame:
    """Edge weight between categories: rows and columns are the categories, sorted.

    Each undirected edge counts in both directions, as in networkx's
    ``attribute_mixing_matrix`` (so the matrix is symmetric and a within-category edge adds
    twice to the diagonal); with ``weighted=False`` the result equals networkx's.

    Parameters
    ----------
    cp : CoParticipation
    partners_frame : DataFrame
        Has ``partner_id`` and ``attribute`` for every node of ``cp``.
    attribute : str, default "sector"
    normalized : bool, default False
        Divide by the total so the entries sum to 1 (a joint distribution).
    weighted : bool, default True
        Sum edge weights (True) or count edges (False).

    Returns
    -------
    DataFrame
        Square, indexed and columned by category. All zeros when there are no edges.
    """
    labels, categories = _categories(cp, partners_frame, attribute)
    by_category = _category_sums(cp, labels, categories, weighted=weighted)
    codes = pd.Index(categories).get_indexer(labels)
    # Row sums of by_category grouped by the node's own category: C.T @ A @ C.
    matrix = np.zeros((len(categories), len(categories)))
    np.add.at(matrix, codes, by_category)
    total = matrix.sum()
    if normalized and total > 0:
        matrix = matrix / total
    elif not normalized and (not weighted or cp.adjacency.dtype.kind != "f"):
        matrix = np.rint(matrix).astype(np.int64)  # counts and integer weights
    return pd.DataFrame(matrix, index=pd.Index(categories, name=attribute),
                        columns=pd.Index(categories, name=attribute))
