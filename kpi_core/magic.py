"""The Magic Number (spec section 3): weekly first appointments needed to reach a revenue goal.

``G = magic_number x W x avg_sale x p1 x p2`` links six quantities; :func:`solve` back-solves any
one of them from the other five. Two options refine it, both off by default:

* **Sales-cycle lag.** Appointments booked less than one sales cycle before the end of the period
  cannot close inside it, so the usable weeks are ``weeks_left - cycle_days / 7``. Usable weeks
  never drop below one week, or below the whole period when it is shorter than a week (a floor of
  one week longer than the period would be nonsense); a warning says when the cycle eats the
  period (``weeks_left - cycle_days / 7 < 1``).
* **Pacing.** Part-way through the period, the remaining goal is ``G - revenue_won -
  open_advanced x p2 x avg_sale - open_not_advanced x p1 x p2 x avg_sale``, spread over
  ``weeks_left = W - weeks_elapsed``. With both options on, the lag is taken off the weeks left.
  A remaining goal of zero or less means the goal is already covered: Magic Number 0, feasible.
  Back-solving a covered goal (a goal of 0, or one already covered) leaves the solved quantity
  undefined, since any value reaches it, and keeps the rep's weekly appointments as they are.

Input rules: negative, infinite or NaN inputs are user errors (:class:`InvalidInputError` naming
the field); ratios above 1 given as inputs are errors too. A zero that makes the answer undefined
(``p1 = 0``, ``avg_sale = 0``, ``weeks = 0``, no weeks left, zero appointments when solving) is
not an error: the result is ``feasible=False`` with a sentence, and the undefined values are
``None``. The one exception: with no selling weeks (left), the revenue goal within reach is
solved as what is already in hand (0 without pacing), feasible. A *solved* ratio above 1 is kept
exact, never clipped, and flagged infeasible.

Floating-point noise never flips a verdict: a ratio is compared with 100 % (solved or given) and
the activity barometer with its target within a relative :data:`TOLERANCE`, and a solved ratio or
a barometer within it of 1 is exactly 1 (the goal 360,000 over 48 weeks at 12,500 a sale, a 60 %
appointment-to-next-step ratio and one appointment a week needs a close ratio of 100 %, which
floats wrote as 1.0000000000000002 and called out of reach).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from kpi_core.errors import InvalidInputError

SOLVABLE: tuple[str, ...] = ("magic_number", "goal", "weeks", "avg_sale", "p1", "p2")

#: The words the user reads for each quantity (spec names).
LABELS: dict[str, str] = {
    "magic_number": "Magic Number",
    "goal": "revenue goal",
    "weeks": "selling weeks",
    "avg_sale": "average revenue per sale",
    "p1": "appointment-to-next-step ratio",
    "p2": "close ratio",
    "weekly_appointments": "weekly appointments",
    "cycle_days": "sales cycle in days",
    "weeks_elapsed": "weeks elapsed",
    "revenue_won": "revenue already won",
    "open_advanced": "open opportunities past the first gate",
    "open_not_advanced": "open opportunities not yet advanced",
}

_RATIOS = ("p1", "p2")
#: The relative difference below which two values are the same for a verdict (float noise).
TOLERANCE = 1e-9


def at_least(value: float, bound: float) -> bool:
    """``value >= bound``, or within :data:`TOLERANCE` (relative) of it: 0.9999999999999998 reaches 1."""
    return value >= bound or math.isclose(value, bound, rel_tol=TOLERANCE)


def exceeds_one(ratio: float) -> bool:
    """Whether a ratio is above 100 % by more than float noise (1.0000000000000002 is not)."""
    return ratio > 1 and not math.isclose(ratio, 1.0, rel_tol=TOLERANCE)


def _snap_to_one(value: float) -> float:
    """``value``, or exactly 1.0 when it is within :data:`TOLERANCE` of 1."""
    return 1.0 if math.isclose(value, 1.0, rel_tol=TOLERANCE) else value


_CORE = ("goal", "weeks", "avg_sale", "p1", "p2")


@dataclass(frozen=True)
class Scenario:
    """A goal scenario: the five quantities of the formula plus the options that refine it."""

    goal: float
    weeks: float
    avg_sale: float
    p1: float
    p2: float
    weekly_appointments: float | None = None
    cycle_days: float | None = None
    use_cycle_lag: bool = False
    use_pacing: bool = False
    weeks_elapsed: float = 0.0
    revenue_won: float = 0.0
    open_advanced: int = 0
    open_not_advanced: int = 0


@dataclass(frozen=True)
class MagicResult:
    """The answer of :func:`solve`, with the funnel it implies for the (remaining) period.

    ``goal`` .. ``p2`` hold the scenario's values with the solved one filled in. The funnel
    fields (``sales_needed`` etc.) are for the whole usable period; divide by ``usable_weeks``
    for a week, or use :func:`implied_funnel`.
    """

    solved: str
    goal: float | None
    weeks: float | None
    avg_sale: float | None
    p1: float | None
    p2: float | None
    magic_number: float | None
    magic_number_rounded: int | None
    weekly_appointments: float | None
    activity_barometer: float | None
    feasible: bool
    message: str
    warnings: tuple[str, ...]
    usable_weeks: float | None
    remaining_goal: float | None
    sales_needed: float | None
    next_steps_needed: float | None
    appointments_needed: float | None

    @property
    def solved_value(self) -> float | None:
        """The value of the solved quantity (``None`` when it cannot be computed)."""
        value: float | None = getattr(self, self.solved)
        return value


@dataclass(frozen=True)
class FunnelStage:
    """One stage of the implied funnel: what the goal needs over the period and per week."""

    name: str  # "appointments" | "next_steps" | "sales" | "revenue"
    label: str
    period: float | None
    per_week: float | None


@dataclass(frozen=True)
class Lever:
    """What one improvement would do to the Magic Number (for "which lever matters most")."""

    name: str  # "avg_sale" | "p1" | "p2" | "weeks"
    label: str
    step_description: str
    new_magic_number: float | None
    change: float | None  # new - base; negative means fewer appointments needed


def ceil_appointments(value: float) -> int:
    """Round up to whole appointments, ignoring float noise: 4.0000000001 -> 4, 4.1667 -> 5."""
    nearest = round(value)
    if math.isclose(value, nearest, rel_tol=1e-9, abs_tol=1e-9):
        return int(nearest)
    return math.ceil(value)


def whole_days(days: float) -> int:
    """Days to whole days as a spreadsheet shows them in format ``0``: half away from zero
    (102.5 -> 103, -2.5 -> -3), read at 15 significant digits as Excel does (44.49999999999999 -> 45).

    The one rule for a sales cycle wherever it is shown: the tables and captions rounded half to
    even (102.5 -> 102), this module's lag warning half up (103) and the Excel export Excel's way.
    """
    return int(Decimal(f"{days:.15g}").quantize(Decimal(1), rounding=ROUND_HALF_UP))


def percent_text(fraction: float) -> str:
    """``0.84 -> "84 %"``, ``0.4762 -> "47.6 %"``: at most one decimal, trailing zeros dropped."""
    text = f"{fraction * 100:,.1f}".rstrip("0").rstrip(".")  # grouped: 1,885.3 %, as the page's metric
    return f"{text} %"


def _number_text(value: float) -> str:
    """Thousands separators, no decimals for large values, two significant decimals for small."""
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def with_marks(text: str, thousands: str, decimal: str) -> str:
    """A number Python wrote (``6,400,000.5``) with other separators (``6.400.000,5``)."""
    if (thousands, decimal) == (",", "."):
        return text
    return text.replace(",", "\0").replace(".", decimal).replace("\0", thousands)


def counted(text: str, noun: str) -> str:
    """``"1", "week" -> "1 week"``; any other number as written takes the plural (``"0 weeks"``, ``"1.5 weeks"``)."""
    return f"{text} {noun if text == '1' else noun + 's'}"


@dataclass(frozen=True)
class Wording:
    """How the sentences of a result write its numbers.

    The reader's separators (``6.400.000`` and ``42,78`` for a reader in Indonesia) and, given
    ``money``, amounts in the reader's currency (``Rp 6.400.000``); :data:`PLAIN` writes
    ``6,400,000`` and ``42.78``, as the command line does. Only the words change, never a value.
    """

    thousands: str = ","
    decimal: str = "."
    money: Callable[[float], str] | None = None

    def number(self, value: float) -> str:
        """As :func:`_number_text`, with this reader's separators."""
        return self.marks(_number_text(value))

    def amount(self, value: float) -> str:
        """An amount of money: ``money(value)``, or a plain number without a currency."""
        return self.money(value) if self.money is not None else self.number(value)

    def percent(self, fraction: float) -> str:
        """As :func:`percent_text`, with this reader's decimal mark."""
        return self.marks(percent_text(fraction))

    def marks(self, text: str) -> str:
        """A number Python wrote (``6,400,000.5``) with this reader's separators (``6.400.000,5``)."""
        return with_marks(text, self.thousands, self.decimal)


