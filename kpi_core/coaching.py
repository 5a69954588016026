"""Coaching (spec section 5): advice for each KPI that sits below its threshold.

The ideas come from the seed article; the sentences are the project's own. Plain text only, so
the app, the CLI and a report can all show them as they are.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from kpi_core.errors import InvalidInputError
from kpi_core.magic import PLAIN, Wording, at_least


@dataclass(frozen=True)
class CoachingThresholds:
    """The level below which a KPI earns coaching (fractions: 0.65 == 65 %)."""

    p1: float = 0.65
    p2: float = 0.65
    activity_barometer: float = 1.0

    def __post_init__(self) -> None:
        for name in ("p1", "p2", "activity_barometer"):
            value = getattr(self, name)
            if math.isnan(value) or math.isinf(value) or value < 0:
                raise InvalidInputError(
                    f"The coaching threshold for {_LABELS[name].lower()} must be a number of 0 or more; got {value}."
                )


@dataclass(frozen=True)
class Advice:
    """Coaching for one KPI: where it stands, the target, a headline and concrete tips."""

    kpi: str  # "p1" | "p2" | "activity_barometer"
    label: str
    value: float
    threshold: float
    headline: str
    tips: tuple[str, ...]


_LABELS = {
    "p1": "Appointment-to-next-step ratio",
    "p2": "Close ratio",
    "activity_barometer": "Activity barometer",
}

_FOCUS = {
    "p1": "make every first appointment lead to a next step.",
    "p2": "steer advanced opportunities to a decision.",
    "activity_barometer": "book more first appointments.",
}

_TIPS: dict[str, tuple[str, ...]] = {
    "p1": (
        (
            "Agree as a team what the next step after a first appointment is (a demo, a site visit, "
            "a survey or a proposal), practise getting there, and count how often you do."
        ),
        "Meet the person who owns the budget and can say yes first, not whoever answers.",
        (
            "Do not pitch in the first meeting. Ask diagnostic questions to find out whether your "
            "solution fits the prospect's business goals, and say so when it does."
        ),
    ),
    "p2": (
        "Ask how the prospect decides: who takes part, what a change must prove, and who signs.",
        (
            "Fix the date of the second meeting before you leave the first, and ask for every "
            "decision-maker to be there."
        ),
        ("List what each decision-maker risks with the change and plan how you will answer each of them directly."),
        ("Keep references from the same industry and from people with similar job titles ready to share on the spot."),
    ),
    "activity_barometer": (
        ("Treat turning a conversation into an appointment as a skill: measure it every week like any other KPI."),
        ("Set a weekly appointment goal from your Magic Number that you can actually hit, and check it every Friday."),
        "Rehearse prospecting calls on realistic scenarios and keep the openings that work.",
        "Sell the business reason to meet, not the product.",
        (
            "Spread the best prospecting habits across the team: note what the top bookers say and "
            "let everyone reuse it."
        ),
    ),
}


def percent_decimals(value: float, threshold: float) -> int:
    """The decimals a percent needs (one at least) to read below ``threshold`` when it is below it
    (by more than float noise): 0.9996 against 1 needs two (99.96 %), where one wrote "100 %"
    beside the advice to book more. One for a value on or above its threshold."""
    decimals = 1
    if at_least(value, threshold):
        return decimals
    while decimals < 9 and round(value * 100, decimals) >= round(threshold * 100, decimals):
        decimals += 1
    return decimals


def _headline(kpi: str, value: float, threshold: float, wording: Wording) -> str:
    # A value just below the threshold gets more decimals, so 64.996 % never reads "65 %".
    decimals = percent_decimals(value, threshold)
    shown = f"{value * 100:.{decimals}f}".rstrip("0").rstrip(".") + " %"
    return f"{_LABELS[kpi]} is {wording.marks(shown)}, below the {wording.percent(threshold)} target: {_FOCUS[kpi]}"


def coaching(
    p1: float | None,
    p2: float | None,
    activity_barometer: float | None,
    thresholds: CoachingThresholds = CoachingThresholds(),
    wording: Wording = PLAIN,
) -> tuple[Advice, ...]:
    """Advice for each KPI that is defined (not ``None`` or NaN) and below its threshold by more
    than float noise (:func:`kpi_core.magic.at_least`: a barometer of 0.9999999999999998 is on
    target); ``wording`` writes the numbers of its headlines (the reader's decimal mark).

    Order follows the funnel: first appointment (p1), closing (p2), then prospecting activity.
    """
    values = {"p1": p1, "p2": p2, "activity_barometer": activity_barometer}
    advice = []
    for kpi, value in values.items():
        threshold: float = getattr(thresholds, kpi)
        if value is None or math.isnan(value) or at_least(value, threshold):
            continue
        advice.append(
            Advice(
                kpi=kpi,
                label=_LABELS[kpi],
                value=value,
                threshold=threshold,
                headline=_headline(kpi, value, threshold, wording),
                tips=_TIPS[kpi],
            )
        )
    return tuple(advice)
