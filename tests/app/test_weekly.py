"""Weekly activity: first appointments per rep per week against each rep's Magic Number."""

from __future__ import annotations

import statistics

import pytest

from tests.app.conftest import new_app, open_page, upload_fixture
from ui import magic_inputs as mi


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


@pytest.mark.parametrize(
    ("target", "rounded"),
    [(123_456.0, 130_000.0), (533_333.3, 540_000.0), (6_400_000.0, 6_400_000.0), (45.2, 46.0), (7.0, 7.0), (0.0, 1.0)],
)
def test_a_goal_is_rounded_up_to_its_first_two_digits(target: float, rounded: float) -> None:
    assert mi.round_goal(target) == rounded


def _reps_shown(at) -> int:
    return len(at.dataframe[-1].value)


def test_the_goal_per_rep_is_the_magic_number_pages_team_goal_shared_among_the_reps() -> None:
    at = open_page(new_app(), "magic_number")
    team_goal = at.number_input(key="mn_goal_input").value
    open_page(at, "weekly")
    reps = _reps_shown(at)
    assert reps > 1
    assert at.number_input(key="weekly_goal").value == mi.round_goal(team_goal / reps)


def test_a_goal_set_for_one_rep_on_the_magic_number_page_is_the_goal_per_rep() -> None:
    at = open_page(new_app(), "magic_number")
    at.selectbox(key=mi.SOURCE).set_value("Andi Pratama").run()
    at.number_input(key="mn_goal_input").set_value(500_000.0).run()
    open_page(at, "weekly")
    assert at.number_input(key="weekly_goal").value == 500_000.0


def test_opened_first_the_goal_per_rep_asks_the_average_rep_for_a_fifth_more_than_their_pace() -> None:
    first = open_page(new_app(), "weekly")
    goal = first.number_input(key="weekly_goal").value
    via_magic_number = open_page(open_page(new_app(), "magic_number"), "weekly")
    # The same rule as the Magic Number page's team default, from unrounded ratios: within rounding.
    assert goal == pytest.approx(via_magic_number.number_input(key="weekly_goal").value, rel=0.05)
    barometers = [float(v.rstrip(" %")) for v in first.dataframe[-1].value["Activity barometer"] if v != "n/a"]
    # Before: the team's 6.4M asked of every rep read 0.3-15 %; a fifth above the average rep's pace: median 65 %.
    assert 40 < statistics.median(barometers) < 130
