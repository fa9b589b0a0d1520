"""The two bundled datasets: shape, integrity, the planted gaps and the demo's reproducibility.

The checks read the CSVs with plain pandas and resolve countries with country_converter directly,
so they do not rely on the loaders they are meant to feed; the last tests then load both datasets
with ``loaders.read_dataset`` and compare the scorecard with ``analysis.scorecard``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import logging
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from core.errors import RequestError
from stakeholder_graph.datasets import BUNDLED, bundled_path

ROOT = Path(__file__).resolve().parent.parent
TABLES = ("partners", "committees", "memberships", "events", "attendance", "targets", "links")
PROGRAMS = {
    "Governance",
    "Synthetic Media",
    "Labor and the Economy",
    "Safety-Critical AI",
    "Fairness and Inclusion",
}
AS_OF = pd.Timestamp("2026-12-01")  # the date of the README's scorecard
DATE = re.compile(r"\d{4}-\d{2}(-\d{2})?")


@functools.cache
def tables(name: str) -> dict[str, pd.DataFrame]:
    folder = bundled_path(name)
    out = {}
    for table in TABLES:
        path = folder / f"{table}.csv"
        if path.exists():
            out[table] = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    return out


@functools.cache
def countries(spellings: tuple[str, ...]) -> pd.DataFrame:
    """ISO3, M49 region, sub-region and the default Global South flag of each spelling."""
    logging.getLogger("country_converter").setLevel(logging.CRITICAL)
    import country_converter as coco

    cc = coco.CountryConverter()
    names = list(spellings)

    def convert(to: str) -> list[str]:
        got = cc.convert(names, to=to, not_found="not found")
        return list(got) if isinstance(got, list) else [got]

    frame = pd.DataFrame(
        {"iso3": convert("ISO3"), "continent": convert("continent"), "sub": convert("UNregion")},
        index=names,
    )
    # country_converter's continent says "America"; the UN M49 region is "Americas".
    frame["region"] = frame["continent"].replace({"America": "Americas"})
    # The UN M49 developed regions are the Global North; everything else is the Global South.
    north = (
        frame["region"].eq("Europe")
        | frame["sub"].isin(["Northern America", "Australia and New Zealand"])
        | frame["iso3"].eq("JPN")
    )
    frame["global_south"] = ~north
    return frame


def partners_with_places(name: str) -> pd.DataFrame:
    p = tables(name)["partners"].copy()
    places = countries(tuple(sorted(set(p["country"]) - {""})))
    unknown = {"iso3": "", "region": "", "sub": "", "global_south": False}  # country left empty
    for col in ("iso3", "region", "sub", "global_south"):
        p[col] = p["country"].map(places[col]).where(p["country"] != "", unknown[col])
    p["joined_d"] = pd.to_datetime(p["joined"].replace("", None), format="ISO8601")
    p["left_d"] = pd.to_datetime(p["left"].replace("", None), format="ISO8601")
    return p


def active_on(p: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    """Rows active on ``day``: ``joined <= day < left``, empty ends open."""
    started = p["joined_d"].isna() | (p["joined_d"] <= day)
    return p[started & (p["left_d"].isna() | (day < p["left_d"]))]


def partners_only(p: pd.DataFrame) -> pd.DataFrame:
    membership = p["membership"] if "membership" in p.columns else pd.Series("", index=p.index)
    return p[membership.replace("", "Partner").eq("Partner")]


def demo_frames() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    t = tables("demo")
    p = partners_with_places("demo")
    events = t["events"].assign(day=lambda e: pd.to_datetime(e["date"]))
    rooms = t["attendance"].merge(p, on="partner_id").merge(
        events[["event_id", "day", "program"]], on="event_id"
    )
    seats = t["memberships"].assign(
        since_d=lambda m: pd.to_datetime(m["since"]),
        until_d=lambda m: pd.to_datetime(m["until"].replace("", None)),
    )
    return p, events, rooms, seats


# --- both datasets ---------------------------------------------------------------------------


def test_bundled_names_and_paths():
    assert BUNDLED == ("demo", "pai")
    for name in BUNDLED:
        folder = bundled_path(name)
        assert folder.is_dir() and folder.name == name
        assert (folder / "partners.csv").is_file()
        assert (folder / "README.md").is_file()


def test_unknown_bundled_name_lists_the_known_ones():
    with pytest.raises(RequestError) as caught:
        bundled_path("nope")
    assert "nope" in str(caught.value)
    assert "demo" in str(caught.value) and "pai" in str(caught.value)


@pytest.mark.parametrize("name", BUNDLED)
def test_ids_unique_and_every_reference_resolves(name):
    t = tables(name)
    partners = set(t["partners"]["partner_id"])
    assert t["partners"]["partner_id"].is_unique
    assert t["committees"]["committee_id"].is_unique
    assert t["events"]["event_id"].is_unique
    m = t["memberships"]
    assert set(m["committee_id"]) <= set(t["committees"]["committee_id"])
    assert set(m["partner_id"]) <= partners
    key = [c for c in ("committee_id", "partner_id", "since") if c in m.columns]
    assert not m.duplicated(key).any()
    if "attendance" in t:
        a = t["attendance"]
        assert set(a["event_id"]) <= set(t["events"]["event_id"])
        assert set(a["partner_id"]) <= partners
        assert not a.duplicated(["event_id", "partner_id"]).any()
        if "attendees" in a.columns:  # optional: PAI's sources name who came, not how many
            assert a["attendees"].astype(int).min() >= 1


@pytest.mark.parametrize("name", BUNDLED)
def test_dates_are_iso_and_intervals_are_ordered(name):
    t = tables(name)
    for table, cols in {
        "partners": ("joined", "left"),
        "memberships": ("since", "until"),
        "events": ("date",),
    }.items():
        for col in cols:
            values = t[table].get(col, pd.Series(dtype=str))
            bad = [v for v in values if v and not DATE.fullmatch(v)]
            assert bad == [], f"{table}.{col}: {bad}"
    p = partners_with_places(name)
    ended = p[p["left_d"].notna() & p["joined_d"].notna()]
    assert (ended["left_d"] > ended["joined_d"]).all()
    if "until" in t["memberships"].columns:
        m = t["memberships"]
        closed = m[m["until"] != ""]
        assert (pd.to_datetime(closed["until"]) > pd.to_datetime(closed["since"])).all()


@pytest.mark.parametrize("name", BUNDLED)
def test_every_country_resolves_with_country_converter(name):
    t = tables(name)
    spellings = (set(t["partners"]["country"]) | set(t["events"]["country"])) - {""}
    # Only the one PAI partner whose country no source gives is left empty (see its README).
    no_country = set(t["partners"].loc[t["partners"]["country"] == "", "partner_id"])
    assert no_country == ({"alliance-for-africas-intelligence"} if name == "pai" else set())
    places = countries(tuple(sorted(spellings)))
    unresolved = places.index[places["iso3"].eq("not found")].tolist()
    assert unresolved == []


# --- the PAI roster --------------------------------------------------------------------------


def test_pai_keeps_a_source_for_every_row():
    t = tables("pai")
    for table in ("partners", "committees", "memberships", "events"):
        sources = t[table]["source"]
        assert sources.str.match(r"https?://").all(), table


def test_pai_figures_match_its_readme():
    p = partners_with_places("pai")
    assert len(p) == 97
    assert p["sector"].value_counts().to_dict() == {
        "Civil Society": 44, "Industry": 27, "Academic": 21, "Media": 5,
    }
    assert p.loc[p["iso3"] != "", "iso3"].nunique() == 18
    assert (p["joined"] == "").sum() == 19
    # Five of them have a dated first evidence instead; fourteen have no date at all.
    assert ((p["joined"] == "") & (p["first_seen"] == "")).sum() == 14
    assert sorted(p.loc[p["left"] != "", "partner_id"]) == ["access-now", "baidu"]
    assert (p.loc[p["left"] != "", "left_source"].str.match(r"https?://")).all()
    assert int(p["global_south"].sum()) == 9
    assert p.loc[p["partner_id"] == "alliance-for-africas-intelligence", "iso3"].tolist() == [""]
    t = tables("pai")
    assert len(t["events"]) == 7 and len(t["attendance"]) == 7
    assert (t["memberships"]["since"] != "").sum() == 14


@dataclasses.dataclass(frozen=True)
class Published:
    """One total PAI (or a report quoting PAI) published, and where."""

    day: str
    partners: int
    countries: int | None
    source: str
    sector: str | None = None  # the figure counts only this sector (for-profit = Industry)


PUBLISHED = (
    Published("2017-10-24", 53, None, "xconomy.com 2017-10-24: 21 new joining 32 existing"),
    Published("2019-09-24", 100, 12, "partnershiponai.org/new-partners-to-bolster-perspective…"),
    Published("2020-06-30", 23, None, "wired.com 2020-06-18: its 23 for-profit members", "Industry"),
    Published("2023-12-31", 114, 18, "partnershiponai.org/pai-welcomes-new-global-partners/"),
    Published("2024-06-30", 126, 16, "en.wikipedia.org/wiki/Partnership_on_AI (2024 figure)"),
)


#: From this day on every undated row's source had been published (see the README).
ALL_SOURCES_OUT = pd.Timestamp("2023-12-31")


def pai_counts(day: pd.Timestamp, sector: str | None) -> tuple[int, int, int]:
    """Partners known active on ``day``, those with no date at all, and their countries.

    A partner is known active when its ``joined`` (or, lacking it, its ``first_seen``: the
    date of the first source naming it a Partner) is on or before ``day`` and it had not left.
    Countries are those of the known Partners, and from :data:`ALL_SOURCES_OUT` on also of the
    undated ones (before that, an undated 2023 joiner would add Brazil to 2019).
    """
    p = partners_only(partners_with_places("pai"))
    if sector is not None:
        p = p[p["sector"] == sector]
    first_seen = pd.to_datetime(p["first_seen"].replace("", None), format="ISO8601")
    start = p["joined_d"].fillna(first_seen)
    present = p["left_d"].isna() | (day < p["left_d"])
    known = present & (start <= day)
    undated = present & start.isna()
    counted = known | undated if day >= ALL_SOURCES_OUT else known
    countries = p.loc[counted & (p["iso3"] != ""), "iso3"].nunique()
    return int(known.sum()), int(undated.sum()), int(countries)


def test_pai_counts_beside_the_published_totals():
    """The bundled roster at the dates PAI's totals were published, beside those totals.

    Published figures and their sources:

    - 2017-10-24, 53 Partners: "21 new members, joining 32 existing ones", Xconomy,
      https://xconomy.com/seattle/2017/10/24/partnership-on-ai-taps-obama-administration-tech-adviser-as-director/
    - 2019-09-24, 100 Partners in 12 countries: PAI, "New Partners To Bolster Perspective For
      Responsible AI", https://www.partnershiponai.org/new-partners-to-bolster-perspective-for-responsible-ai/
    - June 2020, 23 for-profit Partners: Wired, 2020-06-18, "Baidu Breaks Off an AI Alliance
      Amid Strained US-China Ties", https://www.wired.com/story/baidu-breaks-ai-alliance-strained-us-china-ties/
    - late 2023, 114 Partners in 18 countries: PAI, "Partnership on AI Welcomes Five New Partner
      Organizations, Expanding Global Reach", https://partnershiponai.org/pai-welcomes-new-global-partners/
    - 2024, 126 Partners in 16 countries: Wikipedia, "Partnership on AI",
      https://en.wikipedia.org/wiki/Partnership_on_AI

    The roster is incomplete (its README lists the gaps), so the bounds are one-sided: it may
    never document more Partners than PAI published, and it must keep documenting most of them.
    """
    print()
    print(f"{'date':<11} {'published':>9} {'known':>5} {'undated':>7} {'countries (pub.)':>16}")
    for pub in PUBLISHED:
        day = pd.Timestamp(pub.day)
        known, undated, countries = pai_counts(day, pub.sector)
        label = f"{pub.partners}" + (f" {pub.sector}" if pub.sector else "")
        published_countries = "?" if pub.countries is None else str(pub.countries)
        print(
            f"{pub.day:<11} {label:>9} {known:>5} {undated:>7} "
            f"{countries:>7} ({published_countries:>2})   {pub.source}"
        )
        # Known-dated Partners never outnumber PAI's own total: a wrong date or a padded row
        # would.
        assert known <= pub.partners, pub
        if day >= ALL_SOURCES_OUT:
            # Every undated row's source was out by then, so they count too, and the roster
            # must still not exceed PAI's total...
            assert known + undated <= pub.partners, pub
            # ...while covering at least three quarters of it (fewer means rows were lost).
            assert known + undated >= 0.75 * pub.partners, pub
        if pub.countries is not None:
            # ISO 3166 counts Hong Kong apart from China, and PAI's own country counts vary
            # (12 on 2019-09-24, 13 in its 2019 annual report): close, not equal.
            assert abs(countries - pub.countries) <= 2, pub
    # The for-profit total of June 2020 is matched by the dated Industry Partners.
    known_industry, _, _ = pai_counts(pd.Timestamp("2020-06-30"), "Industry")
    assert 20 <= known_industry <= 23


# --- the demo --------------------------------------------------------------------------------


def test_demo_partners_today():
    p = partners_with_places("demo")
    today = active_on(partners_only(p), pd.Timestamp(dt.date.today()))
    assert 100 <= len(today) <= 140
    assert len(today) == 119  # the README's figure (nothing changes after 2026-10-31)
    sectors = today["sector"].value_counts()
    assert set(sectors.index) == {"Industry", "Civil Society", "Academic", "Media"}
    # Skewed: Industry and Civil Society large, Media small.
    assert sectors.idxmin() == "Media"
    assert min(sectors["Industry"], sectors["Civil Society"]) > sectors["Academic"]
    assert p["left"].ne("").sum() >= 5 and p["joined"].eq("").sum() >= 5
    assert p["focus_areas"].str.contains(";").any()


def test_demo_is_frozen_after_october_2026():
    """Nothing changes after the data ends, so "today" and the 2026 scorecard stay put."""
    p, _, _, seats = demo_frames()
    end = pd.Timestamp("2026-10-31")
    assert (p["joined_d"].dropna() <= end).all() and (p["left_d"].dropna() <= end).all()
    assert (seats["since_d"] <= end).all()
    assert not seats["until_d"].between(end, pd.Timestamp("2027-01-01"), inclusive="right").any()


def test_demo_every_region_skewed_to_northern_america_and_europe():
    p = active_on(partners_only(partners_with_places("demo")), AS_OF)
    regions = p["region"].value_counts()
    assert set(regions.index) == {"Africa", "Americas", "Asia", "Europe", "Oceania"}
    north_and_europe = p["sub"].eq("Northern America").sum() + regions["Europe"]
    assert north_and_europe > len(p) / 2


def test_demo_country_spellings_are_a_mix():
    spellings = tables("demo")["partners"]["country"]
    assert spellings.str.fullmatch(r"[A-Z]{2}").sum() > 10
    assert spellings.str.fullmatch(r"[A-Z]{3}").sum() > 10
    assert (~spellings.str.fullmatch(r"[A-Z]{2,3}")).sum() > 10
    places = countries(tuple(sorted(set(spellings))))
    # Several spellings of one country, all resolving to it.
    usa = sorted(places.index[places["iso3"] == "USA"])
    assert {"US", "USA", "United States"} <= set(usa)


def test_demo_guests_are_non_partner_voices():
    p = tables("demo")["partners"]
    guests = p[p["membership"] == "Guest"]
    assert 10 <= len(guests) <= 20
    assert {"Government", "Affected Community"} <= set(guests["sector"])
    assert set(p["membership"]) == {"Partner", "Guest"}
    rooms = tables("demo")["attendance"]
    assert rooms["partner_id"].isin(guests["partner_id"]).sum() > 0
    assert not tables("demo")["memberships"]["partner_id"].isin(guests["partner_id"]).any()


def test_demo_links_are_plausible_direct_relations():
    import loaders

    ds = loaders.read_dataset(bundled_path("demo"))  # validated: known ids, no self-links
    links, partners = ds.links, ds.partners.set_index("partner_id")
    assert len(links) == 38
    assert links["kind"].value_counts().to_dict() == {
        "collaboration": 16, "joint project": 12, "grant": 10}
    ends = [partners.loc[links[c]] for c in ("source_id", "target_id")]
    assert all((end["membership"] == "Partner").all() for end in ends)
    for end in ends:  # both partners active on the link's first day
        joined, left = end["joined"].to_numpy(), end["left"].to_numpy()
        since = links["since"].to_numpy()
        assert ((pd.isna(joined) | (joined <= since)) & (pd.isna(left) | (since < left))).all()
    grants = links["kind"] == "grant"
    assert set(ends[0].loc[grants.to_numpy(), "sector"]) == {"Industry"}
    assert set(ends[1].loc[grants.to_numpy(), "sector"]) <= {"Academic", "Civil Society"}
    assert links["topic"].ne("").all()
    assert not bundled_path("pai").joinpath("links.csv").exists()


def test_demo_programs_kinds_and_roles():
    t = tables("demo")
    assert 6 <= len(t["committees"]) <= 10
    assert set(t["committees"]["program"]) == PROGRAMS
    assert {"board", "steering committee", "working group"} == set(t["committees"]["kind"])
    assert PROGRAMS <= set(t["events"]["program"])
    assert {"workshop", "partner meeting", "convening", "webinar"} == set(t["events"]["kind"])
    assert {"chair", "member"} == set(t["memberships"]["role"])
    assert {"participant", "speaker", "organizer"} == set(t["attendance"]["role"])
    assert (t["attendance"]["attendees"].astype(int) > 1).sum() > 10


def test_demo_committee_terms():
    _, _, _, seats = demo_frames()
    terms = seats.groupby(["committee_id", "partner_id"]).size()
    assert (terms >= 2).any(), "a partner with two terms on the same committee"
    assert (seats["until_d"] < AS_OF).sum() > 50, "lapsed terms"
    assert seats["until_d"].isna().any() and (seats["until_d"] > AS_OF).any()
    assert seats["since_d"].dt.year.nunique() >= 8
    # Nobody holds two seats of one committee at once.
    for _, terms_of in seats.groupby(["committee_id", "partner_id"]):
        ordered = terms_of.sort_values("since_d")
        ends = ordered["until_d"].fillna(pd.Timestamp.max).tolist()
        starts = ordered["since_d"].tolist()
        assert all(starts[i + 1] >= ends[i] for i in range(len(starts) - 1))


def test_demo_ten_years_of_events_and_upcoming_ones():
    _, events, rooms, _ = demo_frames()
    years = events["day"].dt.year
    assert set(range(2017, 2027)) <= set(years)
    assert 35 <= (years <= 2026).sum() <= 45
    upcoming = events[years == 2027]
    assert 2 <= len(upcoming) <= 3
    assert (events.loc[years <= 2026, "day"] <= pd.Timestamp("2026-10-31")).all()
    per_event = rooms.groupby("event_id").size()
    assert all(per_event.get(e, 0) <= 3 for e in upcoming["event_id"])
    assert per_event.get("2027-labor-and-the-economy-convening", 0) == 0
    topics = events["topics"]
    assert topics.str.contains(";").any() and topics.ne("").all()


def test_demo_rooms_and_seats_only_hold_active_partners():
    p, _, rooms, seats = demo_frames()
    started = rooms["joined_d"].isna() | (rooms["joined_d"] <= rooms["day"])
    assert (started & (rooms["left_d"].isna() | (rooms["day"] < rooms["left_d"]))).all()
    held = seats.merge(p, on="partner_id")
    assert (held["joined_d"].isna() | (held["joined_d"] <= held["since_d"])).all()
    closed = held[held["left_d"].notna()]
    assert (closed["until_d"].notna() & (closed["until_d"] <= closed["left_d"])).all()


def test_demo_attendance_is_heavy_tailed():
    _, events, rooms, _ = demo_frames()
    held = events.loc[events["day"] <= AS_OF, "event_id"]
    counts = rooms[rooms["event_id"].isin(held)].groupby("partner_id").size()
    # A few partners attend everything; the typical one a handful.
    everywhere = counts[counts == len(held)]
    assert 2 <= len(everywhere) <= 5
    assert counts.max() >= 5 * counts.median()


def test_demo_targets_are_valid():
    targets = tables("demo")["targets"]
    mins = targets["min_share"].astype(float)
    assert mins.between(0, 1).all()
    assert (mins.groupby(targets["dimension"]).sum() <= 1).all()
    maxes = pd.to_numeric(targets["max_share"].replace("", None))
    assert (maxes.dropna() >= mins[maxes.notna()]).all()
    pairs = set(zip(targets["dimension"], targets["group"], strict=True))
    assert {("sector", "Civil Society"), ("region", "Africa")} <= pairs


def test_demo_planted_gap_no_africa_in_labor_rooms():
    p, events, rooms, seats = demo_frames()
    labor = rooms[rooms["program"] == "Labor and the Economy"]
    assert labor["event_id"].nunique() >= 8
    assert (labor["region"] == "Africa").sum() == 0
    labor_committees = tables("demo")["committees"].query("program == 'Labor and the Economy'")
    held = seats[seats["committee_id"].isin(labor_committees["committee_id"])].merge(
        p, on="partner_id"
    )
    assert len(held) > 0 and (held["region"] == "Africa").sum() == 0
    # ...although African Partners are there to invite.
    assert (active_on(partners_only(p), AS_OF)["region"] == "Africa").sum() >= 10


def test_demo_planted_gap_steering_committee_without_academics():
    p, _, _, seats = demo_frames()
    held = seats.merge(p, on="partner_id")
    steering = held[held["committee_id"] == "synthetic-media-steering"]
    assert len(steering) > 10 and "Academic" not in set(steering["sector"])
    # Every other committee has had Academic members.
    others = held[held["committee_id"] != "synthetic-media-steering"]
    assert (others.groupby("committee_id")["sector"].apply(lambda s: "Academic" in set(s))).all()


def scorecard_by_hand() -> pd.DataFrame:
    """The README's scorecard, by the definitions of DESIGN.md, in plain pandas."""
    p, events, rooms, seats = demo_frames()
    rows = []
    for year in range(2017, AS_OF.year + 1):
        held = events[(events["day"].dt.year == year) & (events["day"] <= AS_OF)]
        every = south = 0
        for event in held.itertuples():
            room = rooms[rooms["event_id"] == event.event_id]
            present = set(partners_only(active_on(p, event.day))["sector"])
            every += present <= set(room["sector"])
            south += bool(room["global_south"].any())
        day = min(pd.Timestamp(year, 12, 31), AS_OF)
        running = (seats["since_d"] <= day) & (seats["until_d"].isna() | (day < seats["until_d"]))
        open_seats = seats[running].merge(active_on(p, day), on="partner_id")
        rows.append(
            {
                "year": year,
                "convenings": len(held),
                "all_sectors_share": round(every / len(held), 2),
                "global_south_share": round(south / len(held), 2),
                "industry_seat_share": round((open_seats["sector"] == "Industry").mean(), 2),
            }
        )
    return pd.DataFrame(rows).set_index("year")


