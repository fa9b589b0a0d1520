"""Pure analysis over a :class:`graph.model.Dataset`: snapshot, diversity, gaps, reach, report.

The public functions are re-exported here; each lives in one module per measure family
(``analysis.snapshot``, ``analysis.diversity``, ``analysis.gaps``...). ``analysis.network``
(co-participation network) is imported from its own module.
"""

from analysis.diversity import (
    Composition,
    blau,
    composition,
    evenness,
    normalised_blau,
    shannon,
)
from analysis.gaps import Gap, find_gaps, representation_gaps, shortfall
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
    "Composition",
    "Gap",
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
