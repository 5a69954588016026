"""Weekly activity: each rep's first appointments per week against their Magic Number."""

import streamlit as st

from kpi_core import queries
from kpi_core.coaching import coaching
from kpi_core.magic import Scenario, at_least, solve
from ui import charts, memo, page, settings, state
from ui import format as fmt
from ui import magic_inputs as mi
from ui.text import md_escape

WEEKS = "weekly_weeks"
GOAL = "weekly_goal"
#: The goal per rep the page last proposed: a goal still equal to it is the user's untouched.
DERIVED = "weekly_goal_derived"


def body() -> None:
    st.title("Is each rep booking enough first appointments every week?")
    ds = state.dataset()
    cur = state.money_format()
    filters = state.filters()
    series = memo.weekly_series(ds, filters)
    if not series:
        page.empty("No first appointments fall in this window with these filters; widen the window or clear a filter.")
    rows = {r.group: r for r in memo.kpis(ds, "rep", filters)}
    team = memo.kpis(ds, "all", filters)
    c1, c2 = st.columns(2)
    # Values typed here stay while the user visits other pages (the goal for this file only);
    # untouched, they follow the Magic Number page's goal and weeks.
    state.keep(WEEKS)
    state.keep(GOAL, scope=ds.content_key)
    weeks = c2.number_input(
        "Selling weeks",
        min_value=0.1,
        max_value=520.0,
        **state.initial(WEEKS, value=float(st.session_state.get(mi.key("weeks")) or mi.DEFAULT_WEEKS)),
        step=1.0,
        format=fmt.INPUT_SHORTEST,
        key=WEEKS,
        on_change=state.remember,
        args=(WEEKS,),
    )
    derived = mi.rep_goal(team[0] if team else None, len(rows), weeks, ds.content_key, filters)
    if GOAL in st.session_state and st.session_state[GOAL] == st.session_state.get(DERIVED):
        st.session_state[GOAL] = derived  # untouched, it follows the window, the filters and the weeks
    st.session_state[DERIVED] = derived
    goal = c1.number_input(
        f"Revenue goal per rep ({cur.code})",
        min_value=0.0,
        **state.initial(GOAL, value=derived),
        step=1000.0,
        format=fmt.INPUT_MONEY,
        key=GOAL,
        on_change=state.remember,
        args=(GOAL,),
        kwargs={"scope": ds.content_key},
        help="Each rep's Magic Number uses this goal with the rep's own ratios and average revenue per sale. "
        "It starts as the team's goal (the Magic Number page's, or 20 % above the team's pace) shared among "
        "the reps, or as the goal typed there for one rep.",
    )
    c1.caption(md_escape(f"{fmt.money(goal, cur)} per rep"))  # the typed digits, grouped: 15000000 is Rp 15.000.000
    targets = {}
    missing = []
    for rep, row in rows.items():
        if row.avg_sale is None or row.p1 is None or row.p2 is None:
            targets[rep] = None
            missing.append(rep)
            continue
        targets[rep] = solve(
            Scenario(
                goal=goal,
                weeks=weeks,
                avg_sale=row.avg_sale,
                p1=row.p1,
                p2=row.p2,
                weekly_appointments=row.weekly_appointments,
            )
        )
    # The answer first: who books fewer first appointments than their Magic Number (spec 3: the
    # barometer should read 100 %), each rep a bar against the 100 % line.
    thresholds = settings.coaching_thresholds()
    measured = sorted(
        (target.activity_barometer, rep)
        for rep, target in targets.items()
        if target is not None and target.activity_barometer is not None
    )
    below = [(b, rep) for b, rep in measured if not at_least(b, thresholds.activity_barometer)]
    if measured:
        bar = thresholds.activity_barometer
        their = "their Magic Number" if bar == 1 else f"{fmt.percent(bar, cur)} of their Magic Number"
        st.markdown(
            md_escape(
                f"{fmt.number(len(below), cur)} of {fmt.number(len(measured), cur)} reps book fewer first "
                f"appointments a week than {their}."
                if below
                else f"All {fmt.number(len(measured), cur)} reps book at least {their} a week."
            )
        )
        levels = memo.cached(
            ds,
            "weekly_barometers",
            (filters, cur, goal, weeks, thresholds),
            lambda: charts.barometers(
                [(rep, b, rows[rep].weekly_appointments, targets[rep].magic_number) for b, rep in measured],
                thresholds.activity_barometer,
                cur,
            ),
        )
        charts.show(levels, key="weekly_barometers", cur=cur)
    frame = memo.cached(
        ds,
        "weekly_frame",
        (filters, cur, goal, weeks),
        lambda: charts.weekly_frame(series, targets, cur, queries.window(ds, filters)),
    )
    narrow = page.on_a_phone()
    panels = memo.cached(
        ds, "weekly_chart", (filters, cur, goal, weeks, narrow), lambda: charts.weekly_panels(frame, narrow=narrow)
    )
    charts.show_grid(
        panels,
        key="weekly_chart",
        cur=cur,
        png=lambda: charts.weekly_activity(frame),
        png_name="weekly_activity",
        fill=narrow,
    )
    part_weeks = (
        " An open point is a week the window starts or ends in: it counts only its days inside the window, "
        "and the short dash is the same part of the Magic Number."
        if (frame["days"] < 7).any()
        else ""
    )
    st.caption(
        "Each chart: a rep's first appointments a week, on the same scale for every rep, three reps to a column in "
        "the order of the table below. Dashed line: the rep's Magic Number. Weeks start on Monday; weeks without "
        "appointments show 0." + part_weeks
    )
    if missing:
        st.info(
            "Some reps have no Magic Number (no won sale, no next step or no amounts in this window), "
            "so only their weekly appointments are drawn:"
        )
        st.text(", ".join(missing))
    from ui.tables import number_frame, show_numbers

    formats = {
        "Weekly appointments": lambda v: fmt.appointments(v, cur),
        "Magic Number": lambda v: fmt.appointments(v, cur),
        "Activity barometer": lambda v: fmt.percent_against(v, thresholds.activity_barometer, cur),
    }
    records = [
        {
            "Rep": rep,
            "Weekly appointments": row.weekly_appointments,
            "Magic Number": target.magic_number if (target := targets[rep]) else None,
            "Activity barometer": target.activity_barometer if target else None,
        }
        for rep, row in rows.items()
    ]
    show_numbers(number_frame(records, list(formats)), formats, key="weekly_table")

    # Spec 5: a barometer below its target (100 % by default) gets the prospecting coaching; here
    # once for every rep below it, each named with their barometer.
    advice = coaching(None, None, below[0][0], thresholds, fmt.wording(cur)) if below else ()
    if advice:
        st.subheader("Coaching")
        reps = ", ".join(f"{rep} ({fmt.percent_against(b, thresholds.activity_barometer, cur)})" for b, rep in below)
        with st.container(border=True):
            st.markdown(f"**{md_escape('Below ' + their + ': ' + reps)}**")
            st.markdown("\n".join(f"- {md_escape(tip)}" for tip in advice[0].tips))


page.run(body)