def test_demo_scorecard_story():
    card = scorecard_by_hand()
    # The table of the README.
    assert card["convenings"].tolist() == [3, 4, 4, 4, 4, 4, 5, 4, 5, 4]
    assert card["all_sectors_share"].tolist() == [
        0.67, 0.5, 0.25, 0.5, 0.75, 0.75, 0.4, 0.5, 0.6, 0.5,
    ]
    assert card["global_south_share"].tolist() == [0, 0, 0.25, 0, 0.25, 0.25, 0.8, 1, 1, 1]
    assert card["industry_seat_share"].tolist() == [
        0.64, 0.71, 0.73, 0.65, 0.63, 0.66, 0.67, 0.62, 0.54, 0.45,
    ]
    # The story: Industry's seats fall, Global South participation rises...
    seats = card["industry_seat_share"]
    assert seats.loc[2026] < seats.loc[2017] - 0.15 and seats.loc[2023:].is_monotonic_decreasing
    assert card["global_south_share"].loc[2024:].eq(1).all()
    assert card["global_south_share"].loc[2017:2018].eq(0).all()
    # ...but every sector is in the room at most three times in four, never trending up.
    assert card["all_sectors_share"].max() <= 0.75
    assert card["all_sectors_share"].loc[2026] <= card["all_sectors_share"].loc[2017]


