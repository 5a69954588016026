"""Team overview: headline KPIs and one row of KPIs per rep (or team, or any extra column)."""

import streamlit as st

from ui import format as fmt
from ui import memo, page, state
from ui.format import KPI_LABELS
from ui.text import md_escape

#: Headline metrics in rows of at most four, so values stay readable at normal widths.
HEADLINE = (
    ("appointments", "weekly_appointments", "p1", "p2"),
    ("revenue", "avg_sale", "cycle_days_mean"),
)
GROUP_BY = "overview_group_by"


def body() -> None:
    st.title("How is the team doing?")
    ds = state.dataset()
    cur = state.money_format()
    filters = state.filters()
    team = memo.kpis(ds, "all", filters)
    if not team:
        page.empty("No opportunities fall in this window with these filters; widen the window or clear a filter.")
    total = team[0]
    for names in HEADLINE:
        for col, name in zip(st.columns(4), names, strict=False):
            value = total.value(name)
            exact = f"Exact value: {md_escape(fmt.kpi(name, value, cur))}. "
            col.metric(KPI_LABELS[name], fmt.compact_kpi(name, value, cur), help=exact + fmt.NA_HELP.get(name, ""))
    if total.won == 0:
        st.info(
            "No won opportunities in this window, so average revenue per sale and the sales cycle are not available."
        )
    elif not ds.has_amounts:
        st.info("The file has no amount column, so revenue and average revenue per sale are not available.")
    caveat = page.close_ratio_sentence(ds)
    if caveat and total.p2 is not None:
        st.info(md_escape(caveat))

    # pandas and its Styler (~0.7 s to import) load only now, after the headline is on screen:
    # on a cold server the first page shows its answer sooner.
    from ui.downloads import buttons
    from ui.tables import kpi_frame, show_kpi_table

    options = {"rep": "Rep", "team": "Team"} if ds.has_teams else {"rep": "Rep"}
    options.update({label: label for label in memo.groupable_dimensions(ds)})  # not ids, not one value
    state.keep(GROUP_BY)
    if st.session_state.get(GROUP_BY) not in options:  # a column of an earlier file
        state.forget(GROUP_BY)
    by = st.selectbox("One row per", list(options), format_func=options.__getitem__, key=GROUP_BY)
    state.remember(GROUP_BY)
    rows = memo.kpis(ds, by, filters)
    st.subheader("KPIs per " + ("rep" if by == "rep" else "team" if by == "team" else "value of the chosen column"))
    label = options[by]  # the column's own name for an extra column (it read "Value" in the downloads too)
    frame = kpi_frame(rows, label, with_team=by == "rep" and ds.has_teams)
    show_kpi_table(frame, cur, key="overview_kpi_table")
    buttons(frame, "kpis", key="overview_download")
    st.caption(
        "Cohorts: an opportunity counts in the window where its first appointment falls. "
        "Appointments x appointment-to-next-step ratio x close ratio = won, exactly."
    )


page.run(body)
