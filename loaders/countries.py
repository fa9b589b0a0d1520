"""Countries: any common name, ISO2 or ISO3 code -> ISO3, UN M49 region and sub-region, Global South.

Names and codes are resolved by ``country_converter`` (a maintained library), never a hand-typed
country table. ``country_converter``'s ``UNregion`` is the M49 sub-region, or the intermediate
region where M49 defines one ("Eastern Africa", "South America"); we keep it as ``subregion``.
The five M49 regions follow from it by the UN's published hierarchy (``M49_REGION_OF`` below).

Global South, by default, follows the UN M49 "developed / developing regions" classification
(the one UNCTAD still uses): Europe, Northern America, Australia and New Zealand, and Japan are
the Global North; every other country is Global South. Override it per country with
:func:`load_global_south_overrides` (a CSV of ``country,global_south``, pointed at by the
``STAKEHOLDER_GRAPH_GLOBAL_SOUTH`` environment variable) or per partner with a ``global_south``
column in the partners table.
"""

from __future__ import annotations

import difflib
import functools
import logging
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

#: UN M49: each sub-region / intermediate region (as country_converter names it) -> its region.
M49_REGION_OF: dict[str, str] = {
    "Northern Africa": "Africa",
    "Eastern Africa": "Africa",
    "Middle Africa": "Africa",
    "Southern Africa": "Africa",
    "Western Africa": "Africa",
    "Caribbean": "Americas",
    "Central America": "Americas",
    "South America": "Americas",
    "Northern America": "Americas",
    "Central Asia": "Asia",
    "Eastern Asia": "Asia",
    "South-eastern Asia": "Asia",
    "Southern Asia": "Asia",
    "Western Asia": "Asia",
    "Eastern Europe": "Europe",
    "Northern Europe": "Europe",
    "Southern Europe": "Europe",
    "Western Europe": "Europe",
    "Australia and New Zealand": "Oceania",
    "Melanesia": "Oceania",
    "Micronesia": "Oceania",
    "Polynesia": "Oceania",
}

#: Developed regions of the UN M49 classification: the Global North by default.
GLOBAL_NORTH_REGIONS = frozenset({"Europe"})
GLOBAL_NORTH_SUBREGIONS = frozenset({"Northern America", "Australia and New Zealand"})
GLOBAL_NORTH_COUNTRIES = frozenset({"JPN"})

ENV_GLOBAL_SOUTH = "STAKEHOLDER_GRAPH_GLOBAL_SOUTH"


@dataclass(frozen=True)
class Country:
    iso3: str
    name: str
    region: str
    subregion: str
    global_south: bool


@functools.lru_cache(maxsize=1)
def _converter():  # type: ignore[no-untyped-def]
    # country_converter logs a warning for each name it cannot match; we report those ourselves.
    logging.getLogger("country_converter").setLevel(logging.CRITICAL)
    import country_converter as coco

    return coco.CountryConverter()


@functools.lru_cache(maxsize=1)
def _by_iso3() -> dict[str, tuple[str, str]]:
    data = _converter().data
    return {
        str(iso3): (str(name), str(unregion))
        for iso3, name, unregion in zip(data["ISO3"], data["name_short"], data["UNregion"], strict=True)
    }


@functools.lru_cache(maxsize=1)
def _known_names() -> dict[str, str]:
    data = _converter().data
    names: dict[str, str] = {}
    for col in ("name_short", "name_official"):
        for value in data[col]:
            names[str(value).casefold()] = str(value)
    return names


def default_global_south(iso3: str, region: str, subregion: str) -> bool:
    """The default (UN M49 developed/developing) classification.

    >>> default_global_south("KEN", "Africa", "Eastern Africa")
    True
    >>> default_global_south("JPN", "Asia", "Eastern Asia")
    False
    """
    if iso3 in GLOBAL_NORTH_COUNTRIES:
        return False
    if region in GLOBAL_NORTH_REGIONS or subregion in GLOBAL_NORTH_SUBREGIONS:
        return False
    return bool(region)


#: No country name or code is longer than this; country_converter matches each value against
#: hundreds of regexes, which takes minutes on a 200,000-character cell, so longer text is
#: refused as unknown before it reaches the converter.
MAX_COUNTRY_CHARS = 200


@functools.lru_cache(maxsize=4096)
def _resolve_one(text: str) -> Country | None:
    key = text.strip()
    if not key or len(key) > MAX_COUNTRY_CHARS:
        return None
    iso3 = _converter().convert(key, to="ISO3", not_found=None)
    if isinstance(iso3, list):  # an ambiguous name matches several countries
        return None
    if not iso3 or iso3 not in _by_iso3():
        return None
    name, unregion = _by_iso3()[iso3]
    region = M49_REGION_OF.get(unregion, "")
    subregion = unregion if region else ""
    return Country(iso3, name, region, subregion, default_global_south(iso3, region, subregion))


def resolve(text: str, overrides: Mapping[str, bool] | None = None) -> Country | None:
    """Resolve a country name, ISO2 or ISO3 code; None when unknown.

    >>> resolve("US").iso3, resolve("United States").region, resolve("KEN").subregion
    ('USA', 'Americas', 'Eastern Africa')
    >>> resolve("Atlantis") is None
    True
    """
    country = _resolve_one(text)
    if country is None or not overrides or country.iso3 not in overrides:
        return country
    return Country(
        country.iso3, country.name, country.region, country.subregion, overrides[country.iso3]
    )


def suggest(text: str) -> str | None:
    """The closest known country name, for an error message."""
    if len(text.strip()) > MAX_COUNTRY_CHARS:
        return None
    names = _known_names()
    match = difflib.get_close_matches(text.strip().casefold(), list(names), n=1, cutoff=0.8)
    return names[match[0]] if match else None


