"""Neo4jStore: the GraphStore of record, in a Neo4j 5 server, cluster or Aura.

Loads are idempotent upserts in batched ``UNWIND $rows ... MERGE`` write transactions (every
query in graph/cypher.py); a load that dies half-way (server killed, network gone) raises
StoreError, and rerunning the same load converges to exactly the right graph. Reads run in read
transactions; the read seams (graph/store.py) aggregate in Cypher and read narrow projections
(``Result.to_df``, relationship tables collected per group) instead of pulling the graph.

Batch size: measured on a generated 20,000-partner / ~200,000-attendance dataset against a local
5.26 server on 2 cores (see the module constant below for the figures).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import itertools
import json
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

import numpy as np
import pandas as pd

from core.errors import DataError, Problem, StoreError
from core.model import KEYS, LIST_COLUMNS, TABLES, Dataset, extra_columns, normalise_table
from core.progress import Progress
from core.window import Window
from graph import cypher
from graph.store import (
    GraphStore,
    Incidence,
    LoadSummary,
    build_incidence,
    finish_compositions,
    finish_sizes,
    spans_to_counts,
    window_groups,
)

#: Rows per write transaction. Measured on a generated dataset (20,000 partners, 200
#: committees, 15,066 memberships, 2,000 events, 191,018 attendance rows: 228k rows) loaded
#: into an empty local 5.26 server (heap 4g, page cache 2g) on the 2-core machine, while other
#: test suites shared it (load average 5-10), first load: 2,000 -> 5.2k rows/s,
#: 5,000 -> 8.9k, 10,000 -> 12.1k, 20,000 -> 12.5k, 50,000 -> 12.1k rows/s. 10,000 is where
#: the plateau starts; bigger batches only grow each transaction's memory on the server.
DEFAULT_BATCH_SIZE = 10_000

#: Table -> sessions writing its batches at once (absent: one). Only for relationship tables
#: keyed by (event_id, partner_id), written in node-disjoint cells (``_disjoint_rounds``).
#: Measured on the 20,000-partner load on this 2-core machine (server and client share the
#: cores): attendance took 4.9-7.1 s with one session and 4.9-7.4 s with two (no deadlock
#: once the cells are disjoint; overlapping batches deadlocked and retried), so nothing
#: is written concurrently by default; a machine with spare cores may set
#: ``{"attendance": 2}``.
CONCURRENT_WRITERS: dict[str, int] = {}

#: Tables whose rows get their values in a background thread while earlier tables are written.
_DEFERRED_VALUES = ("attendance",)

#: Columns that become relationships or Country properties rather than node properties.
_PARTNER_GRAPH_COLUMNS = ("sector", "country", "country_name", "region", "subregion",
                          "global_south")
_EVENT_GRAPH_COLUMNS = ("country", "country_name", "region", "subregion")
#: Properties every node/relationship of a table gets, besides its key and extra columns.
_FIXED_PROPERTIES: dict[str, tuple[str, ...]] = {
    "partners": ("name", "joined", "left", "membership"),
    "committees": ("name", "program", "kind"),
    "events": ("name", "date", "kind", "program", "city", "topics", "status"),
    "memberships": ("role", "since", "until"),
    "attendance": ("role", "attendees"),
    "targets": ("dimension", "group", "min_share", "max_share"),
    "links": ("since", "until", "weight"),  # kind is part of the MERGE key
}
_RESERVED = {"memberships": cypher.TERM_KEY, "targets": cypher.TARGET_KEY,
             "links": cypher.TERM_KEY}
#: Relationship tables: their stored keys are tuples (node tables: one id).
_RELATIONSHIP_TABLES = ("memberships", "attendance", "links")


def _neo4j_errors() -> tuple[type[BaseException], ...]:
    import neo4j.exceptions as nx

    return (nx.Neo4jError, nx.DriverError)


def _describe(exc: BaseException, where: str, location: str, database: str | None) -> str:
    import neo4j.exceptions as nx

    db = f" database {database!r}" if database else ""
    if isinstance(exc, nx.AuthError):
        return (f"Neo4j at {location} refused the credentials (wrong username or password; "
                "check NEO4J_USERNAME / NEO4J_PASSWORD)")
    code = getattr(exc, "code", None) or ""
    if code == "Neo.ClientError.Database.DatabaseNotFound":
        return f"Neo4j at {location} has no{db or ' such database'} (check NEO4J_DATABASE)"
    if isinstance(exc, nx.ServiceUnavailable | nx.SessionExpired | nx.IncompleteCommit):
        return (f"Neo4j at {location}{db} is unreachable or went away while {where} "
                f"({type(exc).__name__}: {_short(exc)}); start it (`stakeholder-graph neo4j "
                "start`) or check NEO4J_URI, then rerun: loads are idempotent")
    message = getattr(exc, "message", None) or _short(exc)
    return f"Neo4j at {location}{db} failed while {where}: {message}"


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _date(value: Any) -> dt.date | None:
    if value is None:
        return None
    to_native = getattr(value, "to_native", None)
    return to_native() if to_native is not None else value  # type: ignore[no-any-return]


def _blank(value: Any) -> Any:
    """None or NaN (a property the node lacks) as the Dataset's empty text."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return value