PLAIN = Wording()


# --- validation ---------------------------------------------------------------------------------


def _check_number(name: str, value: float, *, ratio: bool = False) -> None:
    label = LABELS[name]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInputError(f"The {label} ({name}) must be a number; got {value!r}.")
    if math.isnan(value) or math.isinf(value):
        raise InvalidInputError(f"The {label} ({name}) must be a finite number; got {value}.")
    if value < 0:
        raise InvalidInputError(f"The {label} ({name}) cannot be negative; got {value}.")
    if ratio and exceeds_one(value):
        raise InvalidInputError(f"The {label} ({name}) is a fraction between 0 and 1 (0 % to 100 %); got {value}.")


def _validate(sc: Scenario, solve_for: str) -> None:
    """Reject user errors; the solved field is ignored, option fields are checked only when on."""
    for name in _CORE:
        if name != solve_for:
            _check_number(name, getattr(sc, name), ratio=name in _RATIOS)
    if sc.weekly_appointments is not None:
        _check_number("weekly_appointments", sc.weekly_appointments)
    if sc.use_cycle_lag:
        if sc.cycle_days is None:
            raise InvalidInputError("The sales-cycle lag is on, but no sales cycle in days (cycle_days) is given.")
        _check_number("cycle_days", sc.cycle_days)
    if sc.use_pacing:
        for name in (
            "weeks_elapsed",
            "revenue_won",
            "open_advanced",
            "open_not_advanced",
        ):
            _check_number(name, getattr(sc, name))


