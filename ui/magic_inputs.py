"""The Magic Number page's inputs: one value per quantity, shown as a slider and an exact number.

Each quantity's value lives under ``mn_<name>`` in session_state (so it survives page changes);
the slider (``mn_<name>_slider``) and the number input (``mn_<name>_input``) both write it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import streamlit as st

from kpi_core.magic import Scenario, solve
from kpi_core.model import KpiRow

from .format import INPUT_MONEY, INPUT_SHORTEST, Currency, money, number

TEAM = "Team"
#: The content key of the dataset the inputs were filled from (a new file fills them again).
READY = "mn_ready"
SOURCE = "mn_source"
LAST_QUERY = "mn_last_query"
SOLVE = "mn_solve"
FALLBACKS = {"avg_sale": 10_000.0, "p1": 50.0, "p2": 50.0, "appts": 5.0}
DEFAULT_WEEKS = 48.0
GOAL_STRETCH = 1.2


@dataclass(frozen=True)
class Field:
    """One input: its session key stem, label, step and the slider's lowest value."""

    name: str
    label: str
    step: float
    low: float
    percent: bool = False
    money: bool = False


FIELDS: dict[str, Field] = {
    "goal": Field("goal", "Revenue goal", 1000.0, 0.0, money=True),
    "weeks": Field("weeks", "Selling weeks", 1.0, 1.0),
    "avg_sale": Field("avg_sale", "Average revenue per sale", 100.0, 0.0, money=True),
    "p1": Field("p1", "Appointment-to-next-step ratio (%)", 0.5, 0.0, percent=True),
    "p2": Field("p2", "Close ratio (%)", 0.5, 0.0, percent=True),
    "appts": Field("appts", "Current weekly appointments", 0.5, 0.0),
}


def key(name: str) -> str:
    return f"mn_{name}"


def filled_for(content_key: str) -> bool:
    """Whether the inputs were filled from the dataset with this content key.

    Not from another file's: the sample's ratios, its rep and a goal on its scale (6.4M dollars)
    stayed on the page, and in the Weekly activity's goal per rep, after a manager loaded their own.
    """
    return bool(content_key) and st.session_state.get(READY) == content_key


def forget_slider_ends() -> None:
    """Let the money and appointment sliders find their ends again (a new file has its own scale)."""
    for name in FIELDS:
        st.session_state.pop(f"{key(name)}_max", None)


def value(name: str) -> float:
    return float(st.session_state[key(name)])


def set_value(name: str, v: float) -> None:
    st.session_state[key(name)] = float(v)


def nice_ceiling(v: float) -> float:
    """1, 2 or 5 times a power of ten, at least ``v``: a round slider end."""
    if v <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(v))
    for m in (1, 2, 5, 10):
        if m * power >= v:
            return float(m * power)
    return float(10 * power)


def _slider_max(f: Field) -> float:
    if f.percent:
        return 100.0
    if f.name == "weeks":
        return max(104.0, nice_ceiling(value("weeks")))
    stored = st.session_state.get(f"{key(f.name)}_max")
    v = value(f.name)
    if stored is None or v > stored:
        stored = nice_ceiling(max(2 * v, {"goal": 10_000.0, "avg_sale": 1_000.0, "appts": 20.0}[f.name]))
        st.session_state[f"{key(f.name)}_max"] = stored
    return float(stored)


def prefill(row: KpiRow | None, fallback: KpiRow | None) -> list[str]:
    """Set avg_sale, both ratios and current weekly appointments from ``row``'s actual KPIs.

    Undefined KPIs fall back to the team's, then to a plain default; returns the labels that did.
    """
    notes = []
    pairs = {"avg_sale": "avg_sale", "p1": "p1", "p2": "p2", "appts": "weekly_appointments"}
    for name, kpi in pairs.items():
        v = row.value(kpi) if row is not None else None
        if v is None and fallback is not None:
            v = fallback.value(kpi)
        if v is None:
            v = FALLBACKS[name]
            notes.append(FIELDS[name].label)
        elif name in ("p1", "p2"):
            v = v * 100
        set_value(name, round(v, 2))
    st.session_state[key("cycle_days")] = None if row is None else row.cycle_days_mean
    return notes


