"""The co-participation network of partners, one module per family.

- :mod:`~analysis.network.projection`: the partner x group incidence of a window and its
  weighted projection ``B @ B.T`` (scipy sparse), :class:`CoParticipation`.
- :mod:`~analysis.network.backbones`: the top-k backbone of a large projection.
- :mod:`~analysis.network.centrality`: degree, strength, betweenness.
- :mod:`~analysis.network.community`: Louvain/Leiden communities and modularity.
- :mod:`~analysis.network.mixing`: bridging (E-I, participation) and mixing matrices.
- :mod:`~analysis.network.summary`: the report's network section, :class:`NetworkResult`.
- :mod:`~analysis.network.export`: the attributed graph of a window for Gephi and Cytoscape.
- :mod:`~analysis.network.links`: the direct-links network (the ``links`` table on one day),
  with every measure above, :class:`LinksNetwork`.

Centralities and communities run in igraph (C), never in a networkx graph of the 20,000-partner /
10-million-edge size of ../shared/DESIGN.md; the plain networkx version a user would otherwise
write lives in ``benchmarks/networkx_baseline.py``, where the benchmark and the tests check equal
results.

Scale. Up to :data:`SCALE_THRESHOLD` edges (2M: every bundled dataset, Davis, 2,500 generated
partners) every measure is computed on the full graph. Above it (20,000 generated partners:
15-20M edges) an igraph copy of the graph alone would take most of the report's 1 GB, so:
degree, strength, bridging, mixing and modularity stay exact, computed block by block on the
sparse matrix; communities are found on a top-k :func:`backbone` of at most
:data:`BACKBONE_EDGES` edges and then refined by Louvain's own steps on the full graph;
betweenness is estimated from seeded sampled sources on the backbone. ``method`` in every result
says which path ran and with what parameters.

>>> import pandas as pd
>>> from core.model import Dataset
>>> ds = Dataset.from_frames(
...     partners=pd.DataFrame({"partner_id": ["a", "b", "c"], "name": ["A", "B", "C"],
...         "sector": ["Industry", "Academic", "Industry"], "country": ["USA", "FRA", "KEN"]}),
...     events=pd.DataFrame({"event_id": ["e1", "e2"], "name": ["E1", "E2"],
...         "date": ["2024-01-10", "2024-02-10"]}),
...     attendance=pd.DataFrame({"event_id": ["e1", "e1", "e2", "e2", "e2"],
...         "partner_id": ["a", "b", "a", "b", "c"]}))
>>> cp = coparticipation(ds, as_of="2024-06-30")
>>> centralities(cp)[["partner_id", "degree", "strength"]].to_dict("list")
{'partner_id': ['a', 'b', 'c'], 'degree': [2, 2, 2], 'strength': [3, 3, 2]}
"""

from __future__ import annotations

from analysis.network._common import json_float
from analysis.network.backbones import (
    BACKBONE_EDGES,
    READABLE_K,
    StrongTies,
    backbone,
    backbone_method,
    strong_ties,
)
from analysis.network.centrality import EXACT_BUDGET, centralities, structure
from analysis.network.community import (
    COMMUNITY_ALGORITHMS,
    LOW_MODULARITY,
    UNCONNECTED,
    Communities,
    communities,
    community_labels,
    modularity,
    modularity_caveat,
    relabel_by_size,
)
from analysis.network.links import (
    LinksNetwork,
    active_links,
    direct_links,
    links_of,
    links_summary,
)
from analysis.network.mixing import UNKNOWN, bridging, mixing_matrix
from analysis.network.projection import (
    COMMITTEE,
    EVENT,
    SCALE_THRESHOLD,
    CoParticipation,
    TwoMode,
    coparticipation,
    two_mode,
)
from analysis.network.summary import (
    Bridge,
    NetworkResult,
    NodeMeasures,
    graph_summary,
    network_summary,
)

__all__ = [
    "BACKBONE_EDGES",
    "COMMITTEE",
    "COMMUNITY_ALGORITHMS",
    "EVENT",
    "EXACT_BUDGET",
    "LOW_MODULARITY",
    "READABLE_K",
    "SCALE_THRESHOLD",
    "UNCONNECTED",
    "UNKNOWN",
    "Bridge",
    "CoParticipation",
    "Communities",
    "LinksNetwork",
    "NetworkResult",
    "NodeMeasures",
    "StrongTies",
    "TwoMode",
    "active_links",
    "backbone",
    "backbone_method",
    "bridging",
    "centralities",
    "communities",
    "community_labels",
    "coparticipation",
    "direct_links",
    "graph_summary",
    "json_float",
    "links_of",
    "links_summary",
    "mixing_matrix",
    "modularity",
    "modularity_caveat",
    "network_summary",
    "relabel_by_size",
    "strong_ties",
    "structure",
    "two_mode",
]
