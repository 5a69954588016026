"""The Magic Number page's starting values: from the rep's own KPIs, else the team's, else a
placeholder, and the one sentence that says which (hand-computed rows, no Streamlit run)."""

from __future__ import annotations

import pytest

from kpi_core.model import KpiRow
from ui import format as fmt
from ui.magic_inputs import TEAM, Substitute, starting_values, substitute_sentence, why_undefined

USD, EUR = fmt.currency("USD"), fmt.currency("EUR")


def _row(
    group: str,
    appointments: int,
    advanced: int | None,
    won: int | None,
    revenue: float | None,
    avg_sale: float | None,
    weeks: float = 4.0,
) -> KpiRow:
    return KpiRow(
        group=group,
        team=None,
        appointments=appointments,
        advanced=advanced,
        won=won,
        p1=None if advanced is None or not appointments else advanced / appointments,
        p2=None if won is None or not advanced else won / advanced,
        revenue=revenue,
        avg_sale=avg_sale,
        cycle_days_mean=None,
        cycle_days_median=None,
        weeks=weeks,
        weekly_appointments=appointments / weeks,
    )


# The team: 14 appointments, 7 past the first gate, 3 won for 5,800: p1 50 %, p2 42.857 %, 1,933.33 a
# sale, 3.5 appointments a week. Ana: 6 appointments, 2 past the gate, nothing won.
TEAM_ROW = _row(TEAM, 14, 7, 3, 5_800.0, 5_800 / 3)
ANA = _row("Ana", 6, 2, 0, 0.0, None)


def test_a_rep_s_own_kpis_start_the_inputs_and_need_no_sentence() -> None:
    budi = _row("Budi", 8, 5, 3, 5_800.0, 5_800 / 3)
    values, substitutes = starting_values(budi, TEAM_ROW, "Budi")
    # Exact, as the Weekly activity page computes with them (the inputs show two decimals).
    assert values == {"avg_sale": 5_800 / 3, "p1": 5 / 8 * 100, "p2": 3 / 5 * 100, "appts": 2.0}
    assert substitutes == ()


def test_an_undefined_kpi_of_a_rep_starts_from_the_team_s_and_says_why() -> None:
    values, substitutes = starting_values(ANA, TEAM_ROW, "Ana")
    # p1 2 / 6 and p2 0 / 2 are Ana's own; her average sale is the team's
    assert values == {"avg_sale": 5_800 / 3, "p1": 2 / 6 * 100, "p2": 0.0, "appts": 1.5}
    assert substitutes == (Substitute("avg_sale", 5_800 / 3, "Ana", "has no won sale in this window", True),)
    assert substitute_sentence(substitutes[0], EUR) == (
        "Ana has no won sale in this window, so average revenue per sale starts from the team's (€1.933); "
        "change it below."
    )


def test_a_ratio_from_the_team_reads_as_a_percent_with_at_most_one_decimal() -> None:
    dewi = _row("Dewi", 4, 0, 0, 0.0, None)
    _, substitutes = starting_values(dewi, TEAM_ROW, "Dewi")
    assert [s.name for s in substitutes] == ["avg_sale", "p2"]
    assert substitutes[1].value == 3 / 7 * 100  # exact; the input shows two decimals
    assert substitute_sentence(substitutes[1], USD) == (
        "Dewi has no opportunity past the first gate in this window, so the close ratio starts from the team's "
        "(42.9 %); change it below."
    )
    assert substitute_sentence(substitutes[1], EUR).endswith("(42,9 %); change it below.")


def test_where_the_team_has_no_value_either_the_input_starts_from_a_placeholder() -> None:
    team = _row(TEAM, 10, 0, 0, 0.0, None)
    values, substitutes = starting_values(team, team, TEAM)
    assert (values["avg_sale"], values["p2"]) == (10_000.0, 50.0)
    assert [substitute_sentence(s, USD) for s in substitutes] == [
        "The team has no won sale in this window, so average revenue per sale starts from $10,000, "
        "a placeholder: type your own.",
        "The team has no opportunity past the first gate in this window, so the close ratio starts from 50 %, "
        "a placeholder: type your own.",
    ]
    rep = _row("Ana", 5, 0, 0, 0.0, None)
    _, substitutes = starting_values(rep, team, "Ana")
    assert substitute_sentence(substitutes[0], USD) == (
        "Ana has no won sale in this window, nor does the team, so average revenue per sale starts from $10,000, "
        "a placeholder: type your own."
    )


def test_a_rep_and_a_team_missing_a_value_for_different_reasons_say_both() -> None:
    # The file has no amounts: the team's wins have no revenue; Ana has no win at all.
    team = _row(TEAM, 10, 4, 2, None, None)
    _, substitutes = starting_values(_row("Ana", 5, 2, 0, None, None), team, "Ana")
    assert substitute_sentence(substitutes[0], USD) == (
        "Ana has no won sale in this window, and the team has no sale amounts, so average revenue per sale "
        "starts from $10,000, a placeholder: type your own."
    )


def test_with_nothing_in_the_window_every_input_is_a_placeholder() -> None:
    values, substitutes = starting_values(None, None, TEAM)
    assert values == {"avg_sale": 10_000.0, "p1": 50.0, "p2": 50.0, "appts": 5.0}
    assert [substitute_sentence(s, USD) for s in substitutes][-1] == (
        "No opportunity falls in this window, so current weekly appointments start from 5, "
        "a placeholder: type your own."
    )


def test_a_name_is_kept_as_given_for_the_page_to_escape() -> None:
    # The page renders the sentence through md_escape; the sentence itself carries the name as typed.
    _, substitutes = starting_values(_row("**Ana**", 6, 2, 0, 0.0, None), TEAM_ROW, "**Ana**")
    assert substitute_sentence(substitutes[0], USD).startswith("**Ana** has no won sale")


@pytest.mark.parametrize(
    ("row", "kpi", "reason"),
    [
        (_row("A", 5, 2, 0, 0.0, None), "avg_sale", "has no won sale in this window"),
        (_row("A", 5, 2, None, None, None), "avg_sale", "has no wins recorded"),
        (_row("A", 5, 2, 2, None, None), "avg_sale", "has no sale amounts"),
        # two wins, both without a readable amount
        (_row("A", 5, 2, 2, 0.0, None), "avg_sale", "has no won sale with a known amount in this window"),
        (_row("A", 5, 0, 0, 0.0, None), "p2", "has no opportunity past the first gate in this window"),
        (_row("A", 5, None, 1, 0.0, None), "p2", "has no next-step figures"),
        (_row("A", 5, None, 1, 0.0, None), "p1", "has no next-step figures"),
        (_row("A", 0, 0, 0, 0.0, None), "p1", "has no first appointment in this window"),
    ],
)
def test_why_a_kpi_is_undefined(row: KpiRow, kpi: str, reason: str) -> None:
    assert why_undefined(row, kpi) == reason