# --- the pieces of the formula ------------------------------------------------------------------


def _pipeline_value(sc: Scenario, avg_sale: float, p1: float, p2: float) -> float:
    """Revenue won plus the expected revenue of open opportunities (0 without pacing)."""
    if not sc.use_pacing:
        return 0.0
    return sc.revenue_won + sc.open_advanced * p2 * avg_sale + sc.open_not_advanced * p1 * p2 * avg_sale


def _weeks_left(sc: Scenario, weeks: float) -> float:
    return weeks - sc.weeks_elapsed if sc.use_pacing else weeks


def _lag_weeks(sc: Scenario) -> float:
    if sc.use_cycle_lag and sc.cycle_days is not None:
        return sc.cycle_days / 7
    return 0.0


def _usable_weeks(sc: Scenario, weeks_left: float, w: Wording) -> tuple[float, tuple[str, ...]]:
    """``weeks_left - cycle/7``, floored at one week (or at ``weeks_left`` if shorter)."""
    if not sc.use_cycle_lag:
        return weeks_left, ()
    lagged = weeks_left - _lag_weeks(sc)
    if lagged >= 1:
        return lagged, ()
    usable = max(lagged, min(1.0, weeks_left))
    period = (
        f"{counted(w.number(weeks_left), 'week')} left"
        if sc.use_pacing
        else counted(w.number(weeks_left), "selling week")
    )
    warning = (  # the cycle in whole days, as everywhere else (whole_days)
        f"The sales cycle of {counted(w.marks(f'{whole_days(sc.cycle_days or 0.0):,}'), 'day')} "
        f"({counted(w.number(_lag_weeks(sc)), 'week')}) eats the period: of the "
        f"{period}, less than one week remains for appointments "
        f"that can still close in time, so the Magic Number assumes {counted(w.number(usable), 'usable week')}."
    )
    return usable, (warning,)


