"""Representation gaps: who is missing from a group, compared with a baseline or a target.

For each dimension (sector, region, Global South...) and each category present in the
*baseline* (the Partners active at the date) or named in the ``targets`` table, a group has a
**gap** when it lacks the category (``missing``) or holds it at

    ``ratio = share / expected_share < threshold`` (default 0.8),

where ``share = count / size`` in the group and ``expected_share`` is the category's share of
the baseline, or the target's ``min_share`` when the targets table has a row for that dimension
and category (targets override the baseline). A category with ``expected_share == 0`` cannot
be under-represented. Where a targets row has a ``max_share``, holding *more* than it is a gap
too (``direction == "over"``): its ``expected_share`` is that maximum, its ``excess`` the
head-count above it, and its p-value the exact upper tail, binomial ``P(X >= count)`` with
``p = max_share``.

``p_value``: the chance of drawing *that few or fewer* of the category when the group's members
are drawn at random —

- from the baseline (baseline share): exact hypergeometric ``P(X <= count)`` with population
  = baseline size, successes = the category's baseline count, draws = group size
  (:func:`scipy.stats.hypergeom`);
- against a target share, or when the group is larger than its baseline (an event with Guests
  can be): binomial ``P(X <= count)`` with ``p = expected_share`` (:func:`scipy.stats.binom`).

``shortfall``: the head-count the group would need to **add** — members of that category — to
reach the expected share: the smallest ``k >= 0`` with ``(count + k) / (size + k) >=
expected_share``, i.e. ``ceil((expected_share * size - count) / (1 - expected_share))``. When
``expected_share == 1`` adding members can never reach it unless the group is already all of
that category, and ``shortfall`` is ``None``.

``excess`` (over-representation): members of the category above the maximum at the room's
size, ``count - floor(max_share * size)``.

Which rooms are tested: a room with no member has nothing to compare (``"empty"``: "no
attendance recorded", never "no gaps"); a room with fewer than ``min_room`` members (default
5) in a dimension is described but not tested (``"too small"``): one member cannot be
"under-represented" in any useful sense. See :func:`room_status`.

Multiple testing: every test of one call of :func:`find_gaps` (the report makes one call for
all its rooms) is one family; ``q_value`` is its Benjamini–Hochberg adjusted p-value
(:func:`scipy.stats.false_discovery_control`) and ``significant`` is ``q_value <= alpha``
(default 0.05). Every judged category is a test, gap or not, so picking the worst rooms cannot
shrink the family. :func:`ranked` keeps the significant gaps, largest head-count first.

>>> import pandas as pd
>>> base = pd.DataFrame({"sector": ["Industry"] * 5 + ["Academic"] * 3 + ["Civil Society"] * 2})
>>> room = pd.DataFrame({"sector": ["Industry"] * 4 + ["Academic"]})
>>> [(g.group, g.missing, g.shortfall) for g in representation_gaps(room, base,
...     dimensions=("sector",))]
[('Civil Society', True, 2), ('Academic', False, 1)]
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from analysis import labels
from analysis.dimensions import multi_valued_columns
from analysis.diversity import composition, group_baselines, group_compositions
from analysis.snapshot import DateLike
from core.model import Dataset

__all__ = [
    "DEFAULT_ALPHA",
    "DEFAULT_DIMENSIONS",
    "DEFAULT_MIN_ROOM",
    "check_threshold",
    "Gap",
    "expected_from_targets",
    "find_gaps",
    "gaps_from_frame",
    "group_gap_rows",
    "group_gaps",
    "limits_from_targets",
    "ranked",
    "recurring_gaps",
    "representation_gaps",
    "room_status",
    "shortfall",
]

DEFAULT_DIMENSIONS: tuple[str, ...] = ("sector", "region", "global_south")
#: Rooms with fewer members than this (in a dimension) are described, not tested.
DEFAULT_MIN_ROOM = 5
#: The false discovery rate at which a gap is called significant.
DEFAULT_ALPHA = 0.05

#: Shares equal up to this tolerance count as equal (the shares come from integer ratios).
_EPS = 1e-9


@dataclass(frozen=True)
class Gap:
    """One under-represented or missing category of one group.

    ``group`` is the *category* label (the name fixed by DESIGN.md's JSON); ``basis`` says where
    ``expected_share`` came from (``"baseline"`` or ``"target"``) and ``test`` which exact test
    gave ``p_value``. ``direction`` is ``"under"`` (short of the expected share; ``shortfall``
    members to add) or ``"over"`` (above a target's ``max_share``, which is then
    ``expected_share``; ``excess`` members too many). ``q_value`` is the Benjamini–Hochberg
    adjusted p-value over every test of the call, ``significant`` whether it is at most alpha.
    """

    dimension: str
    group: str
    count: int
    size: int
    share: float
    expected_share: float
    ratio: float
    missing: bool
    p_value: float
    shortfall: int | None
    baseline_count: int
    baseline_size: int
    basis: str = "baseline"
    test: str = "hypergeometric"
    direction: str = "under"
    excess: int | None = None
    q_value: float = 1.0
    significant: bool = False

    @property
    def category(self) -> str:
        return self.group

    @property
    def headcount(self) -> int | None:
        """Members to add (under) or too many (over): the size of the gap in people."""
        return self.excess if self.direction == "over" else self.shortfall

    def to_dict(self) -> dict[str, Any]:
        # Flat fields only: a plain dict copy is much faster than dataclasses.asdict's deepcopy.
        out = {name: getattr(self, name) for name in _FIELDS}
        out["category"] = self.group
        return out

    def sentence(self, noun: str = "member") -> str:
        """The gap in plain words, for a staff member (``noun``: "member", "participant")."""
        label = _display(self.dimension, self.group)
        expected = f"{self.expected_share:.0%}"
        source = "the target" if self.basis == "target" else "the membership"
        tests = f"p = {self.p_value:.3g}, q = {self.q_value:.3g}"
        if self.direction == "over":
            return (
                f"{label}: {self.count} of {self.size} ({self.share:.0%}), above the maximum of "
                f"{expected} in the target; {self.excess} more than the maximum ({tests})."
            )
        if self.missing:
            head = f"No {label} {noun} among {self.size}"
        else:
            head = f"{label}: {self.count} of {self.size} ({self.share:.0%})"
        more = (
            f"; {self.shortfall} more would reach it"
            if self.shortfall is not None
            else "; adding members cannot reach it"
        )
        return f"{head}, against {expected} in {source}{more} ({tests})."


_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Gap))


def _display(dimension: str, label: str) -> str:
    return labels.category(dimension, label)


def shortfall(count: int, size: int, expected_share: float) -> int | None:
    """Smallest ``k >= 0`` with ``(count + k) / (size + k) >= expected_share``.

    ``None`` when no number of added members reaches it (``expected_share == 1`` and the group
    holds other members).

    >>> shortfall(0, 4, 0.2)
    1
    >>> shortfall(1, 4, 0.5)
    2
    >>> shortfall(3, 4, 0.5)
    0
    """
    if count < 0 or size < count:
        raise ValueError(f"need 0 <= count <= size, got count={count}, size={size}")
    if not 0 <= expected_share <= 1:
        raise ValueError(f"expected_share must be in [0, 1], got {expected_share!r}")
    value = _shortfall_array(np.array([count]), np.array([size]), np.array([expected_share]))[0]
    return None if np.isnan(value) else int(value)


def _shortfall_array(count: np.ndarray, size: np.ndarray, expected: np.ndarray) -> np.ndarray:
    count = count.astype(float)
    size = size.astype(float)
    out = np.full(count.shape, np.nan)
    under_one = expected < 1 - _EPS
    need = expected * size - count
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.ceil(need / (1.0 - expected) - _EPS)
    out[under_one] = np.maximum(k[under_one], 0.0)
    full = ~under_one & (count >= size)
    out[full] = 0.0
    return out


def _norm(label: Any) -> str:
    return str(label).strip().casefold()


def expected_from_targets(targets: pd.DataFrame | None) -> pd.DataFrame:
    """Targets as ``[dimension, key, target_label, target_share]`` (``key`` is case-folded).

    The ``min_share`` column is the expected share; ``max_share`` is read by
    :func:`limits_from_targets`.
    """
    columns = ["dimension", "key", "target_label", "target_share"]
    if targets is None or len(targets) == 0:
        return pd.DataFrame(columns=columns)
    for col in ("dimension", "group", "min_share"):
        if col not in targets.columns:
            raise ValueError(f"targets must have a {col!r} column, got {list(targets.columns)}")
    rows = targets.loc[targets["min_share"].notna()]
    bad = rows.loc[(rows["min_share"] < 0) | (rows["min_share"] > 1)]
    if len(bad):
        raise ValueError(f"targets min_share must be in [0, 1], got {bad['min_share'].tolist()}")
    out = pd.DataFrame(
        {
            "dimension": rows["dimension"].astype(str).str.strip(),
            "key": rows["group"].map(_norm),
            "target_label": rows["group"].astype(str).str.strip(),
            "target_share": rows["min_share"].astype(float),
        }
    )
    return out.drop_duplicates(["dimension", "key"], keep="last").reset_index(drop=True)


def limits_from_targets(targets: pd.DataFrame | None) -> pd.DataFrame:
    """Targets' maxima as ``[dimension, key, max_share]`` (``key`` is case-folded).

    >>> import pandas as pd
    >>> limits_from_targets(pd.DataFrame({"dimension": ["sector"], "group": [" Industry"],
    ...     "min_share": [None], "max_share": [0.4]})).to_dict("records")
    [{'dimension': 'sector', 'key': 'industry', 'max_share': 0.4}]
    """
    columns = ["dimension", "key", "max_share"]
    if targets is None or len(targets) == 0 or "max_share" not in targets.columns:
        return pd.DataFrame(columns=columns)
    rows = targets.loc[targets["max_share"].notna()]
    bad = rows.loc[(rows["max_share"] < 0) | (rows["max_share"] > 1)]
    if len(bad):
        raise ValueError(f"targets max_share must be in [0, 1], got {bad['max_share'].tolist()}")
    out = pd.DataFrame(
        {
            "dimension": rows["dimension"].astype(str).str.strip(),
            "key": rows["group"].map(_norm),
            "max_share": rows["max_share"].astype(float),
        }
    )
    return out.drop_duplicates(["dimension", "key"], keep="last").reset_index(drop=True)


def room_status(size: int | None, min_room: int = DEFAULT_MIN_ROOM) -> str:
    """``"empty"`` (nobody recorded), ``"too small"`` (described, not tested) or ``"tested"``.

    >>> room_status(0), room_status(1), room_status(5)
    ('empty', 'too small', 'tested')
    """
    check_min_room(min_room)
    if not size:
        return "empty"
    return "too small" if size < min_room else "tested"


def check_min_room(min_room: int) -> None:
    """Refuse a minimum room size that is not a whole number >= 1 (``ValueError`` naming it)."""
    if isinstance(min_room, bool) or not isinstance(min_room, (int, np.integer)) or min_room < 1:
        raise ValueError(f"min_room must be an integer >= 1, got {min_room!r}")


def check_alpha(alpha: float) -> None:
    """Refuse a significance level outside (0, 1] (``ValueError`` naming it)."""
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 < alpha <= 1:
        raise ValueError(f"alpha must be a number in (0, 1], got {alpha!r}")


def find_gaps(
    rows: pd.DataFrame,
    *,
    keys: Sequence[str] = (),
    targets: pd.DataFrame | None = None,
    threshold: float = 0.8,
    scored: bool = False,
    min_room: int = DEFAULT_MIN_ROOM,
    alpha: float = DEFAULT_ALPHA,
) -> pd.DataFrame:
    """Vectorised gap finding over many groups at once (the report's engine).

    Parameters
    ----------
    rows : DataFrame
        One row per (``keys``..., dimension, category) with ``count`` (in the group, 0 when
        absent), ``size`` (group members with a known label in that dimension),
        ``baseline_count`` and ``baseline_size``. It should cover every category of the group
        and of its baseline; categories named only by the targets are added here.
    keys : sequence of str
        Columns identifying a group (e.g. ``("kind", "group_id")``).
    targets : DataFrame, optional
        The dataset's targets table: ``min_share`` overrides the baseline share where it has a
        row, ``max_share`` adds an over-representation test.
    threshold : float, default 0.8
        A category is short when ``share / expected_share < threshold``.
    scored : bool, default False
        Keep every test, gap or not, with an ``is_gap`` column (for :func:`recurring_gaps`).
    min_room : int, default 5
        Groups with fewer members (with a known label in the dimension) are not tested.
    alpha : float, default 0.05
        ``significant`` is ``q_value <= alpha``.

    Returns
    -------
    DataFrame
        The gaps only (every test with ``scored=True``), with the :class:`Gap` fields as
        columns plus ``keys``, sorted by keys, dimension (in order of first appearance), ratio,
        p-value and category. ``q_value`` adjusts over every test, whatever is kept.
    """
    check_threshold(threshold)
    check_min_room(min_room)
    check_alpha(alpha)
    keys = list(keys)
    needed = {"dimension", "category", "count", "size", "baseline_count", "baseline_size"}
    missing_cols = needed - set(rows.columns)
    if missing_cols:
        raise ValueError(f"rows lack columns {sorted(missing_cols)}")
    frame = rows[keys + sorted(needed)].copy()
    frame["category"] = frame["category"].astype(str)
    dim_order = {d: i for i, d in enumerate(pd.unique(frame["dimension"]))}
    frame["key"] = frame["category"].map(_norm)
    wanted = expected_from_targets(targets)
    wanted = wanted.loc[wanted["dimension"].isin(dim_order)]
    if len(wanted):
        frame = _add_target_categories(frame, wanted, keys)
    frame = frame.merge(wanted, on=["dimension", "key"], how="left")
    frame = frame.merge(limits_from_targets(targets), on=["dimension", "key"], how="left")
    frame = frame.loc[frame["size"] >= min_room].reset_index(drop=True)
    tests = pd.concat([_under_tests(frame, threshold), _over_tests(frame)], ignore_index=True)
    if len(tests):
        tests["q_value"] = stats.false_discovery_control(tests["p_value"].to_numpy(), method="bh")
    else:
        tests["q_value"] = pd.Series(dtype=float)
    tests["significant"] = tests["q_value"] <= alpha
    if not scored:
        tests = tests.loc[tests["is_gap"]]
    tests["group"] = tests["category"]
    tests["_dim"] = tests["dimension"].map(dim_order)
    tests = tests.sort_values(
        keys + ["_dim", "ratio", "p_value", "category"], kind="mergesort"
    ).reset_index(drop=True)
    for col in ("count", "size", "baseline_count", "baseline_size"):
        tests[col] = tests[col].astype("int64")
    tests["significant"] = tests["significant"].astype(bool)
    columns = keys + list(_FIELDS) + (["is_gap"] if scored else [])
    return tests[columns]


def _under_tests(frame: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """The lower-tail test of every category with an expected share above 0."""
    has_target = frame["target_share"].notna().to_numpy()
    count = frame["count"].to_numpy(dtype=float)
    size = frame["size"].to_numpy(dtype=float)
    bcount = frame["baseline_count"].to_numpy(dtype=float)
    bsize = frame["baseline_size"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        base_share = np.where(bsize > 0, bcount / bsize, 0.0)
        share = np.where(size > 0, count / size, 0.0)
    expected = np.where(has_target, frame["target_share"].to_numpy(dtype=float), base_share)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(expected > 0, share / expected, np.inf)
    keep = expected > _EPS
    out = frame.loc[keep].copy()
    has_target, count, size = has_target[keep], count[keep], size[keep]
    bcount, bsize, expected = bcount[keep], bsize[keep], expected[keep]
    # Against a target, or a room larger than its baseline (Guests), draws are independent.
    use_binom = has_target | (size > bsize)
    p_value = np.ones(count.shape)
    hyper = ~use_binom
    if hyper.any():
        p_value[hyper] = stats.hypergeom.cdf(count[hyper], bsize[hyper], bcount[hyper], size[hyper])
    if use_binom.any():
        p_value[use_binom] = stats.binom.cdf(
            count[use_binom], size[use_binom], np.clip(expected[use_binom], 0.0, 1.0)
        )
    return out.assign(
        share=share[keep],
        expected_share=expected,
        ratio=ratio[keep],
        is_gap=ratio[keep] < threshold - _EPS,
        p_value=np.clip(np.nan_to_num(p_value, nan=1.0), 0.0, 1.0),
        shortfall=_shortfall_array(count, size, expected),
        missing=count == 0,
        basis=np.where(has_target, "target", "baseline"),
        test=np.where(use_binom, "binomial", "hypergeometric"),
        direction="under",
        excess=np.nan,
    )


def _over_tests(frame: pd.DataFrame) -> pd.DataFrame:
    """The upper-tail test of every category with a target ``max_share`` (below 1)."""
    part = frame.loc[frame["max_share"].notna() & (frame["max_share"] < 1 - _EPS)].copy()
    count = part["count"].to_numpy(dtype=float)
    size = part["size"].to_numpy(dtype=float)
    limit = part["max_share"].to_numpy(dtype=float)
    share = count / size
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(limit > 0, share / limit, np.where(count > 0, np.inf, 0.0))
    # P(X >= count) = sf(count - 1): the chance of this many or more at the maximum share.
    p_value = stats.binom.sf(count - 1, size, limit) if len(part) else np.ones(0)
    return part.assign(
        share=share,
        expected_share=limit,
        ratio=ratio,
        is_gap=share > limit + _EPS,
        p_value=np.clip(np.nan_to_num(p_value, nan=1.0), 0.0, 1.0),
        shortfall=np.nan,
        missing=False,
        basis="target",
        test="binomial",
        direction="over",
        excess=np.maximum(count - np.floor(limit * size + _EPS), 0.0),
    )


def ranked(gaps: pd.DataFrame, *, limit: int | None = None) -> pd.DataFrame:
    """The significant gaps, largest head-count first (shortfall or excess), then p-value.

    A shortfall no number of added members can close (``expected_share == 1``) ranks by the
    members of other categories in the room.
    """
    if not len(gaps):
        return gaps
    chosen = gaps.loc[gaps["significant"].astype(bool)]
    head = chosen["excess"].where(chosen["direction"] == "over", chosen["shortfall"])
    head = head.fillna(chosen["size"] - chosen["count"])
    chosen = chosen.assign(_head=head.to_numpy(dtype=float))
    chosen = chosen.sort_values(
        ["_head", "p_value", "dimension", "group"],
        ascending=[False, True, True, True],
        kind="mergesort",
    ).drop(columns="_head")
    out = chosen.reset_index(drop=True)
    return out if limit is None else out.head(limit)


def _add_target_categories(
    frame: pd.DataFrame, wanted: pd.DataFrame, keys: list[str]
) -> pd.DataFrame:
    """Add a zero-count row for each target category a group and its baseline both lack."""
    per_group = frame.drop_duplicates(keys + ["dimension"])[
        keys + ["dimension", "size", "baseline_size"]
    ]
    candidates = per_group.merge(wanted[["dimension", "key", "target_label"]], on="dimension")
    present = frame[keys + ["dimension", "key"]].drop_duplicates()
    candidates = candidates.merge(
        present, on=keys + ["dimension", "key"], how="left", indicator=True
    )
    extra = candidates.loc[candidates["_merge"] == "left_only"].drop(columns="_merge")
    if not len(extra):
        return frame
    extra = extra.assign(category=extra["target_label"], count=0, baseline_count=0).drop(
        columns="target_label"
    )
    return pd.concat([frame, extra[frame.columns]], ignore_index=True)


def check_threshold(threshold: float) -> None:
    """Refuse a threshold that is not a number above 0 (``ValueError`` naming it)."""
    if (
        isinstance(threshold, bool)
        or not isinstance(threshold, (int, float))
        or math.isnan(threshold)
        or threshold <= 0
    ):
        raise ValueError(f"threshold must be a number > 0, got {threshold!r}")


def gaps_from_frame(frame: pd.DataFrame) -> list[Gap]:
    """Turn the rows of :func:`find_gaps` into :class:`Gap` objects (flat list)."""
    fields = list(Gap.__dataclass_fields__)
    out: list[Gap] = []
    for row in frame[fields].itertuples(index=False, name=None):
        values = dict(zip(fields, row, strict=True))
        for name in ("shortfall", "excess"):
            values[name] = None if pd.isna(values[name]) else int(values[name])
        values["count"] = int(values["count"])
        values["size"] = int(values["size"])
        values["baseline_count"] = int(values["baseline_count"])
        values["baseline_size"] = int(values["baseline_size"])
        for name in ("share", "expected_share", "ratio", "p_value", "q_value"):
            values[name] = float(values[name])
        values["missing"] = bool(values["missing"])
        values["significant"] = bool(values["significant"])
        values["direction"] = str(values["direction"])
        values["group"] = str(values["group"])
        values["dimension"] = str(values["dimension"])
        values["basis"] = str(values["basis"])
        values["test"] = str(values["test"])
        out.append(Gap(**values))
    return out


def representation_gaps(
    group: pd.DataFrame,
    baseline: pd.DataFrame,
    *,
    dimensions: Iterable[str] = DEFAULT_DIMENSIONS,
    targets: pd.DataFrame | None = None,
    threshold: float = 0.8,
    min_room: int = DEFAULT_MIN_ROOM,
    alpha: float = DEFAULT_ALPHA,
) -> list[Gap]:
    """Missing, under- and over-represented categories of ``group`` against ``baseline``.

    Parameters
    ----------
    group : DataFrame
        Partner rows of the group's members (a committee's seats, an event's attendees).
    baseline : DataFrame
        Partner rows it is compared with (the Partners active at the date).
    dimensions : iterable of str, default ("sector", "region", "global_south")
        Partner columns to examine.
    targets : DataFrame, optional
        Rows ``dimension, group, min_share[, max_share]``: where one names a category,
        ``min_share`` replaces the baseline share (and the p-value becomes binomial) and
        ``max_share`` adds an over-representation test.
    threshold : float, default 0.8
        Gap when ``share / expected_share`` is below it.
    min_room : int, default 5
        A smaller group is not tested (no gaps).
    alpha : float, default 0.05
        Level of ``significant`` (q-values over this group's tests).

    Returns
    -------
    list of Gap
        Sorted by dimension (in the order given), then ratio (missing first), p-value, label.
    """
    check_threshold(threshold)
    if isinstance(dimensions, str):
        raise ValueError(f"dimensions must be a sequence of column names, got {dimensions!r}")
    dims = list(dimensions)
    pieces: list[dict[str, Any]] = []
    for dim in dims:
        for name, frame in (("group", group), ("baseline", baseline)):
            if dim not in frame.columns:
                raise ValueError(f"dimension {dim!r} is not a column of {name}")
        got = composition(group, dim)
        base = composition(baseline, dim)
        labels = list(dict.fromkeys(list(base.counts) + list(got.counts)))
        for label in labels:
            pieces.append(
                {
                    "dimension": dim,
                    "category": label,
                    "count": got.counts.get(label, 0),
                    "size": got.total,
                    "baseline_count": base.counts.get(label, 0),
                    "baseline_size": base.total,
                }
            )
    if not pieces:
        return []
    rows = pd.DataFrame(pieces)
    found = find_gaps(
        rows, targets=targets, threshold=threshold, min_room=min_room, alpha=alpha
    )
    return gaps_from_frame(found)


def group_gap_rows(
    ds: Dataset,
    as_of: DateLike | None = None,
    dimensions: Sequence[str] = DEFAULT_DIMENSIONS,
    *,
    since: DateLike | None = None,
    program: str | None = None,
    kinds: Sequence[str] = ("committee", "event"),
) -> pd.DataFrame:
    """Counts of every group next to its baseline: the input of :func:`find_gaps`.

    Returns
    -------
    DataFrame
        ``[kind, group_id, dimension, category, count, size, baseline_count, baseline_size]``
        over the union of each group's and its baseline's categories (zeros filled).
    """
    keys = ["kind", "group_id", "dimension", "category"]
    dims = list(dimensions)
    got = group_compositions(ds, as_of, dims, since=since, program=program, kinds=kinds)
    base = group_baselines(ds, as_of, dims, since=since, program=program, kinds=kinds)
    # An empty table comes back with float key columns; the keys are labels either way.
    as_labels = dict.fromkeys(keys, object)
    rows = got.astype(as_labels).merge(base.astype(as_labels), on=keys, how="outer")
    rows["count"] = rows["count"].fillna(0).astype("int64")
    rows["baseline_count"] = rows["baseline_count"].fillna(0).astype("int64")
    per_group = rows.groupby(["kind", "group_id", "dimension"], sort=False)
    rows["size"] = per_group["count"].transform("sum").astype("int64")
    rows["baseline_size"] = per_group["baseline_count"].transform("sum").astype("int64")
    rows = _multi_valued_sizes(ds, rows, as_of, dims, since=since, program=program, kinds=kinds)
    order = {d: i for i, d in enumerate(dims)}
    rows = rows.assign(_d=rows["dimension"].map(order))
    rows = rows.sort_values(["kind", "group_id", "_d", "category"], kind="mergesort")
    return rows.drop(columns="_d").reset_index(drop=True)


def _multi_valued_sizes(ds: Dataset, rows: pd.DataFrame, as_of: DateLike | None,
                        dims: Sequence[str], **window: Any) -> pd.DataFrame:
    """Sizes of multi-valued dimensions (a;b) count people, not values.

    A partner with two focus areas counts once in each, so the counts of a group sum to more
    than its members; its size (and its baseline's) is the number of members holding any value.
    """
    multi = multi_valued_columns(ds.partners, dims)
    if not multi:
        return rows
    marks = {f"{d}\0any": ds.partners[d].map(lambda v: "any" if v else None) for d in multi}
    marked = dataclasses.replace(ds, partners=ds.partners.assign(**marks), _cache={})
    got = group_compositions(marked, as_of, list(marks), **window)
    base = group_baselines(marked, as_of, list(marks), **window)
    keys = ["kind", "group_id", "dimension"]
    sizes = got.groupby(keys)["count"].sum().rename("_size").reset_index()
    bases = base.groupby(keys)["baseline_count"].sum().rename("_bsize").reset_index()
    for frame in (sizes, bases):
        frame["dimension"] = frame["dimension"].str.removesuffix("\0any")
    out = rows.merge(sizes, on=keys, how="left").merge(bases, on=keys, how="left")
    chosen = out["dimension"].isin(multi)
    out.loc[chosen, "size"] = out.loc[chosen, "_size"].fillna(0)
    out.loc[chosen, "baseline_size"] = out.loc[chosen, "_bsize"].fillna(0)
    out["size"] = out["size"].astype("int64")
    out["baseline_size"] = out["baseline_size"].astype("int64")
    return out.drop(columns=["_size", "_bsize"])


def group_gaps(
    ds: Dataset,
    as_of: DateLike | None = None,
    dimensions: Sequence[str] = DEFAULT_DIMENSIONS,
    *,
    since: DateLike | None = None,
    program: str | None = None,
    targets: pd.DataFrame | None = None,
    threshold: float = 0.8,
    kinds: Sequence[str] = ("committee", "event"),
    min_room: int = DEFAULT_MIN_ROOM,
    alpha: float = DEFAULT_ALPHA,
) -> pd.DataFrame:
    """The gaps of every committee (on ``as_of``) and every event (``since < date <= as_of``).

    ``targets`` defaults to the dataset's own targets table (pass an empty frame to compare
    with the baseline only). Returns :func:`find_gaps`'s table keyed by ``kind, group_id``;
    the q-values adjust over the tests of all these groups together.
    """
    rows = group_gap_rows(ds, as_of, dimensions, since=since, program=program, kinds=kinds)
    chosen = ds.targets if targets is None else targets
    return find_gaps(
        rows,
        keys=("kind", "group_id"),
        targets=chosen,
        threshold=threshold,
        min_room=min_room,
        alpha=alpha,
    )


def recurring_gaps(
    scored: pd.DataFrame,
    *,
    by: Sequence[str] = ("kind",),
    min_rooms: int = 2,
) -> pd.DataFrame:
    """The same category short in room after room: one row per (``by``..., dimension, category).

    A single room is weak evidence of a gap (a small room can lack anyone by chance); the same
    category missing from nine rooms in a row is a finding. This pools the rooms.

    Parameters
    ----------
    scored : DataFrame
        :func:`find_gaps` output with ``scored=True`` (every judged room, gap or not), with the
        ``by`` columns added (e.g. ``kind`` and ``program``).
    by : sequence of str, default ("kind",)
        Columns that split the rooms into series.
    min_rooms : int, default 2
        Series with fewer judged rooms are left out.

    Returns
    -------
    DataFrame
        ``[by..., dimension, group, rooms, gaps, missing, combined_p_value]`` for series with at
        least one gap, sorted by combined p-value. ``combined_p_value`` is Fisher's combination
        (:func:`scipy.stats.combine_pvalues`) of every room's p-value in the series — gaps and
        non-gaps alike, so picking the worst rooms cannot manufacture significance. With the
        discrete exact tests Fisher's method is conservative.
    """
    by = list(by)
    columns = by + ["dimension", "group", "rooms", "gaps", "missing", "combined_p_value"]
    if "direction" in scored.columns:  # "short room after room": the lower-tail tests only
        scored = scored.loc[scored["direction"] == "under"]
    if not len(scored):
        return pd.DataFrame(columns=columns)
    keys = by + ["dimension", "group"]
    grouped = scored.groupby(keys, sort=True)
    summary = grouped.agg(
        rooms=("p_value", "size"), gaps=("is_gap", "sum"), missing=("missing", "sum")
    )
    p_values = grouped["p_value"].apply(
        lambda p: float(stats.combine_pvalues(np.clip(p.to_numpy(), 1e-300, 1.0)).pvalue)
    )
    summary["combined_p_value"] = p_values
    summary = summary.loc[(summary["rooms"] >= min_rooms) & (summary["gaps"] > 0)].reset_index()
    summary = summary.sort_values(
        ["combined_p_value", "gaps"] + keys,
        ascending=[True, False] + [True] * len(keys),
        kind="mergesort",
    ).reset_index(drop=True)
    for col in ("rooms", "gaps", "missing"):
        summary[col] = summary[col].astype("int64")
    return summary[columns]