def _blank_to_none(value: str) -> str | None:
    return value if value else None


class Neo4jStore(GraphStore):
    """A GraphStore in Neo4j, handed a driver (and optionally a database name).

    Parameters
    ----------
    driver : neo4j.Driver
        Built by the caller (``Neo4jSettings.driver()``); ``close`` closes it.
    database : str, optional
        None uses the server's default database (``neo4j``).
    batch_size : int, default DEFAULT_BATCH_SIZE
        Rows per write transaction.
    location : str, optional
        How to name the server in error messages (the URI; never the password).
    """

    name = "neo4j"

    def __init__(
        self,
        driver: Any,
        database: str | None = None,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        location: str | None = None,
    ):
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        self._driver = driver
        self._database = database or None
        self.batch_size = batch_size
        self._location = location or "the configured server"

    # ------------------------------------------------------------------ plumbing

    @contextlib.contextmanager
    def _errors(self, where: str) -> Iterator[None]:
        try:
            yield
        except _neo4j_errors() as exc:
            raise StoreError(_describe(exc, where, self._location, self._database)) from None
        except OSError as exc:  # a socket error that escaped the driver's own wrapping
            raise StoreError(
                f"Neo4j at {self._location} is unreachable while {where}: {exc}"
            ) from None

    def _session(self) -> Any:
        # Server notifications ("label does not exist" on a fresh database) are not for users.
        return self._driver.session(database=self._database, notifications_min_severity="OFF")

    def _read(self, query: str, **params: Any) -> list[dict[str, Any]]:
        def work(tx: Any) -> list[dict[str, Any]]:
            return [dict(r) for r in tx.run(query, params)]

        with self._session() as session:
            return session.execute_read(work)  # type: ignore[no-any-return]

    def _write(self, queries: Sequence[str], **params: Any) -> None:
        def work(tx: Any) -> None:
            for query in queries:
                tx.run(query, params).consume()

        with self._session() as session:
            session.execute_write(work)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._driver.close()

    def ping(self) -> None:
        """Raise StoreError unless the server answers a query with these credentials."""
        # Auto-commit, so an unreachable server fails at once instead of after 30 s of retries.
        with self._errors("connecting"), self._session() as session:
            session.run("RETURN 1 AS ok").consume()

    def ensure_constraints(self) -> None:
        """Create every uniqueness constraint (``IF NOT EXISTS``: a no-op when present)."""
        with self._errors("creating constraints"), self._session() as session:
            for query in cypher.CONSTRAINTS.values():
                session.run(query).consume()

    def constraints(self) -> list[dict[str, Any]]:
        """The constraints the database has (name, type, labelsOrTypes, properties)."""
        with self._errors("listing constraints"):
            return self._read(cypher.SHOW_CONSTRAINTS)

    def clear(self) -> None:
        """Delete every node and relationship (constraints stay)."""
        with self._errors("clearing the database"), self._session() as session:
            session.run(cypher.CLEAR_ALL).consume()

    # ------------------------------------------------------------------ load

    def load(
        self, dataset: Dataset, *, replace: bool = False, progress: Progress | None = None
    ) -> LoadSummary:
        """Upsert ``dataset`` (``replace=True``: make the graph equal to it).

        Everything is checked before the first write; then constraints, then the batches.
        Raises DataError for data the graph cannot hold and StoreError for server failures.
        """
        began = time.perf_counter()
        plan = _LoadPlan.build(dataset)
        with self._errors("reading what is already stored"):
            if self._is_empty():  # nothing to read back: skip the key and link reads
                existing: dict[str, set[Any]] = {table: set() for table in TABLES}
                links: dict[str, list[dict[str, Any]]] = {name: [] for name in cypher.LINKS}
                meta_before = None
            else:
                existing = {table: self._existing_keys(table) for table in TABLES}
                links = {name: self._read(read) for name, (read, _) in cypher.LINKS.items()}
                meta_before = self._meta()
        plan.check_references(existing, replace=replace)
        plan.finish(meta_before, defer=_DEFERRED_VALUES)

        summary = LoadSummary()
        for table in TABLES:
            keys = plan.keys[table]
            summary.written[table] = len(keys)
            summary.created[table] = len(keys - existing[table])
            if replace:
                summary.deleted[table] = len(existing[table] - keys)

        empty_before = not any(existing.values())
        meta = plan.meta(None if (replace or empty_before) else meta_before)
        before_version = meta_before.get("version") if meta_before else None
        if replace or empty_before:
            meta["version"] = dataset.version
        elif before_version == dataset.version:
            meta["version"] = before_version
        else:
            meta["version"] = hashlib.sha256(
                f"{before_version}|{dataset.version}".encode()
            ).hexdigest()[:16]

        step = "creating constraints"
        try:
            # The largest table's values are built while the smaller tables are written
            # (the writes wait on the server, not on Python); measured on the 20,000-partner
            # load: about 0.1 s less before the first batch (0.89/0.73 s -> 0.79/0.67 s).
            with ThreadPoolExecutor(max_workers=1) as background:
                deferred = {table: background.submit(plan.fill_values, table)
                            for table in _DEFERRED_VALUES}
                self.ensure_constraints()
                # Mark the graph as changing first: a crash leaves a version no cache trusts.
                step = "marking the load as started"
                self._write([cypher.SET_META], key=cypher.META_KEY,
                            props={**meta, "version": f"partial-{uuid.uuid4().hex[:12]}"})
                if replace:
                    step = "removing what the source no longer has"
                    self._delete_stale(plan, existing, progress)
                step = "unlinking changed sectors, countries and regions"
                for name, stale in plan.stale_links(links).items():
                    for start in range(0, len(stale), self.batch_size):
                        self._write([cypher.LINKS[name][1]],
                                    rows=stale[start:start + self.batch_size])
                done: dict[str, int] = {}
                for table, label, queries, rows in plan.steps():
                    step = f"writing {label}"
                    if table in deferred:
                        deferred.pop(table).result()
                    total = len(plan.rows[table]) if table in plan.rows else len(rows)
                    if label != table:  # sectors, regions, countries: no bar of their own
                        self._write_batches(label, queries, rows, None)
                        continue
                    done[table] = self._write_batches(
                        table, queries, rows, progress, offset=done.get(table, 0), total=total,
                        workers=CONCURRENT_WRITERS.get(table, 1))
                if replace:
                    step = "removing unused sectors, countries and regions"
                    self._write(cypher.DELETE_ORPHANS)
                step = "recording the dataset version"
                self._write([cypher.SET_META], key=cypher.META_KEY, props=meta)
        except StoreError:
            raise
        except _neo4j_errors() as exc:
            raise StoreError(_describe(exc, step, self._location, self._database)) from None
        except OSError as exc:
            raise StoreError(f"Neo4j at {self._location} failed while {step}: {exc}") from None
        summary.seconds = time.perf_counter() - began
        return summary

    def _write_batches(
        self, table: str, queries: Sequence[str], rows: list[dict[str, Any]],
        progress: Progress | None, *, offset: int = 0, total: int | None = None,
        workers: int = 1,
    ) -> int:
        """Write ``rows`` in batches; report ``offset + written`` of ``total``; return it."""
        total = len(rows) + offset if total is None else total
        if progress is not None:
            progress(table, offset, total)
        written = offset

        def wrote(count: int) -> None:
            nonlocal written
            written += count
            if progress is not None:
                progress(table, written, total)

        if workers <= 1 or len(rows) <= self.batch_size:
            for start in range(0, len(rows), self.batch_size):
                batch = rows[start:start + self.batch_size]
                self._write(queries, rows=batch)
                wrote(len(batch))
            return written
        # Several sessions at once, each writing a cell of relationships whose start nodes and
        # end nodes no other session's cell touches in that round (see _disjoint_rounds): a
        # MERGEd relationship locks both its nodes, so overlapping batches waited for each
        # other and deadlocked (measured: retries on every run). Progress is reported from
        # this thread, as batches finish.
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for cells in _disjoint_rounds(rows, workers):
                queues = [[cell[i:i + self.batch_size]
                           for i in range(0, len(cell), self.batch_size)][::-1]
                          for cell in cells]
                running: dict[Future[int], int] = {}
                for lane, queue in enumerate(queues):
                    if queue:
                        running[pool.submit(self._write_counted, queries, queue.pop())] = lane
                while running:
                    finished, _ = wait(running, return_when=FIRST_COMPLETED)
                    for future in finished:
                        lane = running.pop(future)
                        wrote(future.result())
                        if queues[lane]:
                            running[pool.submit(self._write_counted, queries,
                                                queues[lane].pop())] = lane
        return written

    def _write_counted(self, queries: Sequence[str], rows: list[dict[str, Any]]) -> int:
        self._write(queries, rows=rows)
        return len(rows)

    def _delete_stale(
        self, plan: _LoadPlan, existing: dict[str, set[Any]], progress: Progress | None
    ) -> None:
        # Relationships first, so a crash between the steps leaves nothing dangling.
        for table, query, names in (
            ("memberships", cypher.DELETE_MEMBERSHIPS, ("committee_id", "partner_id", "term")),
            ("attendance", cypher.DELETE_ATTENDANCE, KEYS["attendance"]),
            ("links", cypher.DELETE_LINKS, ("source_id", "target_id", "kind", "term")),
        ):
            stale = [dict(zip(names, key, strict=True))
                     for key in sorted(existing[table] - plan.keys[table])]
            self._write_batches(f"{table} (removed)", [query], stale, progress)
        for table in cypher.NODE_TABLES:
            stale_ids = sorted(existing[table] - plan.keys[table])
            for start in range(0, len(stale_ids), self.batch_size):
                self._write([cypher.delete_nodes(table)],
                            ids=stale_ids[start:start + self.batch_size])

    def _is_empty(self) -> bool:
        rows = self._read(cypher.COUNT_NODES)
        return bool(rows) and rows[0]["n"] == 0

    def _existing_keys(self, table: str) -> set[Any]:
        rows = self._read(cypher.READ_KEYS[table])
        if table in _RELATIONSHIP_TABLES:
            return {tuple(r.values()) for r in rows}
        return {next(iter(r.values())) for r in rows}

    def _meta(self) -> dict[str, Any] | None:
        rows = self._read(cypher.READ_META, key=cypher.META_KEY)
        return dict(rows[0]["meta"]) if rows else None

    # ------------------------------------------------------------------ reads

    def version(self) -> str:
        with self._errors("reading the dataset version"):
            meta = self._meta()
        if meta is None:
            return Dataset.from_frames().version
        return str(meta.get("version", ""))

    def dataset(self) -> Dataset:
        """Read the whole graph back (read transactions) as the Dataset that was loaded."""
        with self._errors("reading the graph"):
            meta = self._meta() or {}
            raw = {table: self._read(query) for table, query in cypher.READ_TABLES.items()}
        frames = {table: _frame(table, rows, meta) for table, rows in raw.items()}
        return Dataset.from_frames(source=str(meta.get("source", "")), **frames)

    # ------------------------------------------------------------------ read seams

    def _frame(self, where: str, query: str, **params: Any) -> pd.DataFrame:
        """A read transaction's result as a DataFrame (``Result.to_df``: one list per record,
        no dict per record)."""
        def work(tx: Any) -> pd.DataFrame:
            return tx.run(query, params).to_df()

        with self._errors(where), self._session() as session:
            frame: pd.DataFrame = session.execute_read(work)
            return frame

    def source(self) -> str:
        with self._errors("reading the dataset source"):
            meta = self._meta() or {}
        return str(meta.get("source", ""))

    def _columns(self, where: str, query: str, **params: Any) -> pd.DataFrame:
        """A query returning one record of parallel lists (``collect`` per column) as a
        DataFrame: one record to decode instead of one per row (20,000 partners: 0.3 s
        instead of 0.8-1.0 s, most of it the driver's per-record work)."""
        def work(tx: Any) -> dict[str, list[Any]]:
            record = tx.run(query, params).single(strict=True)
            return dict(record)

        with self._errors(where), self._session() as session:
            lists: dict[str, list[Any]] = session.execute_read(work)
        return pd.DataFrame(lists)

    def partner_extras(self) -> list[str]:
        with self._errors("reading the column lists"):
            meta = self._meta() or {}
        return sorted(meta.get("extras_partners", []))

    def partners(self, columns: Sequence[str] = ()) -> pd.DataFrame:
        fixed = TABLES["partners"]
        extras = sorted({c for c in columns if c not in fixed})
        with self._errors("reading partners"):
            meta = self._meta() or {}
        known = set(meta.get("extras_partners", []))
        unknown = [c for c in extras if c not in known]
        if unknown:
            raise ValueError(f"partners have no column {unknown[0]!r}")
        frame = self._columns("reading partners", cypher.NARROW_PARTNERS, columns=extras)
        lists = set(meta.get("lists_partners", []))
        values = frame.pop("extras").tolist()
        for i, col in enumerate(extras):
            column = [row[i] for row in values]
            if col in lists:
                column = [tuple(v) if isinstance(v, list) else () for v in column]
            else:  # an absent property is the Dataset's empty text
                column = ["" if v is None else v for v in column]
            frame[col] = pd.Series(column, index=frame.index, dtype=object)
        return _sorted(frame.astype({"global_south": bool}), "partners",
                       dates=("joined", "left"))

    def committees(self) -> pd.DataFrame:
        frame = self._columns("reading committees", cypher.NARROW_COMMITTEES)
        return _sorted(frame, "committees")

    def events(self) -> pd.DataFrame:
        frame = self._columns("reading events", cypher.NARROW_EVENTS)
        return _sorted(frame, "events", dates=("date",), lists=("topics",))

    def memberships(self) -> pd.DataFrame:
        frame = self._columns("reading memberships", cypher.NARROW_MEMBERSHIPS)
        return _sorted(frame, "memberships", dates=("since", "until"))

    def attendance(self, window: Window | None = None) -> pd.DataFrame:
        events = None if window is None else self._groups(window)[1]
        frame = self._frame("reading attendance", cypher.NARROW_ATTENDANCE, event_ids=events)
        frame = _explode(frame, "event_id", ("partner_id", "role", "attendees"))
        return _sorted(frame.astype({"attendees": "int64"}), "attendance")

    def targets(self) -> pd.DataFrame:
        frame = self._frame("reading targets", cypher.NARROW_TARGETS)
        return normalise_table("targets", frame if len(frame) else None)

    def links(self) -> pd.DataFrame:
        frame = self._frame("reading links", cypher.NARROW_LINKS)
        if not len(frame):
            return normalise_table("links", None)
        return normalise_table("links", _dates(frame, ("since", "until")))

    def _groups(self, window: Window) -> tuple[list[str], list[str]]:
        # The group tables are small (thousands of rows): the window is resolved here, once,
        # with the same rule as the memory store (graph.store.window_groups).
        committees = self._columns("reading committees", cypher.NARROW_COMMITTEES)
        events = self._columns("reading events", cypher.NARROW_EVENTS)
        return window_groups(window, committees, _dates(events, ("date",)))

    def _window_params(self, window: Window) -> dict[str, Any]:
        committee_ids, event_ids = self._groups(window)
        return {"as_of": window.as_of.date(), "committee_ids": committee_ids,
                "event_ids": event_ids}

    def group_compositions(self, window: Window, dimensions: Sequence[str]) -> pd.DataFrame:
        """Distinct members per group, dimension and category, aggregated in Cypher (one
        query per kind binds each partner's categories once for every dimension)."""
        dims = list(dimensions)
        params = self._window_params(window)
        frames = [pd.DataFrame(columns=["kind", "group_id", "dim", "category", "count"])]
        if dims:
            for kind in ("committee", "event"):
                frames.append(self._frame("aggregating group compositions",
                                          cypher.window_compositions_query(kind, dims),
                                          properties=dims, **params))
        out = pd.concat([f for f in frames if len(f)] or frames[:1], ignore_index=True)
        out["dimension"] = [dims[int(i)] for i in out["dim"]]
        return finish_compositions(out.drop(columns="dim"), dims)

    def group_sizes(self, window: Window) -> pd.DataFrame:
        params = self._window_params(window)
        frames = [self._frame("counting group members", cypher.GROUP_SIZES[kind], **params)
                  for kind in ("committee", "event")]
        frame = pd.concat([f for f in frames if len(f)], ignore_index=True) if any(
            len(f) for f in frames) else pd.DataFrame(columns=["kind", "group_id", "size",
                                                               "guests"])
        return finish_sizes(frame, params["committee_ids"], params["event_ids"])

    def active_counts(self, dates: Sequence[Any], dimensions: Sequence[str]) -> pd.DataFrame:
        dims = list(dimensions)
        frame = self._frame("counting active partners", cypher.active_spans_query(dims),
                            properties=dims)
        spans = [
            (dims[int(dim)], str(category), int(always), _epoch_ns(joined), _epoch_ns(left))
            for dim, category, always, joined, left in frame.itertuples(index=False, name=None)
        ]
        return spans_to_counts(spans, dates, dims)

    def incidence(self, window: Window) -> Incidence:
        params = self._window_params(window)
        active = self._frame("reading active partners", cypher.ACTIVE_PARTNER_IDS, **params)
        members = {
            kind: _explode(self._frame("reading the incidence", cypher.GROUP_MEMBERS[kind],
                                       **params), "group_id", ("partner_ids",))
            .rename(columns={"partner_ids": "partner_id"})
            for kind in ("committee", "event")
        }
        ids = active["ids"].iloc[0] if len(active) else []
        return build_incidence(ids, params["committee_ids"], params["event_ids"],
                               members["committee"], members["event"])

    @classmethod
    def connect(cls, settings: Any, **driver_config: Any) -> Neo4jStore:
        """A store for a settings object (``uri``, ``database``, ``driver()``), checked by a
        first query so a wrong password or an unreachable server fails here, clearly."""
        store = cls(settings.driver(**driver_config), settings.database, location=settings.uri)
        try:
            store.ping()
        except StoreError:
            store.close()
            raise
        return store


