"""Run the analyst notebooks top to bottom in a kernel of this interpreter.

Shared by the test suite (which runs each notebook) and ``tools/render_notebooks.py`` (which
renders them with their outputs into ``docs/notebooks/``), so both run them the same way: a kernel
of *this* interpreter pinned through the kernel spec (an unrelated ``python3`` kernel on the
machine is never picked up), the package imported from this checkout, no forced plot backend.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
#: Per cell; the slowest notebook takes seconds here, so this only stops a hung kernel.
CELL_TIMEOUT_S = 300


class PinnedKernelSpecs(KernelSpecManager):
    """Every kernel name resolves to ipykernel in the interpreter running the tests."""

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        return KernelSpec(
            argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            display_name="Python 3",
            language="python",
            name=kernel_name,
        )


def read(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOKS / name, as_version=4)


def source_digest(nb: nbformat.NotebookNode) -> str:
    """SHA-256 of the notebook's cells (type and source): what a rendered copy must match."""
    digest = hashlib.sha256()
    for cell in nb.cells:
        digest.update(cell.cell_type.encode() + b"\0" + cell.source.encode("utf-8") + b"\0")
    return digest.hexdigest()


def kernel_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    # The kernel imports the package from this checkout, whatever the cwd of the notebook.
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p
    )
    # A backend forced by the environment (CI often sets Agg) would stop inline plots.
    env.pop("MPLBACKEND", None)
    for name in ("NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD", "NEO4J_DATABASE"):
        env.pop(name, None)
    env.update(extra or {})
    return env


def execute(name: str, env: dict[str, str]) -> nbformat.NotebookNode:
    nb = read(name)
    km = KernelManager(kernel_name="python3", kernel_spec_manager=PinnedKernelSpecs())
    client = NotebookClient(
        nb,
        km=km,
        timeout=CELL_TIMEOUT_S,
        allow_errors=False,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute(env=env)
    return nb
