"""Pure analysis over a :class:`core.model.Dataset`: snapshot, diversity, gaps, reach, report.

The public functions are re-exported here; each lives in one module per measure family
(``analysis.snapshot``, ``analysis.diversity``, ``analysis.gaps``...); the modules themselves
stay importable by name (``from analysis import diversity`` is the module), so a function
named like its module (``scorecard``, ``reach``, ``changes``, ``diversity``) is
imported from the module. ``analysis.network`` (co-participation network) is imported from its
own module.
"""

from analysis.changes import Changes
from analysis.diversity import (
    Composition,
    blau,
    composition,
    evenness,
    group_compositions,
    membership_totals,
    normalised_blau,
    shannon,
)
from analysis.gaps import (
    Gap,
    find_gaps,
    group_gaps,
    recurring_gaps,
    representation_gaps,
    shortfall,
)
from analysis.reach import Reach, gini
from analysis.report import Report, build_report
from analysis.scorecard import Scorecard
from analysis.snapshot import (
    active_counts_on,
    active_memberships,
    active_partners,
    committee_members,
    committees,
    event_attendees,
    events_in_window,
    to_timestamp,
)

__all__ = [
    "Changes",
    "Composition",
    "Gap",
    "Reach",
    "Report",
    "Scorecard",
    "build_report",
    "gini",
    "group_compositions",
    "group_gaps",
    "membership_totals",
    "recurring_gaps",
    "active_counts_on",
    "active_memberships",
    "active_partners",
    "blau",
    "committee_members",
    "committees",
    "composition",
    "event_attendees",
    "events_in_window",
    "evenness",
    "find_gaps",
    "normalised_blau",
    "representation_gaps",
    "shannon",
    "shortfall",
    "to_timestamp",
]
