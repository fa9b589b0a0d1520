"""Write the fictional demo consortium bundled as ``stakeholder_graph/data/demo``.

Every organisation in it is invented. The data is made to exercise the whole tool: about 120
Partners and 15 Guests in every sector and UN M49 region, ten years (2017-2026) of committees with
terms and of convenings with heavy-tailed attendance, three upcoming events in 2027 for the
planner, a targets table, a few dozen direct links (collaborations, grants from companies to
research and civil-society partners, joint projects of universities with others), and
representation gaps planted on purpose. The planted gaps and the
story of the yearly scorecard are described in ``stakeholder_graph/data/demo/README.md``; the tests
in ``tests/test_bundled_data.py`` check them.

The output is a pure function of ``SEED``: re-running the script reproduces the committed CSVs byte
for byte (the tests check that too). Nothing here reads the clock, the environment or a ``set``'s
iteration order. NumPy does not promise the same random streams across its versions, so that holds
with the pinned NumPy; after a NumPy upgrade that changes them, re-run the script and re-check the
figures quoted in the demo README.

Usage::

    python tools/make_demo.py [--out DIR]     # default: stakeholder_graph/data/demo
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

SEED = 1  # picked among the first few seeds because its scorecard tells the clearest story
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "stakeholder_graph" / "data" / "demo"

# The data ends here: no partner leaves and no past event is dated after it, so "active today"
# stays the same whenever the demo is opened.
DATA_END = dt.date(2026, 10, 31)
HORIZON = dt.date(2028, 12, 31)  # committee terms are simulated up to here

SECTOR_COUNTS = {"Industry": 45, "Civil Society": 42, "Academic": 30, "Media": 9}

# Partners per country (ISO3) and the spellings a partner's row may use. The spellings are a mix of
# names, ISO2 and ISO3 codes on purpose (the loader must resolve them); each one is checked against
# country_converter by the tests.
COUNTRIES: dict[str, tuple[int, tuple[str, ...]]] = {
    # Northern America
    "USA": (34, ("United States", "US", "USA", "United States of America")),
    "CAN": (6, ("Canada", "CA", "CAN")),
    # Europe
    "GBR": (12, ("United Kingdom", "UK", "GB", "GBR", "Great Britain")),
    "DEU": (6, ("Germany", "DE", "DEU")),
    "FRA": (5, ("France", "FR", "FRA")),
    "NLD": (4, ("Netherlands", "The Netherlands", "NL")),
    "CHE": (3, ("Switzerland", "CH")),
    "SWE": (2, ("Sweden", "SE")),
    "ESP": (2, ("Spain", "ES")),
    "ITA": (2, ("Italy", "Italia", "IT")),
    "IRL": (2, ("Ireland", "IE")),
    "POL": (1, ("Poland", "PL")),
    "DNK": (1, ("Denmark", "DK")),
    # Asia
    "IND": (6, ("India", "IN", "IND")),
    "JPN": (4, ("Japan", "JP", "JPN")),
    "KOR": (2, ("South Korea", "Republic of Korea", "KR")),
    "IDN": (1, ("Indonesia", "ID")),
    "PHL": (1, ("Philippines", "PH")),
    "BGD": (1, ("Bangladesh", "BD")),
    # Africa
    "KEN": (4, ("Kenya", "KE", "KEN")),
    "NGA": (4, ("Nigeria", "NG", "NGA")),
    "ZAF": (3, ("South Africa", "ZA", "ZAF")),
    "GHA": (2, ("Ghana", "GH")),
    "RWA": (1, ("Rwanda", "RW")),
    "SEN": (1, ("Senegal", "SN")),
    # Latin America
    "BRA": (4, ("Brazil", "BR", "BRA")),
    "MEX": (3, ("Mexico", "MX")),
    "COL": (2, ("Colombia", "CO")),
    "ARG": (1, ("Argentina", "AR")),
    # Oceania
    "AUS": (3, ("Australia", "AU", "AUS")),
    "NZL": (2, ("New Zealand", "NZ")),
    "FJI": (1, ("Fiji", "FJ")),
}
AFRICA = ("KEN", "NGA", "ZAF", "GHA", "RWA", "SEN")
# The Global South under the tool's default classification (UN M49 developing regions: all but
# Europe, Northern America, Australia and New Zealand, and Japan). The demo avoids borderline
# countries such as Singapore or China; South Korea is the one that other lists may call North.
GLOBAL_SOUTH = AFRICA + ("IND", "IDN", "PHL", "BGD", "KOR", "BRA", "MEX", "COL", "ARG", "FJI")

PROGRAMS = (
    "Governance",
    "Synthetic Media",
    "Labor and the Economy",
    "Safety-Critical AI",
    "Fairness and Inclusion",
)
TOPICS = {
    "Governance": ("policy", "standards", "transparency", "accountability"),
    "Synthetic Media": ("deepfakes", "provenance", "disclosure", "elections"),
    "Labor and the Economy": ("automation", "worker voice", "shared prosperity", "data work"),
    "Safety-Critical AI": ("evaluation", "incident reporting", "robustness", "red teaming"),
    "Fairness and Inclusion": ("bias", "demographic data", "accessibility", "participation"),
}

# --- fictional names ------------------------------------------------------------------------
# Invented words and combinations; none is meant to name a real organisation.
PREFIXES = (
    "Northwind", "Bluefin", "Quillfeather", "Tidewater", "Ironbark", "Copperleaf", "Stillwater",
    "Brightmoss", "Marrowstone", "Saltmarsh", "Emberlane", "Juniper Point", "Larkspur",
    "Oakhollow", "Riverglass", "Sable Peak", "Thistledown", "Wrenfield", "Zephyrine", "Amberline",
    "Cinderfall", "Driftwood", "Glimmerstone", "Hollowreed", "Moonfern", "Palewind", "Quarrytop",
    "Rushmere", "Silverbirch", "Tallgrass", "Umberfield", "Vellichor", "Whistlecroft", "Yarrowby",
    "Ashgrove", "Brambleton", "Cloudberry", "Dovecote", "Elderbank", "Fernwhistle", "Gorsemoor",
    "Heronsgate", "Inkwell", "Kettlebrook", "Lanternfish", "Mistletoe", "Nettlebed", "Orchardine",
    "Pebblestone", "Quincewood", "Redshank", "Starling Row", "Tumbleweed", "Underbough",
    "Alderwick", "Barleymow", "Candlewick", "Dapplegrey", "Eddystone", "Fallowmere", "Goldcrest",
    "Hawthorne Vale", "Isleworthy", "Jackdaw", "Kingfisher Mill", "Lavender Hill", "Meadowlark",
    "Nightjar", "Otterbrook", "Plover", "Quickthorn", "Rowanberry", "Sandpiper", "Teasel",
    "Verdigris", "Willowherb", "Yellowhammer", "Acornfield", "Bluebell Row", "Chalkstream",
    "Damselfly", "Evenstar", "Flintlock", "Greylag", "Honeysuckle", "Ironweed", "Kittiwake",
    "Lodestar", "Marigold Works", "Nimbus Hollow", "Oxbow", "Puffin", "Ravenglass", "Skylark",
    "Tamarisk", "Waxwing", "Wildrye", "Woodruff",
)
INDUSTRY_SUFFIXES = (
    "Labs", "Systems", "Analytics", "Robotics", "AI", "Technologies", "Cloud", "Data",
    "Dynamics", "Software", "Semiconductor", "Health AI",
)
CIVIL_PATTERNS = (
    "{p} Digital Rights Network", "{p} Foundation", "{p} Civic Tech Alliance",
    "{p} Data Justice Project", "{p} Public Interest Lab", "{p} Coalition", "{p} Trust",
    "{p} Institute for Everyday Technology", "{p} Collective",
)
PLACES = (
    "Eastmere", "Kelvale", "Norbridge", "Ashcombe", "Westhollow", "Brackenford", "Caldermoor",
    "Dunmarrow", "Fennick", "Glenharrow", "Merriton", "Pellingham", "Rookwood", "Tarnside",
    "Wyncliffe", "Hazelbury", "Lowmoor", "Sorrelhithe", "Briarwick", "Coldharbour Vale",
    "Gildersleeve", "Hartmoor", "Ivybridge Vale", "Larkhill Cross", "Myrtlewood", "Quayside",
    "Stonemere", "Thornbury Vale", "Upton Fell", "Winterholm",
)
ACADEMIC_PATTERNS = (
    "{p} University Centre for Responsible Computing", "{p} Institute of Technology",
    "{p} University AI Ethics Lab", "{p} School of Information", "{p} Polytechnic AI Group",
    "{p} University Machine Learning Group",
)
MEDIA_PATTERNS = ("The {p} Dispatch", "{p} Broadcasting", "{p} Fact Check", "{p} Press Trust")
# A few names in the partner's own language (non-ASCII on purpose: the files are UTF-8).
LOCAL_NAMES = {
    ("BRA", "Civil Society"): "Fundação Ipê Digital",
    ("FRA", "Academic"): "Université de Valombre, Laboratoire d'éthique numérique",
    ("DEU", "Academic"): "Hochschule Tannhagen, Zentrum für Algorithmische Fairness",
    ("COL", "Civil Society"): "Colectivo Datos del Sur",
    ("MEX", "Media"): "Diario Cenzontle",
    ("KEN", "Civil Society"): "Haki Data Kenya Trust",
    ("SWE", "Industry"): "Fjällräv Robotik AB",
    ("ARG", "Academic"): "Universidad de Río Ceibo, Grupo de IA Responsable",
}

# Guests: experts, policymakers and affected communities invited to rooms without being Partners.
GUESTS: tuple[tuple[str, str, str, str], ...] = (
    # (name, sector, ISO3, spelling)
    ("Ride-Hail Drivers' Assembly", "Affected Community", "KEN", "Kenya"),
    ("Content Moderators' Solidarity Network", "Affected Community", "KEN", "KE"),
    ("Warehouse Workers' Circle", "Affected Community", "USA", "US"),
    ("Disabled Tech Users Forum", "Affected Community", "GBR", "United Kingdom"),
    ("Smallholder Farmers' Data Cooperative", "Affected Community", "IND", "India"),
    ("Overseas Care Workers' Helpline", "Affected Community", "PHL", "Philippines"),
    ("Municipal AI Procurement Office of Eastmere", "Government", "GBR", "GB"),
    ("Legislative Science Fellows Programme", "Government", "USA", "United States"),
    ("Data Commissioner's Advisory Panel of Kelvale", "Government", "NGA", "Nigeria"),
    ("Public Defender's Technology Desk", "Government", "BRA", "BR"),
    ("Regional Digital Inclusion Office of Valombre", "Government", "FRA", "France"),
    ("Statistics Modernisation Unit of Norbridge", "Government", "RWA", "Rwanda"),
    ("Independent Panel on Labour Economics", "Academic", "GHA", "Ghana"),
    ("Visiting Scholars in Technology Ethics", "Academic", "CAN", "Canada"),
    ("Sociotechnical Audit Fellows", "Academic", "IND", "IN"),
)

# Committees: (id, name, program, kind, start, seats, term in years)
COMMITTEES: tuple[tuple[str, str, str, str, dt.date, int, int], ...] = (
    ("board", "Board of Directors", "Governance", "board", dt.date(2017, 2, 1), 10, 3),
    ("safety-critical-wg", "Safety-Critical AI Working Group", "Safety-Critical AI",
     "working group", dt.date(2017, 9, 1), 12, 2),
    ("fairness-wg", "Fairness and Inclusion Working Group", "Fairness and Inclusion",
     "working group", dt.date(2018, 3, 1), 12, 2),
    ("labor-steering", "Labor and the Economy Steering Committee", "Labor and the Economy",
     "steering committee", dt.date(2018, 6, 1), 8, 3),
    ("synthetic-media-steering", "Synthetic Media Steering Committee", "Synthetic Media",
     "steering committee", dt.date(2019, 1, 15), 8, 2),
    ("public-policy-wg", "Public Policy Working Group", "Governance", "working group",
     dt.date(2019, 3, 1), 10, 2),
    ("media-integrity-wg", "Media Integrity Working Group", "Synthetic Media", "working group",
     dt.date(2020, 2, 1), 12, 2),
    ("worker-voice-wg", "Worker Voice Working Group", "Labor and the Economy", "working group",
     dt.date(2021, 1, 15), 10, 2),
)
# Planted gaps (see README): no Academic ever sits on this steering committee...
NO_ACADEMIC_COMMITTEE = "synthetic-media-steering"
# ...and nobody from Africa ever sits in a Labor and the Economy room.
NO_AFRICA_PROGRAM = "Labor and the Economy"

# Past events: (year, kind, program, city, country spelling); "" city and country = online.
CALENDAR: tuple[tuple[int, str, str, str, str], ...] = (
    (2017, "partner meeting", "", "Berlin", "DE"),
    (2017, "workshop", "Safety-Critical AI", "San Francisco", "US"),
    (2017, "workshop", "Fairness and Inclusion", "New York", "USA"),
    (2018, "partner meeting", "", "San Francisco", "United States"),
    (2018, "convening", "Labor and the Economy", "London", "UK"),
    (2018, "workshop", "Synthetic Media", "Toronto", "Canada"),
    (2018, "workshop", "Fairness and Inclusion", "Amsterdam", "NL"),
    (2019, "partner meeting", "", "London", "GBR"),
    (2019, "convening", "Labor and the Economy", "Geneva", "Switzerland"),
    (2019, "workshop", "Synthetic Media", "New York", "US"),
    (2019, "convening", "Fairness and Inclusion", "Bengaluru", "India"),
    (2020, "webinar", "Labor and the Economy", "", ""),
    (2020, "webinar", "Synthetic Media", "", ""),
    (2020, "webinar", "Safety-Critical AI", "", ""),
    (2020, "partner meeting", "", "", ""),
    (2021, "webinar", "Fairness and Inclusion", "", ""),
    (2021, "webinar", "Labor and the Economy", "", ""),
    (2021, "workshop", "Synthetic Media", "Paris", "FR"),
    (2021, "partner meeting", "", "", ""),
    (2022, "partner meeting", "", "Toronto", "CA"),
    (2022, "convening", "Labor and the Economy", "Berlin", "Germany"),
    (2022, "workshop", "Safety-Critical AI", "Seoul", "KR"),
    (2022, "convening", "Fairness and Inclusion", "São Paulo", "Brazil"),
    (2023, "partner meeting", "", "London", "United Kingdom"),
    (2023, "convening", "Labor and the Economy", "Washington", "US"),
    (2023, "workshop", "Synthetic Media", "Nairobi", "KE"),
    (2023, "convening", "Governance", "Brussels", "Belgium"),
    (2023, "webinar", "Safety-Critical AI", "", ""),
    (2024, "partner meeting", "", "Nairobi", "Kenya"),
    (2024, "convening", "Labor and the Economy", "Mexico City", "MX"),
    (2024, "workshop", "Fairness and Inclusion", "Lagos", "NG"),
    (2024, "convening", "Governance", "Brussels", "BE"),
    (2025, "partner meeting", "", "Sydney", "AU"),
    (2025, "convening", "Labor and the Economy", "Manila", "Philippines"),
    (2025, "workshop", "Synthetic Media", "Accra", "Ghana"),
    (2025, "convening", "Governance", "Geneva", "CH"),
    (2025, "webinar", "Fairness and Inclusion", "", ""),
    (2026, "partner meeting", "", "Cape Town", "South Africa"),
    (2026, "convening", "Labor and the Economy", "Toronto", "Canada"),
    (2026, "workshop", "Safety-Critical AI", "Tokyo", "JP"),
    (2026, "convening", "Fairness and Inclusion", "Bogotá", "Colombia"),
)
# Upcoming events the planner plans: (id, name, date, kind, program, city, country, topics,
# attendance rows already confirmed as (partner index into the core partners, role)).
UPCOMING = (
    ("2027-labor-and-the-economy-convening", "Labor and the Economy Convening 2027 (Nairobi)",
     dt.date(2027, 3, 16), "convening", "Labor and the Economy", "Nairobi", "KEN",
     ("worker voice", "data work"), ()),
    ("2027-all-partners-meeting", "All Partners Meeting 2027 (Montréal)",
     dt.date(2027, 6, 8), "partner meeting", "", "Montréal", "Canada",
     ("policy", "participation"), ((0, "organizer"), (1, "organizer"))),
    ("2027-synthetic-media-workshop", "Synthetic Media Workshop 2027 (London)",
     dt.date(2027, 9, 21), "workshop", "Synthetic Media", "London", "UK",
     ("provenance", "elections"), ((2, "organizer"), (0, "speaker"), (1, "speaker"))),
)
EVENT_SIZE = {  # (low, high) number of Partners in the room
    "partner meeting": (38, 60),
    "convening": (18, 28),
    "workshop": (10, 16),
    "webinar": (22, 34),
}

TARGETS = (
    ("sector", "Civil Society", "0.3", ""),
    ("sector", "Academic", "0.2", ""),
    ("sector", "Industry", "0.2", "0.4"),
    ("sector", "Media", "0.05", ""),
    ("region", "Africa", "0.1", ""),
    ("region", "Asia", "0.1", ""),
    ("region", "Americas", "0.2", ""),
    ("region", "Europe", "0.2", ""),
    ("region", "Oceania", "0.02", ""),
)


@dataclass
class Partner:
    partner_id: str
    name: str
    sector: str
    iso3: str
    country: str  # as spelled in the file
    joined: dt.date | None
    left: dt.date | None = None
    membership: str = "Partner"
    focus_areas: tuple[str, ...] = ()
    activity: float = 1.0
    core: bool = False

    def active(self, day: dt.date) -> bool:
        """``joined <= day < left``, open ends included (the rule in DESIGN.md)."""
        started = self.joined is None or self.joined <= day
        return started and (self.left is None or day < self.left)


@dataclass
class Tables:
    partners: list[Partner] = field(default_factory=list)
    memberships: list[tuple[str, str, str, dt.date, dt.date | None]] = field(default_factory=list)
    events: list[tuple[str, str, dt.date, str, str, str, str, tuple[str, ...]]] = field(
        default_factory=list
    )
    attendance: list[tuple[str, str, str, int]] = field(default_factory=list)
    links: list[tuple[str, str, str, dt.date, dt.date | None, int, str]] = field(
        default_factory=list
    )


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def random_day(rng: np.random.Generator, start: dt.date, end: dt.date) -> dt.date:
    """A uniformly drawn day in ``[start, end]``."""
    return start + dt.timedelta(days=int(rng.integers(0, (end - start).days + 1)))


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def iso(day: dt.date | None) -> str:
    return "" if day is None else day.isoformat()


def make_names(rng: np.random.Generator, sectors: Sequence[str], isos: Sequence[str]) -> list[str]:
    """One unique fictional name per partner, in its sector's style."""
    prefixes = list(rng.permutation(PREFIXES))
    places = list(rng.permutation(PLACES))
    used_local: set[tuple[str, str]] = set()
    names: list[str] = []
    for sector, iso3 in zip(sectors, isos, strict=True):
        key = (iso3, sector)
        if key in LOCAL_NAMES and key not in used_local:
            used_local.add(key)
            names.append(LOCAL_NAMES[key])
            continue
        if sector == "Industry":
            suffix = INDUSTRY_SUFFIXES[int(rng.integers(len(INDUSTRY_SUFFIXES)))]
            name = f"{prefixes.pop()} {suffix}"
        elif sector == "Civil Society":
            pattern = CIVIL_PATTERNS[int(rng.integers(len(CIVIL_PATTERNS)))]
            name = pattern.format(p=prefixes.pop())
        elif sector == "Academic":
            pattern = ACADEMIC_PATTERNS[int(rng.integers(len(ACADEMIC_PATTERNS)))]
            name = pattern.format(p=places.pop())
        else:
            pattern = MEDIA_PATTERNS[int(rng.integers(len(MEDIA_PATTERNS)))]
            name = pattern.format(p=prefixes.pop())
        names.append(name)
    return names