def test_demo_missing_sector_is_always_media():
    p, events, rooms, _ = demo_frames()
    missing = set()
    for event in events[events["day"] <= AS_OF].itertuples():
        room = rooms[rooms["event_id"] == event.event_id]
        missing |= set(partners_only(active_on(p, event.day))["sector"]) - set(room["sector"])
    assert missing == {"Media"}


# --- the loaders and the analysis agree ------------------------------------------------------


@pytest.mark.parametrize("name", BUNDLED)
def test_read_dataset_loads_the_bundled_data(name):
    import loaders

    ds = loaders.read_dataset(bundled_path(name))
    t = tables(name)
    for table, frame in t.items():
        assert len(ds.table(table)) == len(frame), table
    by_hand = partners_with_places(name).set_index("partner_id")
    loaded = ds.partners.set_index("partner_id")
    assert loaded["country"].to_dict() == by_hand["iso3"].to_dict()
    assert loaded["region"].to_dict() == by_hand["region"].to_dict()
    assert loaded["global_south"].to_dict() == by_hand["global_south"].to_dict()


def test_demo_scorecard_agrees_with_the_analysis():
    import loaders
    from analysis.scorecard import scorecard

    ds = loaders.read_dataset(bundled_path("demo"))
    entries = pd.DataFrame(scorecard(ds, as_of=AS_OF.date()).entries).set_index("year")
    by_hand = scorecard_by_hand()
    assert entries.index.tolist() == by_hand.index.tolist()
    assert entries["convenings"].tolist() == by_hand["convenings"].tolist()
    for col in ("all_sectors_share", "global_south_share", "industry_seat_share"):
        assert entries[col].round(2).tolist() == by_hand[col].tolist(), col


# --- reproducibility -------------------------------------------------------------------------


def test_make_demo_reproduces_the_committed_csvs(tmp_path):
    out = tmp_path / "demo"
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "make_demo.py"), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    committed = bundled_path("demo")
    made = sorted(f.name for f in out.glob("*.csv"))
    assert made == sorted(f.name for f in committed.glob("*.csv"))
    assert made == sorted(f"{t}.csv" for t in TABLES)
    for name in made:
        assert (out / name).read_bytes() == (committed / name).read_bytes(), name
