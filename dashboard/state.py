"""What one dashboard app holds: its store, the suppression threshold and the analysis cache.

Every cached value is keyed by the store's ``version()`` first, so a reload can never serve a
stale figure. The expensive part of every page is one :class:`~core.window.Window`'s analysis:
:meth:`AppState.window_analysis` computes it once (the report, and for the network page the
measured graph of the window) and every page reads it from there.

View modules find the state of *their* app through :func:`current_state` (the Flask app of the
request being served), so several apps can live in one process (tests and benchmarks do).
"""

from __future__ import annotations

import os
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, TypeVar

import flask
import numpy as np
import pandas as pd
import scipy.sparse as sp

from analysis.network import direct_links
from analysis.report import build_report
from analysis.views import NetworkWindow, network_window
from core.errors import StakeholderGraphError
from core.model import Dataset
from core.window import Window
from graph.store import GraphStore

T = TypeVar("T")

STATE_KEY = "STAKEHOLDER_GRAPH_STATE"
CACHE_ENV = "STAKEHOLDER_GRAPH_CACHE_MB"
#: The cache's default budget. One window of the 20,000-partner generated dataset (about 17M
#: co-participation edges) holds about 250 MB of edge arrays; 1 GiB keeps a few windows and
#: every smaller view on a laptop with room to spare.
DEFAULT_CACHE_BYTES = 1024 * 1024 * 1024
# Below this depth a nested value is counted by sys.getsizeof only: deep JSON-like trees are
# element lists whose leaves are small.
_SIZE_DEPTH = 6


