"""The Magic Number page's inputs: one value per quantity, shown as a slider and an exact number.

Each quantity's value lives under ``mn_<name>`` in session_state (so it survives page changes);
the slider (``mn_<name>_slider``) and the number input (``mn_<name>_input``) both write it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import streamlit as st

from kpi_core.magic import Scenario, solve
from kpi_core.model import KpiRow

from . import state
from .format import INPUT_MONEY, INPUT_SHORTEST, Currency, appointments, money, number, percent

TEAM = "Team"
#: The content key of the dataset the inputs were filled from (a new file fills them again).
READY = "mn_ready"
SOURCE = "mn_source"
LAST_QUERY = "mn_last_query"
SOLVE = "mn_solve"
#: The inputs that started from something other than the chosen rep's (or team's) own numbers.
SUBSTITUTES = "mn_substitutes"
#: What the page itself put in each input (name -> value); an input still holding it is untouched.
STARTED = "mn_started"
#: The window and filters the inputs were filled for (another filter refills the untouched ones).
FILLED_FILTERS = "mn_filled_filters"
#: The exact fractions behind the ratio inputs the page filled (name -> fraction): a percent
#: input holds ``p1 x 100``, which divided by 100 is not always ``p1`` again (16 % of k/n are off
#: by a last digit), and the Magic Number page must compute what the Weekly activity page does.
EXACT = "mn_exact"
FALLBACKS = {"avg_sale": 10_000.0, "p1": 50.0, "p2": 50.0, "appts": 5.0}
#: The inputs :func:`prefill` fills, and the KPI each starts from.
PREFILLED = {"avg_sale": "avg_sale", "p1": "p1", "p2": "p2", "appts": "weekly_appointments"}
#: How a sentence names each prefilled input, with its verb.
IN_A_SENTENCE = {
    "avg_sale": ("average revenue per sale", "starts"),
    "p1": ("the appointment-to-next-step ratio", "starts"),
    "p2": ("the close ratio", "starts"),
    "appts": ("current weekly appointments", "start"),
}
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
    _settle(name)
    return float(st.session_state[key(name)])


#: Values the slider and the exact input of a field brought in this run, before they are settled.
_PENDING = "mn_pending"


def _settle(name: str) -> None:
    """The field's value from what its widgets brought in this run: the slider's, when both did.

    The user moves one widget at a time, but a run cut short by the next key press on the slider
    has already written the exact input's new value on the server, not in the browser, whose
    next request brings the input's old value back as a change: taken, it put the slider back
    (five presses of the arrow key moved it by one step, or none).
    """
    brought = st.session_state.get(_PENDING, {}).pop(name, None)
    if brought:
        set_value(name, brought.get("slider", brought.get("input")))


def set_value(name: str, v: float) -> None:
    st.session_state[key(name)] = float(v)


def nice_ceiling(v: float) -> float:
    """1, 2 or 5 times a power of ten, at least ``v``: a round slider end."""
    if v <= 0:
        return 1.0
    if not math.isfinite(v):
        return float(v)  # no round end beyond the largest float
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


@dataclass(frozen=True)
class Substitute:
    """An input that did not start from the chosen rep's (or the team's) own numbers, and why.

    ``value`` is what the input was set to, in its own units (percent for the ratios); ``reason``
    says why ``who``'s own KPI is undefined (``None``: nothing at all falls in the window);
    ``team_reason`` why the team's is too, when the value is a placeholder instead of the team's.
    """

    name: str
    value: float
    who: str
    reason: str | None
    from_team: bool
    team_reason: str | None = None


def why_undefined(row: KpiRow, kpi: str) -> str:
    """Why ``row``'s ``kpi`` is n/a, as what its rep (or team) lacks: ``"has no won sale in this window"``."""
    if kpi == "avg_sale":
        if row.won is None:
            return "has no wins recorded"
        if row.won == 0:
            return "has no won sale in this window"
        if row.revenue is None:
            return "has no sale amounts"
        return "has no won sale with a known amount in this window"
    if kpi in ("p1", "p2") and row.advanced is None:
        return "has no next-step figures"
    if kpi == "p2":
        return "has no opportunity past the first gate in this window"
    return "has no first appointment in this window"


