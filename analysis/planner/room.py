"""A room as counts: per dimension, its categories, the shares it aims at, and what it holds.

Also the room summaries (:class:`~analysis.planner.result.RoomSummary`) and :func:`what_if`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from analysis.diversity import blau, category_label, composition, diversity
from analysis.gaps import expected_from_targets, representation_gaps
from analysis.planner.request import DEFAULT_WEIGHTS, TargetsLike, ids, targets_frame
from analysis.planner.result import RoomSummary
from analysis.snapshot import DateLike, active_partners, to_timestamp
from core.errors import RequestError
from core.model import PARTNER, Dataset

__all__ = ["Dimension", "frame_for", "summary", "what_if"]

FloatArray = np.ndarray[tuple[int], np.dtype[np.float64]]
IntArray = np.ndarray[tuple[int], np.dtype[np.int64]]

#: Gains equal to this tolerance are ties (they come from ratios of small integers).
EPS = 1e-9


def known(values: pd.Series) -> np.ndarray[tuple[int], np.dtype[np.bool_]]:
    """Rows whose label is present (not missing, not blank)."""
    return np.asarray(values.notna() & (values.astype(str).str.strip() != ""), dtype=bool)


def _labels(
    name: str, base_labels: list[str], wanted: pd.DataFrame, frames: Sequence[pd.DataFrame]
) -> tuple[list[str], dict[str, str], dict[str, float]]:
    """Categories in order (baseline, targets, then the room's and candidates'), and targets."""
    labels = list(base_labels)
    by_key = {lab.strip().casefold(): lab for lab in labels}
    target_for: dict[str, float] = {}
    rows = wanted.loc[wanted["dimension"] == name, ["key", "target_label", "target_share"]]
    for key, label, share in rows.itertuples(index=False, name=None):
        canonical = by_key.get(key, label)
        if canonical not in labels:
            labels.append(canonical)
            by_key[key] = canonical
        target_for[canonical] = float(share)
    for frame in frames:
        values = frame[name][known(frame[name])].map(category_label)
        for lab in pd.unique(values):
            key = str(lab).strip().casefold()
            if key not in by_key:  # else a different spelling of a known category
                labels.append(str(lab))
                by_key[key] = str(lab)
    return labels, by_key, target_for


def _aim(expected: FloatArray, basis: Sequence[str]) -> FloatArray:
    """The shares the deficit aims at: targets as given, the rest scaled into what they leave.

    Unscaled, a 30% target for Africa plus the baseline's 83% for the Americas would ask for
    113%, and every pick would look like it opens a gap somewhere. Never scaled up: a 0%
    minimum ("no floor") must not inflate the other categories.
    """
    aim = expected.copy()
    targeted = np.array([b == "target" for b in basis], dtype=bool)
    if targeted.any() and (~targeted).any():
        rest = float(aim[~targeted].sum())
        left = max(0.0, 1.0 - float(aim[targeted].sum()))
        if rest > left:
            aim[~targeted] *= left / rest
    return aim


class Dimension:
    """One dimension's categories, expected shares and the room's counts, as arrays."""

    def __init__(
        self,
        name: str,
        weight: float,
        baseline: pd.DataFrame,
        room: pd.DataFrame,
        candidates: pd.DataFrame,
        wanted: pd.DataFrame,
        threshold: float = 0.8,
    ) -> None:
        self.name = name
        self.weight = weight
        self.threshold = threshold
        base = composition(baseline, name)
        labels, by_key, target_for = _labels(name, list(base.counts), wanted, (room, candidates))
        self.labels = labels
        self.index = {lab: i for i, lab in enumerate(labels)}
        self.by_key = by_key
        total = base.total
        self.baseline_counts: FloatArray = np.array(
            [base.counts.get(lab, 0) for lab in labels], dtype=float
        )
        expected = self.baseline_counts / total if total else np.zeros(len(labels))
        self.basis = ["baseline"] * len(labels)
        for lab, share in target_for.items():
            expected[self.index[lab]] = share
            self.basis[self.index[lab]] = "target"
        self.expected: FloatArray = expected
        self.aim = _aim(expected, self.basis)
        self.counts: FloatArray = np.zeros(len(labels), dtype=float)
        for g in self.codes(room):
            if g >= 0:
                self.counts[g] += 1

    def codes(self, frame: pd.DataFrame) -> IntArray:
        """Category index of each row; -1 for an unknown label (it counts nowhere)."""
        present = known(frame[self.name])
        out: IntArray = np.full(len(frame), -1, dtype=np.int64)
        for i, (ok, value) in enumerate(zip(present, frame[self.name], strict=True)):
            if ok:
                lab = category_label(value)
                canonical = self.by_key.get(lab.strip().casefold(), lab)
                out[i] = self.index.get(lab, self.index.get(canonical, -1))
        return out

    def deficit(self) -> float:
        n = self.counts.sum()
        shares = self.counts / n if n else np.zeros_like(self.counts)
        return float(np.maximum(0.0, self.aim - shares).sum())

    def blau(self) -> float:
        return blau(self.counts)

    def after_each(self) -> tuple[FloatArray, FloatArray]:
        """Deficit and Blau after adding one member of each category.

        Both arrays have one extra last entry holding today's value, so indexing them with a
        candidate's code (-1 = unknown label) gives "unchanged" for free.
        """
        c, e = self.counts, self.aim
        n1 = c.sum() + 1.0
        terms = np.maximum(0.0, e - c / n1)
        bumped = np.maximum(0.0, e - (c + 1.0) / n1)
        deficit = terms.sum() - terms + bumped
        square = float((c * c).sum())
        blau_after = 1.0 - (square + 2.0 * c + 1.0) / (n1 * n1)
        return np.append(deficit, self.deficit()), np.append(blau_after, self.blau())


def frame_for(ds: Dataset, room_ids: Sequence[str]) -> pd.DataFrame:
    """The partner rows of ``room_ids`` (in the partners table's order)."""
    partners = ds.partners
    return partners.loc[partners["partner_id"].isin(set(room_ids))].reset_index(drop=True)


def summary(
    room: pd.DataFrame,
    baseline: pd.DataFrame,
    dims: Sequence[str],
    targets: pd.DataFrame | None,
    threshold: float,
    *,
    gap_dims: Sequence[str] | None = None,
) -> RoomSummary:
    """Composition, diversity and gaps of ``room`` against ``baseline`` (and ``targets``).

    ``gap_dims`` (default ``dims``) are the dimensions whose gaps are listed: a small room
    lacks most countries, which says nothing.
    """
    comp: dict[str, dict[str, int | float]] = {}
    shares: dict[str, dict[str, float]] = {}
    div: dict[str, dict[str, float]] = {}
    expected: dict[str, dict[str, float]] = {}
    wanted = expected_from_targets(targets)
    for dim in dims:
        got = composition(room, dim)
        base = composition(baseline, dim)
        comp[dim] = dict(got.counts)
        shares[dim] = got.shares
        aims = dict(base.shares)
        by_key = {label.casefold(): label for label in aims}
        rows = wanted.loc[wanted["dimension"] == dim, ["key", "target_label", "target_share"]]
        for key, label, share in rows.itertuples(index=False, name=None):
            aims[by_key.get(key, label)] = float(share)
        expected[dim] = aims
        # k = every category of the baseline or the room, so before and after compare fairly.
        k = max(1, len(set(base.counts) | set(got.counts)))
        counts = list(got.counts.values()) + [0] * (k - len(got.counts))
        div[dim] = diversity(counts, k)
    # A room being planned is compared category by category whatever its size: the gaps say
    # whom to invite, they are not a finding about a room that met (the report's --min-room).
    gaps = representation_gaps(
        room, baseline, dimensions=list(dims if gap_dims is None else gap_dims),
        targets=targets, threshold=threshold, min_room=1,
    )
    return RoomSummary(
        size=len(room),
        members=tuple(sorted(room["partner_id"])),
        composition=comp,
        shares=shares,
        diversity=div,
        gaps=tuple(gaps),
        baseline_size=len(baseline),
        expected=expected,
    )


def what_if(
    ds: Dataset,
    room_ids: Iterable[str],
    date: DateLike,
    *,
    dimensions: Iterable[str] | None = None,
    targets: TargetsLike = None,
    threshold: float = 0.8,
) -> RoomSummary:
    """Composition, diversity and gaps of an arbitrary room on ``date``.

    The planner page calls this when a person is added or removed. The baseline is the Partners
    active on ``date``; ``targets`` (default: the dataset's table) override it per category.

    Parameters
    ----------
    ds : Dataset
    room_ids : iterable of str
        Partner ids in the room (Partners or Guests; unknown ids raise ``RequestError``).
    date : date-like
        The day of the convening.
    dimensions : iterable of str, optional
        Default: the dimensions of :data:`~analysis.planner.request.DEFAULT_WEIGHTS`.
    targets : DataFrame or mapping, optional
    threshold : float, default 0.8
        Gap when ``share / expected_share`` is below it.

    Returns
    -------
    RoomSummary

    >>> import pandas as pd
    >>> from core.model import Dataset
    >>> ds = Dataset.from_frames(partners=pd.DataFrame({"partner_id": ["a", "b"],
    ...     "name": ["A", "B"], "sector": ["Industry", "Media"], "country": ["USA", "KEN"]}))
    >>> what_if(ds, ["a"], "2024-01-01", dimensions=["sector"]).gaps[0].group
    'Media'
    """
    chosen = ids(list(room_ids))
    unknown = sorted(set(chosen) - set(ds.partners["partner_id"]))
    if unknown:
        raise RequestError(f"unknown partner ids: {', '.join(unknown)}")
    day = to_timestamp(date, name="date")
    gap_dims = list(DEFAULT_WEIGHTS if dimensions is None else dimensions)
    for dim in gap_dims:
        if dim not in ds.partners.columns:
            raise ValueError(f"dimension {dim!r} is not a partner column")
    # The country mix is shown beside the gap dimensions, as in a plan's before and after.
    dims = gap_dims + ["country"] if dimensions is None and "country" in ds.partners else gap_dims
    baseline = active_partners(ds, day, membership=PARTNER)
    return summary(frame_for(ds, chosen), baseline, dims, targets_frame(ds, targets), threshold,
                   gap_dims=gap_dims)