# --- results ------------------------------------------------------------------------------------


def _result(
    sc: Scenario,
    solved: str,
    values: dict[str, float | None],
    *,
    magic: float | None,
    remaining: float | None,
    usable: float | None,
    feasible: bool,
    message: str,
    warnings: tuple[str, ...] = (),
) -> MagicResult:
    """Assemble a result; the funnel is filled only where every factor is known and nonzero."""
    avg_sale, p1, p2 = values["avg_sale"], values["p1"], values["p2"]
    sales = next_steps = appointments = None
    if remaining is not None and remaining <= 0:
        sales = next_steps = appointments = 0.0
    elif remaining is not None and avg_sale and p1 and p2:
        sales = remaining / avg_sale
        next_steps = sales / p2
        appointments = next_steps / p1
    barometer = None
    if sc.weekly_appointments is not None and magic:
        barometer = _snap_to_one(sc.weekly_appointments / magic)  # booking the Magic Number itself reads 100 %
    return MagicResult(
        solved=solved,
        goal=values["goal"],
        weeks=values["weeks"],
        avg_sale=avg_sale,
        p1=p1,
        p2=p2,
        magic_number=magic,
        magic_number_rounded=None if magic is None else ceil_appointments(magic),
        weekly_appointments=sc.weekly_appointments,
        activity_barometer=barometer,
        feasible=feasible,
        message=message,
        warnings=warnings,
        usable_weeks=usable,
        remaining_goal=remaining,
        sales_needed=sales,
        next_steps_needed=next_steps,
        appointments_needed=appointments,
    )


def _covered_cause(sc: Scenario) -> str:
    """Why nothing more is needed: a goal of 0, or (pacing) what is won and expected covers it."""
    if sc.use_pacing:
        return "Revenue already won and the expected revenue of open opportunities cover the goal"
    return "The goal is 0"


def _covered_message(sc: Scenario) -> str:
    return f"{_covered_cause(sc)}, so no new first appointments are needed."


def _zero_factor(values: dict[str, float | None], names: tuple[str, ...]) -> str | None:
    """The first of ``names`` whose value is 0, if any."""
    return next((name for name in names if values[name] == 0), None)


def _forward(sc: Scenario, w: Wording) -> MagicResult:
    """``magic_number = remaining_goal / (avg_sale x p1 x p2) / usable_weeks``."""
    values: dict[str, float | None] = {name: getattr(sc, name) for name in _CORE}
    goal, weeks, avg_sale, p1, p2 = sc.goal, sc.weeks, sc.avg_sale, sc.p1, sc.p2
    remaining = goal - _pipeline_value(sc, avg_sale, p1, p2)
    weeks_left = _weeks_left(sc, weeks)
    usable, warnings = _usable_weeks(sc, weeks_left, w) if weeks_left > 0 else (None, ())
    if remaining <= 0:
        message = _covered_message(sc)
        return _result(
            sc,
            "magic_number",
            values,
            magic=0.0,
            remaining=remaining,
            usable=usable,
            feasible=True,
            message=message,
            warnings=(*warnings, message) if sc.use_pacing else warnings,
        )
    if usable is None:
        return _result(
            sc,
            "magic_number",
            values,
            magic=None,
            remaining=remaining,
            usable=None,
            feasible=False,
            message=_no_weeks_message(sc, w),
        )
    zero = _zero_factor(values, ("avg_sale", "p1", "p2"))
    if zero is not None:
        return _result(
            sc,
            "magic_number",
            values,
            magic=None,
            remaining=remaining,
            usable=usable,
            feasible=False,
            message=(f"The {LABELS[zero]} is 0, so no number of appointments reaches the goal."),
            warnings=warnings,
        )
    magic = remaining / (avg_sale * p1 * p2) / usable
    target = f"the goal of {w.amount(goal)}"
    if sc.use_pacing:
        target = f"the remaining {w.amount(remaining)} of {target}"
    weeks_text = counted(w.number(usable), "week")
    if sc.use_cycle_lag:
        weeks_text = f"{counted(w.number(usable), 'usable week')} after the sales-cycle lag"
    elif sc.use_pacing:
        weeks_text = f"the {counted(w.number(usable), 'week')} left"
    # The exact value to two decimals at any size (160.72, not "161 (161 rounded up)"), and the
    # whole appointments to book beside it when they differ.
    exact = w.marks(f"{magic:,.2f}".rstrip("0").rstrip("."))
    whole = ceil_appointments(magic)
    rounded = f" ({w.marks(f'{whole:,}')} rounded up)" if exact != w.marks(f"{whole:,}") else ""
    message = f"Book {counted(exact, 'new first appointment')} a week{rounded} to reach {target} in {weeks_text}."
    return _result(
        sc,
        "magic_number",
        values,
        magic=magic,
        remaining=remaining,
        usable=usable,
        feasible=True,
        message=message,
        warnings=warnings,
    )


