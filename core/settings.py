"""Where the Neo4j store is: one settings object, filled from flags and ``NEO4J_*`` variables.

Only the CLI and the dashboard entry points build a driver (library code is handed one).
The password is never printed: ``repr`` masks it and no message quotes it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from core.errors import StoreError

if TYPE_CHECKING:
    import neo4j

DEFAULT_URI = "bolt://127.0.0.1:7687"
DEFAULT_USERNAME = "neo4j"
URI_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


@dataclass(frozen=True)
class Neo4jSettings:
    """How to reach Neo4j: URI, user, password and database (None = the server's default).

    >>> s = Neo4jSettings.from_env(password="s3cret-pw", environ={})
    >>> s.uri, s.username, s.database
    ('bolt://127.0.0.1:7687', 'neo4j', None)
    >>> "s3cret" in repr(s)
    False
    """

    uri: str = DEFAULT_URI
    username: str = DEFAULT_USERNAME
    password: str | None = field(default=None, repr=False)
    database: str | None = None

    def __repr__(self) -> str:
        shown = "'***'" if self.password else "None"
        return (f"Neo4jSettings(uri={self.uri!r}, username={self.username!r}, "
                f"password={shown}, database={self.database!r})")

    __str__ = __repr__

    @classmethod
    def from_env(
        cls,
        *,
        uri: str | None = None,
        username: str | None = None,
        password: str | None = None,
        database: str | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Neo4jSettings:
        """Flags win over ``NEO4J_URI``, ``NEO4J_USERNAME``, ``NEO4J_PASSWORD``,
        ``NEO4J_DATABASE``; then the defaults (bolt://127.0.0.1:7687, neo4j, no password)."""
        env = os.environ if environ is None else environ
        chosen_uri = uri or env.get("NEO4J_URI") or DEFAULT_URI
        scheme = chosen_uri.split("://", 1)[0] if "://" in chosen_uri else ""
        if scheme not in URI_SCHEMES:
            raise StoreError(
                f"Neo4j URI must start with one of {', '.join(s + '://' for s in URI_SCHEMES)}; "
                f"got {chosen_uri!r}"
            )
        return cls(
            uri=chosen_uri,
            username=username or env.get("NEO4J_USERNAME") or DEFAULT_USERNAME,
            password=password or env.get("NEO4J_PASSWORD") or None,
            database=database or env.get("NEO4J_DATABASE") or None,
        )

    def require_password(self) -> str:
        if not self.password:
            raise StoreError(
                f"no Neo4j password given for {self.username}@{self.uri}: "
                "set NEO4J_PASSWORD or pass --password"
            )
        return self.password

    def driver(self, **config: object) -> neo4j.Driver:
        """A driver for these settings (``config`` goes to ``GraphDatabase.driver``).

        Building one does not connect; the store's first query does, and turns connection or
        authentication failures into StoreError.
        """
        import neo4j

        password = self.require_password()
        try:
            return neo4j.GraphDatabase.driver(
                self.uri, auth=(self.username, password), **config  # type: ignore[arg-type]
            )
        except (neo4j.exceptions.ConfigurationError, ValueError) as exc:
            raise StoreError(f"cannot use Neo4j URI {self.uri!r}: {exc}") from None