def _container_bytes(value: Any, depth: int, seen: set[int]) -> int:
    if isinstance(value, Mapping):
        return sum(approx_bytes(k, depth + 1, seen) + approx_bytes(v, depth + 1, seen)
                   for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return sum(approx_bytes(v, depth + 1, seen) for v in value)
    if is_dataclass(value) and not isinstance(value, type):
        return sum(approx_bytes(getattr(value, f.name), depth + 1, seen) for f in fields(value))
    if hasattr(value, "to_plotly_json"):  # a plotly figure: its JSON tree
        return approx_bytes(value.to_plotly_json(), depth + 1, seen)
    return 0


def approx_bytes(value: Any, depth: int = 0, seen: set[int] | None = None) -> int:
    """About how much memory ``value`` holds: arrays, sparse matrices and frames by their
    buffers, containers, dataclasses and figures by their parts.

    >>> approx_bytes(np.zeros(1000)) >= 8000
    True
    """
    seen = set() if seen is None else seen
    if id(value) in seen:
        return 0
    seen.add(id(value))
    size = sys.getsizeof(value, 64)
    if isinstance(value, np.ndarray):
        # getsizeof counts the buffer of an array that owns it; a view's buffer is its base's
        own = size if value.base is None else size + value.nbytes
        if value.dtype == object and value.size:
            sample = value.ravel()[:1000]
            own += int(sum(sys.getsizeof(x) for x in sample) * value.size / len(sample))
        return own
    if sp.issparse(value):
        return size + sum(int(getattr(value, a).nbytes) for a in ("data", "indices", "indptr", "row",
                                                             "col") if hasattr(value, a))
    if isinstance(value, pd.DataFrame | pd.Series | pd.Index):
        return size + int(np.sum(value.memory_usage(deep=True)))
    if depth >= _SIZE_DEPTH or isinstance(value, str | bytes | int | float | bool):
        return size
    return size + _container_bytes(value, depth, seen)


class AnalysisCache:
    """A thread-safe LRU cache of analysis results bounded by their size in bytes.

    Two requests for the same missing key compute it once (a per-key lock); a computation that
    fails leaves nothing behind (neither a value nor its lock), so failed requests cannot grow
    the cache.

    Parameters
    ----------
    max_bytes : int, default 1 GiB
        Budget for the values held (estimated by :func:`approx_bytes`); the least recently
        used go first. A value bigger than the whole budget is returned but not kept.
    sizeof : callable, default approx_bytes
        How a value is measured.
    """

    def __init__(self, max_bytes: int = DEFAULT_CACHE_BYTES,
                 sizeof: Callable[[Any], int] = approx_bytes):
        if not isinstance(max_bytes, int) or max_bytes < 1:
            raise ValueError(f"max_bytes must be a positive int, got {max_bytes!r}")
        self.max_bytes = max_bytes
        self._sizeof = sizeof
        self._data: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._key_locks: dict[Hashable, tuple[threading.Lock, int]] = {}
        self.hits = 0
        self.misses = 0

    def _hit(self, key: Hashable) -> tuple[bool, Any]:
        if key in self._data:
            self._data.move_to_end(key)
            self.hits += 1
            return True, self._data[key][0]
        return False, None

    def _store(self, key: Hashable, value: Any, size: int) -> None:
        if size > self.max_bytes:
            return
        self._data[key] = (value, size)
        self._bytes += size
        while self._bytes > self.max_bytes:
            _, (_, dropped) = self._data.popitem(last=False)
            self._bytes -= dropped

    def lookup(self, key: Hashable) -> tuple[bool, Any]:
        """``(True, value)`` when ``key`` is cached, else ``(False, None)``; computes nothing."""
        with self._lock:
            return self._hit(key)

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The cached value for ``key``, computing (and storing) it on a miss."""
        with self._lock:
            found, value = self._hit(key)
            if found:
                return value  # type: ignore[no-any-return]
            lock, waiting = self._key_locks.get(key, (threading.Lock(), 0))
            self._key_locks[key] = (lock, waiting + 1)
        try:
            with lock:
                with self._lock:
                    found, value = self._hit(key)
                if found:
                    return value  # type: ignore[no-any-return]
                result = compute()
                size = self._sizeof(result)
                with self._lock:
                    self.misses += 1
                    self._store(key, result, size)
                return result
        finally:
            with self._lock:
                # the last waiter removes the key's lock, whether the computation worked or not
                lock_now, left = self._key_locks[key]
                if left <= 1:
                    del self._key_locks[key]
                else:
                    self._key_locks[key] = (lock_now, left - 1)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._bytes = 0

    @property
    def bytes(self) -> int:
        """Bytes held now (as estimated)."""
        return self._bytes

    @property
    def pending(self) -> int:
        """Keys being computed right now (0 when idle: nothing is left behind)."""
        return len(self._key_locks)

    def __len__(self) -> int:
        return len(self._data)


def cache_bytes_from_env(environ: Mapping[str, str] | None = None) -> int:
    """The cache budget: ``STAKEHOLDER_GRAPH_CACHE_MB`` when set, else the default (1 GiB)."""
    value = (os.environ if environ is None else environ).get(CACHE_ENV, "").strip()
    if not value:
        return DEFAULT_CACHE_BYTES
    try:
        megabytes = int(value)
    except ValueError:
        megabytes = 0
    if megabytes < 1:
        raise StakeholderGraphError(f"{CACHE_ENV} must be a whole number of MB >= 1, got {value!r}")
    return megabytes * 1024 * 1024


@dataclass(frozen=True)
class WindowAnalysis:
    """One window's analysis, computed once: the report (suppressed under ``min_cell``) and,
    when organisations may be shown (no ``min_cell``), the measured graph of the window and,
    for a dataset with a ``links`` table, the measured graph of its direct links."""

    window: Window
    report: dict[str, Any]
    network: NetworkWindow | None
    links: NetworkWindow | None = None


#: Analysis computations running at once. More than the machine's cores only multiplies the
#: memory held by half-finished views (a big window's subgraph is millions of edges each).
COMPUTE_SLOTS = max(2, os.cpu_count() or 2)
_slot = threading.local()


@dataclass
class AppState:
    """What one dashboard app holds: its store, the suppression threshold and the cache.

    Cache misses compute in at most ``compute_slots`` threads at once; the others wait for a
    slot (cached answers never wait). A slot is taken before any of the cache's per-key locks
    and held through nested computations, so waiting cannot go round in a circle.
    """

    store: GraphStore
    min_cell: int | None = None
    cache: AnalysisCache = field(default_factory=AnalysisCache)
    compute_slots: int = COMPUTE_SLOTS
    _slots: threading.BoundedSemaphore = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.compute_slots < 1:
            raise ValueError(f"compute_slots must be >= 1, got {self.compute_slots!r}")
        self._slots = threading.BoundedSemaphore(self.compute_slots)

    @property
    def aggregate_only(self) -> bool:
        """Under ``min_cell`` the dashboard publishes aggregates only, never organisations."""
        return self.min_cell is not None

    def version(self) -> str:
        return self.store.version()

    def dataset(self) -> Dataset:
        """The tables the analysis reads, once per version, through the store's narrow read
        seams (``GraphStore.tables``: fixed columns and every partner column; for Neo4j read
        transactions of parallel lists), never ``store.dataset()``."""
        return self.cache.get((self.store.version(), "dataset"), self.store.tables)

    def cached(self, name: str, args: tuple[Any, ...], compute: Callable[[Dataset], T]) -> T:
        """``compute(dataset)`` cached on (version, name, args), computed in a slot."""
        key = (self.store.version(), name, args)
        found, value = self.cache.lookup(key)
        if found:
            return value  # type: ignore[no-any-return]
        if getattr(_slot, "held", False):
            return self.cache.get(key, lambda: compute(self.dataset()))
        with self._slots:
            _slot.held = True
            try:
                return self.cache.get(key, lambda: compute(self.dataset()))
            finally:
                _slot.held = False

    def window_analysis(self, window: Window) -> WindowAnalysis:
        """The report and network of ``window``, computed together and cached once."""
        return self.cached("window", (window, self.min_cell),
                           lambda ds: _analyse(ds, window, self.min_cell))

    def report(self, window: Window) -> dict[str, Any]:
        """``build_report(...).to_dict()`` of ``window`` (suppressed under ``min_cell``)."""
        return self.window_analysis(window).report

    def network(self, window: Window) -> NetworkWindow:
        """The measured co-participation graph of ``window``; refused under ``min_cell``."""
        analysed = self.window_analysis(window)
        if analysed.network is None:
            raise StakeholderGraphError("the network is off when small counts are hidden")
        return analysed.network

    def links_network(self, window: Window) -> NetworkWindow | None:
        """The measured direct-links graph on ``window.as_of`` (None: the dataset has no
        links); refused under ``min_cell``."""
        analysed = self.window_analysis(window)
        if analysed.network is None:
            raise StakeholderGraphError("the network is off when small counts are hidden")
        return analysed.links


def _analyse(ds: Dataset, window: Window, min_cell: int | None) -> WindowAnalysis:
    report = build_report(ds, window, min_cell=min_cell).to_dict()
    network = links = None
    if min_cell is None:
        network = network_window(ds, window, report["network"])
        if "links" in report:  # the report measured the links graph: draw that one
            links = network_window(ds, window, report["links"],
                                   projection=direct_links(ds, as_of=window.as_of))
    return WindowAnalysis(window=window, report=report, network=network, links=links)


def state_of(server: flask.Flask) -> AppState:
    """The :class:`AppState` a Flask app was given by ``create_app``."""
    state = server.config.get(STATE_KEY)
    if not isinstance(state, AppState):
        raise StakeholderGraphError("this Flask app was not made by dashboard.app.create_app")
    return state


def current_state() -> AppState:
    """The :class:`AppState` of the app serving the current request."""
    return state_of(flask.current_app)