def _weeks_gone(sc: Scenario, w: Wording) -> str:
    """``"48 of 48 weeks have gone"``, ``"1 of 1 week has gone"``."""
    gone = w.number(sc.weeks_elapsed)
    return f"{gone} of {counted(w.number(sc.weeks), 'week')} {'has' if gone == '1' else 'have'} gone"


def _no_weeks_message(sc: Scenario, w: Wording) -> str:
    if sc.use_pacing:
        return f"No selling weeks are left ({_weeks_gone(sc, w)}), so the remaining goal cannot be reached."
    return "The period has no selling weeks, so no number of appointments reaches the goal."


def _back_solve(sc: Scenario, solve_for: str, appointments: float, w: Wording) -> MagicResult:
    """Solve ``solve_for`` so that the forward Magic Number equals ``appointments`` (M).

    With pacing the remaining goal depends on avg_sale, p1 and p2 too; the equation stays linear
    in each, so every solution is closed-form:

    * goal     = M U A p1 p2 + pipeline
    * weeks    = R / (M A p1 p2) + cycle/7 (lag on) + weeks_elapsed (pacing on)
    * avg_sale = (G - won) / (p2 (adv + notadv p1 + M U p1))
    * p1       = (G - won - adv p2 A) / (p2 A (notadv + M U))
    * p2       = (G - won) / (A (adv + notadv p1 + M U p1))

    where U is the usable weeks and won/adv/notadv are 0 without pacing.
    """
    values: dict[str, float | None] = {name: getattr(sc, name) for name in _CORE}
    values[solve_for] = None
    label = LABELS[solve_for]
    m_text = f"{counted(w.number(appointments), 'appointment')} a week"
    won = sc.revenue_won if sc.use_pacing else 0.0
    adv = float(sc.open_advanced) if sc.use_pacing else 0.0
    not_adv = float(sc.open_not_advanced) if sc.use_pacing else 0.0
    warnings: tuple[str, ...] = ()

    def infeasible(message: str, usable: float | None = None) -> MagicResult:
        return _result(
            sc,
            solve_for,
            values,
            magic=appointments,
            remaining=None,
            usable=usable,
            feasible=False,
            message=message,
            warnings=warnings,
        )

    def covered(usable: float | None) -> MagicResult:
        """Nothing more to reach: the solved quantity stays undefined (any value will do), and the
        rep's weekly appointments stay what they are (not the forward Magic Number's 0)."""
        if solve_for == "weeks":
            needed = f"no {'more ' if sc.use_pacing else ''}selling weeks are needed"
        else:
            needed = f"no {label} is needed: it is reached whatever the {label}"
        message = f"{_covered_cause(sc)}, so {needed}."
        return _result(
            sc,
            solve_for,
            values,
            magic=appointments,
            remaining=None,
            usable=usable,
            feasible=True,
            message=message,
            warnings=(message,) if sc.use_pacing else (),
        )

    def no_weeks_goal() -> MagicResult:
        """No selling week (left): no appointment can be booked, so the goal within reach is what
        is already in hand (0 without pacing)."""
        solved = _pipeline_value(sc, sc.avg_sale, sc.p1, sc.p2)
        values["goal"] = solved
        if sc.use_pacing:
            message = (
                f"No selling weeks are left ({_weeks_gone(sc, w)}), so the revenue goal within reach is what is "
                f"already won and expected from open opportunities: {w.amount(solved)}."
            )
        else:
            message = f"With no selling weeks, no appointment can be booked, so the revenue goal within reach is {w.amount(0.0)}."
        return _result(
            sc, solve_for, values, magic=appointments, remaining=0.0, usable=0.0, feasible=True, message=message
        )

    usable: float | None = None
    if solve_for != "weeks":
        weeks_left = _weeks_left(sc, sc.weeks)
        if weeks_left <= 0:
            return no_weeks_goal() if solve_for == "goal" else infeasible(_no_weeks_message(sc, w))
        usable, warnings = _usable_weeks(sc, weeks_left, w)

    goal, avg_sale, p1, p2 = sc.goal, sc.avg_sale, sc.p1, sc.p2
    solved: float
    if solve_for == "goal":
        assert usable is not None
        solved = appointments * usable * avg_sale * p1 * p2 + _pipeline_value(sc, avg_sale, p1, p2)
    elif solve_for == "weeks":
        to_cover = goal - _pipeline_value(sc, avg_sale, p1, p2)
        if to_cover <= 0:
            return covered(None)
        zero = _zero_factor(values, ("avg_sale", "p1", "p2"))
        if zero is not None:
            return infeasible(f"The {LABELS[zero]} is 0, so no number of weeks reaches the goal.")
        if appointments == 0:
            return infeasible("With 0 appointments a week, no number of weeks reaches the goal.")
        usable = to_cover / (appointments * avg_sale * p1 * p2)
        solved = usable + _lag_weeks(sc) + (sc.weeks_elapsed if sc.use_pacing else 0.0)
        if sc.use_cycle_lag and usable < 1:
            warning = (
                f"Only {w.number(usable)} usable weeks are needed; the forward calculation "
                "never assumes less than one usable week, so it will show a lower Magic Number "
                f"for {counted(w.number(solved), 'week')}."
            )
            warnings = (warning,)
    else:
        numerator, factors, denominator = _linear_terms(solve_for, sc, appointments, usable or 0.0, won, adv, not_adv)
        if numerator <= 0:
            return covered(usable)
        if denominator == 0:
            zero = _zero_factor(values, factors)
            if zero:
                return infeasible(f"The {LABELS[zero]} is 0, so no {label} reaches the goal.", usable)
            return infeasible(f"With {m_text}, no {label} reaches the goal.", usable)
        solved = numerator / denominator

    if solve_for in _RATIOS:
        solved = _snap_to_one(solved)
    values[solve_for] = solved
    feasible = not (solve_for in _RATIOS and exceeds_one(solved))
    if feasible:
        message = f"With {m_text}, {_answer_text(solve_for, solved, w)}."
    else:
        message = (
            f"With {m_text}, the {label} would have to be {w.percent(solved)}; "
            "a ratio cannot exceed 100 %, so the goal is out of reach."
        )
    full: dict[str, float] = {name: getattr(sc, name) for name in _CORE} | {solve_for: solved}
    remaining = full["goal"] - _pipeline_value(sc, full["avg_sale"], full["p1"], full["p2"])
    return _result(
        sc,
        solve_for,
        values,
        magic=appointments,
        remaining=remaining,
        usable=usable,
        feasible=feasible,
        message=message,
        warnings=warnings,
    )


