"""Coaching (spec section 5): advice only for defined KPIs strictly below their thresholds."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpi_core.coaching import CoachingThresholds, coaching
from kpi_core.errors import InvalidInputError
from kpi_core.magic import Wording


@pytest.mark.parametrize(
    ("p1", "p2", "barometer", "kpis"),
    [
        (0.50, 0.50, 0.50, ["p1", "p2", "activity_barometer"]),  # all weak, in funnel order
        (0.65, 0.65, 1.00, []),  # exactly on threshold is not below it
        (0.6499, 0.70, 1.20, ["p1"]),
        (0.80, 0.64, 1.00, ["p2"]),
        (0.80, 0.90, 0.84, ["activity_barometer"]),  # spec 6: 84 % activity
        (None, 0.30, None, ["p2"]),  # undefined ratios get no advice
        (math.nan, math.nan, 0.99, ["activity_barometer"]),
        (None, None, None, []),
        (0.0, 0.0, 0.0, ["p1", "p2", "activity_barometer"]),  # zero is defined, and low
    ],
)
def test_advice_is_given_only_for_defined_kpis_strictly_below_the_default_thresholds(
    p1: float | None, p2: float | None, barometer: float | None, kpis: list[str]
) -> None:
    assert [advice.kpi for advice in coaching(p1, p2, barometer)] == kpis


def test_custom_thresholds_move_the_line() -> None:
    thresholds = CoachingThresholds(p1=0.5, p2=0.8, activity_barometer=0.9)
    advice = coaching(0.55, 0.75, 0.95, thresholds)
    assert [a.kpi for a in advice] == ["p2"]
    assert advice[0].threshold == 0.8
    assert advice[0].value == 0.75


def test_the_headline_names_the_kpi_its_value_and_the_target() -> None:
    (advice,) = coaching(0.52, None, None)
    assert advice.label == "Appointment-to-next-step ratio"
    assert advice.headline.startswith("Appointment-to-next-step ratio is 52 %, below the 65 % target")


def test_the_activity_barometer_headline_reads_as_a_percentage() -> None:
    (advice,) = coaching(None, None, 0.84)
    assert "84 %" in advice.headline
    assert "100 %" in advice.headline


def test_a_headline_uses_the_readers_decimal_mark() -> None:
    (advice,) = coaching(0.64996, None, None, wording=Wording(thousands=".", decimal=","))
    assert advice.headline.startswith("Appointment-to-next-step ratio is 64,996 %, below the 65 % target")
    (advice,) = coaching(None, None, 0.5, CoachingThresholds(activity_barometer=0.875), Wording(".", ","))
    assert "is 50 %, below the 87,5 % target" in advice.headline


def test_a_value_just_under_the_threshold_never_reads_as_equal_to_it() -> None:
    (advice,) = coaching(0.64996, None, None)
    assert "is 65 %" not in advice.headline
    assert "64.996 %" in advice.headline


@pytest.mark.parametrize(
    ("kpi", "args", "words"),
    [
        ("p1", (0.4, None, None), "budget"),
        ("p1", (0.4, None, None), "next step"),
        ("p2", (None, 0.4, None), "second meeting"),
        ("p2", (None, 0.4, None), "references"),
        ("activity_barometer", (None, None, 0.4), "business reason to meet"),
        ("activity_barometer", (None, None, 0.4), "Magic Number"),
    ],
)
def test_each_kpi_gets_its_own_coaching_ideas(
    kpi: str, args: tuple[float | None, float | None, float | None], words: str
) -> None:
    (advice,) = coaching(*args)
    assert advice.kpi == kpi
    assert any(words in tip for tip in advice.tips)


def test_tips_are_plain_sentences_without_markup() -> None:
    tips = [tip for advice in coaching(0.1, 0.1, 0.1) for tip in advice.tips]
    assert len(tips) == len(set(tips)) >= 10
    for text in [*tips, *(advice.headline for advice in coaching(0.1, 0.1, 0.1))]:
        assert text.strip() == text and text.endswith(".")
        for mark in ("*", "#", "<", ">", "`", "[", "\n"):
            assert mark not in text


@pytest.mark.parametrize("field", ["p1", "p2", "activity_barometer"])
def test_a_negative_or_nan_threshold_is_an_error(field: str) -> None:
    with pytest.raises(InvalidInputError, match="threshold"):
        CoachingThresholds(**{field: -0.1})
    with pytest.raises(InvalidInputError, match="threshold"):
        CoachingThresholds(**{field: math.nan})


optional_ratio = st.none() | st.just(math.nan) | st.floats(min_value=0, max_value=2)


@given(p1=optional_ratio, p2=optional_ratio, barometer=optional_ratio)
def test_advice_appears_exactly_when_a_value_is_below_its_threshold(
    p1: float | None, p2: float | None, barometer: float | None
) -> None:
    thresholds = CoachingThresholds()
    expected = [
        kpi
        for kpi, value, threshold in (
            ("p1", p1, thresholds.p1),
            ("p2", p2, thresholds.p2),
            ("activity_barometer", barometer, thresholds.activity_barometer),
        )
        if value is not None and value == value and value < threshold  # NaN != NaN
    ]
    assert [advice.kpi for advice in coaching(p1, p2, barometer)] == expected
