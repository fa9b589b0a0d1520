"""Diversity of a group: composition by any attribute, Blau, Shannon and evenness.

Indices take *counts* per category (a dict, a :class:`pandas.Series`, a list or an array) and
return a Python ``float``. With shares ``p_i = n_i / N``:

- Blau = ``1 - sum p_i**2`` (the chance two members drawn with replacement differ);
- normalised Blau = Blau / ``(1 - 1/k)``, in [0, 1], for ``k`` possible categories;
- Shannon = ``-sum p_i ln p_i`` (natural log);
- evenness (Pielou) = Shannon / ``ln k``, in [0, 1].

``k`` defaults to the number of entries given, zeros included, so pass the full category list
(zeros for the absent ones) to normalise against the categories that *could* be present.

>>> round(blau({"Industry": 2, "Academic": 2}), 3)
0.5
>>> round(normalised_blau([2, 2, 0, 0]), 3)
0.667
>>> round(shannon([1, 1]), 4)
0.6931
>>> evenness([5, 5])
1.0
>>> diversity({"Industry": 3})["blau"]
0.0
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from analysis.snapshot import (
    DateLike,
    active_counts_on,
    active_memberships,
    active_partners,
    committees,
    counted_partners,
    events_in_window,
    to_timestamp,
)
from core.evidence import GEOGRAPHIC, unknown_place
from core.model import GUEST, Dataset

__all__ = [
    "GEOGRAPHIC",
    "INDICES",
    "UNKNOWN",
    "Composition",
    "blau",
    "category_label",
    "composition",
    "diversity",
    "evenness",
    "group_baselines",
    "group_compositions",
    "group_members",
    "group_unknowns",
    "labels_of",
    "partner_labels",
    "membership_totals",
    "normalised_blau",
    "plural",
    "shannon",
]

Counts: TypeAlias = Mapping[Any, float] | pd.Series | Sequence[float] | np.ndarray

#: The label under which totals show the partners whose value in a dimension is unknown.
UNKNOWN = "Unknown"


def category_label(value: Any) -> str:
    """The JSON label of a category value: text as is, booleans as ``"True"``/``"False"``."""
    if isinstance(value, (bool, np.bool_)):
        return "True" if value else "False"
    return str(value)


def _as_array(counts: Counts, *, name: str = "counts") -> np.ndarray:
    """Validate counts and return them as a 1-D float array (zeros kept)."""
    if isinstance(counts, Mapping):
        values: Any = list(counts.values())
    elif isinstance(counts, pd.Series):
        values = counts.to_numpy()
    else:
        values = counts
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric counts, got {counts!r}") from exc
    if array.ndim == 0:
        raise ValueError(f"{name} must be a 1-D collection of counts, got a scalar {counts!r}")
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {array.shape}")
    if np.isnan(array).any():
        raise ValueError(f"{name} must not contain NaN, got {counts!r}")
    if np.isinf(array).any():
        raise ValueError(f"{name} must be finite, got {counts!r}")
    if (array < 0).any():
        raise ValueError(f"{name} must be non-negative, got {counts!r}")
    return array


def _shares(array: np.ndarray) -> np.ndarray:
    total = array.sum()
    shares: np.ndarray = array[array > 0] / total
    return shares


def _k(array: np.ndarray, k: int | None) -> int:
    if k is None:
        return int(array.size)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    present = int((array > 0).sum())
    if k < present:
        raise ValueError(
            f"k must be at least the number of categories present ({present}), got {k}"
        )
    return int(k)


def blau(counts: Counts) -> float:
    """Blau's index ``1 - sum p_i**2``.

    An empty group has Blau 0 (no two members can differ); one member gives 0 too.

    >>> blau([1, 1, 1, 1])
    0.75
    >>> blau([])
    0.0
    """
    array = _as_array(counts)
    if array.sum() == 0:  # empty room: nothing to differ
        return 0.0
    p = _shares(array)
    return float(max(0.0, 1.0 - float(np.sum(p * p))))


def normalised_blau(counts: Counts, k: int | None = None) -> float:
    """Blau divided by its maximum ``1 - 1/k`` for ``k`` categories (default: entries given).

    With ``k <= 1`` no diversity is possible and the result is 0.

    >>> normalised_blau([1, 1, 1, 1])
    1.0
    >>> round(normalised_blau({"A": 3, "B": 1}, k=3), 4)
    0.5625
    """
    array = _as_array(counts)
    kk = _k(array, k)
    if kk <= 1:  # a single possible category: the maximum is 0, define the ratio as 0
        return 0.0
    return float(min(1.0, blau(array) / (1.0 - 1.0 / kk)))


def shannon(counts: Counts) -> float:
    """Shannon entropy ``-sum p_i ln p_i`` in nats; 0 for an empty or one-category group.

    >>> round(shannon({"A": 1, "B": 1, "C": 1, "D": 1}), 4)
    1.3863
    """
    array = _as_array(counts)
    if array.sum() == 0:  # empty room
        return 0.0
    p = _shares(array)
    return float(max(0.0, -float(np.sum(p * np.log(p)))))


def evenness(counts: Counts, k: int | None = None) -> float:
    """Pielou's evenness: Shannon / ``ln k`` (default ``k``: entries given); 0 when ``k <= 1``.

    >>> round(evenness([3, 1]), 4)
    0.8113
    >>> evenness([4, 0])
    0.0
    """
    array = _as_array(counts)
    kk = _k(array, k)
    if kk <= 1:  # one possible category: evenness is undefined, report no diversity
        return 0.0
    return float(min(1.0, shannon(array) / math.log(kk)))


#: The indices reported for every group and attribute, in report order.
INDICES: dict[str, Any] = {
    "blau": blau,
    "normalised_blau": normalised_blau,
    "shannon": shannon,
    "evenness": evenness,
}


def diversity(counts: Counts, k: int | None = None) -> dict[str, float]:
    """All indices at once: ``{"blau", "normalised_blau", "shannon", "evenness"}``.

    >>> diversity([1, 1])
    {'blau': 0.5, 'normalised_blau': 1.0, 'shannon': 0.6931471805599453, 'evenness': 1.0}
    """
    array = _as_array(counts)
    _k(array, k)  # check k once, before any index is computed
    return {
        "blau": blau(array),
        "normalised_blau": normalised_blau(array, k),
        "shannon": shannon(array),
        "evenness": evenness(array, k),
    }


@dataclass(frozen=True)
class Composition:
    """Counts and shares of one attribute in a group.

    ``counts`` is ordered by count (largest first) then label; ``unknown`` counts members whose
    label is missing (they are left out of the shares and the indices).
    """

    attribute: str
    counts: dict[str, float]
    unknown: float = 0.0
    weighted: bool = False

    @property
    def total(self) -> float:
        return float(sum(self.counts.values()))

    @property
    def shares(self) -> dict[str, float]:
        total = self.total
        if total == 0:  # empty group: no shares
            return {}
        return {label: value / total for label, value in self.counts.items()}

    def diversity(self, k: int | None = None) -> dict[str, float]:
        """The indices of these counts (``k`` defaults to the categories present)."""
        return diversity(list(self.counts.values()), k)

    def to_dict(self) -> dict[str, Any]:
        return {
            "attribute": self.attribute,
            "total": _plain(self.total),
            "counts": {k: _plain(v) for k, v in self.counts.items()},
            "shares": self.shares,
            "unknown": _plain(self.unknown),
            "weighted": self.weighted,
        }


def _plain(value: float) -> int | float:
    """Whole numbers as int (head-counts), others as float."""
    return int(value) if float(value).is_integer() else float(value)


def _missing(values: pd.Series) -> pd.Series:
    return values.isna() | (values.astype(str).str.strip() == "")


def labels_of(partners: pd.DataFrame, dimension: str) -> pd.Series:
    """The values of ``dimension`` with the geographic ones of a partner without country missing.

    The loader stores ``global_south`` as a bool, so a partner with no country would read as
    Global North; its region, sub-region and Global South are unknown instead (``None``), which
    keeps it out of those shares and baselines while it still counts in the totals.

    >>> import pandas as pd
    >>> p = pd.DataFrame({"country": ["KEN", ""], "global_south": [True, False]})
    >>> labels_of(p, "global_south").tolist()
    [True, None]
    """
    if dimension not in partners.columns:
        raise ValueError(f"dimension {dimension!r} is not a partner column")
    values = partners[dimension]
    if dimension not in GEOGRAPHIC or "country" not in partners.columns:
        return values
    return values.astype(object).where(~unknown_place(partners), None)


def composition(
    frame_or_series: pd.DataFrame | pd.Series,
    attribute: str = "sector",
    *,
    weights: str | Sequence[float] | np.ndarray | pd.Series | None = None,
) -> Composition:
    """Counts and shares of ``attribute`` among the rows of a partner frame (or of a Series).

    Parameters
    ----------
    frame_or_series : DataFrame or Series
        One row per member. A Series is taken as the attribute values themselves.
    attribute : str, default "sector"
        Any column: sector, region, subregion, country, global_south, or an extra column.
        Multi-valued cells (tuples, e.g. ``focus_areas``) count once per value.
    weights : str or array-like, optional
        Per-row weights (a column name such as ``"attendees"``, or values); default 1 per row.

    Returns
    -------
    Composition

    >>> import pandas as pd
    >>> c = composition(pd.DataFrame({"sector": ["Industry", "Academic", "Industry"]}))
    >>> c.counts
    {'Industry': 2, 'Academic': 1}
    >>> round(c.shares["Industry"], 3)
    0.667
    """
    if isinstance(frame_or_series, pd.DataFrame):
        if attribute not in frame_or_series.columns:
            raise ValueError(
                f"attribute {attribute!r} is not a column; have {sorted(frame_or_series.columns)}"
            )
        values = labels_of(frame_or_series, attribute)
    elif isinstance(frame_or_series, pd.Series):
        values = frame_or_series
    else:
        raise ValueError(
            f"frame_or_series must be a DataFrame or Series, got {type(frame_or_series).__name__}"
        )
    values = values.reset_index(drop=True)
    if weights is None:
        w = pd.Series(np.ones(len(values)), dtype=float)
    else:
        if isinstance(weights, str):
            if not isinstance(frame_or_series, pd.DataFrame) or weights not in frame_or_series:
                raise ValueError(f"weights {weights!r} is not a column of the frame")
            raw: Any = frame_or_series[weights].to_numpy()
        else:
            raw = np.asarray(weights.to_numpy() if isinstance(weights, pd.Series) else weights)
        if len(raw) != len(values):
            raise ValueError(f"weights must have one value per row ({len(values)}), got {len(raw)}")
        w = pd.Series(_as_array(raw, name="weights"))
    if values.map(lambda v: isinstance(v, (tuple, list))).any():
        values = values.map(lambda v: tuple(v) if isinstance(v, (tuple, list)) else (v,))
        exploded = pd.DataFrame({"v": values, "w": w}).explode("v")
        values, w = (
            exploded["v"].reset_index(drop=True),
            exploded["w"].astype(float).reset_index(drop=True),
        )
    missing = _missing(values)
    unknown = float(w[missing].sum())
    known = pd.DataFrame({"label": values[~missing].map(category_label), "w": w[~missing]})
    sums = known.groupby("label", sort=False)["w"].sum()
    ordered = sorted(sums.items(), key=lambda kv: (-kv[1], kv[0]))
    counts = {label: _plain(value) for label, value in ordered if value > 0}
    return Composition(
        attribute=attribute,
        counts=counts,
        unknown=unknown,
        weighted=weights is not None,
    )


# --- Many groups at once -------------------------------------------------------------------
# The report needs the composition of every committee and every event; one merge and one
# groupby over the attendance table does that for thousands of events, where filtering the
# frame once per event would not scale (20,000 partners, 2,000 events, 200,000 rows).

GROUP_COLUMNS: tuple[str, ...] = ("kind", "group_id", "dimension", "category", "count")
BASELINE_COLUMNS: tuple[str, ...] = ("kind", "group_id", "dimension", "category", "baseline_count")
GROUP_KINDS: tuple[str, ...] = ("committee", "event")


def _check_kinds(kinds: Sequence[str]) -> None:
    if isinstance(kinds, str) or not set(kinds) <= set(GROUP_KINDS):
        raise ValueError(f"kinds must be a subset of {GROUP_KINDS}, got {kinds!r}")


def group_members(
    ds: Dataset,
    as_of: DateLike | None = None,
    *,
    since: DateLike | None = None,
    program: str | None = None,
    kinds: Sequence[str] = GROUP_KINDS,
) -> pd.DataFrame:
    """Who is in each group: ``[kind, group_id, partner_id]``, one row per member.

    Committees: seats active on ``as_of`` held by partners active on ``as_of``. Events:
    everyone who attended an event with ``since < date <= as_of`` (Guests included), see
    :mod:`analysis.snapshot`. ``kinds`` limits the groups to committees or events.
    """
    _check_kinds(kinds)
    seats = active_memberships(ds, as_of, program=program)
    if "committee" not in kinds:
        seats = seats.iloc[0:0]
    committee_rows = pd.DataFrame(
        {"kind": "committee", "group_id": seats["committee_id"], "partner_id": seats["partner_id"]}
    )
    events = events_in_window(ds, as_of=as_of, since=since, program=program)
    if "event" not in kinds:
        events = events.iloc[0:0]
    attendance = ds.attendance.loc[ds.attendance["event_id"].isin(events["event_id"])]
    event_rows = pd.DataFrame(
        {
            "kind": "event",
            "group_id": attendance["event_id"],
            "partner_id": attendance["partner_id"],
        }
    )
    members = pd.concat([committee_rows, event_rows], ignore_index=True)
    members = members.drop_duplicates(["kind", "group_id", "partner_id"])
    return members.sort_values(["kind", "group_id", "partner_id"], kind="mergesort").reset_index(
        drop=True
    )


def partner_labels(partners: pd.DataFrame, dimension: str) -> pd.DataFrame:
    """``[partner_id, category]``: each partner's label(s) in ``dimension``, missing dropped.

    Labels are computed once per partner (not once per attendance row); multi-valued cells
    give one row per value; a partner without country has no geographic label (:func:`labels_of`).
    """
    labels = pd.DataFrame(
        {"partner_id": partners["partner_id"], "category": labels_of(partners, dimension)}
    )
    if labels["category"].map(lambda v: isinstance(v, (tuple, list))).any():
        labels = labels.explode("category")
    labels = labels.loc[~_missing(labels["category"])]
    return labels.assign(category=labels["category"].map(category_label)).reset_index(drop=True)


def _long_counts(
    members: pd.DataFrame, partners: pd.DataFrame, dimensions: Sequence[str]
) -> pd.DataFrame:
    frames = []
    for dim in dimensions:
        labels = partner_labels(partners, dim)
        joined = members.merge(labels, on="partner_id", how="inner")
        counted = joined.groupby(["kind", "group_id", "category"], sort=True).size()
        counted = counted.rename("count").reset_index()
        counted.insert(2, "dimension", dim)
        frames.append(counted)
    if not frames:
        return pd.DataFrame(columns=list(GROUP_COLUMNS))
    out = pd.concat(frames, ignore_index=True)
    return out[list(GROUP_COLUMNS)]


def group_compositions(
    ds: Dataset,
    as_of: DateLike | None = None,
    dimensions: Sequence[str] = ("sector", "region"),
    *,
    since: DateLike | None = None,
    program: str | None = None,
    kinds: Sequence[str] = GROUP_KINDS,
) -> pd.DataFrame:
    """Head-counts per category of every committee and every event, in one table.

    Parameters
    ----------
    ds : Dataset
    as_of : date-like, optional
        Committees as on this day; events dated on or before it. Default today.
    dimensions : sequence of str, default ("sector", "region")
        Partner columns to count by.
    since : date-like, optional
        Only events after this day (exclusive).
    program : str, optional
        Only committees and events of this program.
    kinds : sequence of {"committee", "event"}, default both
        Which groups to compose.

    Returns
    -------
    DataFrame
        ``[kind, group_id, dimension, category, count]`` sorted by kind, group_id, dimension
        (in the order given) and category; categories a group lacks are absent (no zero rows);
        members with a missing label are not counted. Booleans are labelled "True"/"False".
    """
    dims = list(dimensions)
    members = group_members(ds, as_of, since=since, program=program, kinds=kinds)
    out = _long_counts(members, ds.partners, dims)
    return _sort_long(out, dims)


def group_unknowns(
    ds: Dataset,
    as_of: DateLike | None = None,
    dimensions: Sequence[str] = ("sector", "region"),
    *,
    since: DateLike | None = None,
    program: str | None = None,
    kinds: Sequence[str] = GROUP_KINDS,
) -> pd.DataFrame:
    """Members of each group whose value in a dimension is unknown: ``[kind, group_id, dimension,
    unknown]``, groups without any left out.

    They are in the group's size but in none of its shares, and so in no gap test of that
    dimension; reports show the count beside the composition.
    """
    members = group_members(ds, as_of, since=since, program=program, kinds=kinds)
    frames = []
    for dim in dimensions:
        values = labels_of(ds.partners, dim)
        if values.map(lambda v: isinstance(v, (tuple, list))).any():
            blank = values.map(lambda v: isinstance(v, (tuple, list)) and len(v) == 0)
        else:
            blank = _missing(values)
        ids = ds.partners.loc[blank.to_numpy(), "partner_id"]
        part = members.loc[members["partner_id"].isin(ids)]
        counted = part.groupby(["kind", "group_id"], sort=True).size().rename("unknown")
        frames.append(counted.reset_index().assign(dimension=dim))
    columns = ["kind", "group_id", "dimension", "unknown"]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


def _sort_long(frame: pd.DataFrame, dims: Sequence[str], count: str = "count") -> pd.DataFrame:
    """Sort a long group table by kind, group, dimension (in the order given) and category."""
    order = {d: i for i, d in enumerate(dims)}
    frame = frame.assign(_d=frame["dimension"].map(order))
    frame = frame.sort_values(["kind", "group_id", "_d", "category"], kind="mergesort")
    frame = frame.drop(columns="_d").reset_index(drop=True)
    frame[count] = frame[count].astype("int64")
    return frame


def group_baselines(
    ds: Dataset,
    as_of: DateLike | None = None,
    dimensions: Sequence[str] = ("sector", "region"),
    *,
    since: DateLike | None = None,
    program: str | None = None,
    kinds: Sequence[str] = GROUP_KINDS,
) -> pd.DataFrame:
    """The baseline head-counts each group is compared with, per category.

    A committee's baseline is the Partners active on ``as_of``; an event's is the Partners
    active on the event's date (DESIGN.md). Guests are never in a baseline.

    Returns
    -------
    DataFrame
        ``[kind, group_id, dimension, category, baseline_count]``, zero counts left out.
    """
    _check_kinds(kinds)
    dims = list(dimensions)
    day = to_timestamp(as_of)
    partners = counted_partners(ds)
    chosen = committees(ds, program=program)["committee_id"]
    if "committee" not in kinds:
        chosen = chosen.iloc[0:0]
    events = events_in_window(ds, as_of=day, since=since, program=program)
    if "event" not in kinds:
        events = events.iloc[0:0]
    frames = []
    for dim in dims:
        labelled = partners[["counted_from", "left"]].assign(**{dim: labels_of(partners, dim)})
        on_day = active_counts_on(labelled, [day], dim, start="counted_from")
        if len(chosen) and on_day.shape[1]:
            row = on_day.iloc[0]
            row = row[row > 0]
            committee_part = pd.DataFrame(
                {
                    "kind": "committee",
                    "group_id": np.repeat(chosen.to_numpy(), len(row)),
                    "dimension": dim,
                    "category": np.tile([category_label(c) for c in row.index], len(chosen)),
                    "baseline_count": np.tile(row.to_numpy(), len(chosen)),
                }
            )
            frames.append(committee_part)
        if len(events):
            per_date = active_counts_on(labelled, events["date"], dim, start="counted_from")
            if per_date.shape[1]:
                per_date.columns = [category_label(c) for c in per_date.columns]
                per_event = per_date.reindex(pd.DatetimeIndex(events["date"]))
                per_event.index = pd.Index(events["event_id"].to_numpy(), name="group_id")
                stacked = per_event.stack()
                stacked = stacked[stacked > 0].rename("baseline_count").reset_index()
                stacked.columns = ["group_id", "category", "baseline_count"]
                stacked.insert(0, "kind", "event")
                stacked.insert(2, "dimension", dim)
                frames.append(stacked)
    if not frames:
        return pd.DataFrame(columns=list(BASELINE_COLUMNS))
    out = pd.concat(frames, ignore_index=True)[list(BASELINE_COLUMNS)]
    return _sort_long(out, dims, "baseline_count")


def membership_totals(
    ds: Dataset,
    as_of: DateLike | None = None,
    dimensions: Sequence[str] = ("sector", "region", "subregion", "global_south"),
) -> dict[str, Any]:
    """Head-line totals of the membership on ``as_of``: Partners only (Guests never count).

    Returns
    -------
    dict
        ``partners``, ``guests`` (active Guests, reported apart), ``countries`` (distinct),
        one ``{category: count}`` dict per dimension under its plural name (``sectors``,
        ``regions``, ``subregions``, ``global_south``...), with the partners whose value is
        unknown (no country, for the geographic dimensions) under ``"Unknown"``, and
        ``diversity`` per dimension (known values only).
    """
    day = to_timestamp(as_of)
    members = active_partners(ds, day)
    guests = active_partners(ds, day, membership=GUEST)
    known_country = members["country"].astype(str) != ""
    out: dict[str, Any] = {
        "partners": len(members),
        "guests": len(guests),
        "countries": int(members.loc[known_country, "country"].nunique()),
    }
    indices: dict[str, dict[str, float]] = {}
    for dim in dimensions:
        comp = composition(members, dim)
        counts: dict[str, int | float] = dict(comp.counts)
        if comp.unknown:  # counted in the total, shown apart, in no share or index
            counts[UNKNOWN] = _plain(comp.unknown)
        out[plural(dim)] = counts
        indices[dim] = comp.diversity()
    out["diversity"] = indices
    return out


def plural(dimension: str) -> str:
    """The totals key of a dimension: ``sector`` -> ``sectors``; ``global_south`` unchanged."""
    if dimension == "global_south" or dimension.endswith("s"):
        return dimension
    if dimension == "country":
        return "countries_by_code"
    return dimension + "s"