def make_partners(rng: np.random.Generator) -> list[Partner]:
    isos = [iso3 for iso3, (count, _) in COUNTRIES.items() for _ in range(count)]
    sectors = [s for s, count in SECTOR_COUNTS.items() for _ in range(count)]
    assert len(isos) == len(sectors)
    isos = list(rng.permutation(isos))
    sectors = list(rng.permutation(sectors))
    names = make_names(rng, sectors, isos)
    founders_left = {"Industry": 5, "Civil Society": 2, "Academic": 1}
    partners: list[Partner] = []
    for name, sector, iso3 in zip(names, sectors, isos, strict=True):
        spellings = COUNTRIES[iso3][1]
        spelling = spellings[int(rng.integers(len(spellings)))]
        north_america = iso3 in ("USA", "CAN")
        if north_america and founders_left.get(sector, 0) > 0 and iso3 == "USA":
            founders_left[sector] -= 1
            joined = None  # a partner since before the data starts
        elif iso3 in GLOBAL_SOUTH:
            # The consortium reached the Global South late: joiners skew to recent years.
            year = int(rng.choice(np.arange(2017, 2027), p=_weights(np.arange(1, 11))))
            joined = _join_day(rng, year)
        else:
            year = int(rng.choice(np.arange(2016, 2026), p=_weights(np.arange(10, 0, -1))))
            joined = _join_day(rng, year)
        topics = [t for program in PROGRAMS for t in TOPICS[program]]
        focus = tuple(
            sorted(str(t) for t in rng.choice(topics, size=int(rng.integers(1, 4)), replace=False))
        )
        activity = float(rng.lognormal(0.0, 0.9)) * (1.3 if sector == "Industry" else 1.0)
        if sector == "Media":
            activity *= 0.8
        partners.append(
            Partner(slugify(name), name, sector, iso3, spelling, joined, None, "Partner", focus,
                    activity)
        )
    # A few partners attend everything: the first founders of three sectors.
    for sector in ("Industry", "Civil Society", "Academic"):
        core = next(p for p in partners if p.sector == sector and p.joined is None)
        core.core = True
    # Departures: partners who left, none after the data ends.
    leavers = [p for p in partners if not p.core]
    for index in rng.choice(len(leavers), size=9, replace=False):
        p = leavers[int(index)]
        start = add_years(p.joined or dt.date(2016, 9, 28), 2)
        if start < DATA_END:
            p.left = random_day(rng, start, min(add_years(start, 4), DATA_END))
    for name, sector, iso3, spelling in GUESTS:
        joined = _join_day(rng, int(rng.integers(2020, 2025)))
        partners.append(
            Partner(slugify(name), name, sector, iso3, spelling, joined, None, "Guest",
                    (TOPICS["Labor and the Economy"][1], TOPICS["Fairness and Inclusion"][3]),
                    float(rng.lognormal(0.0, 0.5)))
        )
    ids = [p.partner_id for p in partners]
    assert len(set(ids)) == len(ids), "fictional names must be unique"
    return partners