def _answer_text(solve_for: str, value: float, w: Wording) -> str:
    if solve_for == "goal":
        return f"the revenue goal within reach is {w.amount(value)}"
    if solve_for == "weeks":
        return f"reaching the goal takes {counted(w.number(value), 'selling week')}"
    if solve_for in _RATIOS:
        return f"the {LABELS[solve_for]} must be {w.percent(value)}"
    return f"the {LABELS[solve_for]} must be {w.amount(value)}"


def _linear_terms(
    solve_for: str,
    sc: Scenario,
    m: float,
    usable: float,
    won: float,
    adv: float,
    not_adv: float,
) -> tuple[float, tuple[str, ...], float]:
    """Numerator, the input factors of the denominator, and the denominator of the solution."""
    goal, a, p1, p2 = sc.goal, sc.avg_sale, sc.p1, sc.p2
    if solve_for == "avg_sale":
        return goal - won, ("p2", "p1"), p2 * (adv + not_adv * p1 + m * usable * p1)
    if solve_for == "p1":
        return (
            goal - won - adv * p2 * a,
            ("avg_sale", "p2"),
            p2 * a * (not_adv + m * usable),
        )
    return goal - won, ("avg_sale", "p1"), a * (adv + not_adv * p1 + m * usable * p1)


def solve(scenario: Scenario, solve_for: str = "magic_number", wording: Wording = PLAIN) -> MagicResult:
    """Solve one of :data:`SOLVABLE` from the others; ``wording`` writes the numbers of its sentences.

    ``"magic_number"`` runs the formula forward. Any other quantity is solved so that the Magic
    Number equals ``scenario.weekly_appointments`` (required then); the scenario's own value of
    that quantity is ignored. Raises :class:`InvalidInputError` for user errors; returns
    ``feasible=False`` with a sentence when the answer is undefined or a ratio above 100 %.
    """
    if solve_for not in SOLVABLE:
        raise InvalidInputError(f"Cannot solve for {solve_for!r}; choose one of {', '.join(SOLVABLE)}.")
    _validate(scenario, solve_for)
    if solve_for == "magic_number":
        return _forward(scenario, wording)
    if scenario.weekly_appointments is None:
        raise InvalidInputError(
            f"Solving for the {LABELS[solve_for]} needs the weekly appointments "
            "(weekly_appointments) the rep books now."
        )
    return _back_solve(scenario, solve_for, scenario.weekly_appointments, wording)


