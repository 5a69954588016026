"""Weekly activity: first appointments per rep per week against each rep's Magic Number."""

from __future__ import annotations

from tests.app.conftest import new_app, open_page, upload_fixture


def test_the_sample_data_renders_the_weekly_activity_without_an_exception() -> None:
    at = open_page(new_app(), "weekly")
    assert at.title[0].value == "Is each rep booking enough first appointments every week?"
    assert at.get("vega_lite_chart")
    table = at.dataframe[-1].value
    assert {"Rep", "Weekly appointments", "Magic Number", "Activity barometer"} <= set(table.columns)


def test_a_weekly_log_renders_each_reps_weeks() -> None:
    at = open_page(upload_fixture(new_app(), "weekly_log.csv"), "weekly")
    assert not at.exception
    assert len(at.dataframe[-1].value) >= 1


def test_a_higher_goal_raises_every_magic_number() -> None:
    at = open_page(new_app(), "weekly")
    at.number_input(key="weekly_goal").set_value(100000.0).run()
    low = at.dataframe[-1].value["Magic Number"].tolist()
    at.number_input(key="weekly_goal").set_value(1000000.0).run()
    high = at.dataframe[-1].value["Magic Number"].tolist()
    assert low != high
