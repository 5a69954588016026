"""What a user sets on a page is still set after visiting another page.

Streamlit forgets a widget's value when a run does not draw it (any other page), and draws it
again with its default on the way back. These tests go to another page and back, as a person
clicking the sidebar does, and check the value and what it computes.
"""

from __future__ import annotations

from kpi_core.mapping import propose_mapping
from tests.app.conftest import FIXTURES, confirm, metric, new_app, open_page, upload
from tests.app.test_data import column_box


def away_and_back(at, name: str):
    open_page(at, "funnels")
    return open_page(at, name)


def test_the_stage_mapping_is_still_shown_after_another_page_and_loads_the_same_numbers() -> None:
    at = open_page(new_app(), "data")
    stages = at.multiselect(key="map_stages").value
    assert stages, "the sample's stages counted as a next step are proposed"
    open_page(at, "overview")
    p1 = metric(at, "Appointment-to-next-step ratio")
    away_and_back(at, "data")
    assert at.multiselect(key="map_stages").value == stages, "the box came back empty"
    confirm(at)
    open_page(at, "overview")
    assert metric(at, "Appointment-to-next-step ratio") == p1, "confirming again lost the stage mapping"


def test_mapping_corrections_not_yet_confirmed_survive_a_visit_to_another_page() -> None:
    at = upload(new_app(), "canonical.csv", (FIXTURES / "canonical.csv").read_bytes())
    column_box(at, "next_step").set_value("(not in this file)").run()
    at.multiselect(key="map_stages").set_value([]).run()
    won_key = next(str(m.key) for m in at.multiselect if str(m.key).startswith("map_won_values__"))
    away_and_back(at, "data")
    assert column_box(at, "next_step").value == "(not in this file)"
    assert at.multiselect(key="map_stages").value == []
    assert at.multiselect(key=won_key).value == []
    confirm(at)
    open_page(at, "overview")
    assert metric(at, "Appointment-to-next-step ratio") != "71.4 %", "the corrections were applied"


def test_a_new_upload_starts_from_its_own_proposal_not_the_previous_files_kept_boxes() -> None:
    at = open_page(new_app(), "data")
    at.multiselect(key="map_stages").set_value([]).run()
    away_and_back(at, "data")
    content = (FIXTURES / "salesforce.csv").read_bytes()
    at.file_uploader(key="upload").set_value(("salesforce.csv", content, "text/csv")).run()
    from kpi_core.reading import read_file

    proposed = propose_mapping(read_file(content, "salesforce.csv")).advanced_stages
    assert proposed, "the fixture has stages to propose"
    assert set(at.multiselect(key="map_stages").value) == set(proposed)


def test_peer_settings_stay_as_set_after_another_page() -> None:
    at = open_page(new_app(), "peers")
    at.number_input(key="peers_min_opportunities").set_value(40).run()
    at.number_input(key="peers_money_left_pct").set_value(10.0).run()
    at.number_input(key="peers_best_practice_pct").set_value(5.0).run()
    at.text_input(key="share_base_url").input("https://sales.example.com").run()
    at.number_input(key="share_goal").set_value(250000.0).run()
    small_before = [t.value for t in at.text]
    away_and_back(at, "peers")
    assert at.number_input(key="peers_min_opportunities").value == 40
    assert at.number_input(key="peers_money_left_pct").value == 10.0
    assert at.number_input(key="peers_best_practice_pct").value == 5.0
    assert at.text_input(key="share_base_url").value == "https://sales.example.com"
    assert at.number_input(key="share_goal").value == 250000.0
    assert [t.value for t in at.text] == small_before, "the same reps are too small to rank"
    assert all(link.startswith("https://sales.example.com/") for link in at.dataframe[-1].value["Link"])


def test_the_overviews_grouping_stays_as_chosen_after_another_page() -> None:
    at = new_app()
    at.selectbox(key="overview_group_by").set_value("team").run()
    away_and_back(at, "overview")
    assert at.selectbox(key="overview_group_by").value == "team"
    assert at.subheader[0].value == "KPIs per team"


def test_the_overviews_grouping_goes_back_to_rep_for_a_file_without_that_column() -> None:
    at = new_app()
    at.selectbox(key="overview_group_by").set_value("team").run()
    upload(at, "canonical.csv", (FIXTURES / "canonical.csv").read_bytes())
    column_box(at, "team").set_value("(not in this file)").run()
    confirm(at)
    open_page(at, "overview")
    assert at.selectbox(key="overview_group_by").value == "rep"


def test_a_goal_typed_on_weekly_activity_stays_after_another_page_and_a_new_file_refills_it() -> None:
    at = open_page(new_app(), "weekly")
    at.number_input(key="weekly_goal").set_value(123456.0).run()
    at.number_input(key="weekly_weeks").set_value(40.0).run()
    table = at.dataframe[-1].value.copy()
    away_and_back(at, "weekly")
    assert at.number_input(key="weekly_goal").value == 123456.0
    assert at.number_input(key="weekly_weeks").value == 40.0
    assert at.dataframe[-1].value.equals(table), "the same Magic Numbers"
    upload(at, "canonical.csv", (FIXTURES / "canonical.csv").read_bytes())
    confirm(at)
    open_page(at, "weekly")
    assert at.number_input(key="weekly_goal").value != 123456.0, "a new file's goal is on its own scale"
    assert at.number_input(key="weekly_weeks").value == 40.0, "selling weeks stay as set"


def test_an_untouched_weekly_goal_still_follows_the_magic_number_pages_goal() -> None:
    at = open_page(new_app(), "weekly")
    first = at.number_input(key="weekly_goal").value
    open_page(at, "magic_number")
    goal_key = next(str(n.key) for n in at.number_input if "goal" in str(n.key))
    at.number_input(key=goal_key).set_value(at.number_input(key=goal_key).value * 3).run()
    open_page(at, "weekly")
    assert at.number_input(key="weekly_goal").value > first