def _dates(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """ISO date texts ("" or None: open) as datetime64[ns], a column at a time."""
    for col in columns:
        texts = frame[col].astype(object).where(frame[col].astype(bool), None)
        frame[col] = pd.to_datetime(texts, format="%Y-%m-%d").astype("datetime64[ns]")
    return frame


def _sorted(frame: pd.DataFrame, table: str, *, dates: Sequence[str] = (),
            lists: Iterable[str] = ()) -> pd.DataFrame:
    """A narrow read in the Dataset's shape without a per-value pass: the query already gave
    "" for empty text, so only dates and list columns are converted, then the rows are
    sorted by the table's key as ``normalise_table`` sorts them."""
    if not len(frame):
        return normalise_table(table, None)
    frame = _dates(frame, dates)
    for col in lists:
        frame[col] = pd.Series([tuple(v) for v in frame[col]], index=frame.index, dtype=object)
    keys = list(KEYS[table])
    frame = frame.sort_values(keys, kind="mergesort", na_position="first")
    fixed = [c for c in TABLES[table] if c in frame.columns]
    extras = sorted(c for c in frame.columns if c not in TABLES[table])
    return frame[fixed + extras].reset_index(drop=True)


def _epoch_ns(texts: list[str]) -> np.ndarray:
    """ISO dates as int64 nanoseconds since the epoch."""
    days = pd.to_datetime(pd.Series(texts, dtype=object), format="%Y-%m-%d")
    out: np.ndarray = days.to_numpy(dtype="datetime64[ns]").astype(np.int64)
    return out


def _explode(frame: pd.DataFrame, key: str, lists: Sequence[str]) -> pd.DataFrame:
    """Records holding parallel lists (one per group) as one row per list element."""
    columns = [key, *lists]
    if not len(frame):
        return pd.DataFrame(columns=columns)
    lengths = frame[lists[0]].map(len).to_numpy()
    out: dict[str, Any] = {key: np.repeat(frame[key].to_numpy(dtype=object), lengths)}
    for col in lists:
        out[col] = list(itertools.chain.from_iterable(frame[col].tolist()))
    return pd.DataFrame(out, columns=columns)


def _balanced_groups(keys: Sequence[Any], groups: int) -> dict[Any, int]:
    """Each distinct key -> one of ``groups`` groups, the rows per group as even as the
    greedy largest-first rule makes them."""
    sizes = pd.Series(keys, dtype=object).value_counts(sort=True)
    load = [0] * groups
    out: dict[Any, int] = {}
    for key, size in zip(sizes.index.tolist(), sizes.tolist(), strict=True):
        lightest = load.index(min(load))
        out[key] = lightest
        load[lightest] += size
    return out


def _disjoint_rounds(rows: list[dict[str, Any]], workers: int) -> list[list[list[dict[str, Any]]]]:
    """Relationship rows (``event_id``, ``partner_id``) as ``workers`` rounds of ``workers``
    cells each: within a round no two cells share an event or a partner, so concurrent
    transactions never lock the same node. Events and partners are each split into
    ``workers`` balanced groups; round r gives lane w the cell (event group w, partner group
    (w + r) mod workers), a Latin square, so every row is in exactly one cell."""
    events = _balanced_groups([r["event_id"] for r in rows], workers)
    partners = _balanced_groups([r["partner_id"] for r in rows], workers)
    cells: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for row in rows:
        cells.setdefault((events[row["event_id"]], partners[row["partner_id"]]), []).append(row)
    return [[cells.get((lane, (lane + r) % workers), []) for lane in range(workers)]
            for r in range(workers)]


# ---------------------------------------------------------------------- load planning


def _columns(frame: pd.DataFrame, lists: set[str]) -> dict[str, list[Any]]:
    """Every column of ``frame`` as a list of the Python values ``records`` gives, except
    dates as ISO text (NaT and NaN as None, tuples as lists), converted a column at a time;
    only the columns in ``lists`` can hold tuples (the Dataset keeps the others scalar)."""
    out: dict[str, list[Any]] = {}
    for col in frame.columns:
        series = frame[col]
        if pd.api.types.is_datetime64_any_dtype(series):
            # ISO text: merge_rows turns it into a date in Cypher (see there why)
            out[col] = series.dt.strftime("%Y-%m-%d").astype(object).where(
                series.notna(), None).tolist()
        elif pd.api.types.is_float_dtype(series):
            out[col] = [None if v != v else v for v in series.tolist()]  # NaN != NaN
        elif (pd.api.types.is_bool_dtype(series) or pd.api.types.is_integer_dtype(series)):
            out[col] = series.tolist()  # Python bool / int
        else:
            values = series.tolist()
            if col in lists and any(isinstance(v, tuple) for v in values):
                values = [list(v) if isinstance(v, tuple) else v for v in values]
            out[col] = values
    return out


class _LoadPlan:
    """The rows of every load query, computed (and checked) before anything is written."""

    def __init__(self, dataset: Dataset):
        self.dataset = dataset
        self.keys: dict[str, set[Any]] = {}
        self.rows: dict[str, list[dict[str, Any]]] = {}
        self.countries: list[dict[str, Any]] = []
        self.regions: list[dict[str, Any]] = []
        self.sectors: list[dict[str, Any]] = []
        self.properties: dict[str, list[str]] = {}
        #: table -> column -> its values as Python objects (see _columns).
        self._columns: dict[str, dict[str, list[Any]]] = {}

    @classmethod
    def build(cls, dataset: Dataset) -> _LoadPlan:
        plan = cls(dataset)
        problems = plan._check_reserved()
        problems += plan._build_countries()
        if problems:
            raise DataError(problems)
        plan._build_rows()
        return plan

    def _check_reserved(self) -> list[Problem]:
        problems = []
        for table, name in _RESERVED.items():
            if name in extra_columns(table, self.dataset.table(table)):
                problems.append(Problem(table, 1, name,
                                        "this column name is reserved by the Neo4j store"))
        return problems

    def _build_countries(self) -> list[Problem]:
        ds = self.dataset
        seen: dict[str, dict[str, Any]] = {}
        where: dict[str, str] = {}
        problems: list[Problem] = []
        frames = (("partners", ds.partners, True), ("events", ds.events, False))
        for table, frame, has_south in frames:
            if not len(frame):
                continue
            cols = ["country", "country_name", "region", "subregion"]
            cols += ["global_south"] if has_south else []
            for row in frame[cols].drop_duplicates().itertuples(index=False):
                values = row._asdict()
                iso3 = values.pop("country")
                if not iso3:
                    continue
                if not has_south:
                    values["global_south"] = None
                known = seen.get(iso3)
                if known is None:
                    seen[iso3] = values
                    where[iso3] = table
                    continue
                for col, value in values.items():
                    if value is None:
                        continue
                    if known[col] is None:
                        known[col] = value
                    elif known[col] != value:
                        problems.append(Problem(
                            table, 0, col,
                            f"country {iso3} has {col} {value!r} here but {known[col]!r} in "
                            f"{where[iso3]}; one country must have one {col}"))
        for iso3, values in sorted(seen.items()):
            south = values["global_south"]
            self.countries.append({
                "iso3": iso3, "name": values["country_name"], "subregion": values["subregion"],
                "global_south": None if south is None else bool(south),
                "region": _blank_to_none(values["region"]),
            })
        self.regions = [{"name": name} for name in
                        sorted({c["region"] for c in self.countries if c["region"]})]
        return problems

    def _build_rows(self) -> None:
        # Column-wise: each column is converted once (dates, NaN, tuples) and the rows are
        # zipped from the lists; one dict per row via records() cost 1.5-2.4 s of a 20,000-
        # partner load before the first batch could be written.
        ds = self.dataset
        partners = ds.partners
        self.sectors = [{"name": s} for s in sorted(set(partners["sector"]) - {""})]
        self._columns = cols = {
            table: _columns(ds.table(table), {*LIST_COLUMNS.get(table, ()),
                                              *extra_columns(table, ds.table(table))})
            for table in TABLES
        }
        p = cols["partners"]
        self.rows["partners"] = [
            {"partner_id": pid, "sector": sector or None, "country": country or None}
            for pid, sector, country in zip(p["partner_id"], p["sector"], p["country"],
                                            strict=True)
        ]
        self.rows["committees"] = [{"committee_id": cid}
                                   for cid in cols["committees"]["committee_id"]]
        e = cols["events"]
        self.rows["events"] = [{"event_id": eid, "country": country or None}
                               for eid, country in zip(e["event_id"], e["country"], strict=True)]
        m = cols["memberships"]
        terms = [since if since is not None else "" for since in m["since"]]
        self.rows["memberships"] = [
            {"committee_id": cid, "partner_id": pid, "term": term}
            for cid, pid, term in zip(m["committee_id"], m["partner_id"], terms, strict=True)
        ]
        a = cols["attendance"]
        self.rows["attendance"] = [
            {"event_id": eid, "partner_id": pid}
            for eid, pid in zip(a["event_id"], a["partner_id"], strict=True)
        ]
        k = cols["links"]
        link_terms = [since if since is not None else "" for since in k["since"]]
        self.rows["links"] = [
            {"source_id": a, "target_id": b, "kind": kind, "term": term}
            for a, b, kind, term in zip(k["source_id"], k["target_id"], k["kind"], link_terms,
                                        strict=True)
        ]
        t = cols["targets"]
        self.rows["targets"] = [
            {"target_id": json.dumps([dim, group], ensure_ascii=False)}
            for dim, group in zip(t["dimension"], t["group"], strict=True)
        ]
        self.keys = {
            "partners": set(p["partner_id"]),
            "committees": set(cols["committees"]["committee_id"]),
            "events": set(e["event_id"]),
            "memberships": set(zip(m["committee_id"], m["partner_id"], terms, strict=True)),
            "attendance": set(zip(a["event_id"], a["partner_id"], strict=True)),
            "targets": {r["target_id"] for r in self.rows["targets"]},
            "links": {(r["source_id"], r["target_id"], r["kind"], r["term"])
                      for r in self.rows["links"]},
        }

    def finish(self, before: dict[str, Any] | None, *, defer: Sequence[str] = ()) -> None:
        """Fix ``self.properties``: the fixed properties, then every extra column this load
        or the stored graph has (one the source lacks is sent as None, which removes a stale
        property); give each row its ``values`` in that order, except the rows of the tables
        in ``defer`` (``fill_values`` does those later)."""
        self.properties = {}
        for table, fixed in _FIXED_PROPERTIES.items():
            extras = set(extra_columns(table, self.dataset.table(table)))
            if before is not None:
                extras |= set(before.get(f"extras_{table}", []))
            self.properties[table] = [*fixed, *sorted(extras)]
            if table not in defer:
                self.fill_values(table)

    def fill_values(self, table: str) -> None:
        """Set ``values`` of every row of ``table`` from its columns (after ``finish``)."""
        props = self.properties[table]
        rows = self.rows[table]
        cols = self._columns[table]
        absent = [None] * len(rows)
        for row, values in zip(rows, zip(*(cols.get(c, absent) for c in props), strict=True),
                               strict=True):
            row["values"] = list(values)

    def stale_links(
        self, stored: dict[str, list[dict[str, Any]]]
    ) -> dict[str, list[dict[str, Any]]]:
        """Stored single-valued links of rows in this load that point elsewhere now."""
        wanted = {
            "sector": {r["partner_id"]: r["sector"] for r in self.rows["partners"]},
            "based_in": {r["partner_id"]: r["country"] for r in self.rows["partners"]},
            "held_in": {r["event_id"]: r["country"] for r in self.rows["events"]},
            "in_region": {c["iso3"]: c["region"] for c in self.countries},
        }
        out = {}
        for name, rows in stored.items():
            want = wanted[name]
            stale = [{"id": r["id"], "target": r["target"]} for r in rows
                     if r["id"] in want and want[r["id"]] != r["target"]]
            if stale:
                out[name] = stale
        return out

    def check_references(self, existing: dict[str, set[Any]], *, replace: bool) -> None:
        """Every membership, attendance and link row must name a partner/committee/event the
        graph will hold (in this dataset, or already stored when upserting)."""
        known = {t: self.keys[t] | (set() if replace else existing[t])
                 for t in ("partners", "committees", "events")}
        problems = []
        for table, refs in (("memberships", ("committee_id", "partner_id")),
                            ("attendance", ("event_id", "partner_id")),
                            ("links", ("source_id", "target_id"))):
            for col in refs:
                target = {"committee_id": "committees", "event_id": "events"}.get(
                    col, "partners")
                missing = sorted({r[col] for r in self.rows[table]} - known[target])
                problems += [Problem(table, 0, col, f"unknown {target[:-1]} {value!r}")
                             for value in missing]
        if problems:
            raise DataError(problems)

    def meta(self, before: dict[str, Any] | None) -> dict[str, Any]:
        """Column lists (united with ``before``'s on an upsert), source, schema version."""
        props: dict[str, Any] = {"key": cypher.META_KEY, "schema": cypher.SCHEMA_VERSION,
                                 "source": self.dataset.source}
        for table in TABLES:
            frame = self.dataset.table(table)
            extras = set(extra_columns(table, frame))
            lists = {c for c in extras
                     if any(isinstance(v, tuple) for v in frame[c].tolist())}
            if before is not None:
                extras |= set(before.get(f"extras_{table}", []))
                lists |= set(before.get(f"lists_{table}", []))
            props[f"extras_{table}"] = sorted(extras)
            props[f"lists_{table}"] = sorted(lists)
        return props

    def steps(self) -> Iterator[tuple[str, str, tuple[str, ...], list[dict[str, Any]]]]:
        """(table, what it is, queries run on each batch, rows) in write order.

        Relationships are MERGEd too, not CREATEd when the keys read first say they are new:
        measured on the 20,000-partner load, CREATE gained nothing, and MERGE stays correct
        even if two loads run at once.
        """
        merge = {t: cypher.merge_rows(t, p) for t, p in self.properties.items()}
        yield "partners", "sectors", (cypher.MERGE_SECTORS,), self.sectors
        yield "partners", "regions", (cypher.MERGE_REGIONS,), self.regions
        yield "partners", "countries", (
            cypher.MERGE_COUNTRIES, cypher.LINK_REGIONS,
        ), self.countries
        yield "partners", "partners", (
            merge["partners"], cypher.LINK_SECTORS, cypher.LINK_BASED_IN,
        ), self.rows["partners"]
        yield "committees", "committees", (merge["committees"],), self.rows["committees"]
        yield "events", "events", (merge["events"], cypher.LINK_HELD_IN), self.rows["events"]
        yield "memberships", "memberships", (merge["memberships"],), self.rows["memberships"]
        yield "attendance", "attendance", (merge["attendance"],), self.rows["attendance"]
        yield "targets", "targets", (merge["targets"],), self.rows["targets"]
        yield "links", "links", (merge["links"],), self.rows["links"]


# ---------------------------------------------------------------------- reading back

_DATES = {"partners": ("joined", "left"), "memberships": ("since", "until"), "events": ("date",),
          "links": ("since", "until")}
_DROP = {"memberships": (cypher.TERM_KEY,), "targets": (cypher.TARGET_KEY,),
         "links": (cypher.TERM_KEY,)}
#: Number columns read back as floats (an absent property is NaN, never "").
_NUMBERS = {"targets": ("min_share", "max_share"), "links": ("weight",)}


def _frame(table: str, rows: list[dict[str, Any]], meta: dict[str, Any]) -> pd.DataFrame:
    """One table from its query rows: properties flattened, stored keys dropped, extra
    columns restored from the Meta lists (absent property = "" or () as in the Dataset)."""
    extras = list(meta.get(f"extras_{table}", []))
    lists = set(meta.get(f"lists_{table}", [])) | set(LIST_COLUMNS.get(table, ()))
    flat: list[dict[str, Any]] = []
    for row in rows:
        props = dict(row.get("props") or {})
        for key in _DROP.get(table, ()):
            props.pop(key, None)
        record = {**props, **{k: v for k, v in row.items() if k != "props"}}
        flat.append(record)
    columns = list(TABLES[table]) + extras
    frame = pd.DataFrame(flat, columns=columns) if flat else pd.DataFrame(columns=columns)
    for col in _DATES.get(table, ()):
        frame[col] = pd.Series([_date(v) for v in frame[col]], index=frame.index, dtype=object)
    for col in columns:
        if col in lists:
            frame[col] = pd.Series(
                [tuple(v) if isinstance(v, list | tuple) else () for v in frame[col]],
                index=frame.index, dtype=object)
        elif (col not in _DATES.get(table, ()) and col not in _NUMBERS.get(table, ())
              and col not in ("attendees", "global_south")):
            frame[col] = pd.Series([_blank(v) for v in frame[col]], index=frame.index,
                                   dtype=object)
    for col in _NUMBERS.get(table, ()):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
    if table == "partners":
        frame["global_south"] = frame["global_south"].map(lambda v: v is True)
    return frame


def load_rate(summary: LoadSummary) -> float:
    """Rows written per second in ``summary`` (for benchmarks and the CLI's summary)."""
    rows = sum(summary.written.values())
    return rows / summary.seconds if summary.seconds > 0 else float("inf")

