"""Measure one report in a fresh process: ``python -m benchmarks.probe DATASET --as-of D``.

Prints one JSON line: seconds to read and validate, to build the report, to render it as JSON,
the attendance rows, and the process's peak resident memory (``ru_maxrss``). A fresh process per
size keeps one measurement's caches and memory out of the next one's.

``--neo4j URI`` (password in ``NEO4J_PASSWORD``) reads the graph from Neo4j instead of DATASET,
through the store's narrow read seams (``GraphStore.tables``), as the report command does.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import sys
import time
from typing import Any


def peak_rss_mb(usage: resource.struct_rusage) -> float:
    """``ru_maxrss`` in MiB (Linux reports kibibytes)."""
    return usage.ru_maxrss / 1024.0


def high_water_mb() -> float | None:
    """``VmHWM`` of /proc/self/status in MiB: the peak resident memory of this process's own
    address space. Linux carries a parent's peak into ``ru_maxrss`` across fork and exec, so a
    probe started by a large parent would report the parent's peak there; VmHWM does not."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.probe")
    parser.add_argument("dataset", nargs="?")
    parser.add_argument("--as-of", required=True)
    parser.add_argument("--neo4j", help="read from this Neo4j instead of DATASET")
    args = parser.parse_args(argv)

    from analysis.report import build_report
    from core.window import Window
    from reports import render

    t0 = time.perf_counter()
    ds = _read(args.dataset, args.neo4j)
    t1 = time.perf_counter()
    report = build_report(ds, Window.of(as_of=args.as_of))
    t2 = time.perf_counter()
    text = render(report, "json")
    t3 = time.perf_counter()
    method = report.to_dict().get("network", {}).get("method")
    out = {
        "partners": len(ds.partners),
        "attendance": len(ds.attendance),
        "read_s": t1 - t0,
        "seconds": t2 - t1,
        "render_s": t3 - t2,
        "json_bytes": len(text),
        "json_sha256": hashlib.sha256(text.encode() if isinstance(text, str) else text)
        .hexdigest(),
        "network_method": method,
        "ru_maxrss_mb": peak_rss_mb(resource.getrusage(resource.RUSAGE_SELF)),
        "vm_hwm_mb": high_water_mb(),
    }
    # The peak is VmHWM where Linux has it; ru_maxrss (which can only be higher) elsewhere.
    out["peak_mb"] = out["vm_hwm_mb"] if out["vm_hwm_mb"] is not None else out["ru_maxrss_mb"]
    sys.stdout.write(json.dumps(out) + "\n")
    return 0


def _read(dataset: str | None, neo4j: str | None) -> Any:
    if neo4j is None:
        import loaders

        return loaders.read_dataset(dataset)
    from core.settings import Neo4jSettings
    from graph.neo4j_store import Neo4jStore

    with Neo4jStore.connect(Neo4jSettings.from_env(uri=neo4j)) as store:
        return store.tables()


if __name__ == "__main__":
    raise SystemExit(main())
