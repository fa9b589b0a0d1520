"""Validation and normalisation: raw text tables -> a Dataset, or every problem at once.

Each rule below adds :class:`~core.errors.Problem` entries instead of stopping, so a
user fixes a spreadsheet in one pass. Nothing is built unless there are no problems at all.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from core.errors import DataError, Problem
from core.model import GUEST, PARTNER, Dataset
from loaders import countries
from loaders.table import RawTable


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
    "links": TableSpec(("source_id", "target_id", "kind"), ("since", "until", "weight")),
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
        serial = _serial_hint(text.strip())
        if serial:
            return serial
        return f"not a date: {text.strip()[:40]!r} (expected YYYY-MM-DD or YYYY-MM)"
    year, month, day = int(match[1]), int(match[2]), int(match[3] or 1)
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return f"impossible date {text.strip()[:40]}"
    # dates are held as pandas timestamps (nanoseconds), which span 1677-09-21 to 2262-04-11
    if not YEARS[0] <= year <= YEARS[1]:
        return f"date {date} is out of range: years {YEARS[0]} to {YEARS[1]}"
    return date


#: The years a date may have (within pandas' nanosecond timestamps).
YEARS = (1678, 2261)
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")
#: Excel serial numbers of 1950-01-01 and 2100-01-01: a five-digit number in this range in a
#: date column is almost surely a date cell exported as a number.
_SERIAL_RANGE = (18264, 73051)


def _serial_hint(text: str) -> str | None:
    """The message for an Excel serial number written as text, or None.

    >>> _serial_hint("42759")
    "not a date: '42759' is an Excel serial number for 2017-01-24: write 2017-01-24 (YYYY-MM-DD), or format the cell as a date"
    """
    if not _SERIAL.match(text) or not _SERIAL_RANGE[0] <= float(text) < _SERIAL_RANGE[1]:
        return None
    from openpyxl.utils.datetime import WINDOWS_EPOCH, from_excel

    day = from_excel(float(text), WINDOWS_EPOCH).date().isoformat()
    return (f"not a date: {text!r} is an Excel serial number for {day}: write {day} "
            "(YYYY-MM-DD), or format the cell as a date")


def id_key(text: str) -> str:
    """The identity of an id: ids equal after Unicode NFKC and case folding are one id.

    >>> id_key("P1") == id_key("p1"), id_key("\uff50\uff11") == id_key("p1")
    (True, True)
    """
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


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
            name: Labels()
            for name in ("sector", "program", "committee_kind", "event_kind", "role", "link_kind")
        }
        self.frames: dict[str, pd.DataFrame] = {}
        self.index: dict[str, dict[str, int]] = {}  # table -> id -> line of first occurrence
        self.id_spellings: dict[str, dict[str, str]] = {}  # table -> id_key -> first spelling
        self.incomplete: set[str] = set()  # tables whose reading stopped early

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
        spelt: dict[str, tuple[str, int]] = {}  # id_key -> (first spelling, its line)
        for line, value in zip(table.lines, values, strict=True):
            if not value:
                continue
            if value in first:
                self.add(table, line, name, f"duplicate {name} {value!r} (first at line {first[value]})")
                continue
            other = spelt.get(id_key(value))
            if other is not None:
                self.add(table, line, name, f"{name} {value!r} differs from {other[0]!r} (line "
                         f"{other[1]}) only in case or Unicode form: they would be one id; "
                         "give distinct ids or the same spelling")
            else:
                spelt[id_key(value)] = (value, line)
            first[value] = line
        self.index[table.name] = first
        self.id_spellings[table.name] = {k: v for k, (v, _line) in spelt.items()}
        return values

    def single(self, table: RawTable, name: str, values: list[str]) -> list[str]:
        """Refuse a second value in a single-valued column (it would be counted as a new label)."""
        for line, value in zip(table.lines, values, strict=True):
            if ";" in value:
                self.add(table, line, name, f"two values in one cell ({value[:60]!r}): {name} "
                         f"holds one value; record another in an extra column (e.g. {name}_2), "
                         "which is kept as a property")
        return [v.split(";")[0].strip() if ";" in v else v for v in values]

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

    def labelled(
        self, table: RawTable, name: str, family: str, *, required: bool = False, one: bool = False,
    ) -> list[str]:
        raw = self.required(table, name) if required else self.column(table, name)
        if one:
            raw = self.single(table, name, raw)
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
        raw = self.single(table, "country", raw)
        for i, (line, value) in enumerate(zip(table.lines, raw, strict=True)):
            reason = countries.country_problem(value) if value else None
            if reason is not None:
                self.add(table, line, "country", reason)
                value = ""
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
        if target not in self.index or target in self.incomplete:
            return  # unusable or partly read: its own problems are reported, not their echoes
        known = self.index[target]
        spellings = self.id_spellings.get(target, {})
        for line, value in zip(table.lines, values, strict=True):
            if value and value not in known:
                near = spellings.get(id_key(value))
                hint = f" (ids match exactly: did you mean {near!r}?)" if near else ""
                self.add(table, line, column, f"unknown {column[:-3]} {value!r}: not in {target}{hint}")

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
            "sector": list(self.labelled(t, "sector", "sector", required=True, one=True)),
        }
        # An unknown country may be left empty: the partner counts in totals, in no country.
        raw_country = self.column(t, "country")
        joined, left = self.dates(t, "joined"), self.dates(t, "left")
        self.order(t, joined, left, ("joined", "left"))
        membership: list[object] = []
        for line, value in zip(t.lines, self.single(t, "membership", self.column(t, "membership")), strict=True):
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
            "program": list(self.labelled(t, "program", "program", one=True)),
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

    def links(self, t: RawTable, present: Mapping[str, bool]) -> None:
        source = self.required(t, "source_id")
        target = self.required(t, "target_id")
        self.references(t, "source_id", source, "partners", present["partners"])
        self.references(t, "target_id", target, "partners", present["partners"])
        for line, a, b in zip(t.lines, source, target, strict=True):
            if a and a == b:
                self.add(t, line, "target_id", f"a link from partner {a!r} to itself")
        kind = self.labelled(t, "kind", "link_kind", required=True)
        since, until = self.dates(t, "since"), self.dates(t, "until")
        self.order(t, since, until, ("since", "until"))
        self.unique_rows(t, [list(source), list(target), list(kind), list(since)],
                         "link (same source, target, kind and since)")
        weight: list[object] = []
        for line, value in zip(t.lines, self.column(t, "weight"), strict=True):
            number = _number(value, float) if value else 1.0
            if number is None or number <= 0:
                self.add(t, line, "weight", f"bad weight {value[:40]!r}: expected a number > 0")
                number = 1.0
            weight.append(number)
        cols: dict[str, list[object]] = {
            "source_id": list(source), "target_id": list(target), "kind": list(kind),
            "since": list(since), "until": list(until), "weight": weight,
        }
        cols.update(self.extras(t))
        self.frames["links"] = pd.DataFrame(cols)

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
    if label.endswith((".xlsx", ".xlsm")):
        return True  # the whole workbook: every table in it is unknown
    return Path(label).stem.strip() == table or label.replace(" ]", "]").endswith(f"[{table}]")


#: Shown per cause (same file, column and message but for quoted values and numbers) before
#: the rest are summed up in one line.
KEEP_PER_CAUSE = 3
_VARYING = re.compile(r"'[^']*'|\"[^\"]*\"|\d[\d,.:-]*")


def collapse(problems: list[Problem], keep: int = KEEP_PER_CAUSE) -> list[Problem]:
    """At most ``keep`` problems per cause and file, then one "… and N more rows like this".

    >>> rows = [Problem("e.csv", n, "date", f"not a date: '{n}'") for n in range(2, 12)]
    >>> [str(p) for p in collapse(rows)][-2:]
    ["e.csv:4: date: not a date: '4'", 'e.csv:5: date: … and 7 more rows like this (up to line 11)']
    """
    groups: dict[tuple[str, str, str], list[Problem]] = {}
    for problem in sorted(problems):
        key = (problem.file, problem.column, _VARYING.sub("…", problem.message))
        groups.setdefault(key, []).append(problem)
    out: list[Problem] = []
    for group in groups.values():
        out.extend(group[:keep])
        rest = group[keep:]
        if len(rest) == 1:
            out.append(rest[0])
        elif rest:
            out.append(Problem(rest[0].file, rest[0].line, rest[0].column,
                               f"… and {len(rest)} more rows like this (up to line {rest[-1].line})"))
    return out


def _with_notes(problems: list[Problem], tables: Mapping[str, RawTable]) -> list[Problem]:
    """Say where the header was found, in each file that has problems (line numbers follow it)."""
    files = {p.file for p in problems}
    notes = [Problem(t.label, t.header_line, "-", t.note)
             for t in tables.values() if t.note and t.label in files]
    return problems + notes


def build_dataset(
    tables: Mapping[str, RawTable],
    *,
    source: str = "",
    problems: list[Problem] | None = None,
    global_south: Mapping[str, bool] | None = None,
) -> Dataset:
    """Validate raw tables and build a Dataset; raise DataError listing every problem.

    Repeated problems of one cause are collapsed (:func:`collapse`), so the first cause is not
    buried under its echoes.
    """
    builder = _Builder(global_south)
    if problems:
        builder.problems.extend(problems)
    # A table that exists but could not be read is "present": its rows are unknown, so
    # references to it are not checked (they would all fail) and it is not called missing.
    unreadable = {name for name in TABLE_NAMES
                  if any(_names_table(p.file, name) for p in builder.problems)}
    if "partners" not in tables and "partners" not in unreadable:
        builder.problems.append(Problem(source or "dataset", 0, "partners", "missing required table partners"))
    builder.incomplete = {name for name, t in tables.items() if not t.complete}
    builder.incomplete |= unreadable - set(tables)
    usable = {name: t for name, t in tables.items() if builder.check_columns(t)}
    present = {name: name in tables or name in unreadable for name in TABLE_NAMES}
    for name in ("partners", "committees", "events"):
        if name in usable:
            getattr(builder, name)(usable[name])
    for name in ("memberships", "attendance"):
        if name in usable:
            getattr(builder, name)(usable[name], present)
    if "targets" in usable:
        builder.targets(usable["targets"])
    if "links" in usable:
        builder.links(usable["links"], present)
    if builder.problems:
        raise DataError(collapse(_with_notes(builder.problems, tables)))
    return Dataset.from_frames(source=source, **builder.frames)
