"""``stakeholder-graph export``: the network for Gephi, Cytoscape and networkx.

Mounted by :mod:`stakeholder_graph.cli`. The window options are the report's (``--as-of``,
``--since``, ``--program``), so an export shows the report's network with its measures. Every
export lists organisations one by one, so under ``--min-cell`` (an aggregate-only publication)
it is refused. The file is written by :func:`stakeholder_graph.common.write_output`: a temporary
file beside PATH, renamed over it once complete, so a failed export never leaves half a file.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

# typer 0.29 ships its own copy of click; its exceptions are the ones the app raises.
from typer._click.exceptions import BadParameter

from core.errors import RequestError
from stakeholder_graph.common import open_store, parse_day, write_output


class ExportFormat(StrEnum):
    gexf = "gexf"
    graphml = "graphml"
    cyjs = "cyjs"
    csv = "csv"


class ExportView(StrEnum):
    coparticipation = "coparticipation"
    twomode = "twomode"


def _known_program(dataset_programs: set[str], program: str) -> None:
    if program not in dataset_programs:
        known = ", ".join(sorted(dataset_programs)) or "none"
        raise RequestError(f"--program {program!r}: no committee or event has this program "
                           f"(programs: {known})")


def export(
    fmt: Annotated[ExportFormat, typer.Option(
        "--format", help="gexf and graphml (Gephi), cyjs (Cytoscape), csv (a ZIP of nodes.csv "
        "and edges.csv).", show_default=False)],
    output: Annotated[Path, typer.Option(
        "--output", "-o", help="The file to write.", show_default=False)],
    source: Annotated[Path | None, typer.Argument(
        help="Dataset: a folder of CSV files or an .xlsx workbook (or 'demo' / 'pai'). Omit it "
        "to read the Neo4j named by --neo4j or NEO4J_URI.", show_default=False)] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Date of the snapshot (default today).")] = None,
    since: Annotated[str | None, typer.Option("--since", help="Only events after this date.")] = None,
    program: Annotated[str | None, typer.Option("--program", help="Only committees and events of this program.")] = None,
    view: Annotated[ExportView, typer.Option(
        "--view", help="coparticipation: partners linked by shared rooms; twomode: partners "
        "and their committees and events.")] = ExportView.coparticipation,
    min_cell: Annotated[int | None, typer.Option(
        "--min-cell", min=1, help="Aggregate-only publication: exports are refused.")] = None,
    seed: Annotated[int, typer.Option(help="Seed for communities and sampled measures.")] = 0,
    neo4j: Annotated[str | None, typer.Option("--neo4j", help="Neo4j URI (default: NEO4J_URI).",
                                              show_default=False)] = None,
) -> None:
    """The network with every partner attribute, measure and community, for Gephi and co."""
    import datetime as dt

    from core.window import Window

    day = parse_day(as_of, "--as-of") or dt.date.today()
    start = parse_day(since, "--since")
    if start is not None and start >= day:
        raise BadParameter("--since must be before --as-of", param_hint="--since")
    if min_cell is not None:
        raise RequestError(
            f"export lists organisations one by one; under --min-cell {min_cell} (an "
            "aggregate-only publication) it is refused. Run it without --min-cell.")
    window = Window.of(as_of=day, since=start, program=program)
    from analysis.network.export import export_graph
    from analysis.report import program_subset
    from reports.network_export import render_network

    with open_store(source, neo4j) as store:
        dataset = store.tables()  # the narrow read seams, never store.dataset()
    if window.program is not None:
        labels = {str(p) for table in (dataset.committees, dataset.events)
                  for p in table["program"].dropna() if str(p).strip()}
        _known_program(labels, window.program)
    graph = export_graph(program_subset(dataset, window.program), as_of=window.as_of,
                         since=window.since, view=view.value, seed=seed)
    if window.program is not None:
        graph.graph["program"] = window.program
    write_output(output, render_network(graph, fmt.value))
    typer.echo(f"wrote {output} ({fmt.value}, {view.value}: {graph.number_of_nodes()} nodes, "
               f"{graph.number_of_edges()} edges)", err=True)
