"""The one privacy boundary: which counts of organisations a publication may show.

Every report section and dashboard view that shows counts under ``--min-cell k`` asks this module,
so the rules live here only. They are the ones statistical offices apply to frequency tables:

1. **Primary suppression.** A count from 1 to k-1 is hidden (``None`` in JSON, ``"<k"`` in text).
   Zeros stay: "nobody" singles out nobody.
2. **Complementary suppression.** A hidden cell must not be recoverable from what is shown.
   A group's dimensions (sector, region, ...) are tables that share one total, the group's size.
   A reader knows only that a hidden cell is at least 1. With the total known, the hidden cells
   of a table sum to a known ``S``; each of them has more than one feasible value exactly when
   there are at least two of them and ``S`` exceeds their number. Otherwise the smallest shown
   cell is hidden too, and when no shown cell is left, the total. A hidden total must not be
   recoverable either: every table that shares it then hides at least one cell (a table shown in
   full would add up to it).
3. **Derived values.** Anything computed from a hidden cell is hidden too: its share, ratio,
   p-value and shortfall, the diversity indices of its dimension, the words of its sentence;
   with a hidden total, every share of the group.
4. **Aggregate only.** Under ``min_cell`` nothing lists organisations one by one
   (:attr:`Policy.organisation_rows_allowed` is False): network nodes and bridges, the most
   active participants, who joined or left.
5. **No order.** Hidden cells follow the shown ones, by label, so the usual largest-first order
   does not rank them.

For a dashboard composition table::

    >>> view = suppress_table({"Industry": 9, "Academic": 1}, total=10, min_cell=5)
    >>> view.counts, view.total, view.hidden
    ({'Academic': None, 'Industry': None}, 10, ('Academic', 'Industry'))
    >>> view.text("Academic")
    '<5'
    >>> Policy(5).organisation_rows_allowed
    False
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Policy",
    "Table",
    "Tables",
    "suppress_table",
    "suppress_tables",
]


@dataclass(frozen=True)
class Policy:
    """The suppression threshold of one publication (``None``: show everything)."""

    min_cell: int | None = None

    def __post_init__(self) -> None:
        k = self.min_cell
        if k is not None and (isinstance(k, bool) or not isinstance(k, int) or k < 1):
            raise ValueError(f"min_cell must be a positive integer or None, got {k!r}")

    @property
    def active(self) -> bool:
        return self.min_cell is not None and self.min_cell > 1

    @property
    def organisation_rows_allowed(self) -> bool:
        """Whether a publication may list organisations one by one (only without min_cell)."""
        return self.min_cell is None

    def small(self, value: int | float | None) -> bool:
        """Whether ``value`` is a count that primary suppression hides (1 to min_cell - 1)."""
        if self.min_cell is None or value is None:
            return False
        return 0 < abs(float(value)) < self.min_cell

    def shown(self, value: int | None) -> int | None:
        """``value`` or ``None`` when it is a small count."""
        return None if self.small(value) else value

    def text(self, value: int | None) -> str:
        """A count for text: the number, or ``"<k"`` when hidden (``None``)."""
        if value is None:
            return f"<{self.min_cell}" if self.min_cell is not None else "—"
        return str(value)

    def to_dict(self) -> dict[str, Any]:
        """The rules applied, for the JSON ``privacy`` block."""
        k = self.min_cell
        if k is None:
            return {"min_cell": None, "rule": None}
        return {
            "min_cell": k,
            "rule": f"counts of organisations from 1 to {k - 1} and the shares, ratios, "
            "p-values and shortfalls derived from them are shown as null",
            "rules": {
                "primary": f"a count from 1 to {k - 1} is hidden (null in JSON, \"<{k}\" in text); "
                "zeros are shown",
                "complementary": "in each table (a group's categories of one dimension, with the "
                "group's size as total) further cells, or the total, are hidden until no hidden "
                "cell can be worked out from the shown cells and the total: a reader who knows "
                "only that a hidden cell is at least 1 finds more than one possible value for "
                "each; a hidden total is hidden in every table that shares it",
                "derived": "shares, ratios, p-values, shortfalls, the diversity indices of a "
                "dimension with a hidden cell, means over hidden indices and the words of "
                "sentences that would state a hidden count are hidden too; with a hidden total, "
                "every share of the group",
                "organisations": "no list of individual organisations is published (network "
                "nodes and bridges, most active participants, inactive Partners, who joined or "
                "left)",
                "order": "hidden cells are listed after the shown ones, by label, so the "
                "largest-first order does not rank them",
            },
        }


@dataclass(frozen=True)
class Table:
    """One dimension of one group as it may be shown.

    ``counts`` maps every category to its count or ``None`` (hidden); ``total`` is the group's
    size or ``None``; ``hidden`` lists the hidden categories, sorted.
    """

    counts: Mapping[str, int | None]
    total: int | None
    hidden: tuple[str, ...] = ()
    min_cell: int | None = None

    @property
    def complete(self) -> bool:
        """No hidden cell: values derived from the whole table (indices) may be shown."""
        return not self.hidden and self.total is not None

    def text(self, category: str) -> str:
        """A cell for text: its count, or ``"<k"`` when hidden."""
        return Policy(self.min_cell).text(self.counts.get(category))


@dataclass(frozen=True)
class Tables:
    """Several dimensions of one group sharing one total (see :func:`suppress_tables`)."""

    tables: Mapping[str, Table]
    total: int | None
    total_hidden: bool = False
    min_cell: int | None = field(default=None)

    @property
    def hidden_values(self) -> int:
        return sum(len(t.hidden) for t in self.tables.values()) + int(self.total_hidden)


def suppress_table(
    counts: Mapping[str, int], total: int | None = None, *, min_cell: int | None
) -> Table:
    """The suppressed view of one composition table: counts per category plus the group total.

    ``total`` defaults to the sum of ``counts``. See :func:`suppress_tables` for the rules.

    >>> suppress_table({"Industry": 9, "Academic": 1}, min_cell=None).counts
    {'Industry': 9, 'Academic': 1}
    """
    size = sum(int(v) for v in counts.values()) if total is None else int(total)
    view = suppress_tables({"": counts}, size, min_cell=min_cell)
    table = view.tables[""]
    return Table(counts=table.counts, total=view.total, hidden=table.hidden, min_cell=min_cell)


def suppress_tables(
    dimensions: Mapping[str, Mapping[str, int]], total: int, *, min_cell: int | None
) -> Tables:
    """Primary and complementary suppression of a group's tables that share ``total``.

    A table whose counts do not add up to ``total`` (categories left out) has no published
    margin and is linked to nothing: only primary suppression applies to it.

    >>> view = suppress_tables({"sector": {"A": 5, "B": 3, "C": 2}, "gs": {"N": 9, "S": 1}},
    ...                        10, min_cell=3)
    >>> view.tables["sector"].counts, view.tables["gs"].counts
    ({'A': 5, 'B': None, 'C': None}, {'N': None, 'S': None})
    >>> view.total
    10
    """
    policy = Policy(min_cell)
    cells = {d: {str(c): int(v) for c, v in t.items()} for d, t in dimensions.items()}
    hidden = {d: {c for c, v in t.items() if policy.small(v)} for d, t in cells.items()}
    linked = [d for d, t in cells.items() if sum(t.values()) == total and t]
    total_hidden = policy.small(total)
    if policy.active and not total_hidden:
        for d in linked:
            if not _protect(cells[d], hidden[d], total):
                total_hidden = True
    if policy.active and total_hidden:
        for d in linked:
            extra = None if hidden[d] else _smallest_shown(cells[d], hidden[d])
            if extra is not None:
                hidden[d].add(extra)
    tables = {
        d: Table(
            counts=_ordered(t, hidden[d]),
            total=None if total_hidden else total,
            hidden=tuple(sorted(hidden[d])),
            min_cell=min_cell,
        )
        for d, t in cells.items()
    }
    return Tables(
        tables=tables,
        total=None if total_hidden else int(total),
        total_hidden=total_hidden,
        min_cell=min_cell,
    )


def _ordered(cells: Mapping[str, int], hidden: set[str]) -> dict[str, int | None]:
    """Shown cells in their given order, then the hidden ones by label.

    Tables are usually listed largest first; keeping hidden cells in that order would tell
    which of them is larger.
    """
    shown: dict[str, int | None] = {c: v for c, v in cells.items() if c not in hidden}
    return shown | dict.fromkeys(sorted(hidden))


def _smallest_shown(cells: Mapping[str, int], hidden: set[str]) -> str | None:
    """The smallest shown non-zero cell: it costs the least information (ties by label).

    Zeros are never hidden: a reader knows a hidden cell is at least 1.
    """
    shown = [(v, c) for c, v in cells.items() if c not in hidden and v > 0]
    return min(shown)[1] if shown else None


def _protect(cells: Mapping[str, int], hidden: set[str], total: int) -> bool:
    """Hide shown cells of one table (known total) until every hidden cell is ambiguous.

    Returns False when that is impossible without hiding the total.
    """
    while hidden:
        rest = total - sum(v for c, v in cells.items() if c not in hidden)
        # Each hidden cell is >= 1, so it ranges over [1, rest - (n - 1)]: two values or more
        # exactly when n >= 2 and rest >= n + 1.
        if len(hidden) >= 2 and rest >= len(hidden) + 1:
            return True
        extra = _smallest_shown(cells, hidden)
        if extra is None:
            return False
        hidden.add(extra)
    return True
