"""Test-session plugins: a real Neo4j server and a real headless Chromium, each started once."""

pytest_plugins = ["tests.plugins.neo4j_server", "tests.plugins.browser"]
