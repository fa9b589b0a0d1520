"""The network exports: GEXF and GraphML (Gephi, Gephi Lite, yEd), Cytoscape JSON, CSV tables.

:func:`render_network` turns the attributed graph of
:func:`analysis.network.export.export_graph` into the bytes of one format. Every format reads
back into networkx with the same nodes, attributes and weights (``read_gexf``, ``read_graphml``,
``cytoscape_graph``); ``csv`` is a ZIP of ``nodes.csv`` (``Id``, ``Label``, attributes) and
``edges.csv`` (``Source``, ``Target``, ``Type``, ``Weight``), the columns Gephi's spreadsheet
import expects.

Text is made safe for where it goes, by :mod:`reports.tabular`'s rules: characters XML 1.0
forbids (control characters a name may hold) become U+FFFD in every format, and the CSV tables
are written by its formula-safe writer.

>>> import networkx as nx
>>> graph = nx.Graph(view="coparticipation")
>>> graph.add_node("a", label="=A\\x01", sector="Industry")
>>> graph.add_node("b", label="B", sector="Academic")
>>> graph.add_edge("a", "b", weight=3)
>>> back = nx.read_gexf(io.BytesIO(render_network(graph, "gexf")))
>>> back.nodes["a"]["label"] == "=A\\ufffd", back.edges["a", "b"]["weight"]
(True, 3.0)
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import networkx as nx

from reports.tabular import cell_text, to_csv

FORMATS = ("gexf", "graphml", "cyjs", "csv")
#: File suffix and media type of each format (the dashboard's downloads use them too).
SUFFIX = {"gexf": ".gexf", "graphml": ".graphml", "cyjs": ".cyjs", "csv": ".zip"}
MEDIA_TYPE = {"gexf": "application/xml", "graphml": "application/xml",
              "cyjs": "application/json", "csv": "application/zip"}


def _xml_safe(graph: nx.Graph) -> nx.Graph:
    """A copy of ``graph`` whose text (node ids, attribute values) XML can hold."""
    def clean(value: Any) -> Any:
        return cell_text(value) if isinstance(value, str) else value

    safe = nx.Graph(**{k: clean(v) for k, v in graph.graph.items()})
    safe.add_nodes_from((clean(n), {k: clean(v) for k, v in data.items()})
                        for n, data in graph.nodes(data=True))
    safe.add_edges_from((clean(u), clean(v), data) for u, v, data in graph.edges(data=True))
    return safe


def _gexf(graph: nx.Graph) -> bytes:
    buffer = io.BytesIO()
    nx.write_gexf(_xml_safe(graph), buffer)
    return buffer.getvalue()


def _graphml(graph: nx.Graph) -> bytes:
    buffer = io.BytesIO()
    nx.write_graphml(_xml_safe(graph), buffer, named_key_ids=True)
    return buffer.getvalue()


def _cyjs(graph: nx.Graph) -> bytes:
    data = nx.cytoscape_data(graph, name="label")
    # Cytoscape reads the network's own attributes from a "data" object.
    data["data"] = dict(graph.graph)
    return json.dumps(data, ensure_ascii=False, allow_nan=False, indent=1).encode("utf-8")


def _csv(graph: nx.Graph) -> bytes:
    names: list[str] = []
    for _, data in graph.nodes(data=True):
        names.extend(k for k in data if k != "label" and k not in names)
    nodes = [[n, data.get("label", n), *(data.get(k, "") for k in names)]
             for n, data in graph.nodes(data=True)]
    edges = [[u, v, "Undirected", data.get("weight", 1)] for u, v, data in graph.edges(data=True)]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("nodes.csv", to_csv(["Id", "Label", *names], nodes).encode("utf-8"))
        archive.writestr("edges.csv",
                         to_csv(["Source", "Target", "Type", "Weight"], edges).encode("utf-8"))
    return buffer.getvalue()


_WRITERS = {"gexf": _gexf, "graphml": _graphml, "cyjs": _cyjs, "csv": _csv}


def render_network(graph: nx.Graph, fmt: str) -> bytes:
    """The bytes of ``graph`` in ``fmt`` (one of :data:`FORMATS`)."""
    if fmt not in _WRITERS:
        raise ValueError(f"fmt must be one of {list(FORMATS)}, got {fmt!r}")
    return _WRITERS[fmt](graph)
