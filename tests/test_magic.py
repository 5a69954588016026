"""The Magic Number (spec sections 3 and 6): hand-computed tables first, then properties."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from kpi_core.errors import InvalidInputError
from kpi_core.magic import (
    SOLVABLE,
    Scenario,
    Wording,
    ceil_appointments,
    implied_funnel,
    lever_sensitivity,
    solve,
)

SPEC = Scenario(goal=600_000, weeks=48, avg_sale=12_500, p1=0.60, p2=0.40)


# --- forward: hand-computed tables --------------------------------------------------------------


@pytest.mark.parametrize(
    ("goal", "weeks", "avg_sale", "p1", "p2", "magic", "rounded"),
    [
        # spec 6: 600000 / (12500 x .4 x .6) = 200 appointments; 200 / 48 = 4.1667 -> 5
        (600_000, 48, 12_500, 0.60, 0.40, 200 / 48, 5),
        # 100000 / (1000 x .5 x .5) = 400; / 10 = 40 exactly, must not round up to 41
        (100_000, 10, 1_000, 0.5, 0.5, 40.0, 40),
        # 52000 / (2000 x .5 x .25) = 208; / 52 = 4
        (52_000, 52, 2_000, 0.5, 0.25, 4.0, 4),
        # 90000 / (5000 x .75 x .4) = 60; / 12 = 5 (the float product carries noise: still 5)
        (90_000, 12, 5_000, 0.75, 0.4, 5.0, 5),
        # 30000 / (10000 x 1 x 1) = 3; / 4 = 0.75 -> 1
        (30_000, 4, 10_000, 1.0, 1.0, 0.75, 1),
    ],
)
def test_the_magic_number_is_the_goal_over_revenue_per_appointment_per_week(
    goal: float, weeks: float, avg_sale: float, p1: float, p2: float, magic: float, rounded: int
) -> None:
    result = solve(Scenario(goal=goal, weeks=weeks, avg_sale=avg_sale, p1=p1, p2=p2))
    assert result.feasible
    assert result.magic_number == pytest.approx(magic, rel=1e-12)
    assert result.magic_number_rounded == rounded
    assert result.solved == "magic_number"


def test_the_worked_example_implies_48_sales_120_next_steps_and_200_appointments() -> None:
    result = solve(SPEC)
    assert result.sales_needed == pytest.approx(48)
    assert result.next_steps_needed == pytest.approx(120)
    assert result.appointments_needed == pytest.approx(200)
    assert result.usable_weeks == 48
    assert result.remaining_goal == 600_000
    assert "4.17" in result.message
    assert "5 rounded up" in result.message


# --- the words of a result: the reader's separators and currency --------------------------------

#: A reader in Indonesia: ``.`` groups thousands, ``,`` marks decimals, amounts in rupiah.
INDONESIAN = Wording(thousands=".", decimal=",", money=lambda v: "Rp " + f"{v:,.0f}".replace(",", "."))


def test_a_result_says_its_numbers_with_the_readers_separators_and_currency() -> None:
    # 1,234,500 / (12,500 x .6 x .4) = 411.5 appointments; / 48 = 8.5729 -> 9
    result = solve(replace(SPEC, goal=1_234_500), wording=INDONESIAN)
    assert result.message == (
        "Book 8,57 new first appointments a week (9 rounded up) to reach the goal of Rp 1.234.500 in 48 weeks."
    )
    plain = solve(replace(SPEC, goal=1_234_500))
    assert plain.message == (
        "Book 8.57 new first appointments a week (9 rounded up) to reach the goal of 1,234,500 in 48 weeks."
    )
    assert result.magic_number == plain.magic_number  # only the words differ


@pytest.mark.parametrize(
    ("solve_for", "words"),
    [
        # 3.5 x 48 x 12,500 x .6 x .4 = 504,000
        ("goal", "With 3,5 appointments a week, the revenue goal within reach is Rp 504.000."),
        # 600,000 / (3.5 x 48 x .6 x .4) = 14,880.95
        ("avg_sale", "With 3,5 appointments a week, the average revenue per sale must be Rp 14.881."),
        # 600,000 / (3.5 x 48 x 12,500 x .6) = 0.47619
        ("p2", "With 3,5 appointments a week, the close ratio must be 47,6 %."),
        # 600,000 / (3.5 x 12,500 x .6 x .4) = 57.14 weeks
        ("weeks", "With 3,5 appointments a week, reaching the goal takes 57,14 selling weeks."),
    ],
)
def test_a_back_solved_answer_is_said_in_the_readers_words(solve_for: str, words: str) -> None:
    assert solve(replace(SPEC, weekly_appointments=3.5), solve_for, INDONESIAN).message == words


def test_an_infeasible_ratio_and_the_lag_warning_use_the_readers_decimal_mark() -> None:
    # 600,000 / (0.5 x 48 x 12,500 x .6) = 3.333: a close ratio of 333.3 %
    result = solve(replace(SPEC, weekly_appointments=0.5), "p2", INDONESIAN)
    assert "would have to be 333,3 %" in result.message
    lagged = solve(replace(SPEC, weeks=2, cycle_days=10.5, use_cycle_lag=True), wording=INDONESIAN)
    # 10.5 days = 1.5 weeks of lag; 2 - 1.5 = 0.5 < 1 usable week, floored at 1
    # The cycle in whole days (half up), its weeks exact; "of the 2 selling weeks" without pacing ("left" with it).
    assert lagged.warnings[0].startswith(
        "The sales cycle of 11 days (1,5 weeks) eats the period: of the 2 selling weeks"
    )


def test_a_levers_step_uses_the_readers_decimal_mark() -> None:
    steps = {lv.name: lv.step_description for lv in lever_sensitivity(SPEC, 0.125, INDONESIAN)}
    assert steps["avg_sale"] == "+12,5 %"
    assert steps["p1"] == "+12,5 percentage points"


def test_the_implied_funnel_gives_each_stage_for_the_period_and_per_week() -> None:
    funnel = {stage.name: stage for stage in implied_funnel(solve(SPEC))}
    assert list(funnel) == ["appointments", "next_steps", "sales", "revenue"]
    # per week: 200/48 appointments, 120/48 = 2.5 next steps, 48/48 = 1 sale, 12500 revenue
    assert funnel["appointments"].per_week == pytest.approx(200 / 48)
    assert funnel["next_steps"].per_week == pytest.approx(2.5)
    assert funnel["sales"].per_week == pytest.approx(1.0)
    assert funnel["revenue"].per_week == pytest.approx(12_500)
    assert funnel["revenue"].period == pytest.approx(600_000)


@pytest.mark.parametrize(
    ("scenario", "weekly_appointments", "barometer"),
    [
        (SPEC, 3.5, 0.84),  # spec 6: 3.5 / 4.1667 = 84 %
        (SPEC, 200 / 48, 1.0),  # exactly on target
        # magic 4 (52000 / 250 / 52); 5 a week is 125 %
        (Scenario(goal=52_000, weeks=52, avg_sale=2_000, p1=0.5, p2=0.25), 5.0, 1.25),
        (SPEC, 0.0, 0.0),  # no activity at all
    ],
)
def test_the_activity_barometer_is_weekly_appointments_over_the_magic_number(
    scenario: Scenario, weekly_appointments: float, barometer: float
) -> None:
    result = solve(replace(scenario, weekly_appointments=weekly_appointments))
    assert result.activity_barometer == pytest.approx(barometer)


def test_without_weekly_appointments_the_barometer_is_undefined() -> None:
    assert solve(SPEC).activity_barometer is None


# --- back-solving: hand-computed tables ---------------------------------------------------------


@pytest.mark.parametrize(
    ("solve_for", "expected"),
    [
        # 3.5 x 48 = 168 appointments; x 12500 x .6 x .4 = 504000
        ("goal", 504_000.0),
        # 600000 / (3.5 x 12500 x .6 x .4 = 10500) = 57.142857
        ("weeks", 600_000 / 10_500),
        # 600000 / (168 x .6 x .4 = 40.32) = 14880.95
        ("avg_sale", 600_000 / 40.32),
        # 600000 / (168 x 12500 x .4 = 840000) = 0.714286
        ("p1", 600_000 / 840_000),
        # spec 6: 600000 / (3.5 x 48 x 12500 x 0.60) = 0.4762
        ("p2", 0.4762),
    ],
)
def test_back_solving_the_worked_example_with_3_5_appointments_a_week(solve_for: str, expected: float) -> None:
    result = solve(replace(SPEC, weekly_appointments=3.5), solve_for)
    assert result.feasible
    assert result.solved == solve_for
    assert result.solved_value == pytest.approx(expected, rel=1e-4)
    assert result.magic_number == 3.5
    assert result.activity_barometer == pytest.approx(1.0)


def test_the_value_of_the_solved_field_in_the_scenario_is_ignored() -> None:
    result = solve(replace(SPEC, p2=math.nan, weekly_appointments=3.5), "p2")
    assert result.p2 == pytest.approx(0.476190476)


def test_a_close_ratio_message_says_the_answer_as_a_percentage() -> None:
    result = solve(replace(SPEC, weekly_appointments=3.5), "p2")
    assert "close ratio must be 47.6 %" in result.message


def test_a_solved_ratio_above_100_percent_is_infeasible_and_not_clipped() -> None:
    # 600000 / (2 x 48 x 12500 x .4 = 480000) = 1.25
    result = solve(replace(SPEC, weekly_appointments=2), "p1")
    assert not result.feasible
    assert result.p1 == pytest.approx(1.25)
    assert "125 %" in result.message
    assert "cannot exceed 100 %" in result.message


def test_a_solved_ratio_of_exactly_100_percent_is_feasible() -> None:
    # 30000 / (4 x 10000 x 1 x 0.75) = 1.0 exactly
    scenario = Scenario(goal=30_000, weeks=4, avg_sale=10_000, p1=0.3, p2=1.0)
    result = solve(replace(scenario, weekly_appointments=0.75), "p1")
    assert result.p1 == 1.0
    assert result.feasible


# --- zeros make answers undefined, not errors ---------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"p1": 0.0}, "appointment-to-next-step ratio is 0"),
        ({"p2": 0.0}, "close ratio is 0"),
        ({"avg_sale": 0.0}, "average revenue per sale is 0"),
        ({"weeks": 0.0}, "no selling weeks"),
        ({"use_pacing": True, "weeks_elapsed": 48.0}, "No selling weeks are left"),
        ({"use_pacing": True, "weeks_elapsed": 50.0}, "No selling weeks are left"),
    ],
)
def test_a_zero_that_leaves_the_magic_number_undefined_is_infeasible_with_a_sentence(
    changes: dict[str, float], words: str
) -> None:
    result = solve(replace(SPEC, **changes))  # type: ignore[arg-type]
    assert not result.feasible
    assert result.magic_number is None
    assert result.magic_number_rounded is None
    assert words in result.message


@pytest.mark.parametrize(
    ("solve_for", "changes", "words"),
    [
        ("p2", {"weekly_appointments": 0.0}, "With 0 appointments a week"),
        ("p1", {"weekly_appointments": 0.0}, "With 0 appointments a week"),
        ("avg_sale", {"weekly_appointments": 0.0}, "With 0 appointments a week"),
        ("weeks", {"weekly_appointments": 0.0}, "With 0 appointments a week"),
        ("p2", {"p1": 0.0}, "appointment-to-next-step ratio is 0"),
        ("p1", {"avg_sale": 0.0}, "average revenue per sale is 0"),
        ("avg_sale", {"p2": 0.0}, "close ratio is 0"),
        ("weeks", {"p1": 0.0}, "appointment-to-next-step ratio is 0"),
        ("p2", {"weeks": 0.0}, "no selling weeks"),
    ],
)
def test_a_zero_denominator_when_back_solving_is_infeasible_not_a_crash(
    solve_for: str, changes: dict[str, float], words: str
) -> None:
    scenario = replace(SPEC, **({"weekly_appointments": 3.5} | changes))  # type: ignore[arg-type]
    result = solve(scenario, solve_for)
    assert not result.feasible
    assert result.solved_value is None
    assert words in result.message


def test_with_zero_appointments_the_goal_within_reach_is_zero() -> None:
    result = solve(replace(SPEC, weekly_appointments=0.0), "goal")
    assert result.feasible
    assert result.goal == 0.0


def test_a_goal_of_zero_needs_no_appointments() -> None:
    result = solve(replace(SPEC, goal=0.0, p1=0.0))
    assert result.feasible
    assert result.magic_number == 0.0
    assert result.magic_number_rounded == 0


@pytest.mark.parametrize("solve_for", ["p1", "p2", "avg_sale"])
def test_back_solving_for_a_goal_of_zero_needs_no_value_and_keeps_the_rep_s_appointments(solve_for: str) -> None:
    # Any ratio or average sale reaches a goal of 0: the solved value is undefined, and the 3.5
    # appointments a week held fixed stay 3.5 (it read 0.0, the forward Magic Number's).
    result = solve(replace(SPEC, goal=0.0, weekly_appointments=3.5), solve_for)
    assert result.feasible
    assert result.solved_value is None
    assert result.magic_number == 3.5
    label = {"p1": "appointment-to-next-step ratio", "p2": "close ratio", "avg_sale": "average revenue per sale"}
    assert result.message == (
        f"The goal is 0, so no {label[solve_for]} is needed: it is reached whatever the {label[solve_for]}."
    )
    assert result.warnings == ()


def test_back_solving_the_weeks_for_a_goal_of_zero_needs_no_weeks() -> None:
    result = solve(replace(SPEC, goal=0.0, weekly_appointments=3.5), "weeks")
    assert result.feasible
    assert result.weeks is None
    assert result.magic_number == 3.5
    assert result.message == "The goal is 0, so no selling weeks are needed."


def test_with_no_selling_weeks_the_goal_within_reach_is_zero() -> None:
    # No week to book in: 3.5 x 0 x 12500 x .6 x .4 = 0 (it read infeasible, with no goal at all).
    result = solve(replace(SPEC, weeks=0.0, weekly_appointments=3.5), "goal")
    assert result.feasible
    assert result.goal == 0.0
    assert result.message == (
        "With no selling weeks, no appointment can be booked, so the revenue goal within reach is 0."
    )


def test_with_every_week_gone_the_goal_within_reach_is_what_is_in_hand() -> None:
    # 290000 won + 4 x .4 x 12500 + 10 x .6 x .4 x 12500 = 290000 + 20000 + 30000 = 340000
    result = solve(replace(PACED, weeks_elapsed=48, weekly_appointments=3.5), "goal")
    assert result.feasible
    assert result.goal == pytest.approx(340_000)
    assert result.message == (
        "No selling weeks are left (48 of 48 weeks have gone), so the revenue goal within reach is what is "
        "already won and expected from open opportunities: 340,000."
    )


@pytest.mark.parametrize(
    ("scenario", "solve_for", "message"),
    [
        # 1 x 48 x 12500 x .6 x .4 = 144000
        (
            replace(SPEC, weekly_appointments=1.0),
            "goal",
            "With 1 appointment a week, the revenue goal within reach is 144,000.",
        ),
        (
            replace(SPEC, weekly_appointments=0.0),
            "p2",
            "With 0 appointments a week, no close ratio reaches the goal.",
        ),
        (
            replace(SPEC, weekly_appointments=0.0),
            "avg_sale",
            "With 0 appointments a week, no average revenue per sale reaches the goal.",
        ),
        # 3000 / (12500 x .6 x .4) = 1 appointment, in 1 week
        (
            replace(SPEC, goal=3_000, weeks=1),
            "magic_number",
            "Book 1 new first appointment a week to reach the goal of 3,000 in 1 week.",
        ),
        # 144000 / (1 x 12500 x .6 x .4) = 48 weeks; 3000 / 3000 = 1 week
        (
            replace(SPEC, goal=3_000, weekly_appointments=1.0),
            "weeks",
            "With 1 appointment a week, reaching the goal takes 1 selling week.",
        ),
        # pacing, 1 of 1 week gone
        (
            replace(SPEC, use_pacing=True, weeks=1, weeks_elapsed=1),
            "magic_number",
            "No selling weeks are left (1 of 1 week has gone), so the remaining goal cannot be reached.",
        ),
    ],
)
def test_sentences_count_one_in_the_singular_and_never_break(scenario: Scenario, solve_for: str, message: str) -> None:
    assert solve(scenario, solve_for).message == message


# --- user errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"goal": -1.0}, "goal"),
        ({"weeks": -4.0}, "weeks"),
        ({"avg_sale": math.nan}, "avg_sale"),
        ({"p1": 1.5}, "p1"),
        ({"p2": -0.1}, "p2"),
        ({"p2": math.inf}, "p2"),
        ({"weekly_appointments": -2.0}, "weekly_appointments"),
        ({"use_cycle_lag": True, "cycle_days": -7.0}, "cycle_days"),
        ({"use_pacing": True, "revenue_won": math.nan}, "revenue_won"),
        ({"use_pacing": True, "open_advanced": -1}, "open_advanced"),
    ],
)
def test_a_negative_or_nan_input_is_an_error_naming_the_field(changes: dict[str, float], field: str) -> None:
    with pytest.raises(InvalidInputError, match=rf"\({field}\)"):
        solve(replace(SPEC, **changes))  # type: ignore[arg-type]


def test_back_solving_without_weekly_appointments_is_an_error() -> None:
    with pytest.raises(InvalidInputError, match="weekly appointments"):
        solve(SPEC, "p2")


def test_solving_for_an_unknown_quantity_is_an_error() -> None:
    with pytest.raises(InvalidInputError, match="Cannot solve for 'revenue'"):
        solve(SPEC, "revenue")


def test_the_cycle_lag_without_a_cycle_is_an_error() -> None:
    with pytest.raises(InvalidInputError, match="cycle_days"):
        solve(replace(SPEC, use_cycle_lag=True))


def test_option_fields_are_ignored_while_their_option_is_off() -> None:
    scenario = replace(SPEC, revenue_won=math.nan, cycle_days=-3.0)
    assert solve(scenario).magic_number == pytest.approx(200 / 48)


# --- sales-cycle lag ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("weeks", "cycle_days", "usable", "magic", "warned"),
    [
        (48, 28, 44, 200 / 44, False),  # 48 - 28/7 = 44 weeks; 200 / 44 = 4.5455
        (48, 0, 48, 200 / 48, False),  # no cycle, no lag
        (5, 28, 1, 200.0, False),  # 5 - 4 = 1 week exactly: not below one, no warning
        (4, 35, 1, 200.0, True),  # 4 - 5 < 1: floored at one week, with a warning
        (0.5, 14, 0.5, 400.0, True),  # half a week: the floor never exceeds the period
    ],
)
def test_the_sales_cycle_lag_takes_the_cycle_off_the_usable_weeks(
    weeks: float, cycle_days: float, usable: float, magic: float, warned: bool
) -> None:
    scenario = replace(SPEC, weeks=weeks, use_cycle_lag=True, cycle_days=cycle_days)
    result = solve(scenario)
    assert result.usable_weeks == pytest.approx(usable)
    assert result.magic_number == pytest.approx(magic)
    assert bool(result.warnings) == warned
    if warned:
        assert "eats the period" in result.warnings[0]


def test_solving_weeks_with_the_lag_adds_the_cycle_back() -> None:
    # 600000 / (3.5 x 3000) = 57.142857 usable weeks, + 14/7 = 2 weeks of cycle
    scenario = replace(SPEC, weekly_appointments=3.5, use_cycle_lag=True, cycle_days=14)
    result = solve(scenario, "weeks")
    assert result.weeks == pytest.approx(600_000 / 10_500 + 2)
    assert result.usable_weeks == pytest.approx(600_000 / 10_500)


def test_solving_weeks_with_the_lag_warns_when_less_than_a_usable_week_is_needed() -> None:
    # 600000 / (500 x 3000) = 0.4 usable weeks; the forward floor would assume 1
    scenario = replace(SPEC, weekly_appointments=500, use_cycle_lag=True, cycle_days=14)
    result = solve(scenario, "weeks")
    assert result.weeks == pytest.approx(2.4)
    assert "less than one usable week" in result.warnings[0]


# --- pacing -------------------------------------------------------------------------------------

# Half-way through: 290000 won; 4 advanced open x .4 x 12500 = 20000; 10 not advanced
# x .6 x .4 x 12500 = 30000; remaining 600000 - 290000 - 50000 = 260000 = 86.667 appointments.
PACED = replace(
    SPEC,
    use_pacing=True,
    weeks_elapsed=24,
    revenue_won=290_000,
    open_advanced=4,
    open_not_advanced=10,
)


def test_pacing_spreads_the_remaining_goal_over_the_weeks_left() -> None:
    result = solve(PACED)
    assert result.remaining_goal == pytest.approx(260_000)
    assert result.usable_weeks == 24
    assert result.magic_number == pytest.approx(260_000 / 3_000 / 24)  # 3.6111
    assert result.magic_number_rounded == 4
    assert "remaining 260,000" in result.message


def test_pacing_with_the_lag_takes_the_cycle_off_the_weeks_left() -> None:
    result = solve(replace(PACED, use_cycle_lag=True, cycle_days=14))
    assert result.usable_weeks == 22  # 48 - 24 - 2
    assert result.magic_number == pytest.approx(260_000 / 3_000 / 22)  # 3.9394


def test_pacing_says_so_when_the_goal_is_already_covered() -> None:
    # 560000 won + 50000 expected from open opportunities > 600000
    result = solve(replace(PACED, revenue_won=560_000))
    assert result.feasible
    assert result.magic_number == 0.0
    assert result.magic_number_rounded == 0
    assert result.remaining_goal == pytest.approx(-10_000)
    assert "cover the goal" in result.message
    assert any("cover the goal" in warning for warning in result.warnings)


def test_back_solving_a_covered_goal_needs_no_value() -> None:
    result = solve(replace(PACED, revenue_won=600_000, weekly_appointments=3.5), "p2")
    assert result.feasible
    assert result.p2 is None
    assert "whatever the close ratio" in result.message


def test_back_solving_the_close_ratio_with_pacing_counts_the_open_pipeline() -> None:
    # G - won = 310000 = p2 x 12500 x (4 + 10 x .6 + 3.5 x 24 x .6) = p2 x 12500 x 60.4
    scenario = replace(PACED, weekly_appointments=3.5)
    result = solve(scenario, "p2")
    assert result.p2 == pytest.approx(310_000 / (12_500 * 60.4))


# --- rounding -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        (4.0000000001, 4),
        (3.9999999999, 4),
        (4.0, 4),
        (0.0, 0),
        (4.001, 5),
        (4.1667, 5),
        (0.2, 1),
    ],
)
def test_appointments_round_up_to_whole_ones_ignoring_float_noise(value: float, rounded: int) -> None:
    assert ceil_appointments(value) == rounded


# --- levers -------------------------------------------------------------------------------------


def test_levers_on_the_worked_example_rank_the_close_ratio_first() -> None:
    levers = lever_sensitivity(SPEC)
    # p2 .5: 600000/3750/48 = 3.3333; p1 .7: 600000/3500/48 = 3.5714;
    # avg_sale 13750: 600000/3300/48 = 3.7879; 49 weeks: 200/49 = 4.0816
    assert [lever.name for lever in levers] == ["p2", "p1", "avg_sale", "weeks"]
    expected = {"p2": 10 / 3, "p1": 600_000 / 3_500 / 48, "avg_sale": 600_000 / 3_300 / 48}
    expected["weeks"] = 200 / 49
    for lever in levers:
        assert lever.new_magic_number == pytest.approx(expected[lever.name])
        assert lever.change == pytest.approx(expected[lever.name] - 200 / 48)


def test_a_ratio_lever_is_capped_at_100_percent() -> None:
    p1_lever = next(lever for lever in lever_sensitivity(replace(SPEC, p1=0.95)) if lever.name == "p1")
    # p1 -> 1.0, not 1.05: 600000 / 5000 / 48 = 2.5
    assert p1_lever.new_magic_number == pytest.approx(2.5)


def test_levers_are_empty_when_the_base_magic_number_is_undefined() -> None:
    assert lever_sensitivity(replace(SPEC, p1=0.0)) == ()


def test_a_lever_step_must_be_positive() -> None:
    with pytest.raises(InvalidInputError, match="step"):
        lever_sensitivity(SPEC, step=0.0)


# --- properties ---------------------------------------------------------------------------------

ratios = st.floats(min_value=0.05, max_value=1.0)


@st.composite
def scenarios(draw: st.DrawFn, *, lag: bool, pacing: bool) -> Scenario:
    """Valid scenarios whose remaining goal is positive and whose usable weeks are >= 1.

    The goal is drawn as pipeline + remaining so that pacing never covers it by accident, and the
    pipeline stays within a few thousand times the remaining goal: ``goal - won - pipeline`` loses
    digits to cancellation, and the round trip is checked to 1e-9.
    """
    avg_sale = draw(st.floats(min_value=100, max_value=1e5))
    p1, p2 = draw(ratios), draw(ratios)
    usable = draw(st.floats(min_value=1, max_value=260))
    cycle_days = draw(st.floats(min_value=0, max_value=180)) if lag else None
    elapsed = draw(st.floats(min_value=0, max_value=52)) if pacing else 0.0
    won = draw(st.floats(min_value=0, max_value=1e6)) if pacing else 0.0
    advanced = draw(st.integers(min_value=0, max_value=20)) if pacing else 0
    not_advanced = draw(st.integers(min_value=0, max_value=20)) if pacing else 0
    pipeline = won + advanced * p2 * avg_sale + not_advanced * p1 * p2 * avg_sale
    remaining = draw(st.floats(min_value=1e3, max_value=1e8))
    return Scenario(
        goal=pipeline + remaining,
        weeks=usable + (cycle_days or 0.0) / 7 + elapsed,
        avg_sale=avg_sale,
        p1=p1,
        p2=p2,
        cycle_days=cycle_days,
        use_cycle_lag=lag,
        use_pacing=pacing,
        weeks_elapsed=elapsed,
        revenue_won=won,
        open_advanced=advanced,
        open_not_advanced=not_advanced,
    )


OPTIONS = pytest.mark.parametrize(("lag", "pacing"), [(False, False), (True, False), (False, True), (True, True)])


@OPTIONS
@given(data=st.data())
def test_solving_any_quantity_then_running_forward_reproduces_the_weekly_appointments(
    lag: bool, pacing: bool, data: st.DataObject
) -> None:
    base = data.draw(scenarios(lag=lag, pacing=pacing))
    magic = solve(base).magic_number
    assert magic is not None and magic > 0
    weekly = magic * data.draw(st.floats(min_value=0.2, max_value=5))
    solve_for = data.draw(st.sampled_from(SOLVABLE[1:]))
    result = solve(replace(base, weekly_appointments=weekly), solve_for)
    value = result.solved_value
    assert value is not None
    if solve_for in ("p1", "p2") and value > 1:
        assert not result.feasible
        return
    assert result.feasible
    if solve_for == "weeks" and lag and result.usable_weeks is not None and result.usable_weeks < 1:
        assert result.warnings  # the forward floor of one week breaks the round trip, and says so
        return
    forward = solve(replace(base, **{solve_for: value}))  # type: ignore[arg-type]
    assert forward.magic_number is not None
    assert math.isclose(forward.magic_number, weekly, rel_tol=1e-9)


@OPTIONS
@given(data=st.data())
def test_a_solved_ratio_above_100_percent_is_always_flagged_infeasible(
    lag: bool, pacing: bool, data: st.DataObject
) -> None:
    base = data.draw(scenarios(lag=lag, pacing=pacing))
    magic = solve(base).magic_number
    assert magic is not None
    solve_for = data.draw(st.sampled_from(("p1", "p2")))
    # fewer appointments than a perfect 100 % ratio would need: only a ratio above 1 reaches it
    at_100_percent = solve(replace(base, **{solve_for: 1.0})).magic_number  # type: ignore[arg-type]
    assert at_100_percent is not None
    assume(at_100_percent > 0)  # with pacing the open pipeline may cover the goal at 100 %
    weekly = at_100_percent * data.draw(st.floats(min_value=0.01, max_value=0.99))
    result = solve(replace(base, weekly_appointments=weekly), solve_for)
    assert result.solved_value is not None and result.solved_value > 1
    assert not result.feasible
    if not pacing:  # without pacing the ratio scales exactly with magic / weekly
        expected = getattr(base, solve_for) * magic / weekly
        assert math.isclose(result.solved_value, expected, rel_tol=1e-9)


@given(value=st.floats(min_value=0, max_value=1e6))
def test_the_rounded_magic_number_is_the_ceiling(value: float) -> None:
    rounded = ceil_appointments(value)
    assert rounded - 1 < value
    assert value <= rounded * (1 + 1e-9) + 1e-9
    if abs(value - round(value)) > 1e-9 * max(1.0, value):  # beyond float noise
        assert rounded == math.ceil(value)


@given(base=scenarios(lag=False, pacing=False))
def test_the_result_rounds_its_magic_number_up(base: Scenario) -> None:
    result = solve(base)
    assert result.magic_number is not None
    assert result.magic_number_rounded == ceil_appointments(result.magic_number)


@given(base=scenarios(lag=True, pacing=True))
def test_no_lever_ever_raises_the_magic_number_and_they_are_sorted(base: Scenario) -> None:
    levers = lever_sensitivity(base)
    changes = [lever.change for lever in levers]
    assume(all(change is not None for change in changes))
    assert len(levers) == 4
    assert all(change is not None and change <= 1e-12 for change in changes)
    assert changes == sorted(changes)  # type: ignore[type-var]


@pytest.mark.parametrize(
    ("goal", "sentence"),
    [
        # 401,800 / (1,000 x 0.5 x 0.5) / 10 = 160.72 a week: the exact value at any size, not "161 (161 rounded up)".
        (
            401_800,
            "Book 160.72 new first appointments a week (161 rounded up) to reach the goal of 401,800 in 10 weeks.",
        ),
        # 1,000,000 / 2,500 / 10 = 400 exactly: nothing to round.
        (1_000_000, "Book 400 new first appointments a week to reach the goal of 1,000,000 in 10 weeks."),
        (3_100_000, "Book 1,240 new first appointments a week to reach the goal of 3,100,000 in 10 weeks."),
    ],
)
def test_the_sentence_gives_the_exact_value_and_the_whole_appointments_when_they_differ(
    goal: float, sentence: str
) -> None:
    result = solve(Scenario(goal=goal, weeks=10, avg_sale=1_000, p1=0.5, p2=0.5))
    assert result.message == sentence


def test_sentences_group_large_numbers_as_the_page_does() -> None:
    # 600,000 / (0.5 x 48 x 12,500 x .06) = 33.33 a week: a close ratio of 3,333.3 % is needed.
    assert "would have to be 3,333.3 %" in solve(replace(SPEC, p1=0.06, weekly_appointments=0.5), "p2").message
    # 12,000,000 / (12,500 x .6 x .4) / 1 week = 4,000 a week; 100 more of goal: 4,000.03, so 4,001 to book.
    big = solve(replace(SPEC, goal=12_000_000, weeks=1))
    assert big.message.startswith("Book 4,000 new first appointments a week to reach")
    odd = solve(replace(SPEC, goal=12_000_100, weeks=1))
    assert "(4,001 rounded up)" in odd.message