def default_goal() -> float:
    """A goal 20 % above what the inputs' current pace reaches in the selling weeks, rounded."""
    return _stretched_goal(value("weeks"), value("avg_sale"), value("p1") / 100, value("p2") / 100, value("appts"))


def _stretched_goal(
    weeks: float, avg_sale: float | None, p1: float | None, p2: float | None, appts: float | None
) -> float:
    """What ``appts`` first appointments a week reach over ``weeks`` at these ratios, 20 % more,
    rounded up (:func:`round_goal`); 100,000 when that pace is undefined or zero."""
    reachable = None
    if avg_sale is not None and p1 is not None and p2 is not None:
        try:
            reachable = solve(
                Scenario(goal=0.0, weeks=weeks, avg_sale=avg_sale, p1=p1, p2=p2, weekly_appointments=appts), "goal"
            ).goal
        except Exception:  # any invalid combination: a plain round number
            reachable = None
    if not reachable:
        return 100_000.0
    return round_goal(reachable * GOAL_STRETCH)


def round_goal(target: float) -> float:
    """``target`` rounded up to its first two digits (123,456 -> 130,000; 45.2 -> 46); at least 1."""
    if target <= 0:
        return 1.0
    power = 10 ** max(0, math.floor(math.log10(target)) - 1)
    return float(math.ceil(target / power) * power)


def rep_goal(team: KpiRow | None, reps: int, weeks: float, content_key: str) -> float:
    """The Weekly activity page's first goal per rep.

    The Magic Number page's goal when it was set for one rep; else the team's goal shared among
    the ``reps`` reps in the window: the one set on the Magic Number page, or, before that page
    was opened, 20 % above the team's pace (its default there). Never the team's goal for each
    rep, which would ask every rep for the whole team's revenue. A goal set for another file's
    data (``content_key`` is the dataset in use) is not used.
    """
    filled = filled_for(content_key)
    goal = st.session_state.get(key("goal")) if filled else None
    source = st.session_state.get(SOURCE) if filled else None
    if goal and source not in (None, TEAM):
        return float(goal)
    if not goal:
        if team is None:
            return 100_000.0
        goal = _stretched_goal(weeks, team.avg_sale, team.p1, team.p2, team.weekly_appointments)
    return round_goal(float(goal) / max(reps, 1))


def _copy(src: str, dst_name: str) -> None:
    set_value(dst_name, st.session_state[src])


def render(f: Field, cur: Currency, *, disabled: bool = False, help_text: str | None = None) -> None:
    """A slider and an exact number input bound to the same value."""
    v = value(f.name)
    top = _slider_max(f)
    st.session_state[f"{key(f.name)}_slider"] = min(max(v, f.low), top)
    st.session_state[f"{key(f.name)}_input"] = v
    label = f.label + (f" ({cur.code})" if f.money else "")
    st.slider(
        label,
        min_value=f.low,
        max_value=top,
        step=f.step,
        key=f"{key(f.name)}_slider",
        on_change=_copy,
        args=(f"{key(f.name)}_slider", f.name),
        disabled=disabled,
        help=help_text,
        # Money in the browser's own short notation (6.4M, or 6,4 jt), not 6400000.00: the exact
        # amount is in the number input just below. Weeks as whole weeks (48, not 48.00) unless
        # a link set a fraction (12.5).
        format="compact" if f.money else INPUT_SHORTEST if f.name == "weeks" else None,
    )
    st.number_input(
        f"{label}, exact",
        min_value=f.low if f.name != "weeks" else 0.1,
        max_value=100.0 if f.percent else None,
        step=f.step,
        key=f"{key(f.name)}_input",
        on_change=_copy,
        args=(f"{key(f.name)}_input", f.name),
        disabled=disabled,
        label_visibility="collapsed",
        format=INPUT_SHORTEST if f.name == "weeks" else "%.2f" if f.percent or f.name == "appts" else INPUT_MONEY,
    )


def shown_value(name: str, v: float | None, cur: Currency) -> str:
    """A solved quantity as the user reads it."""
    if v is None:
        return "n/a"
    if name in ("goal", "avg_sale"):
        return money(v, cur)
    if name in ("p1", "p2"):
        return f"{number(v * 100, cur, 1)} %"
    if name == "weeks":
        return f"{number(v, cur, 1)} weeks"
    return number(v, cur, 2)
