"""The typed report: frozen dataclasses from :func:`analysis.report.build_report` to the JSON edge.

Renderers, the CLI, the dashboard and notebooks read attributes; :meth:`Report.to_dict` is the one
place where the report becomes the plain JSON of DESIGN.md ("JSON printed by report"). A value
hidden by :mod:`analysis.privacy` is ``None`` here and ``null`` there.

Each class lists its fields in the JSON's key order. A field whose metadata says ``omit`` is left
out of the JSON when it is ``None`` or empty (event-only fields, the ``suppressed`` lists).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from analysis.network import Bridge, NodeMeasures
from analysis.quality import DataQuality

__all__ = [
    "ChangeGap",
    "ChangeTotals",
    "Changes",
    "Gap",
    "Group",
    "Indices",
    "LinksSection",
    "Membership",
    "MostActive",
    "NetworkSection",
    "PartnerRef",
    "Privacy",
    "ProgramRow",
    "RankedGap",
    "ReachPeriod",
    "ReachSection",
    "RecurringGap",
    "Report",
    "ScorecardYear",
    "Totals",
    "json_safe",
]

Counts = Mapping[str, int | None]
Shares = Mapping[str, float | None]

_OMIT = {"omit": True}


def json_safe(value: Any) -> Any:
    """Plain JSON types only: numpy scalars unwrapped, NaN/inf to None, dates to ISO strings.

    >>> json_safe({"a": np.float64("nan"), "b": (np.int64(2),)})
    {'a': None, 'b': [2]}
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return json_safe(_record(value))
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return None if math.isnan(number) or math.isinf(number) else number
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date().isoformat()
    if isinstance(value, (_dt.datetime, _dt.date)):
        return value.isoformat()[:10]
    if value is None or isinstance(value, str):
        return value
    return str(value)


def _record(obj: Any) -> dict[str, Any]:
    """The JSON object of a result: its ``record()``, another module's ``to_dict()``, or its
    fields."""
    own = getattr(obj, "record", None)
    if callable(own):
        return dict(own())
    theirs = getattr(obj, "to_dict", None)
    if callable(theirs) and not isinstance(obj, _Result):
        return dict(theirs())
    out: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if f.metadata.get("omit") and (value is None or value == () or value == {}):
            continue
        out[f.metadata.get("key", f.name)] = value
    return out


class _Result:
    """``to_dict()`` for every result: plain JSON values, nothing shared with the object."""

    def to_dict(self) -> dict[str, Any]:
        out = json_safe(self)
        assert isinstance(out, dict)
        return out


@dataclass(frozen=True)
class Indices(_Result):
    """Diversity of one dimension; all ``None`` when a count of it is hidden."""

    blau: float | None
    normalised_blau: float | None
    shannon: float | None
    evenness: float | None

    @classmethod
    def zero(cls) -> Indices:
        return cls(0.0, 0.0, 0.0, 0.0)

    @classmethod
    def hidden(cls) -> Indices:
        return cls(None, None, None, None)

    @classmethod
    def empty(cls) -> Indices:
        """An empty room: no indices at all (there is nobody to be diverse)."""
        return cls(None, None, None, None)


