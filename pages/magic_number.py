"""Magic Number: how many new first appointments a week a revenue goal takes, and what moves it."""

import streamlit as st

from kpi_core.coaching import coaching
from kpi_core.magic import LABELS, SOLVABLE, MagicResult, Scenario, implied_funnel, lever_sensitivity, solve
from kpi_core.model import Dataset, Filters, KpiRow, Shape
from ui import charts, links, memo, page, settings, state
from ui import format as fmt
from ui import magic_inputs as mi
from ui.text import md_escape

KEPT = (mi.SOURCE, mi.SOLVE, "mn_cycle_lag", "mn_pacing", "mn_weeks_elapsed")
SOLVE_LABELS = {
    "magic_number": "Magic Number (first appointments a week)",
    "goal": "Revenue goal",
    "weeks": "Selling weeks",
    "avg_sale": "Average revenue per sale",
    "p1": "Appointment-to-next-step ratio",
    "p2": "Close ratio",
}


def _apply_link(params: dict[str, float | str]) -> None:
    for name in links.NUMERIC_PARAMS:
        if name in params:
            mi.set_value(name, float(params[name]))
    if params.get("solve") in SOLVABLE:
        st.session_state[mi.SOLVE] = params["solve"]


#: The hero metric's label; its value is the Magic Number alone.
HERO_LABEL = "Magic Number (first appointments a week)"
#: The hero's number is the page's one large number, larger than the exact value beside it
#: (``st.metric`` has no size). Fixed CSS scoped to the hero's container: no data in it.
HERO_CSS = "<style>.st-key-mn_hero [data-testid='stMetricValue'] {font-size: 4.5rem; line-height: 1.1;}</style>"


def _team_row(ds: Dataset, filters: Filters) -> KpiRow | None:
    """The team's KPIs: asked for only when the inputs are (re)filled, so a filter change runs one query less."""
    rows = memo.kpis(ds, "all", filters)
    return rows[0] if rows else None


def _initialize(rows_by_rep: dict, ds: Dataset, filters: Filters) -> None:
    """Fill the inputs once per dataset (team KPIs), then from the link if it carries values.

    A new file fills them again from its own team KPIs, with a goal on its own scale; the selling
    weeks and what to solve for stay as the user left them. The page's own address (which echoes
    the inputs for sharing) is not a new link: it carries the previous file's values.
    """
    params = links.parse(dict(st.query_params))
    fresh = params and links.query(params) != st.session_state.get(mi.LAST_QUERY)
    filled = mi.filled_for(ds.content_key)
    if filled and not fresh:
        if st.session_state.get(mi.FILLED_FILTERS) != filters:
            source = st.session_state.get(mi.SOURCE, mi.TEAM)
            team_row = _team_row(ds, filters)
            mi.refill(team_row if source == mi.TEAM else rows_by_rep.get(source), team_row, source, len(rows_by_rep))
            st.session_state[mi.FILLED_FILTERS] = filters
        return
    link = params if fresh else {}
    team_row = _team_row(ds, filters)
    rep = str(link.get("rep", "")) or None
    if not filled:
        if mi.key("weeks") not in st.session_state:
            mi.set_value("weeks", mi.DEFAULT_WEEKS)
        mi.forget_slider_ends()
        mi.prefill(team_row, team_row, mi.TEAM)
        st.session_state[mi.SOURCE] = mi.TEAM
        st.session_state.setdefault(mi.SOLVE, "magic_number")
    if rep is not None:
        st.session_state[mi.SOURCE] = rep
    if any(name in link for name in mi.PREFILLED):
        # A link made on the Peer comparison: its values are the rep's in the manager's data. This
        # session holds other data (the sample, to a rep opening the link), whatever the names.
        mi.from_link(link, rep or mi.TEAM)
        if str(link.get("cur", "")) in fmt.CURRENCIES:
            st.session_state[state.CURRENCY] = str(link["cur"])
    elif rep is not None and rep in rows_by_rep:
        mi.prefill(rows_by_rep[rep], team_row, rep)
    _apply_link(link)
    if not filled and "goal" not in link:
        # A link for a rep of this data (not carrying the rep's values): the team's goal shared among its reps.
        within = rep is not None and rep in rows_by_rep and not any(name in link for name in mi.PREFILLED)
        mi.start_goal(rep if within and rep is not None else mi.TEAM, team_row, len(rows_by_rep))
    st.session_state[mi.READY] = ds.content_key
    st.session_state[mi.FILLED_FILTERS] = filters
    st.session_state[mi.LAST_QUERY] = links.query(params)


