"""Validation and normalisation: raw text tables -> a Dataset, or every problem at once.

Each rule below adds :class:`~core.errors.Problem` entries instead of stopping, so a
user fixes a spreadsheet in one pass. Nothing is built unless there are no problems at all.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from core.errors import DataError, Problem
from core.model import GUEST, PARTNER, Dataset
from loaders import countries
from loaders.reader import RawTable


@dataclass(frozen=True)
class TableSpec:
    required: tuple[str, ...]
    optional: tuple[str, ...]


SPECS: dict[str, TableSpec] = {
    "partners": TableSpec(
        ("partner_id", "name", "sector", "country"), ("joined", "left", "membership", "global_south")
    ),
    "committees": TableSpec(("committee_id", "name"), ("program", "kind")),
    "memberships": TableSpec(("committee_id", "partner_id"), ("role", "since", "until")),
    "events": TableSpec(
        ("event_id", "name", "date"), ("kind", "program", "city", "country", "topics")
    ),
    "attendance": TableSpec(("event_id", "partner_id"), ("role", "attendees")),
    "targets": TableSpec(("dimension", "group", "min_share"), ("max_share",)),
}
TABLE_NAMES = tuple(SPECS)
#: Columns the loader derives from ``country``; a source's own copy is ignored.
DERIVED = {"partners": ("country_name", "region", "subregion"), "events": ("country_name", "region", "subregion")}
#: Dimensions a target may name, besides any extra partner column.
TARGET_DIMENSIONS = ("sector", "region", "subregion", "country", "global_south", "membership")
M49_REGIONS = tuple(sorted(set(countries.M49_REGION_OF.values())))

_DATE = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")


@functools.lru_cache(maxsize=65536)
def parse_date(text: str) -> dt.date | str:
    """A date from ``YYYY-MM-DD`` or ``YYYY-MM`` (the 1st); an error message string otherwise.

    >>> parse_date("2024-02"), parse_date("2024-02-30"), parse_date("soon")
    (datetime.date(2024, 2, 1), 'impossible date 2024-02-30', "not a date: 'soon' (expected YYYY-MM-DD or YYYY-MM)")
    """
    match = _DATE.match(text.strip())
    if not match:
        return f"not a date: {text.strip()[:40]!r} (expected YYYY-MM-DD or YYYY-MM)"
    year, month, day = int(match[1]), int(match[2]), int(match[3] or 1)
    try:
        return dt.date(year, month, day)
    except ValueError:
        return f"impossible date {text.strip()[:40]}"


def label_key(text: str) -> str:
    return " ".join(text.split()).casefold()


class Labels:
    """Category labels matched case-insensitively; the first spelling seen is canonical.

    >>> labels = Labels()
    >>> labels.canonical("Civil Society"), labels.canonical("civil  society ")
    ('Civil Society', 'Civil Society')
    """

    def __init__(self) -> None:
        self._seen: dict[str, str] = {}

    def canonical(self, text: str) -> str:
        clean = " ".join(text.split())
        if not clean:
            return ""
        return self._seen.setdefault(clean.casefold(), clean)

    def find(self, text: str) -> str | None:
        return self._seen.get(label_key(text))


class _Builder:
    """Collects problems while turning each raw table into columns of typed values."""

    def __init__(self, global_south: Mapping[str, bool] | None):
        self.problems: list[Problem] = []
        self.global_south = dict(global_south or {})
        self.labels = {
            name: Labels() for name in ("sector", "program", "committee_kind", "event_kind", "role")
        }
        self.frames: dict[str, pd.DataFrame] = {}
        self.index: dict[str, dict[str, int]] = {}  # table -> id -> line of first occurrence

    def add(self, table: RawTable, line: int, column: str, message: str) -> None:
        self.problems.append(table.where(line, column, message))

    # -- columns ---------------------------------------------------------------------------

    def check_columns(self, table: RawTable) -> bool:
        spec = SPECS[table.name]
        missing = [c for c in spec.required if c not in table.header]
        for column in missing:
            self.add(table, table.header_line, column, "missing required column")
        return not missing

    def column(self, table: RawTable, name: str) -> list[str]:
        if name not in table.header:
            return [""] * len(table.rows)
        i = table.header.index(name)
        return [row[i].strip() for row in table.rows]

    def required(self, table: RawTable, name: str) -> list[str]:
        values = self.column(table, name)
        for line, value in zip(table.lines, values, strict=True):
            if not value:
                self.add(table, line, name, "empty required value")
        return values

    def ids(self, table: RawTable, name: str) -> list[str]:
        values = self.required(table, name)
        first: dict[str, int] = {}
        for line, value in zip(table.lines, values, strict=True):
            if not value:
                continue
            if value in first:
                self.add(table, line, name, f"duplicate {name} {value!r} (first at line {first[value]})")
            else:
                first[value] = line
        self.index[table.name] = first
        return values

    def dates(self, table: RawTable, name: str, *, required: bool = False) -> list[dt.date | None]:
        raw = self.required(table, name) if required else self.column(table, name)
        out: list[dt.date | None] = []
        for line, value in zip(table.lines, raw, strict=True):
            if not value:
                out.append(None)
                continue
            parsed = parse_date(value)
            if isinstance(parsed, str):
                self.add(table, line, name, parsed)
                out.append(None)
            else:
                out.append(parsed)
        return out

    def labelled(self, table: RawTable, name: str, family: str, *, required: bool = False) -> list[str]:
        raw = self.required(table, name) if required else self.column(table, name)
        labels = self.labels[family]
        return [labels.canonical(v) for v in raw]

    def order(
        self, table: RawTable, start: list[dt.date | None], end: list[dt.date | None],
        names: tuple[str, str],
    ) -> None:
        for line, a, b in zip(table.lines, start, end, strict=True):
            if a is not None and b is not None and b < a:
                self.add(table, line, names[1], f"{names[1]} {b} is before {names[0]} {a}")

    def country_column(
        self, table: RawTable, raw: list[str], *, overrides: list[bool | None] | None = None
    ) -> dict[str, list[object]]:
        out: dict[str, list[object]] = {k: [] for k in ("country", "country_name", "region", "subregion", "global_south")}
        for i, (line, value) in enumerate(zip(table.lines, raw, strict=True)):
            country = countries.resolve(value, self.global_south) if value else None
            if value and country is None:
                hint = countries.suggest(value)
                tip = f"; did you mean {hint!r}?" if hint else ""
                self.add(table, line, "country", f"unknown country {value[:60]!r}{tip}")
            if country is None:
                for key in out:
                    out[key].append(False if key == "global_south" else "")
                continue
            flag = country.global_south
            if overrides is not None and overrides[i] is not None:
                flag = bool(overrides[i])
            out["country"].append(country.iso3)
            out["country_name"].append(country.name)
            out["region"].append(country.region)
            out["subregion"].append(country.subregion)
            out["global_south"].append(flag)
        return out

    def extras(self, table: RawTable) -> dict[str, list[object]]:
        spec = SPECS[table.name]
        known = set(spec.required) | set(spec.optional) | set(DERIVED.get(table.name, ()))
        out: dict[str, list[object]] = {}
        for name in table.header:
            if not name or name in known or name in out:
                continue
            values = self.column(table, name)
            # A column that uses ';' anywhere is multi-valued throughout (``a;b`` -> ("a", "b")).
            if any(";" in v for v in values):
                out[name] = [tuple(p.strip() for p in v.split(";") if p.strip()) for v in values]
            else:
                out[name] = list(values)
        return out

    def references(
        self, table: RawTable, column: str, values: list[str], target: str, present: bool
    ) -> None:
        if not present:
            if values:
                self.add(table, 0, column, f"refers to {target} but there is no {target} table")
            return
        if target not in self.index:
            return  # the table is there but unusable (its own problems are reported)
        known = self.index[target]
        for line, value in zip(table.lines, values, strict=True):
            if value and value not in known:
                self.add(table, line, column, f"unknown {column[:-3]} {value!r}: not in {target}")

    def unique_rows(self, table: RawTable, keys: list[list[object]], what: str) -> None:
        first: dict[tuple[object, ...], int] = {}
        for line, key in zip(table.lines, zip(*keys, strict=True), strict=True):
            if any(k in ("", None) for k in key[:2]):
                continue
            if key in first:
                self.add(table, line, "-", f"duplicate {what} (first at line {first[key]})")
            else:
                first[key] = line

    # -- tables ----------------------------------------------------------------------------

    def partners(self, t: RawTable) -> None:
        cols: dict[str, list[object]] = {
            "partner_id": list(self.ids(t, "partner_id")),
            "name": list(self.required(t, "name")),
            "sector": list(self.labelled(t, "sector", "sector", required=True)),
        }
        # An unknown country may be left empty: the partner counts in totals, in no country.
        raw_country = self.column(t, "country")
        joined, left = self.dates(t, "joined"), self.dates(t, "left")
        self.order(t, joined, left, ("joined", "left"))
        membership: list[object] = []
        for line, value in zip(t.lines, self.column(t, "membership"), strict=True):
            key = value.casefold()
            if key in ("", "partner"):
                membership.append(PARTNER)
            elif key == "guest":
                membership.append(GUEST)
            else:
                self.add(t, line, "membership", f"expected Partner or Guest, got {value[:40]!r}")
                membership.append(PARTNER)
        overrides: list[bool | None] = []
        for line, value in zip(t.lines, self.column(t, "global_south"), strict=True):
            flag = countries.parse_bool(value) if value else None
            if value and flag is None:
                self.add(t, line, "global_south", f"expected true or false, got {value[:40]!r}")
            overrides.append(flag)
        cols.update(self.country_column(t, raw_country, overrides=overrides))
        cols.update(joined=list(joined), left=list(left), membership=membership)
        cols.update(self.extras(t))
        self.frames["partners"] = pd.DataFrame(cols)

    def committees(self, t: RawTable) -> None:
        cols: dict[str, list[object]] = {
            "committee_id": list(self.ids(t, "committee_id")),
            "name": list(self.required(t, "name")),
            "program": list(self.labelled(t, "program", "program")),
            "kind": list(self.labelled(t, "kind", "committee_kind")),
        }
        cols.update(self.extras(t))
        self.frames["committees"] = pd.DataFrame(cols)

    def events(self, t: RawTable) -> None:
        cols: dict[str, list[object]] = {
            "event_id": list(self.ids(t, "event_id")),
            "name": list(self.required(t, "name")),
            "date": list(self.dates(t, "date", required=True)),
            "kind": list(self.labelled(t, "kind", "event_kind")),
            "program": list(self.labelled(t, "program", "program")),
            "city": list(self.column(t, "city")),
            "topics": [
                tuple(p.strip() for p in v.split(";") if p.strip()) for v in self.column(t, "topics")
            ],
        }
        where = self.country_column(t, self.column(t, "country"))
        where.pop("global_south")
        cols.update(where)
        cols.update(self.extras(t))
        self.frames["events"] = pd.DataFrame(cols)

    def memberships(self, t: RawTable, present: Mapping[str, bool]) -> None:
        committee = self.required(t, "committee_id")
        partner = self.required(t, "partner_id")
        self.references(t, "committee_id", committee, "committees", present["committees"])
        self.references(t, "partner_id", partner, "partners", present["partners"])
        since, until = self.dates(t, "since"), self.dates(t, "until")
        self.order(t, since, until, ("since", "until"))
        self.unique_rows(t, [list(committee), list(partner), list(since)], "membership (same committee, partner and since)")
        cols: dict[str, list[object]] = {
            "committee_id": list(committee), "partner_id": list(partner),
            "role": list(self.labelled(t, "role", "role")), "since": list(since), "until": list(until),
        }
        cols.update(self.extras(t))
        self.frames["memberships"] = pd.DataFrame(cols)

    def attendance(self, t: RawTable, present: Mapping[str, bool]) -> None:
        event = self.required(t, "event_id")
        partner = self.required(t, "partner_id")
        self.references(t, "event_id", event, "events", present["events"])
        self.references(t, "partner_id", partner, "partners", present["partners"])
        self.unique_rows(t, [list(event), list(partner)], "attendance (same event and partner)")
        attendees: list[object] = []
        for line, value in zip(t.lines, self.column(t, "attendees"), strict=True):
            if not value:
                attendees.append(1)
                continue
            number = _number(value, int)
            if number is None or number < 1:
                self.add(t, line, "attendees", f"bad number {value[:40]!r}: expected a whole number >= 1")
                attendees.append(1)
            else:
                attendees.append(number)
        cols: dict[str, list[object]] = {
            "event_id": list(event), "partner_id": list(partner),
            "role": list(self.labelled(t, "role", "role")), "attendees": attendees,
        }
        cols.update(self.extras(t))
        self.frames["attendance"] = pd.DataFrame(cols)

    def targets(self, t: RawTable) -> None:
        partner_extras = [
            c for c in self.frames.get("partners", pd.DataFrame()).columns
            if c not in SPECS["partners"].required + SPECS["partners"].optional
        ]
        dims = self.required(t, "dimension")
        groups = self.required(t, "group")
        mins = self.shares(t, "min_share", required=True)
        maxs = self.shares(t, "max_share")
        out_dims: list[object] = []
        out_groups: list[object] = []
        totals: dict[str, float] = {}
        first: dict[tuple[str, str], int] = {}
        for line, dim, group, lo, hi in zip(t.lines, dims, groups, mins, maxs, strict=True):
            dim_key = dim.casefold()
            if dim and dim_key not in TARGET_DIMENSIONS and dim_key not in partner_extras:
                self.add(t, line, "dimension", f"unknown dimension {dim[:40]!r}: expected one of "
                         f"{', '.join(TARGET_DIMENSIONS)} or a partners column")
            canonical = self.target_group(t, line, dim_key, group)
            out_dims.append(dim_key)
            out_groups.append(canonical)
            if lo is not None and hi is not None and hi < lo:
                self.add(t, line, "max_share", f"max_share {hi} is below min_share {lo}")
            key = (dim_key, str(canonical))
            if dim and group:
                if key in first:
                    self.add(t, line, "group", f"duplicate target for {dim_key} {canonical!r} (first at line {first[key]})")
                else:
                    first[key] = line
            if lo is not None:
                totals[dim_key] = totals.get(dim_key, 0.0) + lo
                if totals[dim_key] > 1 + 1e-9 and totals[dim_key] - lo <= 1 + 1e-9:
                    self.add(t, line, "min_share", f"min_share targets for {dim_key} sum to more than 1")
        self.frames["targets"] = pd.DataFrame(
            {"dimension": out_dims, "group": out_groups, "min_share": mins, "max_share": maxs}
        )

    def target_group(self, t: RawTable, line: int, dim: str, group: str) -> str:
        if not group:
            return ""
        if dim == "sector":
            found = self.labels["sector"].find(group)
            return found or " ".join(group.split())
        if dim == "region":
            for region in M49_REGIONS:
                if region.casefold() == group.casefold():
                    return region
            self.add(t, line, "group", f"unknown region {group[:40]!r}: expected one of {', '.join(M49_REGIONS)}")
            return group
        if dim == "country":
            country = countries.resolve(group)
            if country is None:
                self.add(t, line, "group", f"unknown country {group[:60]!r}")
                return group
            return country.iso3
        if dim == "global_south":
            flag = countries.parse_bool(group)
            if flag is None:
                self.add(t, line, "group", f"expected true or false, got {group[:40]!r}")
                return group
            return "true" if flag else "false"
        if dim == "membership":
            return GUEST if group.casefold() == "guest" else PARTNER
        return group

    def shares(self, t: RawTable, name: str, *, required: bool = False) -> list[float | None]:
        raw = self.required(t, name) if required else self.column(t, name)
        out: list[float | None] = []
        for line, value in zip(t.lines, raw, strict=True):
            if not value:
                out.append(None)
                continue
            number = _number(value, float)
            if number is None:
                self.add(t, line, name, f"bad number {value[:40]!r}")
                out.append(None)
            elif not 0.0 <= number <= 1.0:
                self.add(t, line, name, f"share {value[:40]} is outside [0, 1]")
                out.append(None)
            else:
                out.append(number)
        return out


def _number(text: str, kind: Callable[[str], float | int]) -> float | int | None:
    try:
        if kind is int:
            value = float(text)
            return int(value) if value.is_integer() else None
        value = float(text)
        return value if math.isfinite(value) else None
    except ValueError:
        return None


def _names_table(label: str, table: str) -> bool:
    label = label.casefold()
    return Path(label).stem == table or label.endswith(f"[{table}]")


def build_dataset(
    tables: Mapping[str, RawTable],
    *,
    source: str = "",
    problems: list[Problem] | None = None,
    global_south: Mapping[str, bool] | None = None,
) -> Dataset:
    """Validate raw tables and build a Dataset; raise DataError listing every problem."""
    builder = _Builder(global_south)
    if problems:
        builder.problems.extend(problems)
    unreadable = any(_names_table(p.file, "partners") for p in builder.problems)
    if "partners" not in tables and not unreadable:
        builder.problems.append(Problem(source or "dataset", 0, "partners", "missing required table partners"))
    usable = {name: t for name, t in tables.items() if builder.check_columns(t)}
    present = {name: name in tables for name in TABLE_NAMES}
    for name in ("partners", "committees", "events"):
        if name in usable:
            getattr(builder, name)(usable[name])
    for name in ("memberships", "attendance"):
        if name in usable:
            getattr(builder, name)(usable[name], present)
    if "targets" in usable:
        builder.targets(usable["targets"])
    if builder.problems:
        raise DataError(builder.problems)
    return Dataset.from_frames(source=source, **builder.frames)
