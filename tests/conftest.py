"""Test-session plugins: a real Neo4j server and a real headless Chromium, each started once."""

import os

pytest_plugins = [
    name
    for name, path in (
        ("tests.plugins.neo4j_server", "tests/plugins/neo4j_server.py"),
        ("tests.plugins.browser", "tests/plugins/browser.py"),
    )
    if os.path.exists(os.path.join(os.path.dirname(os.path.dirname(__file__)), path))
]
