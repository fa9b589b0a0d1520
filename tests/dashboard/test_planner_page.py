"""The /planner page: its plain functions and thin callbacks, called directly.

The page module is taken from the app's own page registry (``pages.planner``), never imported
as ``dashboard.pages.planner``: a second import would register "/planner" twice and break
every app in the process.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import sys

import dash
import openpyxl
import pytest
from selenium.common.exceptions import ElementClickInterceptedException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from dashboard import ids
from dashboard import planner_view as view
from dashboard.app import create_app
from dashboard.downloads import safe_text
from graph.memory import MemoryStore
from tests.dashboard.data import FORMULA_NAME, SCRIPT_NAME, small_dataset
from tests.plugins.browser import (
    dash_errors,
    save_screenshot,
    severe_console,
    wait_for,
    wait_for_dash,
)


@pytest.fixture(scope="module")
def ds():
    return small_dataset()


@pytest.fixture(scope="module")
def app(ds):
    return create_app(MemoryStore(ds))


@pytest.fixture(scope="module")
def page(app):
    name = next(m for m, p in dash.page_registry.items() if p["path"] == "/planner")
    return sys.modules[name]


@pytest.fixture
def ctx(app):
    with app.server.app_context():
        yield


def _attendees(ds, event_id):
    att = ds.attendance
    return set(att.loc[att["event_id"] == event_id, "partner_id"])


def test_page_is_registered_with_its_path_and_name(page):
    entry = next(p for p in dash.page_registry.values() if p["path"] == "/planner")
    assert entry["name"] == "Planner"


def test_event_options_mark_upcoming_events(page, ds):
    options = view.event_options(ds, today=dt.date(2024, 6, 30))
    labels = {o["value"]: o["label"] for o in options}
    assert labels["e5"] == "2025-03-01 · Future Summit (upcoming)"
    assert labels["e4"] == "2024-05-05 · All Hands 2024"
    assert [o["value"] for o in options][:2] == ["e5", "e4"]  # newest first


def test_make_plan_for_an_event(page, ds):
    plan = view.make_plan(ds, mode="event", event_id="e4", date=None, draft=None, size=2)
    ids = [r["partner_id"] for r in plan["recommendations"]]
    assert len(ids) == 2
    assert not set(ids) & _attendees(ds, "e4")
    assert "p06" not in ids  # left in 2023
    assert plan["before"]["size"] == len(_attendees(ds, "e4"))


def test_make_plan_explains_missing_inputs(page, ds):
    with pytest.raises(ValueError, match="Choose an event"):
        view.make_plan(ds, mode="event", event_id=None, date=None, draft=None, size=2)
    with pytest.raises(ValueError, match="needs a date"):
        view.make_plan(ds, mode="new", event_id=None, date=None, draft=["p01"], size=2)
    with pytest.raises(ValueError, match="0 or more"):
        view.make_plan(ds, mode="event", event_id="e4", date=None, draft=None, size=-1)


def test_new_convening_plan(page, ds):
    plan = view.make_plan(ds, mode="new", event_id=None, date="2024-09-01T00:00:00",
                          draft=["p01", "p02"], size=1)
    assert plan["event_id"] is None and plan["date"] == "2024-09-01"
    assert plan["before"]["members"] == ["p01", "p02"]


def test_mode_switches_the_inputs(page):
    assert page._on_mode(view.MODE_EVENT) == (False, True, True)
    assert page._on_mode(view.MODE_NEW) == (True, False, False)


def test_recommend_callback_fills_the_list_and_enables_export(page, ds, ctx):
    plan, options, value, add_opts, add_value, _note, csv_off, xlsx_off, table, values = (
        page._on_recommend(1, "event", "e4", None, None, 3, None, None, ["guests"]))
    assert [o["value"] for o in options] == value == [r["partner_id"] for r in plan["recommendations"]]
    offered = {o["value"] for o in add_opts}
    assert not offered & (set(value) | _attendees(ds, "e4"))
    assert "p06" not in offered  # not active on the date
    assert add_value == [] and csv_off is False and xlsx_off is False
    assert table is not None and values is not None


def test_the_page_states_the_objective_and_each_picks_gain_in_order(page, ds, ctx):
    from analysis.planner import OBJECTIVE

    assert OBJECTIVE in str(page.layout())
    out = page._on_recommend(1, "event", "e4", None, None, 3, None, None, ["guests"])
    plan, options, values = out[0], out[1], out[9]
    gains = [r["gain"] for r in plan["recommendations"]]
    assert gains and all(g > 0 for g in gains) and gains == sorted(gains, reverse=True)
    for option, gain in zip(options, gains, strict=True):
        assert f"gain +{gain:.2f}" in str(option["label"])
    text = str(values)
    assert "Marginal gain of each pick, in order: " + ", ".join(f"+{g:.2f}" for g in gains) in text
    o = plan["objective"]
    assert f"Objective: {o['before']:.2f} before, {o['after']:.2f} after" in text
    assert "exact optimum (proven)" in text


def _cells(table) -> list[list[str]]:
    body = table.children[1]
    return [[str(td.children) for td in tr.children] for tr in body.children]


def test_the_room_before_and_after_by_sector_region_and_global_south(page, ds, ctx):
    out = page._on_recommend(1, "event", "e4", None, None, 3, None, None, ["guests"])
    plan, rows = out[0], _cells(out[8])
    assert {r[0] for r in rows} - {""} == {"Sector", "Region", "Global South"}
    by_group = {r[1]: (int(r[2]), int(r[3])) for r in rows}
    people = ds.partners.set_index("partner_id")
    room = _attendees(ds, "e4")
    added = [r["partner_id"] for r in plan["recommendations"]]
    for sector in set(people.loc[list(room) + added, "sector"]):
        before = int((people.loc[list(room), "sector"] == sector).sum())
        after = before + int((people.loc[added, "sector"] == sector).sum())
        assert by_group[sector] == (before, after)
    assert "Global South" in by_group or "Global North" in by_group


def test_size_zero_evaluates_a_draft_list_without_recommending(page, ds, ctx):
    out = page._on_recommend(1, "new", None, "2024-09-01", ["p01", "p02"], 0, None, None, [])
    plan, options, note, table = out[0], out[1], out[5], out[8]
    assert plan["recommendations"] == [] and options == []
    assert "The room of 2 on 2024-09-01 as it is (nothing recommended)." in str(note)
    assert all(r[2] == r[3] for r in _cells(table))  # before = after
    assert "Marginal gain" not in str(out[9])


def test_planning_a_past_event_shows_the_warning(page, ds, ctx):
    out = page._on_recommend(1, "event", "e4", None, None, 1, None, None, [])
    assert "Warning: planning a past event: e4 was held on 2024-05-05" in str(out[5])


def test_recommend_callback_with_no_event_says_so(page, ctx):
    out = page._on_recommend(1, "event", None, None, None, 3, None, None, [])
    assert out[0] is None and out[8] is None and out[9] is None
    assert "Choose an event" in str(out[5])


def test_adding_and_removing_people_changes_the_composition(page, ds):
    plan = view.make_plan(ds, mode="event", event_id="e4", date=None, draft=None, size=2)
    first = plan["recommendations"][0]["partner_id"]
    _, summary_none, _ = view.room_view(ds, plan, [], [], "sector")
    fig, summary_one, _ = view.room_view(ds, plan, [first], [], "sector")
    size = len(_attendees(ds, "e4"))
    assert f"People in the room: {size} → {size}" in str(summary_none)
    assert f"People in the room: {size} → {size + 1}" in str(summary_one)
    before, now = fig.data[0], fig.data[1]
    sector = ds.partners.set_index("partner_id").loc[first, "sector"]
    i = list(now.x).index(sector)
    assert now.customdata[i] == before.customdata[i] + 1


def test_room_callback_without_a_plan_shows_a_hint(page, ctx):
    fig, summary, gaps = page._on_room_change(None, [], [], "sector")
    assert "Pick an event" in str(fig.layout.annotations[0].text)
    assert summary is None and gaps is None


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_that_look_like_formulas_are_quoted(page, start):
    assert safe_text(f"{start}1+1") == f"'{start}1+1"
    assert safe_text("Acme 1+1") == "Acme 1+1"


def _plan_with(ds, page, added):
    plan = view.make_plan(ds, mode="event", event_id="e4", date=None, draft=None, size=1)
    return plan, [r["partner_id"] for r in plan["recommendations"]], added


def _hostile_ids(ds):
    names = ds.partners.set_index("name")["partner_id"]
    return [names[FORMULA_NAME], names[SCRIPT_NAME]]


def test_csv_export_is_safe_and_complete(page, ds):
    plan, picked, added = _plan_with(ds, page, _hostile_ids(ds))
    payload = view.export_invites(ds, plan, picked, added, "csv")
    assert payload["filename"] == "invite-list-e4-2024-05-05.csv"
    text = base64.b64decode(payload["content"]).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    by_id = {r["partner_id"]: r for r in rows}
    assert by_id[picked[0]]["status"] == "recommended" and by_id[picked[0]]["reasons"]
    for pid in _attendees(ds, "e4"):
        assert by_id[pid]["status"] == "attending"
    names = {r["name"] for r in rows}
    assert "'" + FORMULA_NAME in names and SCRIPT_NAME in names
    assert FORMULA_NAME not in names
    assert all(not r["name"].startswith(("=", "+", "-", "@")) for r in rows)


def test_xlsx_export_never_holds_formulas(page, ds):
    plan, picked, added = _plan_with(ds, page, _hostile_ids(ds))
    payload = view.export_invites(ds, plan, picked, added, "xlsx")
    assert payload["filename"].endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(payload["content"])))
    sheet = book.active
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert cells and all(c.data_type == "s" for c in cells)
    values = [c.value for c in cells]
    ids_column = [r[0].value for r in sheet.iter_rows(min_row=2)]
    assert set(picked) | _attendees(ds, "e4") <= set(ids_column)
    assert FORMULA_NAME in values  # kept verbatim, as text


def test_xlsx_cell_starting_with_equals_is_text(page):
    data = view.invites_xlsx([{"partner_id": "x", "name": "=1+1", "status": "added"}])
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    cell = sheet.cell(row=2, column=2)
    assert cell.value == "=1+1" and cell.data_type == "s"


def test_layout_holds_the_controls(page, ctx):
    text = str(page.layout())
    for component_id in (ids.PL_EVENT, ids.PL_RUN, ids.PL_PICKS, ids.PL_ADD, ids.PL_CHART,
                         ids.PL_CSV, ids.PL_XLSX, ids.PL_DOWNLOAD):
        assert component_id in text


# --- in the real browser -------------------------------------------------------------------------


def _click(driver, element) -> None:
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    try:
        element.click()
    except ElementClickInterceptedException:
        # a sticky header or an open menu covers it: click it the way a script would
        driver.execute_script("arguments[0].click();", element)


def _choose(driver, component_id: str, text: str) -> None:
    """Pick ``text`` in a dash 4 dcc.Dropdown: open it, type into its search box, Enter."""
    # the page's layout arrives with a callback after the app shell: wait for the component
    box = wait_for(lambda: driver.find_elements(By.ID, component_id), message=component_id)[0]
    _click(driver, box)
    search = driver.switch_to.active_element
    search.send_keys(text)

    def option():
        found = [e for e in driver.find_elements(By.CSS_SELECTOR, "[role=option]")
                 if text in e.text and e.is_displayed()]
        return found[0] if found else None

    wait_for(option, message=f"the option {text!r}")
    _click(driver, option())
    if driver.find_elements(By.CSS_SELECTOR, "[role=option]"):
        driver.switch_to.active_element.send_keys(Keys.ESCAPE)  # a multi-select stays open


@pytest.mark.browser
def test_in_the_browser_pick_an_event_get_a_list_add_a_person(
    chrome_driver, serve_app, screenshot_dir, ds
):
    url = serve_app(create_app(MemoryStore(ds)))
    driver = chrome_driver
    severe_console(driver)  # drain what earlier tests left
    driver.get(url + "/planner")
    wait_for_dash(driver)
    _choose(driver, ids.PL_EVENT, "All Hands 2024")
    wait_for(lambda: "All Hands 2024" in driver.find_element(By.ID, ids.PL_EVENT).text,
             message="the event chosen")
    size_box = driver.find_element(By.ID, ids.PL_SIZE)
    size_box.clear()
    size_box.send_keys("2")
    _click(driver, driver.find_element(By.ID, ids.PL_RUN))

    room = len(_attendees(ds, "e4"))
    summary = lambda: driver.find_element(By.ID, ids.PL_SUMMARY).text  # noqa: E731
    wait_for(lambda: f"People in the room: {room} → {room + 2}" in summary(),
             message="two recommendations in the room")
    picks = driver.find_elements(By.CSS_SELECTOR, f"#{ids.PL_PICKS} input[type=checkbox]")
    assert len(picks) == 2 and all(p.is_selected() for p in picks)
    expected = view.make_plan(ds, mode="event", event_id="e4", date=None, draft=None,
                                     size=2)
    listed = driver.find_element(By.ID, ids.PL_PICKS).text
    for rec in expected["recommendations"]:
        assert rec["reasons"][0] in listed and f"gain +{rec['gain']:.2f}" in listed
    gains = ", ".join(f"+{r['gain']:.2f}" for r in expected["recommendations"])
    assert f"Marginal gain of each pick, in order: {gains}" in driver.find_element(
        By.ID, ids.PL_OBJECTIVE_VALUES).text
    table = driver.find_element(By.ID, ids.PL_BEFORE_AFTER_TABLE).text
    assert "Sector" in table and "Region" in table and "Global South" in table
    save_screenshot(driver, screenshot_dir, "planner-recommended")

    # Add someone by hand: the room grows by one and the chart's "now" bar follows.
    chosen = {r["partner_id"] for r in expected["recommendations"]} | _attendees(ds, "e4")
    partners = ds.partners.set_index("partner_id")
    add_options = view.add_options(ds, expected)[0]
    extra = next(o["value"] for o in add_options if o["value"] not in chosen)
    _choose(driver, ids.PL_ADD, partners.loc[extra, "name"])
    wait_for(lambda: f"People in the room: {room} → {room + 3}" in summary(),
             message="the added person in the room")
    legend = driver.find_element(By.ID, ids.PL_CHART).text
    assert f"now ({room + 3})" in legend

    # Untick a recommendation: the room shrinks again.
    _click(driver, driver.find_elements(
        By.CSS_SELECTOR, f"#{ids.PL_PICKS} input[type=checkbox]")[0])
    wait_for(lambda: f"People in the room: {room} → {room + 2}" in summary(),
             message="the unticked pick out of the room")
    save_screenshot(driver, screenshot_dir, "planner-what-if")
    assert dash_errors(driver) == []
    assert severe_console(driver) == []


@pytest.mark.browser
def test_in_the_browser_a_new_convening_from_a_date_and_a_draft_list(
    chrome_driver, serve_app, screenshot_dir, ds
):
    url = serve_app(create_app(MemoryStore(ds)))
    driver = chrome_driver
    severe_console(driver)
    driver.get(url + "/planner")
    wait_for_dash(driver)
    new = wait_for(lambda: [e for e in driver.find_elements(By.CSS_SELECTOR, "label")
                            if e.text == "A new convening"], message="the mode switch")[0]
    _click(driver, new)
    picker = driver.find_element(By.ID, ids.PL_DATE)
    wait_for(lambda: picker.is_enabled(), message="the date picker enabled")
    picker.send_keys(Keys.CONTROL, "a")
    picker.send_keys("2024-09-01", Keys.ENTER)
    driver.find_element(By.TAG_NAME, "h2").click()  # close the calendar
    for name in ("Acme AI", "Bolt Labs"):
        _choose(driver, ids.PL_DRAFT, name)
    size_box = driver.find_element(By.ID, ids.PL_SIZE)
    size_box.clear()
    size_box.send_keys("1")
    _click(driver, driver.find_element(By.ID, ids.PL_RUN))
    wait_for(lambda: "People in the room: 2 → 3"
             in driver.find_element(By.ID, ids.PL_SUMMARY).text,
             message="a room of two drafts plus one recommendation")
    note = driver.find_element(By.ID, ids.PL_NOTE).text
    assert "1 recommended for a room of 2 on 2024-09-01." in note
    save_screenshot(driver, screenshot_dir, "planner-new-convening")
    assert dash_errors(driver) == []
    assert severe_console(driver) == []
