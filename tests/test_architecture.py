"""The layering and the lint rules are part of the test suite, so a violation fails CI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_import_layers_point_one_way() -> None:
    result = run(str(BIN / "lint-imports"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_ruff_is_clean() -> None:
    result = run(str(BIN / "ruff"), "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_doctests_run() -> None:
    result = run(
        sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--doctest-modules",
        "core", "loaders", "graph/memory.py", "analysis", "reports", "stakeholder_graph/datasets.py",
        # dashboard/pages register themselves with Dash Pages on import: not doctest material
        "dashboard/state.py", "dashboard/overview_view.py", "dashboard/representation_view.py",
        "dashboard/elements.py",
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_mypy_is_clean_on_the_packages() -> None:
    result = run(str(BIN / "mypy"))  # the packages are listed in pyproject's [tool.mypy]
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
