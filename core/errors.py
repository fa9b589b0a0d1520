"""The one exception root of Stakeholder Graph.

Library code raises these; only the CLI and the dashboard turn them into messages and exit codes.
"""

from __future__ import annotations

from dataclasses import dataclass


class StakeholderGraphError(Exception):
    """Root of every error the project raises on purpose (exit code 1 in the CLI)."""


@dataclass(frozen=True, order=True)
class Problem:
    """One problem found in the input data, located by file, line and column.

    ``line`` counts the header as line 1 (for workbooks it is the sheet's row number);
    ``line`` 0 means the problem concerns the whole file or table.
    """

    file: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.column}: {self.message}"


class DataError(StakeholderGraphError):
    """The input data has one or more problems; ``problems`` lists all of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=_problem_key)
        first = str(self.problems[0]) if self.problems else "invalid data"
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(first + more)


def _problem_key(p: Problem) -> tuple[str, int, str, str]:
    return (p.file, p.line, p.column, p.message)


class RequestError(StakeholderGraphError):
    """The request is wrong: an unknown event or partner id, an impossible option."""


class StoreError(StakeholderGraphError):
    """A graph store could not be reached or failed (Neo4j down, wrong password...)."""
