"""``python -m benchmarks [--quick] [--json PATH] [--sizes N ...]`` (see docs/benchmarks.md)."""

from __future__ import annotations

from benchmarks.runner import main

if __name__ == "__main__":
    raise SystemExit(main())
