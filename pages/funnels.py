"""Funnels: appointments -> next step -> won, for the team and per rep, with step-to-step conversion."""

import streamlit as st

from ui import charts, memo, page, settings, state
from ui import format as fmt
from ui.text import md_escape


def body() -> None:
    st.title("How is the team converting?")
    ds = state.dataset()
    cur = state.money_format()
    filters = state.filters()
    team = memo.kpis(ds, "all", filters)
    if not team:
        page.empty("No opportunities fall in this window with these filters; widen the window or clear a filter.")
    reps = memo.kpis(ds, "rep", filters)
    total = team[0]
    if total.advanced is None:
        page.empty(
            "This file says nothing about next steps (a weekly log without a next-steps column), "
            "so there is no funnel to draw; map a next-steps column on the Data page."
        )
    a, b, c = st.columns(3)
    a.metric("Appointments", fmt.number(total.appointments, cur, 2))
    b.metric("Appointment → next step", fmt.percent(total.p1, cur), help="Next steps as a percent of appointments.")
    c.metric("Next step → sale", fmt.percent(total.p2, cur), help="Sales as a percent of next steps.")
    caveat = page.close_ratio_sentence(ds)
    if caveat and total.p2 is not None:
        st.info(md_escape(caveat))
    st.caption("Click a rep in either chart below to highlight that rep in both; double-click to clear.")
    coach = settings.coaching_thresholds()
    thresholds = (coach.p1, coach.p2)
    narrow = page.on_a_phone()
    drawn = memo.cached(
        ds,
        "funnels_chart",
        (filters, cur, thresholds, narrow),
        lambda: charts.funnels(total, reps, cur, thresholds, narrow=narrow),
    )
    charts.show(
        drawn.team, cur=cur, key="team_funnel_chart", png_name="team_funnel", png_label="Download the team funnel (PNG)"
    )
    charts.show(
        drawn.reps, cur=cur, key="funnels_chart", png_name="funnels", png_label="Download the per-rep charts (PNG)"
    )
    st.caption("Dashed line: the coaching threshold (change it under Coaching thresholds on the Magic Number page).")
    if len(reps) == 1:
        st.info("Only one rep in this window, so there is no one to compare with side by side.")


page.run(body)