def implied_funnel(result: MagicResult) -> tuple[FunnelStage, ...]:
    """Appointments -> next steps -> sales -> revenue, for the usable period and per week."""
    stages = (
        ("appointments", "First appointments", result.appointments_needed),
        ("next_steps", "Next steps", result.next_steps_needed),
        ("sales", "Sales", result.sales_needed),
        ("revenue", "Revenue", result.remaining_goal),
    )
    weeks = result.usable_weeks
    return tuple(
        FunnelStage(
            name=name,
            label=label,
            period=period,
            per_week=None if period is None or not weeks else period / weeks,
        )
        for name, label, period in stages
    )


def lever_sensitivity(scenario: Scenario, step: float = 0.10, wording: Wording = PLAIN) -> tuple[Lever, ...]:
    """What each lever does to the Magic Number, biggest reduction first.

    Levers: avg_sale x (1 + step), p1 + step and p2 + step (percentage points, capped at 1.0),
    weeks + 1. Empty when the base Magic Number cannot be computed. A lever whose new scenario
    is infeasible has ``None`` values and sorts last.
    """
    if math.isnan(step) or math.isinf(step) or step <= 0:
        raise InvalidInputError(f"The lever step must be a positive number; got {step}.")
    base = solve(scenario, "magic_number").magic_number
    if base is None:
        return ()
    points = f"+{wording.number(step * 100)} percentage points"
    candidates = (
        (
            "avg_sale",
            "Average revenue per sale",
            f"+{wording.number(step * 100)} %",
            replace(scenario, avg_sale=scenario.avg_sale * (1 + step)),
        ),
        (
            "p1",
            "Appointment-to-next-step ratio",
            points,
            replace(scenario, p1=min(1.0, scenario.p1 + step)),
        ),
        (
            "p2",
            "Close ratio",
            points,
            replace(scenario, p2=min(1.0, scenario.p2 + step)),
        ),
        (
            "weeks",
            "Selling weeks",
            "+1 week",
            replace(scenario, weeks=scenario.weeks + 1),
        ),
    )
    levers = []
    for name, label, description, changed in candidates:
        new = solve(changed, "magic_number").magic_number
        levers.append(
            Lever(
                name=name,
                label=label,
                step_description=description,
                new_magic_number=new,
                change=None if new is None else new - base,
            )
        )
    return tuple(sorted(levers, key=lambda lever: math.inf if lever.change is None else lever.change))
