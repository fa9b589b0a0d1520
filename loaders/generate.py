"""A realistic synthetic stakeholder network, for scale tests and benchmarks.

:func:`generate` writes a CSV folder in the dataset format (``partners``, ``committees``,
``memberships``, ``events``, ``attendance``, ``targets``, ``links``) with the shape of a large, real
network:

- **sectors** skewed towards Industry, with Civil Society, Academic, Media, Government and
  Affected Community behind it; a few per cent of ``Guest`` rows (mostly Affected Community and
  Government), who attend events but hold no committee seats;
- **countries** Zipf-distributed over the UN member states of ``country_converter``'s table
  (the G7 first, then the rest of the OECD, the G20, everyone else; shuffled within each tier by
  the seed), written as ISO3 codes;
- **joiners and leavers** over ten years (2016-01-01 to 2025-12-31): a founding cohort with an
  empty ``joined`` ("a partner since before the data starts"), more joiners each year as the
  network grows, about one in ten with ``left``;
- **committees** (about one per hundred partners, at least four) with programs and kinds, and
  seats held in consecutive terms (``since``/``until``), renewed one to three times before the
  seat passes to another partner active at that date;
- **events** (about one per ten partners) with kind, program, city, country and topics, whose
  sizes are lognormal (heavy right tail, mean about 90 attendees, webinars and conferences the
  largest; webinars are held ``Online`` with no country);
- **attendance** (about ten rows per partner): each partner has a Zipf activity weight, so a few
  attend hundreds of events and many attend none; attendees are drawn among the partners active
  on the event's date, in vectorised rounds of rejection sampling (never a per-event loop over
  the whole roster), at most one row per ``(event_id, partner_id)``, ``attendees`` mostly 1;
- **links** (about three for every four partners): direct collaborations, grants and joint
  projects between two partners active on the start date, drawn by activity (active partners
  have many links), two in three within one sector; grants and joint projects end after one to
  three years, most collaborations stay open; ``weight`` 1 to 3.

Every number comes from one ``numpy`` generator seeded once per table from ``seed``, and the files
are written with fixed formatting, so the same seed gives byte-identical files. Cost is linear in
``partners``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from core.errors import RequestError
from core.progress import Progress

#: First and last day of the generated history (fixed, so that output never depends on today).
START = np.datetime64("2016-01-01", "D")
END = np.datetime64("2025-12-31", "D")
_SPAN = int((END - START).astype(int)) + 1  # days in the window; day offsets are 0.._SPAN-1
_NEVER = np.iinfo(np.int64).max // 4  # "no left date": later than any day offset

SECTORS: tuple[str, ...] = (
    "Industry",
    "Civil Society",
    "Academic",
    "Media",
    "Government",
    "Affected Community",
)
#: Share of each sector among generated partners (skewed the way AI-governance networks are).
SECTOR_SHARES: tuple[float, ...] = (0.38, 0.24, 0.20, 0.07, 0.07, 0.04)
#: Probability that a partner of each sector is a Guest rather than a Partner (~3 % overall).
_GUEST_RATE: tuple[float, ...] = (0.005, 0.03, 0.03, 0.03, 0.06, 0.25)
#: Relative event activity of each sector (industry and academia send people most often).
_SECTOR_ACTIVITY: tuple[float, ...] = (1.3, 1.0, 1.1, 0.7, 0.8, 0.6)

PROGRAMS: tuple[str, ...] = (
    "AI & Media Integrity",
    "Labor & the Economy",
    "Safety-Critical AI",
    "Fairness, Transparency & Accountability",
    "Inclusive Research & Design",
    "Public Policy",
)
COMMITTEE_KINDS: tuple[str, ...] = ("Steering Committee", "Working Group", "Advisory Board",
                                    "Task Force")
_COMMITTEE_KIND_SHARES = (0.15, 0.5, 0.15, 0.2)
_COMMITTEE_SIZE = (9.0, 14.0, 11.0, 7.0)  # mean seats per kind
_TERM_DAYS = (730, 365, 1095, 365)  # one term per kind: 2 years, 1 year, 3 years, 1 year
MEMBERSHIP_ROLES: tuple[str, ...] = ("member", "observer", "vice-chair")
_MEMBERSHIP_ROLE_SHARES = (0.85, 0.1, 0.05)

EVENT_KINDS: tuple[str, ...] = ("Convening", "Workshop", "Webinar", "Roundtable", "Conference")
_EVENT_KIND_SHARES = (0.15, 0.3, 0.25, 0.2, 0.1)
_EVENT_KIND_SIZE = (1.2, 0.7, 1.6, 0.35, 2.5)  # relative size of each kind
#: Mean event size before duplicate draws are removed (about 85-95 remain per event).
_EVENT_MEAN_SIZE = 95.0
_EVENT_SIZE_SIGMA = 1.0  # lognormal sigma: the heavy right tail of event sizes
ONLINE = "Online"

TOPICS: tuple[str, ...] = (
    "Fairness",
    "Transparency",
    "Accountability",
    "Safety",
    "Privacy",
    "Labor",
    "Synthetic Media",
    "Foundation Models",
    "Public Policy",
    "Inclusion",
    "Climate",
    "Health",
)

#: Zipf exponents: partners' activity, countries of partners, countries hosting events.
_ACTIVITY_EXPONENT = 0.9
_COUNTRY_EXPONENT = 1.0
_HOST_EXPONENT = 1.3
_FOUNDER_SHARE = 0.05
_LEFT_SHARE = 0.10
_GROWTH = 0.8  # day = span * u**growth: < 1 puts more joiners and events in later years
_REJECTION_ROUNDS = 6
_TOP_UP_ROUNDS = 10

#: Syllables of the fictional names (organisations, cities): a name is a few of them.
_SYLLABLES: tuple[str, ...] = (
    "ka", "lo", "mi", "ra", "ven", "to", "sa", "nor", "el", "di", "qua", "ris", "an", "be",
    "cor", "del", "fi", "gan", "hal", "is", "jun", "ler", "mon", "nev", "or", "pel", "tar",
    "vin", "wes", "zel",
)
_NAME_TEMPLATES: dict[str, tuple[tuple[str, str], ...]] = {
    "Industry": (("", " Labs"), ("", " Technologies"), ("", " AI"), ("", " Systems")),
    "Civil Society": (("", " Foundation"), ("", " Alliance"), ("", " Initiative"),
                      ("", " Rights Network")),
    "Academic": (("University of ", ""), ("", " Institute of Technology"),
                 ("", " Research Institute")),
    "Media": (("", " News"), ("", " Media Group"), ("The ", " Times")),
    "Government": (("", " Data Protection Authority"), ("", " Office for AI"),
                   ("", " Digital Ministry")),
    "Affected Community": (("", " Workers Collective"), ("", " Community Council"),
                           ("", " Residents Union")),
}

LINK_KINDS: tuple[str, ...] = ("collaboration", "grant", "joint project")
_LINK_KIND_SHARES = (0.5, 0.2, 0.3)
_LINKS_PER_PARTNER = 0.75
_LINK_SAME_SECTOR = 2 / 3

# A new table is appended: SeedSequence children depend on their index only, so the streams
# (and files) of the tables before it stay byte-identical.
TABLE_ORDER: tuple[str, ...] = (
    "partners", "committees", "memberships", "events", "attendance", "targets", "links",
)
_STREAMS = ("countries", *TABLE_ORDER)
_TARGETS = pd.DataFrame(
    {
        "dimension": ["region", "region", "region", "region", "sector", "sector", "sector",
                      "sector"],
        "group": ["Africa", "Americas", "Asia", "Europe", "Academic", "Affected Community",
                  "Civil Society", "Industry"],
        "min_share": ["0.10", "0.00", "0.15", "0.10", "0.15", "0.05", "0.25", "0.00"],
        "max_share": ["", "0.50", "", "", "", "", "", "0.50"],
    }
)


@dataclass(frozen=True)
class GenerateSummary:
    """What :func:`generate` wrote: rows per table, the seed, where and how long it took."""

    out_dir: str
    partners: int
    seed: int
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "out_dir": self.out_dir,
            "partners": self.partners,
            "seed": self.seed,
            "rows": dict(self.rows),
            "seconds": round(self.seconds, 3),
        }


def generate(
    out_dir: Path,
    *,
    partners: int,
    seed: int = 0,
    progress: Progress | None = None,
) -> GenerateSummary:
    """Write a realistic synthetic dataset of ``partners`` partners as a CSV folder.

    Parameters
    ----------
    out_dir : Path
        Folder to write ``partners.csv`` ... ``links.csv`` into; created if missing, and those
        seven files are overwritten.
    partners : int
        Number of partner rows (>= 1). Events ~ partners / 10, committees ~ partners / 100 (at
        least 4), attendance ~ 10 rows per partner, links ~ 3 per 4 partners.
    seed : int, default 0
        Non-negative seed: the same seed gives byte-identical files.
    progress : callable, optional
        ``progress(table, done, total)`` after each table is written.

    Returns
    -------
    GenerateSummary
        Rows written per table, the seed and the seconds taken.

    Raises
    ------
    ValueError
        If ``partners`` < 1, ``seed`` is not a non-negative integer, or ``out_dir`` is a file.
    RequestError
        If ``out_dir`` cannot be created or written (permissions, a full disk).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     summary = generate(Path(tmp), partners=300, seed=1)
    >>> summary.rows["partners"], summary.rows["events"], summary.rows["committees"]
    (300, 30, 4)
    """
    if isinstance(partners, bool) or not isinstance(partners, (int, np.integer)):
        raise ValueError(f"partners must be an integer >= 1, got {partners!r}")
    if partners < 1:
        raise ValueError(f"partners must be >= 1, got {partners}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ValueError(f"out_dir must be a folder, got the file {str(out)!r}")
    started = time.perf_counter()
    try:
        return _generate(out, int(partners), int(seed), progress, started)
    except OSError as exc:
        raise RequestError(f"cannot write the dataset to {str(out)!r}: {exc.strerror or exc}") from exc


def _generate(out: Path, n: int, seed: int, progress: Progress | None,
              started: float) -> GenerateSummary:
    out.mkdir(parents=True, exist_ok=True)
    # One independent stream per table: changing how one table is drawn leaves the others alone.
    rngs = dict(zip(_STREAMS, (np.random.default_rng(s) for s in
                               np.random.SeedSequence(seed).spawn(len(_STREAMS))),
                    strict=True))
    countries = _countries(rngs["countries"])
    rows: dict[str, int] = {}

    def write(table: str, frame: pd.DataFrame) -> None:
        frame.to_csv(out / f"{table}.csv", index=False, encoding="utf-8", lineterminator="\n")
        rows[table] = len(frame)
        if progress is not None:
            progress(table, len(rows), len(TABLE_ORDER))

    people = _partners(rngs["partners"], n, countries)
    write("partners", people.frame)
    committees, seats = _committees(rngs["committees"], n)
    write("committees", committees)
    write("memberships", _memberships(rngs["memberships"], people, committees, seats))
    events, sizes, event_day = _events(rngs["events"], n, countries, people)
    write("events", events)
    write("attendance", _attendance(rngs["attendance"], people, events, sizes, event_day))
    write("targets", _TARGETS)
    write("links", _links(rngs["links"], people))
    return GenerateSummary(out_dir=str(out), partners=n, seed=seed, rows=rows,
                           seconds=time.perf_counter() - started)


# --- countries ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Countries:
    iso3: np.ndarray
    rank: np.ndarray  # 1 = the country most partners and events are in


def _countries(rng: np.random.Generator) -> _Countries:
    """UN member states from country_converter's own table, ranked for Zipf draws.

    The G7 come first, then the rest of the OECD, the rest of the G20, then everyone else; the
    seed shuffles the order within each tier. Partners and event hosts share one ranking, so
    events happen where partners are.
    """
    import country_converter as coco  # slow-ish import; only the generator and loaders need it

    data = coco.CountryConverter().data
    members = data[data["UNmember"].notna()].sort_values("ISO3", kind="stable")
    tier = np.select(
        [members["G7"].notna(), members["OECD"].notna(), members["G20"].notna()],
        [0, 1, 2],
        default=3,
    )
    order = np.lexsort((rng.random(len(tier)), tier))
    rank = np.empty(len(tier), dtype=np.int64)
    rank[order] = np.arange(1, len(tier) + 1)
    return _Countries(iso3=members["ISO3"].to_numpy(dtype=object), rank=rank)


def _country_weights(countries: _Countries, exponent: float) -> np.ndarray:
    weights: np.ndarray = 1.0 / countries.rank.astype(float) ** exponent
    total = float(weights.sum())
    return weights / total


# --- names -------------------------------------------------------------------------------------


def _stems(rng: np.random.Generator, count: int, *, min_syllables: int = 2) -> np.ndarray:
    """``count`` distinct, capitalised fictional words made of syllables."""
    base = len(_SYLLABLES)
    length = min_syllables
    while base**length < count:
        length += 1
    codes = rng.choice(base**length, size=count, replace=False)
    syllables = np.array(_SYLLABLES)
    words = np.full(count, "", dtype=object)
    for _ in range(length):
        words = words + syllables[codes % base].astype(object)
        codes //= base
    return np.array([w.capitalize() for w in words], dtype=object)


# --- partners ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _People:
    frame: pd.DataFrame
    joined: np.ndarray  # day offset; -1 for the founders (empty joined)
    left: np.ndarray  # day offset; _NEVER when still a partner
    activity: np.ndarray  # event attendance weight
    seat_weight: np.ndarray  # committee seat weight (0 for Guests)


def _partners(rng: np.random.Generator, n: int, countries: _Countries) -> _People:
    sector = rng.choice(len(SECTORS), size=n, p=np.array(SECTOR_SHARES))
    country = rng.choice(len(countries.iso3), size=n,
                         p=_country_weights(countries, _COUNTRY_EXPONENT))
    founder = rng.random(n) < _FOUNDER_SHARE
    joined = np.where(founder, -1, (_SPAN * rng.random(n) ** _GROWTH).astype(np.int64))
    # Leavers stay at least a month; those who joined in the last month cannot have left yet.
    start = np.maximum(joined, 0)
    room = _SPAN - 30 - start
    leaves = (rng.random(n) < _LEFT_SHARE) & (room > 0)
    left = np.where(leaves, start + 30 + (rng.random(n) * np.maximum(room, 0)).astype(np.int64),
                    _NEVER)
    guest = rng.random(n) < np.array(_GUEST_RATE)[sector]
    # Zipf activity over a random ranking: a few partners attend very many events.
    rank = rng.permutation(n) + 1
    activity = rank ** -_ACTIVITY_EXPONENT * np.array(_SECTOR_ACTIVITY)[sector]
    activity = np.where(guest, activity * 0.3, activity)
    # Seats spread more evenly than attendance, and only Partners hold them.
    seat_weight = np.where(guest, 0.0, np.sqrt(activity))

    stems = _stems(rng, n)
    names = np.empty(n, dtype=object)
    for s, label in enumerate(SECTORS):
        rows = np.flatnonzero(sector == s)
        templates = _NAME_TEMPLATES[label]
        pick = rng.integers(0, len(templates), size=len(rows))
        prefix = np.array([t[0] for t in templates], dtype=object)[pick]
        suffix = np.array([t[1] for t in templates], dtype=object)[pick]
        names[rows] = prefix + stems[rows] + suffix
    width = max(5, len(str(n)))
    frame = pd.DataFrame(
        {
            "partner_id": [f"P{i:0{width}d}" for i in range(1, n + 1)],
            "name": names,
            "sector": np.array(SECTORS, dtype=object)[sector],
            "country": countries.iso3[country],
            "joined": _dates(joined),
            "left": _dates(left),
            "membership": np.where(guest, "Guest", "Partner"),
            "focus_areas": _topic_lists(rng, n),
        }
    )
    return _People(frame=frame, joined=joined, left=left, activity=activity,
                   seat_weight=seat_weight)


def _dates(days: np.ndarray) -> np.ndarray:
    """Day offsets as ``YYYY-MM-DD``; negative (before the data) or _NEVER as an empty cell."""
    known = (days >= 0) & (days < _NEVER)
    text = np.datetime_as_string(START + np.where(known, days, 0).astype("timedelta64[D]"),
                                 unit="D")
    return np.where(known, text, "").astype(object)


def _topic_lists(rng: np.random.Generator, count: int) -> np.ndarray:
    """``count`` cells of one to three distinct topics joined by ``;``."""
    k = len(TOPICS)
    picks = np.argsort(rng.random((count, k)), axis=1)[:, :3]
    sizes = rng.choice([1, 2, 3], size=count, p=[0.4, 0.4, 0.2])
    labels = np.array(TOPICS, dtype=object)
    cells = labels[picks[:, 0]]
    for j in (1, 2):
        cells = np.where(sizes > j, cells + ";" + labels[picks[:, j]], cells)
    return cells


# --- drawing partners active on a date ---------------------------------------------------------


class _Pool:
    """Weighted draws among the partners active on given days, without a per-day loop.

    Partners are sorted by joined date with the cumulative weight alongside, so "joined on or
    before day d" is a prefix found by binary search and a weighted draw from it is one more
    binary search. Partners who had already left are rejected and redrawn in a few rounds.
    """

    def __init__(self, joined: np.ndarray, left: np.ndarray, weight: np.ndarray):
        self.order = np.argsort(joined, kind="stable")
        self.joined_sorted = joined[self.order]
        self.cumulative = np.cumsum(weight[self.order])
        self.left = left

    def size_on(self, days: np.ndarray) -> np.ndarray:
        """How many partners had joined by each day (an upper bound on who is active)."""
        return np.searchsorted(self.joined_sorted, days, side="right")

    def draw(self, rng: np.random.Generator, days: np.ndarray) -> np.ndarray:
        """One partner index per day, active on it; -1 where none was found."""
        days = np.asarray(days, dtype=np.int64)
        prefix = self.size_on(days)
        out = np.full(len(days), -1, dtype=np.int64)
        todo = np.flatnonzero(prefix > 0)
        todo = todo[self.cumulative[prefix[todo] - 1] > 0]
        for _ in range(_REJECTION_ROUNDS):
            if not len(todo):
                break
            limit = prefix[todo]
            u = rng.random(len(todo)) * self.cumulative[limit - 1]
            pos = np.minimum(np.searchsorted(self.cumulative, u, side="right"), limit - 1)
            chosen = self.order[pos]
            ok = self.left[chosen] > days[todo]
            out[todo[ok]] = chosen[ok]
            todo = todo[~ok]
        return out


# --- committees and memberships ----------------------------------------------------------------


def _committees(rng: np.random.Generator, n: int) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    count = max(4, round(n / 100))
    kind = rng.choice(len(COMMITTEE_KINDS), size=count, p=np.array(_COMMITTEE_KIND_SHARES))
    program = rng.integers(0, len(PROGRAMS), size=count)
    # About a third exist from the start; the others are set up during the first seven years.
    created = np.where(rng.random(count) < 0.3, 0,
                       (rng.random(count) * 0.7 * _SPAN).astype(np.int64))
    seats = np.maximum(
        2, np.rint(rng.lognormal(np.log(np.array(_COMMITTEE_SIZE)[kind]) - 0.08, 0.4))
    ).astype(np.int64)
    base = pd.Series(np.array(PROGRAMS, dtype=object)[program]) + " " + pd.Series(
        np.array(COMMITTEE_KINDS, dtype=object)[kind]
    )
    # Several committees of one program and kind get numbered names, as real ones do.
    number = base.groupby(base).cumcount() + 1
    repeated = base.map(base.value_counts()) > 1
    names = np.where(repeated, base + " " + number.astype(str), base)
    width = max(4, len(str(count)))
    frame = pd.DataFrame(
        {
            "committee_id": [f"C{i:0{width}d}" for i in range(1, count + 1)],
            "name": names,
            "program": np.array(PROGRAMS, dtype=object)[program],
            "kind": np.array(COMMITTEE_KINDS, dtype=object)[kind],
        }
    )
    return frame, {"kind": kind, "created": created, "seats": seats}


def _memberships(rng: np.random.Generator, people: _People, committees: pd.DataFrame,
                 info: dict[str, np.ndarray]) -> pd.DataFrame:
    """Seats held in consecutive terms, each seat passing from holder to holder over time."""
    pool = _Pool(people.joined, people.left, people.seat_weight)
    seat_committee = np.repeat(np.arange(len(committees)), info["seats"])
    # The first seat of every committee is its chair's.
    first = np.r_[True, seat_committee[1:] != seat_committee[:-1]]
    seat_role = np.where(first, "chair", np.array(MEMBERSHIP_ROLES, dtype=object)[
        rng.choice(len(MEMBERSHIP_ROLES), size=len(seat_committee),
                   p=np.array(_MEMBERSHIP_ROLE_SHARES))]).astype(object)
    term = np.array(_TERM_DAYS)[info["kind"]][seat_committee]
    t = info["created"][seat_committee].astype(np.int64)
    parts: list[tuple[np.ndarray, ...]] = []
    seat = np.arange(len(seat_committee))
    # Each round seats every live seat once; a holder serves >= 1 term (>= a year), or leaves
    # the network (>= 30 days in), so the loop ends after at most a few dozen rounds.
    while len(seat):
        holder = pool.draw(rng, t[seat])
        found = holder >= 0
        s, h = seat[found], holder[found]
        start = t[s]
        terms = rng.integers(1, 4, size=len(s))
        left = people.left[h]
        row_seat = np.repeat(s, terms)
        row_holder = np.repeat(h, terms)
        within = np.arange(len(row_seat)) - np.repeat(np.cumsum(terms) - terms, terms)
        since = np.repeat(start, terms) + within * term[row_seat]
        row_left = np.repeat(left, terms)
        until = np.minimum(since + term[row_seat], row_left)
        keep = (since < row_left) & (since < _SPAN)
        # A term still running at the end of the data is open (empty until).
        until = np.where(until >= _SPAN, _NEVER, until)
        parts.append((row_seat[keep], row_holder[keep], since[keep], until[keep]))
        ended = np.minimum(start + terms * term[s], left)
        # Vacancies last up to three months; a seat nobody could fill waits half a year.
        t[s] = ended + rng.integers(0, 91, size=len(s))
        t[seat[~found]] += 180
        seat = seat[t[seat] < _SPAN]
    row_seat, row_holder, since, until = (np.concatenate(p) for p in zip(*parts, strict=True))
    frame = pd.DataFrame(
        {
            "committee": seat_committee[row_seat],
            "holder": row_holder,
            "since_day": since,
            "committee_id": committees["committee_id"].to_numpy(dtype=object)[
                seat_committee[row_seat]],
            "partner_id": people.frame["partner_id"].to_numpy(dtype=object)[row_holder],
            "role": seat_role[row_seat],
            "since": _dates(since),
            "until": _dates(until),
        }
    )
    # One partner drawn for two seats of one committee on one day keeps the first (the key).
    frame = frame.sort_values(["committee", "holder", "since_day"], kind="stable")
    frame = frame.drop_duplicates(["committee", "holder", "since_day"])
    return frame[["committee_id", "partner_id", "role", "since", "until"]].reset_index(drop=True)


# --- events and attendance ---------------------------------------------------------------------


def _events(rng: np.random.Generator, n: int, countries: _Countries,
            people: _People) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    count = max(1, round(n / 10))
    day = np.sort((_SPAN * rng.random(count) ** _GROWTH).astype(np.int64))
    kind = rng.choice(len(EVENT_KINDS), size=count, p=np.array(_EVENT_KIND_SHARES))
    program = rng.integers(0, len(PROGRAMS), size=count)
    relative = np.array(_EVENT_KIND_SIZE) / np.dot(_EVENT_KIND_SHARES, _EVENT_KIND_SIZE)
    mean = _EVENT_MEAN_SIZE * relative[kind]
    size = np.rint(rng.lognormal(np.log(mean) - _EVENT_SIZE_SIGMA**2 / 2, _EVENT_SIZE_SIGMA))
    # Nobody can attend before joining: an early event is capped by the roster of its day.
    pool_size = np.searchsorted(np.sort(people.joined), day, side="right")
    size = np.minimum(np.maximum(size, 2), pool_size).astype(np.int64)
    host = rng.choice(len(countries.iso3), size=count,
                      p=_country_weights(countries, _HOST_EXPONENT))
    # Each host country has three fictional cities, the first the busiest.
    cities = _stems(rng, 3 * len(countries.iso3))
    city = cities[3 * host + rng.choice(3, size=count, p=[0.6, 0.3, 0.1])]
    online = kind == EVENT_KINDS.index("Webinar")
    kinds = np.array(EVENT_KINDS, dtype=object)[kind]
    programs = np.array(PROGRAMS, dtype=object)[program]
    dates = _dates(day)
    width = max(5, len(str(count)))
    frame = pd.DataFrame(
        {
            "event_id": [f"E{i:0{width}d}" for i in range(1, count + 1)],
            "name": programs + " " + kinds + " " + pd.Series(dates).str[:4].to_numpy(),
            "date": dates,
            "kind": kinds,
            "program": programs,
            "city": np.where(online, ONLINE, city),
            "country": np.where(online, "", countries.iso3[host]),
            "topics": _topic_lists(rng, count),
        }
    )
    return frame, size, day


def _attendance(rng: np.random.Generator, people: _People, events: pd.DataFrame,
                size: np.ndarray, day: np.ndarray) -> pd.DataFrame:
    pool = _Pool(people.joined, people.left, people.activity)
    n = len(people.joined)
    # A heavy partner drawn twice for one event attends once: keep unique (event, partner) keys
    # (sorted, so rows come by event, then partner) and draw again for the seats still
    # empty, a few rounds, so that events keep their sizes even where a few partners dominate.
    key = np.empty(0, dtype=np.int64)
    need = size
    for _ in range(_TOP_UP_ROUNDS):
        slot_event = np.repeat(np.arange(len(events)), need)
        if not len(slot_event):
            break
        holder = pool.draw(rng, day[slot_event])
        found = holder >= 0
        key = _sorted_unique(np.concatenate([key, slot_event[found] * n + holder[found]]))
        need = np.maximum(size - np.bincount(key // n, minlength=len(events)), 0)
    event, partner = key // n, key % n
    count = len(key)
    # One organizer per event (a random attendee), a few speakers, the rest participants. The
    # rows are sorted by event, so each event's rows are one run: pick an offset into each run.
    per_event = np.bincount(event, minlength=len(events))
    run_start = np.cumsum(per_event) - per_event
    offset = (rng.random(len(events)) * per_event).astype(np.int64)
    code = (rng.random(count) < 0.08).astype(np.int64)  # 1 = speaker
    code[(run_start + offset)[per_event > 0]] = 2
    role = np.array(["participant", "speaker", "organizer"], dtype=object)[code]
    attendees = np.minimum(rng.geometric(0.8, size=count), 12)
    return pd.DataFrame(
        {
            "event_id": events["event_id"].to_numpy(dtype=object)[event],
            "partner_id": people.frame["partner_id"].to_numpy(dtype=object)[partner],
            "role": role,
            "attendees": attendees,
        }
    )


def _links(rng: np.random.Generator, people: _People) -> pd.DataFrame:
    """Direct links between two partners active on the start day, drawn by activity."""
    n = len(people.joined)
    count = round(n * _LINKS_PER_PARTNER)
    day = (_SPAN * rng.random(count) ** _GROWTH).astype(np.int64)
    pool = _Pool(people.joined, people.left, people.activity)
    source = pool.draw(rng, day)
    target = pool.draw(rng, day)
    # Most links stay within a sector: redraw the target among the source's sector peers.
    sector = people.frame["sector"].to_numpy(dtype=object)
    same = rng.random(count) < _LINK_SAME_SECTOR
    for label in SECTORS:
        members = sector == label
        peers = _Pool(people.joined, people.left, np.where(members, people.activity, 0.0))
        redraw = np.flatnonzero(same & (source >= 0) & members[np.maximum(source, 0)])
        found = peers.draw(rng, day[redraw])
        target[redraw[found >= 0]] = found[found >= 0]
    kind = rng.choice(len(LINK_KINDS), size=count, p=np.array(_LINK_KIND_SHARES))
    length = (365 * (1 + 2 * rng.random(count))).astype(np.int64)
    open_ended = (kind == 0) & (rng.random(count) < 0.7)
    until = np.where(open_ended, _NEVER, day + length)
    until = np.where(until >= _SPAN, _NEVER, until)
    keep = (source >= 0) & (target >= 0) & (source != target)
    ids = people.frame["partner_id"].to_numpy(dtype=object)
    frame = pd.DataFrame({
        "source_id": ids[source[keep]],
        "target_id": ids[target[keep]],
        "kind": np.array(LINK_KINDS, dtype=object)[kind[keep]],
        "since": _dates(day[keep]),
        "until": _dates(until[keep]),
        "weight": rng.integers(1, 4, size=count)[keep],
    })
    frame = frame.drop_duplicates(["source_id", "target_id", "kind", "since"])
    return frame.sort_values(["since", "source_id", "target_id"], kind="stable").reset_index(
        drop=True)


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    # np.unique hashes first on NumPy 2.x, several times slower than one sort on int keys.
    ordered = np.sort(values)
    if not len(ordered):
        return ordered
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]]
