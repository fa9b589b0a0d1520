"""Display names and number formats shared by every renderer, view and sentence.

The JSON keeps the data's labels (``global_south`` categories are ``"True"``/``"False"``); what a
person reads comes from here, so "Global South" is spelt one way everywhere and never
"True (global_south)".

>>> category("global_south", "True"), category("global_south", False), category("sector", "")
('Global South', 'Global North', 'Unknown')
>>> category_with_dimension("sector", "Media"), category_with_dimension("global_south", "True")
('Media (sector)', 'Global South')
>>> percent(0.345), percent(None), percent(None, missing="n/a")
('34%', '—', 'n/a')
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "DIMENSIONS",
    "MISSING",
    "category",
    "category_with_dimension",
    "count",
    "dimension",
    "number",
    "percent",
    "subject",
]

#: What a hidden or absent value reads as.
MISSING = "—"

#: Display names of the partner dimensions the product knows.
DIMENSIONS: dict[str, str] = {
    "sector": "Sector",
    "region": "Region",
    "subregion": "Sub-region",
    "global_south": "Global South",
    "country": "Country",
    "membership": "Membership",
}

_GLOBAL_SOUTH = {"true": "Global South", "false": "Global North"}
_UNKNOWN = {"", "unknown", "nan", "none"}


def dimension(name: str) -> str:
    """The display name of a dimension: ``global_south`` -> ``Global South``."""
    return DIMENSIONS.get(name, name.replace("_", " ").capitalize())


def category(dimension_name: str, label: Any) -> str:
    """The display name of one category of ``dimension_name``."""
    text = "" if label is None else str(label).strip()
    if text.casefold() in _UNKNOWN:
        return "Unknown"
    if dimension_name == "global_south":
        return _GLOBAL_SOUTH.get(text.casefold(), text)
    return text


def category_with_dimension(dimension_name: str, label: Any) -> str:
    """A category named with its dimension where the name alone is ambiguous."""
    name = category(dimension_name, label)
    if dimension_name == "global_south":
        return name
    return f"{name} ({dimension_name})"


def subject(dimension_name: str, label: Any) -> str:
    """A category as the subject of a sentence: "The Global South was missing..."."""
    name = category(dimension_name, label)
    if dimension_name == "global_south" and name in _GLOBAL_SOUTH.values():
        return f"The {name}"
    return name


def percent(value: float | None, *, missing: str = MISSING) -> str:
    """A share as a whole percentage; ``missing`` when there is none."""
    return missing if value is None else f"{float(value):.0%}"


def number(value: Any) -> str:
    """A figure for text: integers as they are, floats to three significant digits.

    >>> number(3), number(0.12345), number(None)
    ('3', '0.123', '—')
    """
    if value is None:
        return MISSING
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def count(value: int | None, min_cell: int | None) -> str:
    """A count of organisations: hidden ones read ``"<k"`` under ``min_cell`` k.

    >>> count(4, 5), count(None, 5), count(None, None)
    ('4', '<5', '—')
    """
    if value is None:
        return MISSING if min_cell is None else f"<{min_cell}"
    return str(value)