def _starting_kpis(row: KpiRow | None, fallback: KpiRow | None, who: str) -> dict[str, float]:
    """Each prefilled input's starting KPI in the KPI's own units (ratios as fractions): ``row``'s,
    else ``fallback``'s (the team's), else the placeholder."""
    out = {}
    for name, kpi in PREFILLED.items():
        own = row.value(kpi) if row is not None else None
        team = fallback.value(kpi) if fallback is not None and who != TEAM else None
        v = own if own is not None else team
        if v is None:
            v = FALLBACKS[name] / 100 if name in ("p1", "p2") else FALLBACKS[name]
        out[name] = float(v)
    return out


def starting_values(
    row: KpiRow | None, fallback: KpiRow | None, who: str
) -> tuple[dict[str, float], tuple[Substitute, ...]]:
    """The inputs' first values from ``row``'s actual KPIs (``who``'s: a rep, or :data:`TEAM`).

    A KPI undefined for ``row`` starts from ``fallback``'s (the team's), else from a placeholder
    (:data:`FALLBACKS`); each such input is returned as a :class:`Substitute`, for the page to say so.
    The values are exact (a ratio in percent: ``p1 x 100``), never rounded: the inputs show them
    with two decimals, and a rounded close ratio gave the rep another Magic Number here than on
    the Weekly activity page (83.15 against 83.14). :func:`fraction` gives a ratio back exactly.
    """
    values: dict[str, float] = {}
    substitutes = []
    kpis = _starting_kpis(row, fallback, who)
    for name, kpi in PREFILLED.items():
        own = row.value(kpi) if row is not None else None
        team = fallback.value(kpi) if fallback is not None and who != TEAM else None
        v = kpis[name] * 100 if name in ("p1", "p2") else kpis[name]
        values[name] = v
        if own is None:
            reason = why_undefined(row, kpi) if row is not None else None
            team_reason = None
            if team is None and fallback is not None and who != TEAM:
                team_reason = why_undefined(fallback, kpi)
            substitutes.append(Substitute(name, v, who, reason, team is not None, team_reason))
    return values, tuple(substitutes)


#: Why a link's input is not the rep's own: the link says so (its ``team`` and ``placeholder`` lists).
FROM_LINK = "has none of their own in the data behind this link"


def link_values(row: KpiRow, fallback: KpiRow | None) -> dict[str, float | str | None]:
    """What a share link carries for ``row``'s rep besides the goal: every input the page starts
    from (:func:`starting_values`: the team's, or a placeholder, where the rep has none), the
    rep's sales cycle, and which inputs are not the rep's own."""
    values, subs = starting_values(row, fallback, row.group)
    cycle = row.cycle_days_mean if row.cycle_days_mean is not None else None
    return {
        **values,
        "cycle": cycle,
        "team": ",".join(s.name for s in subs if s.from_team) or None,
        "placeholder": ",".join(s.name for s in subs if not s.from_team) or None,
    }


def from_link(link: Mapping[str, float | str], who: str) -> tuple[Substitute, ...]:
    """Fill the inputs a link carries, and only from it: a rep opening a link has the sample data
    (or their own upload) in their session, never the manager's, so an input the link leaves out
    starts from a placeholder, not from this session's data. Says which inputs are not the rep's own."""
    team = set(str(link.get("team", "")).split(","))
    substitutes = []
    for name in PREFILLED:
        v = link.get(name)
        value = float(v) if isinstance(v, float | int) else FALLBACKS[name]
        set_value(name, value)
        if v is None or name in team or name in str(link.get("placeholder", "")).split(","):
            substitutes.append(Substitute(name, value, who, FROM_LINK, from_team=v is not None and name in team))
    st.session_state[SUBSTITUTES] = tuple(substitutes)
    st.session_state[STARTED] = {}  # the link's values are the sender's choice, not the page's
    st.session_state[EXACT] = {}
    cycle = link.get("cycle")
    st.session_state[key("cycle_days")] = float(cycle) if isinstance(cycle, float | int) else None
    return tuple(substitutes)


