"""A small hand-built consortium for the dashboard tests (known answers, hostile names)."""

from __future__ import annotations

import pandas as pd

from core.model import Dataset

SCRIPT_NAME = "<script>alert(1)</script>"
FORMULA_NAME = '=HYPERLINK("http://x","click")'
AS_OF = "2024-06-30"

# id, name, sector, country, country_name, region, global_south, joined, left, membership
_PARTNERS = [
    (
        "p01",
        "Acme AI",
        "Industry",
        "USA",
        "United States",
        "Americas",
        False,
        "2019-01-01",
        None,
        "Partner",
    ),
    (
        "p02",
        "Bolt Labs",
        "Industry",
        "GBR",
        "United Kingdom",
        "Europe",
        False,
        "2019-01-01",
        None,
        "Partner",
    ),
    (
        "p03",
        "Civic Rights Now",
        "Civil Society",
        "KEN",
        "Kenya",
        "Africa",
        True,
        "2019-01-01",
        None,
        "Partner",
    ),
    (
        "p04",
        "Data Justice",
        "Civil Society",
        "BRA",
        "Brazil",
        "Americas",
        True,
        "2020-03-01",
        None,
        "Partner",
    ),
    (
        "p05",
        "Eastern University",
        "Academic",
        "IND",
        "India",
        "Asia",
        True,
        "2019-01-01",
        None,
        "Partner",
    ),
    (
        "p06",
        "Fjord Institute",
        "Academic",
        "NOR",
        "Norway",
        "Europe",
        False,
        "2019-01-01",
        "2023-01-01",
        "Partner",
    ),
    (
        "p07",
        "Gazette Media",
        "Media",
        "FRA",
        "France",
        "Europe",
        False,
        "2021-01-01",
        None,
        "Partner",
    ),
    (
        "p08",
        SCRIPT_NAME,
        "Industry",
        "DEU",
        "Germany",
        "Europe",
        False,
        "2019-01-01",
        None,
        "Partner",
    ),
    (
        "p09",
        FORMULA_NAME,
        "Civil Society",
        "NGA",
        "Nigeria",
        "Africa",
        True,
        "2019-01-01",
        None,
        "Partner",
    ),
    (
        "p10",
        "Harbour Tech",
        "Industry",
        "JPN",
        "Japan",
        "Asia",
        False,
        "2019-01-01",
        None,
        "Partner",
    ),
    (
        "p11",
        "Island Collective",
        "Civil Society",
        "FJI",
        "Fiji",
        "Oceania",
        True,
        "2022-01-01",
        None,
        "Partner",
    ),
    ("p12", "Jurist Guest", "Government", "CAN", "Canada", "Americas", False, None, None, "Guest"),
]

SUBREGIONS = {
    "USA": "Northern America",
    "GBR": "Northern Europe",
    "KEN": "Sub-Saharan Africa",
    "BRA": "Latin America and the Caribbean",
    "IND": "Southern Asia",
    "NOR": "Northern Europe",
    "FRA": "Western Europe",
    "DEU": "Western Europe",
    "NGA": "Sub-Saharan Africa",
    "JPN": "Eastern Asia",
    "FJI": "Melanesia",
    "CAN": "Northern America",
}

#: Partners (not Guests) active on AS_OF: all but p06 (left 2023) and p12 (a Guest)
ACTIVE_ON_AS_OF = 10
COUNTRIES_ON_AS_OF = 10  # USA GBR KEN BRA IND FRA DEU NGA JPN FJI


def small_dataset() -> Dataset:
    cols = [
        "partner_id",
        "name",
        "sector",
        "country",
        "country_name",
        "region",
        "global_south",
        "joined",
        "left",
        "membership",
    ]
    partners = pd.DataFrame(_PARTNERS, columns=cols)
    partners["subregion"] = partners["country"].map(SUBREGIONS)
    committees = pd.DataFrame(
        {
            "committee_id": ["c1", "c2", "c3"],
            "name": ["Steering Committee", "Labor Working Group", "Media Integrity Panel"],
            "program": ["Governance", "Labor", "Media"],
            "kind": ["board", "working group", "panel"],
        }
    )
    memberships = pd.DataFrame(
        {
            "committee_id": ["c1", "c1", "c1", "c1", "c2", "c2", "c2", "c3", "c3"],
            "partner_id": ["p01", "p02", "p08", "p10", "p03", "p04", "p05", "p07", "p09"],
            "since": ["2019-01-01"] * 7 + ["2021-01-01", "2021-01-01"],
            "until": [None] * 9,
        }
    )
    events = pd.DataFrame(
        {
            "event_id": ["e1", "e2", "e3", "e4", "e5"],
            "name": ["Kickoff 2023", "Labor Forum", "Media Day", "All Hands 2024", "Future Summit"],
            "date": ["2023-02-01", "2023-09-15", "2024-02-20", "2024-05-05", "2025-03-01"],
            "program": ["Governance", "Labor", "Media", "Governance", "Governance"],
            "kind": ["convening"] * 5,
        }
    )
    attendance = pd.DataFrame(
        {
            "event_id": [
                "e1",
                "e1",
                "e1",
                "e2",
                "e2",
                "e2",
                "e2",
                "e3",
                "e3",
                "e3",
                "e4",
                "e4",
                "e4",
                "e4",
                "e4",
                "e4",
                "e5",
            ],
            "partner_id": [
                "p01",
                "p02",
                "p10",
                "p03",
                "p04",
                "p05",
                "p12",
                "p07",
                "p09",
                "p08",
                "p01",
                "p03",
                "p05",
                "p07",
                "p11",
                "p12",
                "p01",
            ],
        }
    )
    targets = pd.DataFrame(
        {
            "dimension": ["sector"],
            "group": ["Civil Society"],
            "min_share": [0.3],
            "max_share": [None],
        }
    )
    return Dataset.from_frames(
        partners=partners,
        committees=committees,
        memberships=memberships,
        events=events,
        attendance=attendance,
        targets=targets,
        source="tests/dashboard small",
    )


def post_overview_update(client, as_of: str = "2024-06-30") -> str:  # type: ignore[no-untyped-def]
    """POST the overview page's callback as the browser does; return the response text."""
    from dashboard import ids

    outputs = [(i, "children") for i in (ids.OV_KPI_PARTNERS, ids.OV_KPI_COUNTRIES,
                                         ids.OV_KPI_REGIONS, ids.OV_KPI_SOUTH, ids.OV_KPI_SECTORS)]
    outputs += [(i, "figure") for i in (ids.OV_MAP, ids.OV_REACH, ids.OV_SECTORS, ids.OV_REGIONS)]
    outputs += [(ids.OV_SCORECARD, "children"), (ids.OV_SCORECARD_FIG, "figure"),
                (ids.OV_SCORECARD_TABLE, "rowData"), (ids.OV_GAPS, "rowData"),
                (ids.OV_SUMMARY, "children"), (ids.OV_QUALITY, "children")]
    payload = {
        "output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
        "outputs": [{"id": i, "property": p} for i, p in outputs],
        "inputs": [{"id": ids.OV_DATE, "property": "date", "value": as_of},
                   {"id": ids.OV_PROGRAM, "property": "value", "value": None}],
        "changedPropIds": [f"{ids.OV_DATE}.date"],
        "state": [],
    }
    return str(client.post("/_dash-update-component", json=payload).get_data(as_text=True))
