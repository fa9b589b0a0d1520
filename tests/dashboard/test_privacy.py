"""Under ``--min-cell`` the dashboard is an aggregate-only publication.

Every callback the app registers is posted as a browser (or an attacker) would, with ordinary
and crafted inputs (a forged plan holding the whole roster, forged table rows to "download",
a tapped partner, a searched name); no response and no download may carry an organisation, and
no count the overview hides may be worked out from what it shows.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard import ids
from dashboard.app import create_app
from graph.memory import MemoryStore
from tests.dashboard.data import AS_OF, small_dataset
from tests.dashboard.privacy_check import (
    composition_problems,
    download_text,
    leaked,
    map_problems,
    organisation_markers,
    true_country_counts,
)

MIN_CELL = 3
DS = small_dataset()
EVERYONE = sorted(DS.partners["partner_id"])
FORGED_PLAN = {"event_id": "e4", "date": "2024-05-05", "recommendations": [],
               "before": {"members": EVERYONE, "size": len(EVERYONE), "shares": {},
                          "composition": {}, "diversity": {}, "gaps": []}}

#: input values per (id, property); several scenarios per callback
SCENARIOS: list[dict[tuple[str, str], Any]] = [
    {
        (ids.OV_DATE, "date"): AS_OF,
        (ids.REP_DATE, "date"): AS_OF, (ids.REP_DIMENSION, "value"): "sector",
        (ids.REP_TABLE, "virtualRowData"): [{"Name": "Acme AI", "Kind": "Partner"}],
        (ids.REP_GAP_TABLE, "virtualRowData"): None,
        (ids.REP_CSV, "n_clicks"): 1,
        (ids.NET_MODE, "value"): "coparticipation", (ids.NET_DATES, "end_date"): AS_OF,
        (ids.NET_COLOR, "value"): "sector", (ids.NET_SIZE, "value"): "degree",
        (ids.NET_GROUP, "value"): "community", (ids.NET_GRAPH, "tapNodeData"): {"id": "p01"},
        (ids.NET_SEARCH, "search_value"): "Acme", (ids.NET_SEARCH, "value"): "p02",
        (ids.NET_EXPORT_GEXF, "n_clicks"): 1, (ids.NET_IMAGE_SVG, "n_clicks"): 1,
        (ids.PL_RUN, "n_clicks"): 1, (ids.PL_MODE, "value"): "event",
        (ids.PL_EVENT, "value"): "e4", (ids.PL_SIZE, "value"): 5,
        (ids.PL_FLAGS, "value"): ["guests"], (ids.PL_PLAN, "data"): FORGED_PLAN,
        (ids.PL_PICKS, "value"): EVERYONE, (ids.PL_ADD, "value"): EVERYONE,
        (ids.PL_DIMENSION, "value"): "sector", (ids.PL_CSV, "n_clicks"): 1,
        ("_pages_location", "pathname"): "/network",
    },
    {
        (ids.OV_DATE, "date"): "2023-12-31",
        (ids.REP_DATE, "date"): AS_OF, (ids.REP_DIMENSION, "value"): "region",
        (ids.REP_KIND, "value"): "event", (ids.REP_XLSX, "n_clicks"): 1,
        (ids.NET_MODE, "value"): "two-mode", (ids.NET_DATES, "end_date"): AS_OF,
        (ids.NET_COMMITTEE, "value"): ["c1"], (ids.NET_GRAPH, "tapNodeData"): {"id": "group::1"},
        (ids.NET_EXPORT_CSV, "n_clicks"): 1, (ids.NET_LINKS, "value"): "all",
        (ids.PL_RUN, "n_clicks"): 2, (ids.PL_MODE, "value"): "new",
        (ids.PL_DATE, "date"): "2024-09-01", (ids.PL_DRAFT, "value"): EVERYONE,
        (ids.PL_SIZE, "value"): 3, (ids.PL_PLAN, "data"): FORGED_PLAN,
        (ids.PL_XLSX, "n_clicks"): 1, ("_pages_location", "pathname"): "/planner",
    },
    {("_pages_location", "pathname"): "/"},
    {("_pages_location", "pathname"): "/representation"},
]


def _payload(dep: dict[str, Any], values: dict[tuple[str, str], Any]) -> dict[str, Any]:
    outputs = [{"id": part.split(".")[0], "property": part.split(".")[1]}
               for part in dep["output"].strip(".").split("...")]
    inputs = [{**i, "value": values.get((i["id"], i["property"]))} for i in dep["inputs"]]
    state = [{**s, "value": values.get((s["id"], s["property"]))} for s in dep["state"]]
    changed = [f"{i['id']}.{i['property']}" for i in inputs if i["value"] is not None][:1]
    return {"output": dep["output"], "outputs": outputs if len(outputs) > 1 else outputs[0],
            "inputs": inputs, "state": state, "changedPropIds": changed}


def _responses(app: Any) -> list[tuple[str, int, str]]:
    client = app.server.test_client()
    deps = client.get("/_dash-dependencies").get_json()
    out = []
    for dep in deps:
        for values in SCENARIOS:
            response = client.post("/_dash-update-component", json=_payload(dep, values))
            out.append((dep["output"], response.status_code, response.get_data(as_text=True)))
    return out


@pytest.fixture(scope="module")
def private_app() -> Any:
    return create_app(MemoryStore(small_dataset()), min_cell=MIN_CELL)


@pytest.fixture(scope="module")
def responses(private_app: Any) -> list[tuple[str, int, str]]:
    return _responses(private_app)


def _downloads(text: str) -> list[str]:
    body = json.loads(text)["response"]
    return [download_text(value["data"]) for key, value in body.items()
            if key in (ids.REP_DOWNLOAD, ids.PL_DOWNLOAD, ids.NET_DOWNLOAD) and value.get("data")]


def test_every_callback_was_exercised(responses: list[tuple[str, int, str]]) -> None:
    answered = {output for output, status, _ in responses if status == 200}
    for component in (ids.OV_MAP, ids.NET_GRAPH, ids.NET_DETAILS, ids.NET_SEARCH, ids.REP_TABLE,
                      ids.REP_DOWNLOAD, ids.PL_PLAN, ids.PL_CHART, "_pages_content"):
        assert any(component in output for output in answered), component
    assert any(_downloads(text) for _, status, text in responses if status == 200)


def test_no_response_or_download_names_an_organisation(responses: list[tuple[str, int, str]]
                                                       ) -> None:
    markers = organisation_markers(DS)
    for output, status, text in responses:
        assert "Traceback" not in text
        assert leaked(text, markers) == [], output
        if status == 200:
            for content in _downloads(text):
                assert leaked(content, markers) == [], output


def test_the_same_requests_do_name_organisations_without_min_cell() -> None:
    # the check above can fail: without --min-cell the same requests return partners
    markers = organisation_markers(DS)
    everything = _responses(create_app(MemoryStore(small_dataset())))
    assert any(leaked(text, markers) for _, _, text in everything)


def test_network_and_planner_say_they_are_off(responses: list[tuple[str, int, str]]) -> None:
    pages = [text for output, status, text in responses
             if "_pages_content" in output and status == 200]
    assert any("The network is off" in t for t in pages)
    assert any("The planner is off" in t for t in pages)


def test_no_hidden_count_of_the_overview_can_be_worked_out(private_app: Any) -> None:
    client = private_app.server.test_client()
    for as_of in (AS_OF, "2023-12-31", "2022-06-30"):
        deps = client.get("/_dash-dependencies").get_json()
        dep = next(d for d in deps if f"{ids.OV_MAP}.figure" in d["output"])
        body = client.post("/_dash-update-component",
                           json=_payload(dep, {(ids.OV_DATE, "date"): as_of})).get_json()
        answer = body["response"]
        total = int(answer[ids.OV_KPI_PARTNERS]["children"])
        countries_shown = answer[ids.OV_KPI_COUNTRIES]["children"] != "–"
        data = answer[ids.OV_MAP]["figure"]["data"]
        locations = list(data[0]["locations"]) if data else []
        z = list(data[0]["z"]) if data else []
        problems = map_problems(locations, z, true_country_counts(DS, as_of), total, MIN_CELL,
                                countries_shown=countries_shown)
        assert problems == [], (as_of, problems)


def test_no_hidden_count_of_the_report_compositions_can_be_worked_out(private_app: Any) -> None:
    with private_app.server.test_request_context("/"):
        from core.window import Window
        from dashboard.app import app_state

        report = app_state(private_app).report(Window.of(as_of=AS_OF))
    totals = report["totals"]
    for key in ("sectors", "regions"):
        assert composition_problems(totals[key], totals["partners"], MIN_CELL) == [], key


@given(counts=st.lists(st.integers(min_value=1, max_value=12), min_size=1, max_size=12),
       unknown=st.integers(min_value=0, max_value=4), k=st.integers(min_value=2, max_value=6))
@settings(max_examples=300, deadline=None)
def test_suppressed_country_counts_never_give_a_hidden_count_away(counts: list[int],
                                                                 unknown: int, k: int) -> None:
    from dashboard.overview_view import suppress_counts

    truth = {f"C{i:02d}": n for i, n in enumerate(counts)}
    if unknown:
        truth[""] = unknown
    total = sum(truth.values())
    result = suppress_counts(truth, min_cell=k)
    shown = {c: v for c, v in result.counts.items() if v is not None and c != ""}
    assert all(v >= k for v in shown.values())
    assert all(result.counts[c] == truth[c] for c in shown)
    assert map_problems(list(shown), list(shown.values()), truth, total, k,
                        countries_shown=not result.hide_categories) == []
