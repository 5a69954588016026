"""Magic Number page: the worked example, back-solving, query-string links, coaching and levers."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import metric, new_app, open_page

WORKED_EXAMPLE = {"goal": 600000, "weeks": 48, "avg_sale": 12500, "p1": 60, "p2": 40}


def _set_inputs(at, values: dict) -> None:
    for name, value in values.items():
        at.number_input(key=f"mn_{name}_input").set_value(value).run()
        assert not at.exception, at.exception


def test_the_sample_data_renders_the_magic_number_without_an_exception() -> None:
    at = open_page(new_app(), "magic_number")
    assert at.title[0].value == "How many first appointments a week does my goal take?"
    assert metric(at, "Magic Number (first appointments a week)").isdigit()


def test_the_worked_example_gives_five_appointments_a_week_and_4_17_exact() -> None:
    at = open_page(new_app(), "magic_number")
    _set_inputs(at, WORKED_EXAMPLE)
    assert metric(at, "Magic Number (first appointments a week)") == "5"
    assert metric(at, "Exact value") == "4.17"


def test_3_5_appointments_a_week_reads_84_percent_on_the_barometer_with_prospecting_coaching() -> None:
    at = open_page(new_app(), "magic_number")
    _set_inputs(at, {**WORKED_EXAMPLE, "appts": 3.5})
    assert metric(at, "Activity barometer") == "84 %"
    texts = " ".join(str(m.value) for m in at.markdown)
    assert "Activity barometer is 84 %" in texts.replace("\\", "")


def test_moving_a_slider_moves_the_answer() -> None:
    at = open_page(new_app(), "magic_number")
    _set_inputs(at, WORKED_EXAMPLE)
    at.slider(key="mn_p2_slider").set_value(80.0).run()
    assert metric(at, "Exact value") == "2.08"
    assert at.number_input(key="mn_p2_input").value == 80.0


def test_back_solving_the_close_ratio_gives_47_6_percent() -> None:
    at = open_page(new_app(), "magic_number")
    _set_inputs(at, {**WORKED_EXAMPLE, "appts": 3.5})
    at.selectbox(key="mn_solve").set_value("p2").run()
    assert metric(at, "Close ratio needed") == "47.6 %"


def test_an_infeasible_ratio_says_so_instead_of_clipping() -> None:
    at = open_page(new_app(), "magic_number")
    _set_inputs(at, {**WORKED_EXAMPLE, "appts": 0.5})
    at.selectbox(key="mn_solve").set_value("p2").run()
    assert any("cannot exceed 100 %" in e.value.replace("\\", "") for e in at.error)


def test_query_parameters_pre_fill_the_inputs() -> None:
    at = new_app()
    at.query_params.update({"goal": "600000", "weeks": "48", "avg_sale": "12500", "p1": "60", "p2": "40"})
    open_page(at, "magic_number")
    assert at.number_input(key="mn_goal_input").value == 600000
    assert at.number_input(key="mn_p1_input").value == 60
    assert metric(at, "Exact value") == "4.17"


def test_a_link_for_a_rep_of_the_data_starts_from_that_rep() -> None:
    at = new_app()
    at.query_params.update({"rep": "Andi Pratama", "goal": "500000"})
    open_page(at, "magic_number")
    assert at.selectbox(key="mn_source").value == "Andi Pratama"
    assert at.number_input(key="mn_goal_input").value == 500000


def test_changing_an_input_writes_it_to_the_url() -> None:
    at = open_page(new_app(), "magic_number")
    _set_inputs(at, WORKED_EXAMPLE)
    assert at.query_params["goal"] == ["600000"] or at.query_params["goal"] == "600000"
    assert at.query_params["p2"] in (["40"], "40")


def test_the_levers_are_compared_for_the_magic_number() -> None:
    at = open_page(new_app(), "magic_number")
    _set_inputs(at, WORKED_EXAMPLE)
    levers = next(df.value for df in at.dataframe if "Lever" in df.value.columns)
    assert set(levers["Lever"]) == {
        "Average revenue per sale",
        "Appointment-to-next-step ratio",
        "Close ratio",
        "Selling weeks",
    }
    # Numbers underneath, so the columns sort: 600,000 / (12,500 x .6 x .5) / 48 = 3.33 with the close
    # ratio 10 points up, 0.83 fewer than the 4.17 of the worked example.
    assert list(levers.columns) == ["Lever", "Change", "New Magic Number", "Step"]  # the change first: a phone's width
    assert levers["New Magic Number"].dtype == "float64"
    close = levers.set_index("Lever").loc["Close ratio"]
    assert close["New Magic Number"] == pytest.approx(600_000 / (12_500 * 0.6 * 0.5) / 48)
    assert close["Change"] == pytest.approx(600_000 / (12_500 * 0.6 * 0.5) / 48 - 600_000 / (12_500 * 0.6 * 0.4) / 48)


def test_the_inputs_survive_a_trip_to_another_page() -> None:
    at = open_page(new_app(), "magic_number")
    _set_inputs(at, WORKED_EXAMPLE)
    open_page(at, "overview")
    open_page(at, "magic_number")
    assert metric(at, "Exact value") == "4.17"


def test_the_answer_and_its_coaching_read_in_the_currency_and_decimal_mark_chosen() -> None:
    at = open_page(new_app(), "magic_number")
    at.selectbox(key="currency").set_value("IDR").run()
    _set_inputs(at, {**WORKED_EXAMPLE, "appts": 3.5})
    assert metric(at, "Exact value") == "4,17"
    # 600,000 / (12,500 x .6 x .4) / 48 = 4.1667; the sentence says what the metrics say
    assert at.caption[0].value.replace("\\", "") == (
        "Book 4,17 new first appointments a week (5 rounded up) to reach the goal of Rp 600.000 in 48 weeks."
    )
    texts = " ".join(str(m.value) for m in at.markdown).replace("\\", "")
    assert "Activity barometer is 84 %, below the 100 % target" in texts
    at.selectbox(key="mn_solve").set_value("goal").run()
    # 3.5 x 48 x 12,500 x .6 x .4 = 504,000
    assert (
        at.caption[0].value.replace("\\", "")
        == "With 3,5 appointments a week, the revenue goal within reach is Rp 504.000."
    )


def test_a_new_file_fills_the_inputs_again_from_its_own_data() -> None:
    from kpi_core import db, queries
    from kpi_core.importing import load_path
    from tests.app.conftest import FIXTURES, upload_fixture
    from ui import magic_inputs as mi

    at = open_page(new_app(), "magic_number")
    at.selectbox(key="mn_source").set_value("Budi Santoso").run()
    sample_goal = at.number_input(key="mn_goal_input").value
    at.number_input(key="mn_weeks_input").set_value(40.0).run()
    at = open_page(upload_fixture(at, "salesforce.csv"), "magic_number")
    assert not at.exception
    # The sample's rep and ratios are gone: the inputs start from the new file's team.
    assert at.selectbox(key="mn_source").value == "Team"
    team = queries.kpis(db.session_cursor(), load_path(FIXTURES / "salesforce.csv"), "all")[0]
    assert at.number_input(key="mn_p1_input").value == team.p1 * 100
    assert at.number_input(key="mn_p2_input").value == team.p2 * 100
    assert at.number_input(key="mn_avg_sale_input").value == team.avg_sale
    # A goal on the new file's scale (a fifth above its pace), not the sample's; the weeks set stay.
    assert at.number_input(key="mn_weeks_input").value == 40.0
    goal = at.number_input(key="mn_goal_input").value
    assert goal != sample_goal
    assert goal == mi._stretched_goal(40.0, team.avg_sale, team.p1, team.p2, team.weekly_appointments)


# Budi: 4 appointments, 2 past the first gate, 1 won (3,000). Citra: 4, 3, 2 won (1,000 + 2,000).
# [Ana](http://x) (a name that is a Markdown link): 4, 2, none won. Dewi: 3, none past the first gate.
# Team: 15 appointments, 7 past the first gate, 3 won; average sale 6,000 / 3 = 2,000; close ratio
# 3 / 7 = 42.857 %.
ANA = "[Ana](http://x)"
TEAM_GAPS = (
    "rep,first_appointment,next_step,outcome,amount\n"
    "Budi,2026-01-05,2026-01-07,won,3000\nBudi,2026-01-06,2026-01-08,lost,\nBudi,2026-01-07,,lost,\n"
    "Budi,2026-01-08,,open,\n"
    "Citra,2026-01-05,2026-01-07,won,1000\nCitra,2026-01-06,2026-01-08,won,2000\n"
    "Citra,2026-01-07,2026-01-09,lost,\nCitra,2026-01-08,,lost,\n"
    f"{ANA},2026-01-05,2026-01-07,lost,\n{ANA},2026-01-06,2026-01-08,lost,\n{ANA},2026-01-07,,open,\n"
    f"{ANA},2026-01-08,,lost,\n"
    "Dewi,2026-01-05,,lost,\nDewi,2026-01-06,,open,\nDewi,2026-01-07,,lost,\n"
)
NOTHING_WON = "rep,first_appointment,next_step,outcome,amount\n" + "".join(
    f"{rep},2026-01-0{day},2026-01-09,lost,\n" for rep in ("Ana", "Budi") for day in range(1, 6)
)


def _magic_page_on(name: str, content: str) -> AppTest:
    from tests.app.conftest import confirm, upload

    return open_page(confirm(upload(new_app(), name, content.encode())), "magic_number")


def _notes(at: AppTest) -> list[str]:
    """The sentences of the box near the inputs that says where starting values came from."""
    return [
        line.replace("\\", "")
        for box in at.info
        for line in box.value.split("\n\n")
        if "starts from" in box.value or "start from" in box.value
    ]


def test_a_rep_without_a_won_sale_starts_from_the_team_s_average_sale_and_the_page_says_so() -> None:
    from ui.text import md_escape

    at = _magic_page_on("gaps.csv", TEAM_GAPS)
    assert _notes(at) == []  # the team's own numbers are all defined
    at.selectbox(key="mn_source").set_value(ANA).run()
    assert not at.exception
    assert at.number_input(key="mn_avg_sale_input").value == 2000.0
    # Ana's close ratio (0 of 2) is her own: no note for it.
    assert at.number_input(key="mn_p2_input").value == 0.0
    sentence = f"{ANA} has no won sale in this window, so average revenue per sale starts from the team's ($2,000); change it below."
    # The name is escaped: it shows as typed, never as a link.
    assert [box.value for box in at.info if "starts from" in box.value] == [md_escape(sentence)]


def test_each_input_not_from_the_rep_s_own_numbers_gets_its_sentence_in_the_reader_s_numbers() -> None:
    at = _magic_page_on("gaps.csv", TEAM_GAPS)
    at.selectbox(key="currency").set_value("IDR").run()
    at.selectbox(key="mn_source").set_value("Dewi").run()
    # The close ratio input holds the team's 3 / 7, exact (shown with two decimals: 42.86).
    assert at.number_input(key="mn_p2_input").value == 3 / 7 * 100
    assert _notes(at) == [
        "Dewi has no won sale in this window, so average revenue per sale starts from the team's (Rp 2.000); "
        "change it below.",
        "Dewi has no opportunity past the first gate in this window, so the close ratio starts from the team's "
        "(42,9 %); change it below.",
    ]
    # Once the user types a value of their own, its sentence goes; the other stays.
    at.number_input(key="mn_p2_input").set_value(55.0).run()
    assert _notes(at) == [
        "Dewi has no won sale in this window, so average revenue per sale starts from the team's (Rp 2.000); "
        "change it below."
    ]
    # Back to the team's own numbers: nothing to say.
    at.selectbox(key="mn_source").set_value("Team").run()
    assert _notes(at) == []


def test_a_placeholder_where_neither_the_rep_nor_the_team_has_a_value_says_to_type_your_own() -> None:
    at = _magic_page_on("nothing_won.csv", NOTHING_WON)
    # The team comes first: nothing won, so average revenue per sale is a placeholder, and says so.
    assert at.number_input(key="mn_avg_sale_input").value == 10_000.0
    assert _notes(at) == [
        "The team has no won sale in this window, so average revenue per sale starts from $10,000, "
        "a placeholder: type your own."
    ]
    at.selectbox(key="mn_source").set_value("Ana").run()
    assert _notes(at) == [
        "Ana has no won sale in this window, nor does the team, so average revenue per sale starts from $10,000, "
        "a placeholder: type your own."
    ]
    # Solving for it: the input is not used, so no sentence.
    at.selectbox(key="mn_solve").set_value("avg_sale").run()
    assert _notes(at) == []


def test_the_answer_is_repeated_under_the_sliders_and_moves_with_them() -> None:
    """On a phone the hero is a screen or two above the sliders: the inputs end with the answer."""
    at = open_page(new_app(), "magic_number")
    _set_inputs(at, WORKED_EXAMPLE)

    def lines() -> list[str]:
        return [str(m.value).replace("\\", "") for m in at.markdown]

    assert "**5** first appointments a week (exact 4.17)" in lines()
    at.slider(key="mn_p2_slider").set_value(80.0).run()
    assert "**3** first appointments a week (exact 2.08)" in lines()
    at.slider(key="mn_p2_slider").set_value(40.0).run()
    at.selectbox(key="mn_solve").set_value("p2").run()
    _set_inputs(at, {"appts": 3.5})
    assert "Close ratio needed: **47.6 %**" in lines()


def test_the_revenue_a_week_fits_its_quarter_of_the_page_in_rupiah() -> None:
    """'Rp 37.500.000' was cut to 'Rp 37.500.…' at a laptop's width: compact, the exact amount in the help."""
    at = open_page(new_app(), "magic_number")
    at.session_state["currency"] = "IDR"
    _set_inputs(at, {"goal": 1_800_000_000, "weeks": 48})
    revenue = next(m for m in at.metric if m.label == "Revenue per week")
    assert revenue.value == "Rp 37,5 jt"
    assert "Exact value: Rp 37.500.000 a week, Rp 1.800.000.000 over the period." in revenue.proto.help.replace(
        "\\", ""
    )


def test_another_window_and_filter_refill_the_inputs_the_user_has_not_changed() -> None:
    """The company's full-year ratios stayed on the page after a filter to one team and three weeks."""
    import datetime as dt

    from kpi_core import queries
    from kpi_core.db import session_cursor
    from kpi_core.model import Filters
    from ui import state

    at = open_page(new_app(), "magic_number")
    at.number_input(key="mn_p2_input").set_value(45.0).run()  # typed: it stays
    at.session_state["filter_teams"] = ["North"]
    at.session_state["filter_window"] = (dt.date(2026, 3, 2), dt.date(2026, 3, 22))
    at.run()
    ds = at.session_state[state.DATASET]
    north = queries.kpis(
        session_cursor(), ds, "all", Filters(start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 22), teams=("North",))
    )[0]
    assert at.number_input(key="mn_avg_sale_input").value == north.avg_sale
    assert at.number_input(key="mn_p1_input").value == north.p1 * 100
    assert at.number_input(key="mn_appts_input").value == north.weekly_appointments
    assert at.number_input(key="mn_p2_input").value == 45.0