#: Words that name no single country (a scope or a mode of work, not a place).
NOT_PLACES = frozenset({
    "global", "worldwide", "international", "remote", "online", "virtual", "various",
    "multiple", "multinational", "everywhere", "n/a", "na", "none", "unknown", "tbd", "-",
})


@functools.lru_cache(maxsize=1)
def _groups() -> tuple[frozenset[str], frozenset[str]]:
    """Names of country groups (country_converter's classifications: EU, OECD, G20...) and of
    regions (its continents and UN regions, plus the M49 regions)."""
    data = _converter().data
    groups = {str(c).casefold() for c in data.columns if str(c).isupper() and len(str(c)) <= 8}
    groups |= {"european union", "eurozone", "euro area"}
    regions = {str(v).casefold() for col in ("continent", "UNregion") for v in data[col]}
    regions |= {r.casefold() for r in M49_REGION_OF.values()}
    regions |= {"north america", "latin america", "middle east", "asia pacific", "apac", "emea"}
    return frozenset(groups - {"iso2", "iso3", "un"}), frozenset(regions)


def not_a_country(text: str) -> str | None:
    """Why ``text`` names no single country (a message with a hint), or None.

    >>> not_a_country("EU")
    "'EU' is a group of countries, not a country: leave the cell empty (country Unknown) or give the country of the headquarters"
    >>> not_a_country("France") is None
    True
    """
    key = " ".join(text.split()).casefold()
    groups, regions = _groups()
    if key in NOT_PLACES:
        kind = "not a country"
    elif key in groups:
        kind = "a group of countries, not a country"
    elif key in regions:
        kind = "a region, not a country"
    else:
        return None
    return (f"{text.strip()[:40]!r} is {kind}: leave the cell empty (country Unknown) "
            "or give the country of the headquarters")


@functools.lru_cache(maxsize=1)
def _names_by_iso3() -> tuple[dict[str, str], dict[str, frozenset[str]], frozenset[str]]:
    data = _converter().data
    short: dict[str, str] = {}
    names: dict[str, set[str]] = {}
    exact: set[str] = set()
    for iso3, iso2, name, official in zip(data["ISO3"], data["ISO2"], data["name_short"],
                                          data["name_official"], strict=True):
        short[str(iso3)] = str(name)
        names.setdefault(str(iso3), set()).update({str(name).casefold(), str(official).casefold()})
        exact |= {str(iso3).casefold(), str(iso2).casefold(), str(name).casefold(),
                  str(official).casefold()}
    return short, {k: frozenset(v) for k, v in names.items()}, frozenset(exact)


@functools.lru_cache(maxsize=4096)
def ambiguous(text: str) -> tuple[str, ...]:
    """The countries a partial name could mean, as ``"Name (ISO3)"``, when it could mean several.

    A name that is some country's own name or code is never ambiguous ("Guinea" is GIN).

    >>> ambiguous("Congo")
    ('Congo Republic (COG)', 'DR Congo (COD)')
    >>> ambiguous("Guinea"), ambiguous("France")
    ((), ())
    """
    key = " ".join(text.split()).casefold()
    short, names, exact = _names_by_iso3()
    if not key or len(key) > MAX_COUNTRY_CHARS or key in exact:
        return ()
    word = re.compile(rf"(?<!\w){re.escape(key)}(?!\w)")
    hits = sorted(iso3 for iso3, options in names.items() if any(word.search(n) for n in options))
    if len(hits) < 2:
        return ()
    return tuple(f"{short[iso3]} ({iso3})" for iso3 in sorted(hits, key=lambda i: short[i]))


def country_problem(text: str) -> str | None:
    """Why a country cell cannot be resolved to one country (with a hint), or None."""
    reason = not_a_country(text)
    if reason is not None:
        return reason
    options = ambiguous(text)
    if options:
        shown = " or ".join(options[:4]) + (f" (or {len(options) - 4} more)" if len(options) > 4 else "")
        return f"ambiguous country {text.strip()[:60]!r}: {shown}? write the ISO3 code"
    return None


def parse_bool(text: str) -> bool | None:
    value = text.strip().casefold()
    if value in {"true", "yes", "y", "1"}:
        return True
    if value in {"false", "no", "n", "0"}:
        return False
    return None


def load_global_south_overrides(path: Path | None = None) -> dict[str, bool]:
    """Read a ``country,global_south`` CSV (names or codes) into ISO3 -> bool.

    With no path, reads the file named by ``STAKEHOLDER_GRAPH_GLOBAL_SOUTH`` if set.
    """
    import csv

    from core.errors import DataError, Problem

    if path is None:
        env = os.environ.get(ENV_GLOBAL_SOUTH)
        if not env:
            return {}
        path = Path(env)
    problems: list[Problem] = []
    out: dict[str, bool] = {}
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            rows: Iterable[dict[str, str]] = list(csv.DictReader(handle))
    except OSError as exc:
        raise DataError([Problem(str(path), 0, "-", f"cannot read: {exc.strerror}")]) from None
    for line, row in enumerate(rows, start=2):
        lowered = {(k or "").strip().casefold(): (v or "") for k, v in row.items()}
        country = resolve(lowered.get("country", ""))
        flag = parse_bool(lowered.get("global_south", ""))
        if country is None:
            problems.append(Problem(str(path), line, "country", "unknown country"))
        elif flag is None:
            problems.append(Problem(str(path), line, "global_south", "expected true or false"))
        else:
            out[country.iso3] = flag
    if problems:
        raise DataError(problems)
    return out
