"""Render the analyst notebooks, run top to bottom, as HTML with their outputs in docs/notebooks/.

The notebooks are stored without outputs (so diffs stay readable); these copies let anyone see
the tables and plots without running anything. Each page carries the SHA-256 of the notebook it
was made from, and the test suite checks it against the notebook, so a stale copy fails CI.

Run it with ``make notebooks-html``. The Neo4j notebook needs a server: the one named by
``NEO4J_URI``/``NEO4J_PASSWORD``, or else a local one started here (and stopped after) with the
project's own ``graph.server``.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nbconvert import HTMLExporter  # noqa: E402

from graph import server  # noqa: E402
from tests.notebook_kernel import NOTEBOOKS, execute, kernel_env, read, source_digest  # noqa: E402

OUT = ROOT / "docs" / "notebooks"
NEO4J_NOTEBOOK = "04_working_with_neo4j.ipynb"


@contextlib.contextmanager
def neo4j_settings() -> Iterator[dict[str, str]]:
    """NEO4J_* for the kernel: the environment's server, or a temporary local one."""
    if os.environ.get("NEO4J_URI") and os.environ.get("NEO4J_PASSWORD"):
        yield {k: os.environ[k] for k in ("NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD",
                                           "NEO4J_DATABASE") if os.environ.get(k)}
        return
    with tempfile.TemporaryDirectory(prefix="neo4j-render-") as home:
        password = "render-" + secrets.token_hex(8)
        info = server.start(Path(home), bolt_port=server.free_port(), password=password)
        try:
            yield {"NEO4J_URI": info.uri, "NEO4J_USERNAME": "neo4j", "NEO4J_PASSWORD": password}
        finally:
            server.stop(Path(home))


def render(name: str, extra_env: dict[str, str] | None = None) -> Path:
    """Run one notebook and write its HTML copy; returns the page's path."""
    digest = source_digest(read(name))
    nb = execute(name, kernel_env(extra_env))
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    meta = f'<meta name="notebook-source-sha256" content="{digest}">'
    page = body.replace("<head>", f"<head>\n{meta}", 1)
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / name.replace(".ipynb", ".html")
    tmp = path.with_suffix(".html.tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)
    return path


def main(names: list[str]) -> int:
    chosen = names or sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
    for name in chosen:
        if name == NEO4J_NOTEBOOK:
            with neo4j_settings() as settings:
                path = render(name, settings)
        else:
            path = render(name)
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
