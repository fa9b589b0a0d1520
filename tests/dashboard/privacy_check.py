"""Checks of an aggregate-only publication: no organisation in it, no hidden cell derivable.

Used on every callback response and download of a ``--min-cell`` dashboard (test_privacy.py)
and on what the browser shows (test_browser.py).
"""

from __future__ import annotations

import base64
import io
import json
import zipfile
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from core.model import Dataset


def organisation_markers(ds: Dataset) -> set[str]:
    """Strings that only an organisation-level row would carry: every partner's name."""
    return {str(n) for n in ds.partners["name"] if len(str(n)) >= 4}


def leaked(text: str, markers: Iterable[str]) -> list[str]:
    """The markers found in ``text`` (also in its JSON-escaped form)."""
    found = []
    for marker in markers:
        escaped = json.dumps(marker)[1:-1]
        if marker in text or escaped in text:
            found.append(marker)
    return found


def download_text(payload: Mapping[str, Any]) -> str:
    """The text of a ``dcc.Download`` payload: CSV as is, an XLSX's shared strings and sheets."""
    content = payload.get("content") or ""
    raw = base64.b64decode(content) if payload.get("base64") else str(content).encode()
    if raw[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(raw)) as book:
            return "\n".join(book.read(name).decode("utf-8", "replace")
                             for name in book.namelist() if name.endswith((".xml", ".csv")))
    return raw.decode("utf-8-sig", "replace")


def derivable_cells(shown: Mapping[str, int], hidden: int, total: int | None) -> list[str]:
    """Why a hidden cell could be worked out from the visible ones and the total ([] if not).

    Every hidden cell holds at least 1 (zeros are shown). With the total known, the hidden
    cells sum to ``total - sum(shown)``: one hidden cell is that sum, and hidden cells summing
    to their number are all 1. Without a total nothing can be derived.

    >>> derivable_cells({"A": 9}, 1, 10)
    ['1 hidden cell = 1']
    >>> derivable_cells({"A": 9}, 2, 13)
    []
    """
    if hidden == 0 or total is None:
        return []
    rest = total - sum(shown.values())
    if hidden == 1:
        return [f"1 hidden cell = {rest}"]
    if rest <= hidden:
        return [f"{hidden} hidden cells summing to {rest}: each is 1"]
    return []


def true_country_counts(ds: Dataset, as_of: str) -> dict[str, int]:
    """Partners active on ``as_of`` per country ("" unknown), computed independently."""
    p = ds.partners
    day = pd.Timestamp(as_of)
    active = p.loc[(p["membership"] == "Partner") & (p["joined"].isna() | (p["joined"] <= day))
                   & (p["left"].isna() | (day < p["left"]))]
    return {str(k): int(v) for k, v in active["country"].fillna("").value_counts().items()}


def map_problems(locations: list[str], z: list[int], truth: Mapping[str, int],
                 total: int | None, min_cell: int, *, countries_shown: bool = True) -> list[str]:
    """What is wrong with a world map under ``min_cell``: a small count shown, or a hidden
    country derivable from the shown ones and the Partner total.

    A hidden country looks like an empty one on a map, so the hidden cells are known only
    through the number of countries (``countries_shown``); without it nothing is derivable.
    """
    shown = dict(zip(locations, (int(v) for v in z), strict=True))
    problems = [f"{c}: {v} < {min_cell} shown" for c, v in shown.items() if 0 < v < min_cell]
    problems += [f"{c}: shows {v}, is {truth.get(c)}" for c, v in shown.items()
                 if truth.get(c) != v]
    # the unknown country is not on the map but is published as the Unknown region
    visible = dict(shown)
    unknown = truth.get("", 0)
    if unknown >= min_cell:
        visible[""] = unknown
    hidden = sum(1 for c, v in truth.items() if v and c not in visible)
    return problems + derivable_cells(visible, hidden, total if countries_shown else None)


def composition_problems(counts: Mapping[str, int | None], total: int | None,
                         min_cell: int) -> list[str]:
    """A report composition (None = hidden) under ``min_cell``."""
    shown = {k: int(v) for k, v in counts.items() if v is not None}
    problems = [f"{k}: {v} < {min_cell} shown" for k, v in shown.items() if 0 < v < min_cell]
    hidden = sum(1 for v in counts.values() if v is None)
    return problems + derivable_cells(shown, hidden, total)