def prefill(row: KpiRow | None, fallback: KpiRow | None, who: str) -> tuple[Substitute, ...]:
    """Set avg_sale, both ratios and current weekly appointments from ``row``'s actual KPIs
    (:func:`starting_values`), and remember which did not come from them (:func:`substitute_notes`)."""
    values, substitutes = starting_values(row, fallback, who)
    for name, v in values.items():
        set_value(name, v)
    started(values)
    _keep_exact(row, fallback, who, values)
    st.session_state[SUBSTITUTES] = substitutes
    st.session_state[key("cycle_days")] = None if row is None else row.cycle_days_mean
    return substitutes


def _keep_exact(row: KpiRow | None, fallback: KpiRow | None, who: str, names: Mapping[str, float]) -> None:
    """Remember the exact fractions behind the ratio inputs among ``names`` just filled (:data:`EXACT`)."""
    kpis = _starting_kpis(row, fallback, who)
    exact = {name: kpis[name] for name in ("p1", "p2") if name in names}
    st.session_state[EXACT] = {**st.session_state.get(EXACT, {}), **exact}


def fraction(name: str) -> float:
    """A ratio input (``"p1"``, ``"p2"``) as a fraction: the exact KPI the page filled it with while
    the user has not changed it, else the typed percent / 100."""
    exact = st.session_state.get(EXACT, {}).get(name)
    if exact is not None and untouched(name):
        return float(exact)
    return value(name) / 100


def started(values: Mapping[str, float]) -> None:
    """Remember ``values`` as put in their inputs by the page, not typed by the user."""
    st.session_state[STARTED] = {**st.session_state.get(STARTED, {}), **values}


def untouched(name: str) -> bool:
    """Whether the input still holds what the page put in it (the user has not changed it)."""
    put = st.session_state.get(STARTED, {})
    _settle(name)
    return name in put and st.session_state.get(key(name)) == put[name]


def refill(row: KpiRow | None, fallback: KpiRow | None, who: str, reps: int = 1) -> None:
    """Other window or filters: the inputs the user has not changed start again from ``row``'s
    KPIs under them (the goal too, on their scale); the ones the user typed stay. The whole
    company's full-year ratios stayed on the page after a filter to one team and three weeks,
    and the Weekly activity page shared the company's goal among that team's reps.

    A link's values (nothing put by the page) are the sender's: they stay, with their cycle.
    ``reps`` is how many reps the window holds (a rep's goal is the team's shared among them).
    """
    if not st.session_state.get(STARTED):
        return
    values, substitutes = starting_values(row, fallback, who)
    fresh = {name: v for name, v in values.items() if untouched(name)}
    for name, v in fresh.items():
        set_value(name, v)
    started(fresh)
    _keep_exact(row, fallback, who, fresh)
    st.session_state[SUBSTITUTES] = substitutes
    st.session_state[key("cycle_days")] = None if row is None else row.cycle_days_mean
    if untouched("goal"):
        start_goal(who, fallback, reps)


def start_goal(who: str, team: KpiRow | None, reps: int) -> None:
    """Put the goal the page proposes for ``who`` in its input (as untouched): for the team, 20 %
    above the inputs' pace (:func:`default_goal`); for a rep, the team's goal shared among the
    ``reps`` reps of the window (:func:`shared_goal`), as the Weekly activity page starts it.

    A rep's goal used to stay the team's: every rep was asked for the whole team's revenue, here
    and on the Weekly activity page (activity barometers of 0.3-15 % on the sample data).
    """
    goal = default_goal() if who == TEAM else shared_goal(team, reps, value("weeks"))
    set_value("goal", goal)
    started({"goal": goal})


def substitute_sentence(sub: Substitute, cur: Currency) -> str:
    """One plain sentence: why the input does not start from the rep's own numbers, and from what.

    ``"Ana has no won sale in this window, so average revenue per sale starts from the team's
    ($1,933); change it below."`` User text (the rep's name) is returned as is: escape it to render.
    """
    what, starts = IN_A_SENTENCE[sub.name]
    shown = input_text(sub.name, sub.value, cur)
    if sub.reason is None:
        cause = "No opportunity falls in this window"
    else:
        cause = f"{'The team' if sub.who == TEAM else sub.who} {sub.reason}"
    if sub.from_team:
        return f"{cause}, so {what} {starts} from the team's ({shown}); change it below."
    if sub.team_reason is not None:
        cause += ", nor does the team" if sub.team_reason == sub.reason else f", and the team {sub.team_reason}"
    return f"{cause}, so {what} {starts} from {shown}, a placeholder: type your own."