def _weights(raw: np.ndarray) -> np.ndarray:
    return raw / raw.sum()


def _join_day(rng: np.random.Generator, year: int) -> dt.date:
    start = dt.date(year, 1, 1) if year > 2016 else dt.date(2016, 9, 28)
    end = min(dt.date(year, 12, 31), DATA_END)
    return random_day(rng, start, end)


def industry_chance(year: int) -> float:
    """Chance that a new committee seat goes to Industry: falling from 0.75 (2017) to 0.35."""
    return max(0.75 - 0.045 * (year - 2017), 0.35)


def make_memberships(
    rng: np.random.Generator, partners: list[Partner]
) -> list[tuple[str, str, str, dt.date, dt.date | None]]:
    rows: list[tuple[str, str, str, dt.date, dt.date | None]] = []
    pool = [p for p in partners if p.membership == "Partner"]
    for committee_id, _, program, _, start, seats, term in COMMITTEES:
        # (partner_id, since, until) of every term so far: no partner holds two seats at once.
        terms: list[tuple[str, dt.date, dt.date]] = []
        for seat in range(seats):
            since = start
            holder: Partner | None = None
            # The first term of each seat is staggered so renewals do not all fall together.
            length = int(rng.integers(1, term + 1))
            while since < HORIZON:
                planned = add_years(since, length)
                busy = [pid for pid, s, u in terms if s < planned and since < u]
                renew = (
                    holder is not None
                    and rng.random() < 0.35
                    and holder.active(since)
                    and holder.partner_id not in busy
                )
                if not renew:
                    holder = _pick_member(rng, pool, since, committee_id, program, busy)
                if holder is None:  # nobody eligible yet: the seat stays empty a year
                    since = add_years(since, 1)
                    continue
                until = planned
                if holder.left is not None and holder.left < until:
                    until = holder.left
                terms.append((holder.partner_id, since, until))
                role = "chair" if seat == 0 else "member"
                if until > DATA_END:
                    # The current term: open-ended or ending at its planned date.
                    end: dt.date | None = None if rng.random() < 0.5 else until
                    rows.append((committee_id, holder.partner_id, role, since, end))
                    break
                rows.append((committee_id, holder.partner_id, role, since, until))
                since = until
                length = term
    return rows


