"""``stakeholder-graph neo4j start|stop|status`` and ``stakeholder-graph load SOURCE``.

The lead's cli.py registers them: ``app.add_typer(neo4j_app, name="neo4j")`` and
``app.command("load")(load)``. Errors are StakeholderGraphError subclasses; cli.main() prints
them and exits 1.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Annotated

import typer

from core.errors import RequestError, StoreError

neo4j_app = typer.Typer(
    help="Run a local Neo4j Community server (jars from Maven Central, cached on first use).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

HOME_ENV = "STAKEHOLDER_GRAPH_NEO4J_HOME"


def default_home() -> Path:
    """``$STAKEHOLDER_GRAPH_NEO4J_HOME`` or ``./.neo4j``."""
    return Path(os.environ.get(HOME_ENV) or ".neo4j")


HomeOpt = Annotated[
    Path | None,
    typer.Option("--home", help=f"Server folder (default: ${HOME_ENV} or ./.neo4j).",
                 show_default=False),
]


def _quiet_driver_logs() -> None:
    # The driver logs its retries as warnings; the CLI reports failures itself, once.
    logging.getLogger("neo4j").addHandler(logging.NullHandler())
    logging.getLogger("neo4j").propagate = False


@neo4j_app.command("start")
def start_command(
    home: HomeOpt = None,
    bolt_port: Annotated[int, typer.Option("--bolt-port", min=1, max=65535,
                                           help="Bolt port on 127.0.0.1.")] = 7687,
    password: Annotated[str | None, typer.Option(
        "--password", help="Password of user neo4j, 8+ characters (default: NEO4J_PASSWORD).",
        show_default=False)] = None,
    heap: Annotated[str, typer.Option(help="JVM heap.")] = "4g",
    pagecache: Annotated[str, typer.Option(help="Neo4j page cache.")] = "2g",
) -> None:
    """Start the server (fetching Neo4j on first use) and print its Bolt URI."""
    from graph import server

    chosen = password or os.environ.get("NEO4J_PASSWORD")
    if not chosen:
        raise RequestError("give the server a password: --password PW or NEO4J_PASSWORD")
    where = home or default_home()
    info = server.start(where, bolt_port=bolt_port, password=chosen, heap=heap,
                        pagecache=pagecache,
                        progress=lambda step: typer.echo(step, err=True))
    if info.already_running:
        typer.echo(f"Neo4j is already running in {info.home} (pid {info.pid}); nothing to do.",
                   err=True)
    else:
        typer.echo(f"Neo4j {info.version} started in {info.seconds:.1f} s "
                   f"(pid {info.pid}, logs in {info.home / 'logs'}).", err=True)
    typer.echo(info.uri)


@neo4j_app.command("stop")
def stop_command(home: HomeOpt = None) -> None:
    """Stop the server gracefully (SIGKILL after a minute)."""
    from graph import server

    where = home or default_home()
    if server.stop(where):
        typer.echo(f"Neo4j in {where} stopped.")
    else:
        typer.echo(f"No Neo4j is running in {where}.")


@neo4j_app.command("status")
def status_command(home: HomeOpt = None) -> None:
    """Say whether the server runs (exit 0) or not (exit 1)."""
    from graph import server

    where = home or default_home()
    info = server.status(where)
    if info is None:
        typer.echo(f"No Neo4j is running in {where}.")
        raise typer.Exit(1)
    typer.echo(f"Neo4j is running in {info.home} (pid {info.pid}) at {info.uri}")


def load(
    source: Annotated[Path, typer.Argument(
        help="Dataset: a folder of CSV files or an .xlsx workbook (or 'demo' / 'pai').")],
    replace: Annotated[bool, typer.Option(
        "--replace", help="Make the graph match SOURCE exactly (remove what it lacks).")] = False,
    neo4j: Annotated[str | None, typer.Option(
        "--neo4j", help="Neo4j URI (default: NEO4J_URI or bolt://127.0.0.1:7687).",
        show_default=False)] = None,
    database: Annotated[str | None, typer.Option(
        "--database", help="Database name (default: NEO4J_DATABASE or the server's default).",
        show_default=False)] = None,
    username: Annotated[str | None, typer.Option(
        "--username", help="Default: NEO4J_USERNAME or neo4j.", show_default=False)] = None,
    batch_size: Annotated[int | None, typer.Option(
        "--batch-size", min=1, help="Rows per write transaction.", show_default=False)] = None,
    bulk: Annotated[bool, typer.Option(
        "--bulk", help="First load into the EMPTY database of a local server (--home): "
        "neo4j-admin database import full; the server restarts once.")] = False,
    home: HomeOpt = None,
) -> None:
    """Validate SOURCE completely, then upsert it into Neo4j (idempotent, batched)."""
    import loaders
    from core.progress import progress_bar
    from core.settings import Neo4jSettings
    from graph.neo4j_store import DEFAULT_BATCH_SIZE, Neo4jStore

    _quiet_driver_logs()
    path = _resolve(source)
    # Everything is read and validated before a connection is opened: a DataError means
    # nothing was written.
    dataset = loaders.read_dataset(path)
    settings = Neo4jSettings.from_env(uri=neo4j, username=username, database=database)
    settings.require_password()
    if bulk:
        if replace:
            raise typer.BadParameter("--bulk loads an empty database; --replace has nothing "
                                     "to remove there", param_hint="--bulk")
        from graph.bulk import bulk_load

        summary = bulk_load(dataset, home or default_home(), password=settings.require_password(),
                            database=settings.database or "neo4j", user=settings.username)
        typer.echo(summary_text(summary, target=f"{home or default_home()} (bulk import)",
                                database=settings.database))
        return
    with Neo4jStore.connect(settings) as store:
        assert isinstance(store, Neo4jStore)
        store.batch_size = batch_size or DEFAULT_BATCH_SIZE
        with progress_bar("load") as progress:
            summary = store.load(dataset, replace=replace, progress=progress)
    typer.echo(summary_text(summary, target=settings.uri, database=settings.database))


def _resolve(source: Path) -> Path:
    try:
        from stakeholder_graph.common import resolve_source
    except ImportError:  # cli.py not there: take the path as given
        if not source.exists():
            raise RequestError(f"{source}: no such file or folder") from None
        return source
    return resolve_source(source)


def summary_text(summary: object, *, target: str, database: str | None) -> str:
    """What a load created, updated and deleted per table, and its rate."""
    from core.model import TABLES
    from graph.store import LoadSummary

    if not isinstance(summary, LoadSummary):
        raise StoreError("internal: load returned no summary")
    lines = [f"Loaded into {target}" + (f" (database {database})" if database else "") + ":"]
    width = max(len(t) for t in TABLES)
    for table in TABLES:
        written = summary.written.get(table, 0)
        created = summary.created.get(table, 0)
        deleted = summary.deleted.get(table, 0)
        line = (f"  {table:<{width}}  {written:>8} rows: {created:>8} created, "
                f"{written - created:>8} updated")
        if table in summary.deleted:
            line += f", {deleted:>8} deleted"
        lines.append(line)
    rows = sum(summary.written.values())
    rate = rows / summary.seconds if summary.seconds > 0 else 0.0
    lines.append(f"  {rows} rows in {summary.seconds:.1f} s ({rate:,.0f} rows/s)")
    return "\n".join(lines)