def substitute_notes(cur: Currency, solve_for: str | None = None) -> list[str]:
    """The sentences of the inputs that still hold a value not from the rep's own numbers.

    An input the user has changed since, or the one being solved for, needs none.
    """
    subs = st.session_state.get(SUBSTITUTES, ())
    for sub in subs:
        _settle(sub.name)  # a value changed in this run counts before its widget is drawn
    return [
        substitute_sentence(sub, cur)
        for sub in subs
        if sub.name != solve_for and st.session_state.get(key(sub.name)) == sub.value
    ]


def input_text(name: str, v: float, cur: Currency) -> str:
    """An input's value as the page writes it: money, a percent with at most one decimal, or appointments."""
    if name == "avg_sale":
        return money(v, cur)
    if name in ("p1", "p2"):
        return percent(v / 100, cur)
    return appointments(v, cur)


def default_goal() -> float:
    """A goal 20 % above what the inputs' current pace reaches in the selling weeks, rounded."""
    return _stretched_goal(value("weeks"), value("avg_sale"), fraction("p1"), fraction("p2"), value("appts"))


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


def shared_goal(team: KpiRow | None, reps: int, weeks: float) -> float:
    """The team's goal (20 % above its pace over ``weeks``) shared among its ``reps`` reps, rounded
    up (:func:`round_goal`); 100,000 without a team."""
    if team is None:
        return 100_000.0
    goal = _stretched_goal(weeks, team.avg_sale, team.p1, team.p2, team.weekly_appointments)
    return round_goal(goal / max(reps, 1))


def rep_goal(team: KpiRow | None, reps: int, weeks: float, content_key: str, filters: object = None) -> float:
    """The Weekly activity page's first goal per rep.

    The Magic Number page's goal when the user typed it for one rep; else the team's goal shared
    among the ``reps`` reps in the window: the one set on the Magic Number page for the team, or
    20 % above the team's pace (its default there). Never the team's goal for each rep, which
    would ask every rep for the whole team's revenue. A goal set for another file's data
    (``content_key`` is the dataset in use) is not used.
    """
    filled = filled_for(content_key)
    # The Magic Number page's goal: typed there, or put there for the window and filters in force
    # (one put there for the whole company would be shared among the reps of a filtered team).
    if filled and filters is not None and st.session_state.get(FILLED_FILTERS) != filters and untouched("goal"):
        filled = False
    goal = st.session_state.get(key("goal")) if filled else None
    # The "Start from" box's value, or, when Streamlit has dropped it because the Magic Number
    # page is not shown (as it does on the way to this page in a browser), the value set aside.
    source = st.session_state.get(SOURCE, state.kept(SOURCE)) if filled else None
    if goal and source not in (None, TEAM):
        if not untouched("goal"):
            return float(goal)  # typed for that rep
        goal = None  # the page's own proposal for a rep: the team's goal shared, as below
    if not goal:
        return shared_goal(team, reps, weeks)
    return round_goal(float(goal) / max(reps, 1))


def _copy(src: str, dst_name: str) -> None:
    """A widget's on_change: what it brought, settled by :func:`value` once every callback has run."""
    which = "slider" if src.endswith("_slider") else "input"
    st.session_state.setdefault(_PENDING, {}).setdefault(dst_name, {})[which] = st.session_state[src]


def _show(widget: str, v: float) -> None:
    if st.session_state.get(widget) != v:
        st.session_state[widget] = v


def render(f: Field, cur: Currency, *, disabled: bool = False, help_text: str | None = None) -> None:
    """A slider and an exact number input bound to the same value."""
    v = value(f.name)
    top = _slider_max(f)
    # Written only when they differ: a value written to a widget's key is sent to the browser and
    # replaces what the widget shows, so a run that started before the user's next key press
    # would put the slider back (five presses of the arrow key moved it by one step, or none).
    _show(f"{key(f.name)}_slider", min(max(v, f.low), top))
    _show(f"{key(f.name)}_input", v)
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