def _on_source_change(rows_by_rep: dict, ds: Dataset, filters: Filters) -> None:
    chosen = st.session_state[mi.SOURCE]
    team_row = _team_row(ds, filters)
    row = team_row if chosen == mi.TEAM else rows_by_rep.get(chosen)
    if row is not None:
        mi.prefill(row, team_row, chosen)
        if mi.untouched("goal"):  # a goal the user typed stays
            mi.start_goal(chosen, team_row, len(rows_by_rep))


def _live_line(result: MagicResult, solve_for: str, cur: fmt.Currency) -> str:
    """The answer in one line under the inputs (Markdown of the app's own numbers and labels)."""
    if solve_for == "magic_number":
        if result.magic_number is None:
            return md_escape(result.message)
        return (
            f"**{md_escape(fmt.number(result.magic_number_rounded, cur))}** first appointments a week "
            f"(exact {md_escape(fmt.appointments(result.magic_number, cur))})"
        )
    value = md_escape(mi.shown_value(solve_for, result.solved_value, cur))
    line = f"{SOLVE_LABELS[solve_for]} needed: **{value}**"
    return line if result.feasible else f"{line}. {md_escape(result.message)}"


def body() -> None:
    st.title("How many first appointments a week does my goal take?")
    ds = state.dataset()
    cur = state.money_format()
    filters = state.filters()
    rep_rows = memo.kpis(ds, "rep", filters)
    rows_by_rep = {r.group: r for r in rep_rows}
    if not rep_rows:
        st.info(
            "No opportunities fall in this window with these filters, so no actual KPIs fill the inputs; "
            "widen the window or clear a filter to start from your data."
        )
    for key in KEPT:
        state.keep(key)
    _initialize(rows_by_rep, ds, filters)
    cur = state.money_format()  # a link made in rupiah has set the currency

    choices = [mi.TEAM, *rows_by_rep]
    if st.session_state.get(mi.SOURCE) not in choices:
        choices.append(st.session_state[mi.SOURCE])
    st.html(HERO_CSS)
    hero = st.container()
    with st.expander("Inputs", expanded=True):
        top_left, top_right = st.columns(2)
        top_left.selectbox(
            "Start from the actual KPIs of",
            choices,
            key=mi.SOURCE,
            on_change=_on_source_change,
            args=(rows_by_rep, ds, filters),
            help="Fills average revenue per sale, both ratios and current weekly appointments from the data.",
        )
        top_right.selectbox("Solve for", list(SOLVABLE), format_func=SOLVE_LABELS.__getitem__, key=mi.SOLVE)
        solve_for = st.session_state[mi.SOLVE]
        # Where a starting value is the team's or a placeholder, not the rep's own, say so (it was silent).
        notes = mi.substitute_notes(cur, solve_for)
        caveat = page.close_ratio_sentence(ds)
        if caveat and solve_for != "p2":
            notes.append(caveat)
        if notes:
            st.info("\n\n".join(md_escape(note) for note in notes))
        left, right = st.columns(2)
        with left:
            for name in ("goal", "weeks", "avg_sale"):
                mi.render(mi.FIELDS[name], cur, disabled=name == solve_for)
        with right:
            for name in ("p1", "p2", "appts"):
                mi.render(mi.FIELDS[name], cur, disabled=name == solve_for)
        opt_left, opt_right = st.columns(2)
        cycle = st.session_state.get(mi.key("cycle_days"))
        use_lag = opt_left.checkbox(
            "Sales-cycle lag",
            key="mn_cycle_lag",
            disabled=cycle is None,
            help="Appointments booked less than one sales cycle before the end cannot close in time, so the usable "
            "weeks shrink by the cycle. Needs a sales cycle from won opportunities with both dates.",
        )
        if cycle is None:
            opt_left.caption("No sales cycle is available for this selection, so the lag cannot be applied.")
        else:
            opt_left.caption(f"Sales cycle: {fmt.days(cycle)}")
        pipeline = None
        source_name = st.session_state[mi.SOURCE]
        if ds.shape is Shape.OPPORTUNITIES and (source_name == mi.TEAM or source_name in rows_by_rep):
            reps = () if source_name == mi.TEAM else (source_name,)
            pipeline = memo.pipeline(ds, state.filters(reps=reps))
        use_pacing = opt_right.checkbox(
            "Pacing: count what is won and open",
            key="mn_pacing",
            disabled=pipeline is None,
            help="Part-way through the period, the remaining goal is the goal minus revenue already won and the "
            "expected revenue of open opportunities, spread over the weeks left.",
        )
        weeks_elapsed = 0.0
        if pipeline is None:
            opt_right.caption(
                "Pacing needs an opportunity list with "
                + ("the team's" if source_name == mi.TEAM else "this rep's")
                + " opportunities (a weekly log has no open ones)."
                if ds.shape is not Shape.OPPORTUNITIES
                else "Pacing needs the chosen rep's opportunities in this data."
            )
        else:
            opt_right.caption(
                f"Won so far: {md_escape(fmt.money(pipeline.revenue_won, cur))}; open past the first gate: "
                f"{fmt.number(pipeline.open_advanced, cur)}; open not yet advanced: "
                f"{fmt.number(pipeline.open_not_advanced, cur)}"
            )
            if use_pacing:
                st.session_state.setdefault("mn_weeks_elapsed", 0.0)
                weeks_elapsed = opt_right.number_input(
                    "Weeks already gone",
                    min_value=0.0,
                    max_value=520.0,
                    step=1.0,
                    format=fmt.INPUT_SHORTEST,
                    key="mn_weeks_elapsed",
                )
        # The answer again where the sliders are: on a phone the hero is a screen or two above them.
        live = st.empty()

    scenario = Scenario(
        goal=mi.value("goal"),
        weeks=mi.value("weeks"),
        avg_sale=mi.value("avg_sale"),
        p1=mi.fraction("p1"),
        p2=mi.fraction("p2"),
        weekly_appointments=mi.value("appts"),
        cycle_days=cycle,
        use_cycle_lag=bool(use_lag and cycle is not None),
        use_pacing=bool(use_pacing and pipeline is not None),
        weeks_elapsed=weeks_elapsed,
        revenue_won=pipeline.revenue_won if pipeline else 0.0,
        open_advanced=pipeline.open_advanced if pipeline else 0,
        open_not_advanced=pipeline.open_not_advanced if pipeline else 0,
    )
    words = fmt.wording(cur)  # the sentences' numbers as the rest of the page's: Rp 6.400.000, 42,78
    result = solve(scenario, solve_for, words)
    state.remember(*KEPT)
    st.query_params.from_dict(
        links.query(
            {
                "rep": None if source_name == mi.TEAM else source_name,
                **{name: mi.value(name) for name in links.NUMERIC_PARAMS},
                "cycle": st.session_state.get(mi.key("cycle_days")),
                "solve": None if solve_for == "magic_number" else solve_for,
                "cur": cur.code,
            }
        )
    )
    st.session_state[mi.LAST_QUERY] = links.query(links.parse(dict(st.query_params)))

    with hero:
        if solve_for == "magic_number":
            if result.magic_number is None:
                st.error(md_escape(result.message))
            else:
                a, b = st.columns([3, 1])
                a.container(key="mn_hero").metric(
                    # The unit goes in the label: the number alone stays whole on a phone's width.
                    HERO_LABEL,
                    fmt.number(result.magic_number_rounded, cur),  # 2,054, as the sentence beside it
                    help="New first appointments to book every week, rounded up to whole appointments.",
                )
                b.metric("Exact value", fmt.appointments(result.magic_number, cur))
        else:
            label = SOLVE_LABELS[solve_for]
            a, b = st.columns([3, 1])
            a.metric(  # an amount, as long as "Rp 104.166.667": the metric's own size fits a phone
                f"{label} needed",
                mi.shown_value(solve_for, result.solved_value, cur),
                help=f"The {LABELS[solve_for]} at which the current weekly appointments reach the goal.",
            )
            b.metric("With weekly appointments", fmt.appointments(result.magic_number, cur))
            if not result.feasible:
                st.error(md_escape(result.message))
        if result.feasible:
            st.caption(md_escape(result.message))
        for warning in result.warnings:
            st.warning(md_escape(warning))

    live.markdown(_live_line(result, solve_for, cur))

    st.subheader("The funnel this goal implies")
    stages = implied_funnel(result)
    funnel_cols = st.columns(4)
    for col, stage in zip(funnel_cols, stages, strict=True):
        help_text = ""
        if stage.name == "revenue":
            # Compact, as the Team overview's headline amounts: "Rp 37.500.000" was cut to "Rp 37.500.…"
            # in a quarter of a laptop's width; the exact amount is in the help.
            per_week, period = fmt.compact_money(stage.per_week, cur), fmt.compact_money(stage.period, cur)
            help_text = f"Exact value: {md_escape(fmt.money(stage.per_week, cur))} a week, "
            help_text += f"{md_escape(fmt.money(stage.period, cur))} over the period."
        else:
            per_week, period = fmt.appointments(stage.per_week, cur), fmt.number(stage.period, cur, 1)
        col.metric(f"{stage.label} per week", per_week, help=help_text or f"Over the period: {md_escape(period)}")
        col.caption(f"Over the period: {md_escape(period)}")
    if any(s.per_week is not None for s in stages if s.name != "revenue"):
        charts.show(charts.implied_funnel(stages, cur), cur=cur, key="mn_funnel_chart", png_name="implied_funnel")

    # The actual KPIs, for the barometer and the coaching: the inputs' own ratios (the rep's or the
    # team's) and the Magic Number they need. A solved quantity is what the goal needs, not what the
    # rep does: coaching quoted the close ratio needed as the team's, and the barometer read 100 %
    # by construction (the weekly appointments against themselves).
    actual = result if solve_for == "magic_number" else solve(scenario, "magic_number", words)
    st.subheader("Activity barometer")
    barometer = actual.activity_barometer
    if barometer is None:
        st.info("The activity barometer needs the current weekly appointments and a Magic Number above 0.")
    else:
        st.metric(
            "Activity barometer",
            # Below its target, written to read below it (99.96 %, not 100 %) beside the coaching that says so.
            fmt.percent_against(barometer, settings.coaching_thresholds().activity_barometer, cur),
            help="Current weekly appointments / Magic Number; the target is 100 %."
            if solve_for == "magic_number"
            else f"Current weekly appointments / the Magic Number of the inputs as they are (the {LABELS[solve_for]} "
            "in its input, not the one needed); the target is 100 %.",
        )
        if solve_for != "magic_number" and actual.magic_number is not None:
            own = mi.shown_value(solve_for, getattr(scenario, solve_for), cur)
            st.caption(
                md_escape(
                    f"Against the Magic Number with the {LABELS[solve_for]} of the inputs ({own}, not the one "
                    f"needed): {fmt.appointments(actual.magic_number, cur)} first appointments a week."
                )
            )
        charts.show(charts.barometer(barometer, cur), cur=cur, key="mn_barometer_chart")

    thresholds = settings.render_coaching()
    advice = coaching(actual.p1, actual.p2, barometer, thresholds, words)
    if advice:
        st.subheader("Coaching")
        for item in advice:
            with st.container(border=True):
                st.markdown(f"**{md_escape(item.headline)}**")
                st.markdown("\n".join(f"- {md_escape(tip)}" for tip in item.tips))

    st.subheader("Which lever matters most?")
    if solve_for != "magic_number":
        st.info("Switch 'Solve for' to the Magic Number to compare the levers.")
    else:
        levers = lever_sensitivity(scenario, wording=words)
        if not levers:
            st.info("The Magic Number cannot be computed with these inputs, so the levers cannot be compared.")
        else:
            charts.show(charts.levers(levers, cur), cur=cur, key="mn_levers_chart", png_name="levers")
            from ui.tables import number_frame, show_numbers

            records = [
                {  # the change beside the lever: on a phone's width the columns after it need a scroll
                    "Lever": lv.label,
                    "Change": lv.change,
                    "New Magic Number": lv.new_magic_number,
                    "Step": lv.step_description,
                }
                for lv in levers
            ]
            formats = {name: (lambda v: fmt.appointments(v, cur)) for name in ("New Magic Number", "Change")}
            show_numbers(number_frame(records, list(formats)), formats, key="mn_levers_table")


page.run(body)
