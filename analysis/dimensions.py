"""Which partner columns can be analysed as dimensions, and the names a user typed for them.

Sector, region, sub-region, country and Global South are always dimensions. Any other partner
column the source carried (``focus_areas``, ``size``, ``legal_form``…) is one too when it is
categorical: labels that repeat, not one value per partner (a website or a note is not a
dimension). A multi-valued cell (``a;b``) counts the partner once in each of its values, so a
group's shares in such a dimension can sum to more than 1.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from core.errors import RequestError
from core.model import PARTNER_COLUMNS, Dataset

__all__ = ["BUILT_IN", "MULTI_VALUED_NOTE", "categorical_columns", "is_multi_valued",
           "multi_valued_columns", "resolve_dimensions"]

#: Dimensions every dataset has (from the country and sector columns).
BUILT_IN: tuple[str, ...] = ("sector", "region", "subregion", "country", "global_south")
#: Said wherever a multi-valued dimension is shown.
MULTI_VALUED_NOTE = ("a partner with several values (a;b) counts once in each, so shares can sum "
                     "to more than 100%")
#: Columns that describe or date a partner but never group partners.
_NOT_DIMENSIONS = frozenset(PARTNER_COLUMNS) - set(BUILT_IN) | {"first_seen", "source",
                                                                "left_source"}
#: A column is categorical when its distinct values are at most this share of its partners...
_MAX_DISTINCT_SHARE = 0.5
#: ...or at most this many (small datasets: 8 partners in 6 size classes is still categorical).
_SMALL = 12


def _values(column: pd.Series) -> pd.Series:
    exploded = column.explode() if column.map(lambda v: isinstance(v, tuple | list)).any() \
        else column
    return exploded[exploded.map(lambda v: v is not None and v == v and str(v).strip() != "")]


def is_multi_valued(partners: pd.DataFrame, column: str) -> bool:
    """Whether any partner holds several values in ``column`` (``a;b`` in the source)."""
    return bool(partners[column].map(lambda v: isinstance(v, tuple | list) and len(v) > 1).any())


def multi_valued_columns(partners: pd.DataFrame, columns: Iterable[str]) -> list[str]:
    """Those of ``columns`` that are partner columns holding several values for someone."""
    return [c for c in columns if c in partners.columns and is_multi_valued(partners, c)]


def categorical_columns(ds: Dataset) -> list[str]:
    """The extra partner columns that can be dimensions, in the order of the partners table.

    >>> import pandas as pd
    >>> ds = Dataset.from_frames(partners=pd.DataFrame({
    ...     "partner_id": list("abcdefgh"), "name": list("ABCDEFGH"),
    ...     "sector": ["Industry"] * 8, "country": ["FR"] * 8,
    ...     "size": ["large", "small"] * 4, "website": [f"https://{c}.example" for c in "abcdefgh"],
    ... }))
    >>> categorical_columns(ds)
    ['size']
    """
    partners = ds.partners
    chosen = []
    for column in partners.columns:
        if column in _NOT_DIMENSIONS or column in BUILT_IN:
            continue
        if pd.api.types.is_datetime64_any_dtype(partners[column]):
            continue
        values = _values(partners[column])
        if values.empty:
            continue
        distinct = values.map(str).str.strip().str.casefold().nunique()
        if distinct < len(values) and (distinct <= _SMALL
                                       or distinct <= _MAX_DISTINCT_SHARE * len(partners)):
            chosen.append(str(column))
    return chosen


def resolve_dimensions(ds: Dataset, names: Iterable[str],
                       defaults: Sequence[str]) -> list[str]:
    """The report's dimensions: ``defaults`` then each named column, matched case-insensitively.

    Raises :class:`~core.errors.RequestError` for a name that is no partner column or not a
    categorical one, listing the columns that can be used.
    """
    chosen = list(defaults)
    usable = list(BUILT_IN) + categorical_columns(ds)
    by_key = {c.casefold(): c for c in usable}
    for name in names:
        key = name.strip().casefold()
        if key in by_key:
            column = by_key[key]
        elif key in {str(c).casefold() for c in ds.partners.columns}:
            raise RequestError(
                f"--dimension {name!r}: that column holds a different value for almost every "
                f"partner, so it does not group them; dimensions: {', '.join(usable)}")
        else:
            raise RequestError(
                f"--dimension {name!r}: no such partner column; dimensions: {', '.join(usable)}")
        if column not in chosen:
            chosen.append(column)
    return chosen