def _pick_member(
    rng: np.random.Generator,
    pool: list[Partner],
    day: dt.date,
    committee_id: str,
    program: str,
    seated: list[str],
) -> Partner | None:
    eligible = [
        p for p in pool
        if p.active(day)
        and p.partner_id not in seated
        and not (committee_id == NO_ACADEMIC_COMMITTEE and p.sector == "Academic")
        and not (program == NO_AFRICA_PROGRAM and p.iso3 in AFRICA)
    ]
    if not eligible:
        return None
    industry = [p for p in eligible if p.sector == "Industry"]
    others = [p for p in eligible if p.sector != "Industry"]
    to_industry = rng.random() < industry_chance(day.year) and bool(industry)
    group = industry if to_industry or not others else others
    weights = np.array([p.activity for p in group])
    return group[int(rng.choice(len(group), p=weights / weights.sum()))]


def make_events(rng: np.random.Generator, partners: list[Partner], tables: Tables) -> None:
    dated = []
    for year, kind, program, city, country in CALENDAR:
        same_year = [c for c in CALENDAR if c[0] == year]
        slot = same_year.index((year, kind, program, city, country))
        # Spread a year's events over its months in calendar order.
        month = 1 + slot * (10 // len(same_year)) + int(rng.integers(0, 2))
        day = dt.date(year, month, int(rng.integers(1, 29)))
        dated.append((day, year, kind, program, city, country))
    core = [p for p in partners if p.core]
    for day, year, kind, program, city, country in dated:
        place = city or "online"
        label = program or "All Partners"
        title = {"partner meeting": "Meeting", "webinar": "Webinar", "workshop": "Workshop",
                 "convening": "Convening"}[kind]
        if program:
            name = f"{label} {title} {year} ({place})"
            event_id = f"{year}-{slugify(label)}-{slugify(kind)}"
        else:
            name = f"All Partners Meeting {year} ({place})"
            event_id = f"{year}-all-partners-meeting"
        topic_pool = TOPICS[program] if program else tuple(TOPICS[p][0] for p in PROGRAMS)
        picked = rng.choice(topic_pool, size=int(rng.integers(1, 3)), replace=False)
        topics = tuple(sorted(str(t) for t in picked))
        tables.events.append((event_id, name, day, kind, program, city, country, topics))
        _attend(rng, partners, core, tables, event_id, day, kind, program)
    for event_id, name, day, kind, program, city, country, topics, confirmed in UPCOMING:
        tables.events.append((event_id, name, day, kind, program, city, country, topics))
        for index, role in confirmed:
            tables.attendance.append((event_id, core[index].partner_id, role, 1))


def _attend(
    rng: np.random.Generator,
    partners: list[Partner],
    core: list[Partner],
    tables: Tables,
    event_id: str,
    day: dt.date,
    kind: str,
    program: str,
) -> None:
    def allowed(p: Partner) -> bool:
        return p.active(day) and not (program == NO_AFRICA_PROGRAM and p.iso3 in AFRICA)

    pool = [p for p in partners if p.membership == "Partner" and allowed(p) and not p.core]
    # Global South partners are drawn more often as the years pass (outreach working).
    south = 0.03 * 1.55 ** (day.year - 2017)
    weights = np.array([p.activity * (south if p.iso3 in GLOBAL_SOUTH else 1.0) for p in pool])
    low, high = EVENT_SIZE[kind]
    size = min(int(rng.integers(low, high + 1)) - len(core), len(pool))
    chosen = [pool[int(i)] for i in rng.choice(len(pool), size=size, replace=False,
                                                  p=weights / weights.sum())]
    guests: list[Partner] = []
    if day.year >= 2021 and kind in ("convening", "workshop"):
        invited = [p for p in partners if p.membership == "Guest" and allowed(p)]
        if invited:
            count = min(int(rng.integers(1, 5)), len(invited))
            guests = [invited[int(i)] for i in rng.choice(len(invited), size=count, replace=False)]
    room = core + chosen + guests
    organizer = core[int(rng.integers(len(core)))]
    speakers = {room[int(i)].partner_id for i in rng.choice(len(room), size=3, replace=False)}
    speakers |= {g.partner_id for g in guests}  # invited voices speak
    for p in room:
        if p is organizer:
            role = "organizer"
        elif p.partner_id in speakers:
            role = "speaker"
        else:
            role = "participant"
        attendees = 1
        if p.sector == "Industry" and kind != "webinar" and rng.random() < 0.25:
            attendees = int(rng.integers(2, 5))  # big companies send a delegation
        tables.attendance.append((event_id, p.partner_id, role, attendees))


#: Links per kind: (source sectors, target sectors, weights to draw from, share left open).
#: Companies fund research and civil society (weight = the grant's size band, 1 to 5);
#: universities run joint projects with the others; anyone collaborates, within a sector most.
LINK_KINDS: dict[str, tuple[int, tuple[str, ...], tuple[str, ...], tuple[int, ...], float]] = {
    "collaboration": (16, ("Industry", "Civil Society", "Academic", "Media"),
                      ("Industry", "Civil Society", "Academic", "Media"), (1, 2), 0.6),
    "grant": (10, ("Industry",), ("Academic", "Civil Society"), (1, 2, 3, 4, 5), 0.0),
    "joint project": (12, ("Academic",), ("Industry", "Civil Society", "Media"), (1, 2, 3), 0.0),
}
LINKS_FROM = dt.date(2018, 1, 1)


def make_links(rng: np.random.Generator, partners: list[Partner]
               ) -> list[tuple[str, str, str, dt.date, dt.date | None, int, str]]:
    """Direct links between Partners active on the link's first day; a pair holds at most one
    link of a kind, and shares the ``topic`` of the link where their focus areas meet."""
    members = [p for p in partners if p.membership == "Partner"]
    links: list[tuple[str, str, str, dt.date, dt.date | None, int, str]] = []
    seen: set[tuple[str, str, str]] = set()
    for kind, (count, sources, targets, weights, open_share) in LINK_KINDS.items():
        made = 0
        while made < count:
            a = _pick_partner(rng, [p for p in members if p.sector in sources])
            peers = (a.sector,) if kind == "collaboration" and rng.random() < 2 / 3 else targets
            b = _pick_partner(rng, [p for p in members if p.sector in peers and p is not a])
            pair = tuple(sorted((a.partner_id, b.partner_id)))
            start = max(d for d in (a.joined, b.joined, LINKS_FROM) if d is not None)
            end = min(d for d in (a.left, b.left, DATA_END) if d is not None)
            if (pair[0], pair[1], kind) in seen or start >= end:
                continue
            seen.add((pair[0], pair[1], kind))
            since = random_day(rng, start, end - dt.timedelta(days=1))
            until = (None if rng.random() < open_share
                     else add_years(since, int(rng.integers(1, 4))))
            shared = sorted(set(a.focus_areas) & set(b.focus_areas)) or list(a.focus_areas)
            topic = shared[int(rng.integers(len(shared)))]
            weight = int(weights[int(rng.integers(len(weights)))])
            links.append((a.partner_id, b.partner_id, kind, since, until, weight, topic))
            made += 1
    return links


def _pick_partner(rng: np.random.Generator, pool: list[Partner]) -> Partner:
    """One partner of ``pool``, the active ones (by attendance weight) more often."""
    weights = np.array([p.activity for p in pool])
    return pool[int(rng.choice(len(pool), p=weights / weights.sum()))]


def build(seed: int = SEED) -> Tables:
    rng = np.random.default_rng(seed)
    tables = Tables()
    tables.partners = make_partners(rng)
    tables.memberships = make_memberships(rng, tables.partners)
    make_events(rng, tables.partners, tables)
    # A stream of its own, so the tables above stay exactly as they were before links existed.
    tables.links = make_links(np.random.default_rng([seed, 1]), tables.partners)
    return tables


def write(tables: Tables, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    partners = sorted(tables.partners, key=lambda p: p.partner_id)
    _write_csv(
        out / "partners.csv",
        ("partner_id", "name", "sector", "country", "joined", "left", "membership",
         "focus_areas", "website"),
        [(p.partner_id, p.name, p.sector, p.country, iso(p.joined), iso(p.left), p.membership,
          ";".join(p.focus_areas),
          "" if p.membership == "Guest" else f"https://{p.partner_id}.example")
         for p in partners],
    )
    _write_csv(
        out / "committees.csv",
        ("committee_id", "name", "program", "kind"),
        sorted((c[0], c[1], c[2], c[3]) for c in COMMITTEES),
    )
    _write_csv(
        out / "memberships.csv",
        ("committee_id", "partner_id", "role", "since", "until"),
        [(c, p, r, iso(s), iso(u)) for c, p, r, s, u in sorted(tables.memberships,
                                                               key=lambda m: (m[0], m[1], m[3]))],
    )
    # The upcoming events are planned: never counted as held, whatever the as-of date.
    planned = {u[0] for u in UPCOMING}
    _write_csv(
        out / "events.csv",
        ("event_id", "name", "date", "kind", "program", "city", "country", "topics", "status"),
        [(e, n, iso(d), k, pr, c, co, ";".join(t), "planned" if e in planned else "held")
         for e, n, d, k, pr, c, co, t in sorted(tables.events, key=lambda e: (e[2], e[0]))],
    )
    _write_csv(
        out / "attendance.csv",
        ("event_id", "partner_id", "role", "attendees"),
        sorted((e, p, r, str(a)) for e, p, r, a in tables.attendance),
    )
    _write_csv(out / "targets.csv", ("dimension", "group", "min_share", "max_share"), TARGETS)
    _write_csv(
        out / "links.csv",
        ("source_id", "target_id", "kind", "since", "until", "weight", "topic"),
        [(a, b, k, iso(s), iso(u), str(w), t)
         for a, b, k, s, u, w, t in sorted(tables.links, key=lambda x: (x[3], x[0], x[1]))],
    )


def _write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    # Fixed newline and quoting so the bytes are the same on every platform.
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(header)
        writer.writerows(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument("--seed", type=int, default=SEED, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    write(build(args.seed), args.out)
    print(f"wrote the demo dataset to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