@dataclass(frozen=True)
class Gap(_Result):
    """One gap of one group, as published (see :class:`analysis.gaps.Gap` for the meaning)."""

    dimension: str
    group: str
    count: int | None
    size: int | None
    share: float | None
    expected_share: float | None
    ratio: float | None
    missing: bool
    p_value: float | None
    shortfall: int | None
    baseline_count: int | None
    baseline_size: int | None
    basis: str
    test: str
    direction: str
    excess: int | None
    q_value: float | None
    significant: bool | None
    sentence: str

    @property
    def category(self) -> str:
        return self.group

    def record(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        sentence = out.pop("sentence")
        out["category"] = self.group
        out["sentence"] = sentence
        return out


@dataclass(frozen=True)
class RankedGap(_Result):
    """A gap with the group it belongs to (``largest_gaps``)."""

    kind: str
    id: str
    name: str
    gap: Gap

    def record(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "name": self.name, **self.gap.record()}


@dataclass(frozen=True)
class Group(_Result):
    """One committee or event: who is in the room and who is missing."""

    kind: str
    id: str
    name: str
    program: str
    date: str | None
    group_kind: str
    size: int | None
    guests: int | None
    composition: Mapping[str, Counts]
    shares: Mapping[str, Shares]
    diversity: Mapping[str, Indices]
    gaps: tuple[Gap, ...]
    status: str = "tested"
    status_note: str | None = None
    unknown: Mapping[str, int | None] = field(default_factory=dict, metadata=_OMIT)
    city: str | None = field(default=None, metadata=_OMIT)
    country: str | None = field(default=None, metadata=_OMIT)
    suppressed: tuple[str, ...] = field(default=(), metadata=_OMIT)


class _Categories:
    """Partners per category of each dimension, keyed by the dimension's plural name."""

    categories: Mapping[str, Counts]

    @property
    def sectors(self) -> Counts:
        return self.categories.get("sectors", {})

    @property
    def regions(self) -> Counts:
        return self.categories.get("regions", {})


@dataclass(frozen=True)
class Totals(_Categories, _Result):
    """Head-line totals: Partners active on as_of and the window's committees and events."""

    partners: int | None
    guests: int | None
    countries: int
    categories: Mapping[str, Counts]
    diversity: Mapping[str, Indices]
    committees: int
    events: int
    attendance: int
    participants: int
    committee_seats: int
    gaps: int
    gaps_found: int = 0
    tests: int = 0
    suppressed: tuple[str, ...] = ()

    @property
    def global_south(self) -> Counts:
        """Partners in (``"True"``) and out of (``"False"``) the Global South."""
        return self.categories.get("global_south", {})

    @property
    def global_south_share(self) -> float | None:
        """The Global South's share of the Partners whose country is known; ``None`` when
        either count is hidden or no country is known."""
        south, north = self.global_south.get("True"), self.global_south.get("False")
        if not (isinstance(south, int) and isinstance(north, int)) or not south + north:
            return None
        return south / (south + north)

    def record(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "partners": self.partners,
            "guests": self.guests,
            "countries": self.countries,
            **self.categories,
            "diversity": self.diversity,
            "committees": self.committees,
            "events": self.events,
            "attendance": self.attendance,
            "participants": self.participants,
            "committee_seats": self.committee_seats,
            "gaps": self.gaps,
            "gaps_found": self.gaps_found,
            "tests": self.tests,
        }
        if self.suppressed:
            out["suppressed"] = self.suppressed
        return out


@dataclass(frozen=True)
class RecurringGap(_Result):
    """A category short in room after room of one program."""

    kind: str
    program: str
    dimension: str
    group: str
    rooms: int
    gaps: int
    missing: int
    combined_p_value: float
    sentence: str


@dataclass(frozen=True)
class MostActive(_Result):
    partner_id: str
    name: str
    membership: str
    events: int
    share_of_events: float | None


@dataclass(frozen=True)
class PartnerRef(_Result):
    partner_id: str
    name: str
    sector: str
    country: str
    region: str


@dataclass(frozen=True)
class ReachPeriod(_Result):
    """Reach over one calendar year (``year`` set) or over the whole window (``year`` None)."""

    year: int | None
    events: int
    attendances: int
    participants: int | None
    partners: int | None
    guests: int | None
    countries: int
    regions: int
    participants_by_region: Counts
    global_south: int | None
    global_south_share: float | None
    gini: float
    top_decile_share: float
    first_time: int | None = None
    repeat: int | None = None
    first_time_share: float | None = None
    gini_partners: float | None = None
    most_active: tuple[MostActive, ...] = ()
    active_partners: int | None = None
    attending_partners: int | None = None
    inactive: int | None = None
    suppressed: tuple[str, ...] = ()

    def record(self) -> dict[str, Any]:
        keys = (
            ("year", *_PERIOD_KEYS, "first_time", "repeat", "first_time_share")
            if self.year is not None
            else (*_PERIOD_KEYS, "gini_partners", "most_active", "active_partners",
                  "attending_partners", "inactive")
        )
        out = {key: getattr(self, key) for key in keys}
        if self.suppressed:
            out["suppressed"] = self.suppressed
        return out


_PERIOD_KEYS = (
    "events", "attendances", "participants", "partners", "guests", "countries", "regions",
    "participants_by_region", "global_south", "global_south_share", "gini", "top_decile_share",
)


@dataclass(frozen=True)
class ReachSection(_Result):
    """Reach per year and overall, and the Partners who took part in nothing."""

    as_of: str
    since: str | None
    program: str | None
    years: tuple[ReachPeriod, ...]
    overall: ReachPeriod
    inactive_count: int | None
    inactive: tuple[PartnerRef, ...]
    method: Mapping[str, str]
    inactive_suppressed: bool | None = field(default=None, metadata=_OMIT)


@dataclass(frozen=True)
class ScorecardYear(_Result):
    """One year of the Theory of Change scorecard."""

    year: int
    convenings: int
    recorded: int
    all_sectors: int
    all_sectors_share: float | None
    global_south: int
    global_south_share: float | None
    seats_on: str
    seats: int | None
    industry_seats: int | None
    industry_seat_share: float | None
    sectors_most_often_missing: Mapping[str, int]
    change: Mapping[str, float | None]
    summary: str
    suppressed: tuple[str, ...] = field(default=(), metadata=_OMIT)


@dataclass(frozen=True)
class ProgramRow(_Result):
    """One program side by side with the others."""

    program: str
    convenings: int
    recorded: int
    all_sectors_share: float | None
    global_south_share: float | None
    mean_attendees: float | None
    seats: int | None
    industry_seat_share: float | None
    event_blau: Mapping[str, float | None]
    committee_blau: Mapping[str, float | None]
    gaps: int
    suppressed: tuple[str, ...] = field(default=(), metadata=_OMIT)


@dataclass(frozen=True)
class NetworkSection(_Result):
    """The co-participation network; without organisations under ``min_cell``."""

    as_of: str
    since: str | None
    method: Mapping[str, Any]
    nodes: tuple[NodeMeasures, ...] | None
    edges: int
    communities: tuple[int | None, ...]
    modularity: float | None
    bridging: Mapping[str, tuple[Bridge, ...]] | None
    mixing: Mapping[str, Mapping[str, Mapping[str, int | float | None]]]
    organisations: int = 0

    def record(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "as_of": self.as_of,
            "since": self.since,
            "method": self.method,
        }
        if self.nodes is not None:
            out["nodes"] = self.nodes
        else:
            out["organisations"] = self.organisations
        out.update(edges=self.edges, communities=self.communities, modularity=self.modularity)
        if self.bridging is not None:
            out["bridging"] = self.bridging
        out["mixing"] = self.mixing
        return out


@dataclass(frozen=True)
class LinksSection(NetworkSection):
    """The direct-links network on ``as_of`` (the ``links`` table): the measures of
    :class:`NetworkSection`, plus the active links and their count per kind."""

    links: int = 0
    kinds: Mapping[str, int | None] = field(default_factory=dict)

    def record(self) -> dict[str, Any]:
        out = super().record()
        out.update(links=self.links, kinds=self.kinds)
        return out


@dataclass(frozen=True)
class ChangeGap(_Result):
    """A committee gap that opened or closed between ``since`` and ``as_of``."""

    committee_id: str
    name: str
    dimension: str
    group: str
    count: int | None
    size: int | None
    ratio: float | None
    missing: bool
    direction: str = "under"
    p_value: float | None = None
    q_value: float | None = None
    significant: bool | None = None


@dataclass(frozen=True)
class Membership(_Categories, _Result):
    """The membership on one day: Partners, countries, and Partners per category of every
    dimension (``categories``: ``sectors``, ``regions``, ``subregions``, ``global_south``...)."""

    partners: int | None
    countries: int
    categories: Mapping[str, Counts]

    def record(self) -> dict[str, Any]:
        return {"partners": self.partners, "countries": self.countries, **self.categories}


@dataclass(frozen=True)
class ChangeTotals(_Result):
    """The membership before and after, and the differences (after - before) per category of
    every dimension (``differences``, keyed like :attr:`Membership.categories`)."""

    before: Membership
    after: Membership
    partners: int | None
    countries: int | None
    differences: Mapping[str, Counts]

    @property
    def sectors(self) -> Counts:
        return self.differences.get("sectors", {})

    def record(self) -> dict[str, Any]:
        return {
            "before": self.before,
            "after": self.after,
            "partners": self.partners,
            "countries": self.countries,
            **self.differences,
        }


@dataclass(frozen=True)
class Changes(_Result):
    """What changed from ``since`` to ``as_of`` (``totals``: before, after and differences)."""

    since: str
    as_of: str
    program: str | None
    new_partners_count: int | None
    new_partners: tuple[PartnerRef, ...]
    departures_count: int | None
    departures: tuple[PartnerRef, ...]
    totals: ChangeTotals
    gaps_opened: tuple[ChangeGap, ...]
    gaps_closed: tuple[ChangeGap, ...]
    gaps_persisting: int
    events: int
    method: Mapping[str, str]
    suppressed: tuple[str, ...] = field(default=(), metadata=_OMIT)


@dataclass(frozen=True)
class Privacy(_Result):
    """What the publication hides, and by which rules (:class:`analysis.privacy.Policy`)."""

    min_cell: int | None
    suppressed_values: int
    rules: Mapping[str, Any]
    network: str

    def record(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "min_cell": self.min_cell,
            "suppressed_values": self.suppressed_values,
            "rule": self.rules.get("rule"),
        }
        if "rules" in self.rules:
            out["rules"] = self.rules["rules"]
        out["network"] = self.network
        return out


@dataclass(frozen=True)
class Report(_Result):
    """The whole report; :meth:`to_dict` is what ``report --format json`` prints."""

    as_of: str
    parameters: Mapping[str, Any]
    totals: Totals
    groups: tuple[Group, ...]
    reach: ReachSection
    scorecard: tuple[ScorecardYear, ...]
    scorecard_summary: str
    scorecard_trend: Mapping[str, Any]
    programs: tuple[ProgramRow, ...]
    network: NetworkSection
    largest_gaps: tuple[RankedGap, ...]
    recurring_gaps: tuple[RecurringGap, ...]
    method: Mapping[str, Any]
    privacy: Privacy
    changes: Changes | None = None
    source: str = ""
    links: LinksSection | None = None
    data_quality: DataQuality | None = None

    @property
    def since(self) -> str | None:
        value = self.parameters.get("since")
        return None if value is None else str(value)

    @property
    def program(self) -> str | None:
        value = self.parameters.get("program")
        return None if value is None else str(value)

    @property
    def dimensions(self) -> Sequence[str]:
        return tuple(self.parameters.get("dimensions", ()))

    @property
    def alpha(self) -> float | None:
        """The false discovery rate the gaps were judged at (``None`` if not recorded)."""
        value = self.parameters.get("alpha")
        return None if value is None else float(value)

    def committees(self) -> tuple[Group, ...]:
        return tuple(g for g in self.groups if g.kind == "committee")

    def events(self) -> tuple[Group, ...]:
        """The events, most recent first."""
        events = [g for g in self.groups if g.kind == "event"]
        return tuple(sorted(events, key=lambda g: (g.date or "", g.id), reverse=True))

    def record(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "as_of": self.as_of,
            "since": self.since,
            "program": self.program,
            "source": self.source,
            "parameters": self.parameters,
            "totals": self.totals,
            "groups": self.groups,
            "largest_gaps": self.largest_gaps,
            "recurring_gaps": self.recurring_gaps,
            "reach": self.reach,
            "scorecard": self.scorecard,
            "scorecard_summary": self.scorecard_summary,
            "scorecard_trend": self.scorecard_trend,
            "programs": self.programs,
            "network": self.network,
            "method": self.method,
            "privacy": self.privacy,
            "data_quality": self.data_quality,
        }
        if self.changes is not None:
            out["changes"] = self.changes
        if self.links is not None:  # only a dataset with a links table has the section
            out["links"] = self.links
        return out
