"""The shared sidebar: where the data came from, the filters every page uses, the currency."""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from kpi_core import queries
from kpi_core.errors import KpiError
from kpi_core.model import Shape

from . import state
from .format import CURRENCIES, DEFAULT_CURRENCY, number
from .text import md_escape


def _currency_box(where: DeltaGenerator) -> None:
    where.selectbox(
        "Currency",
        list(CURRENCIES),
        **state.initial(state.CURRENCY, index=list(CURRENCIES).index(DEFAULT_CURRENCY)),
        key=state.CURRENCY,
        help=(
            "Used in every amount the app shows: $12,500, €12.500, Rp 1.500.000. A file whose amounts name"
            " their currency (Rp, IDR, $, €) sets it when it loads."
        ),
    )


def render() -> None:
    """Draw the sidebar (after the page: its widgets keep the filters in session_state between runs)."""
    sb = st.sidebar
    top = sb.container()  # the currency box first on screen, drawn once the dataset may have set it
    try:
        ds = state.ensure_dataset()  # a new dataset sets the currency its amounts name (state.reset_filters)
    except KpiError as err:
        ds, problem = None, str(err)
    _currency_box(top)  # after: a widget's value cannot be set once the widget is drawn in a run
    if ds is None:
        sb.error(md_escape(problem))
        return
    src = state.source()
    cur = state.money_format()
    sb.subheader("Filters")
    first, last = ds.first_date, ds.last_date
    if first and last:
        sb.date_input(
            "Window (first appointment between)",
            # Set by state.reset_filters for each new dataset, then kept by the widget.
            **state.initial(state.FILTER_WINDOW, value=(first, last)),
            min_value=first,
            max_value=last,
            key=state.FILTER_WINDOW,
            help="Opportunities count in the window where their first appointment falls (cohorts).",
        )
    if ds.has_teams:
        sb.multiselect("Teams", state.distinct("team"), key=state.FILTER_TEAMS, placeholder="All teams")
    for i, label in state.filterable_dimensions(ds):
        sb.multiselect(
            md_escape(label),
            state.distinct(label, state.FILTER_VALUES + 1),  # the values filterable_dimensions fetched
            key=f"{state.FILTER_DIM_PREFIX}{i}",
            placeholder="All",
        )
    sb.checkbox(
        "Decided opportunities only",
        key=state.FILTER_DECIDED,
        disabled=ds.shape is Shape.WEEKLY_LOG,
        help=(
            "Drops opportunities that are still open before counting, which removes the bias of young,"
            " undecided opportunities. Not available for a weekly log."
        ),
    )
    sb.divider()
    sb.caption("Data in use")
    sb.text(f"Source: {src.name}")
    waiting = state.waiting()
    if waiting is not None:
        sb.warning(md_escape(f"{waiting} is not in use yet: finish loading it on the Data page."))
    if ds.team_list:
        sb.text(f"Teams: {ds.team_list}")
    kind = "weekly activity log" if ds.shape is Shape.WEEKLY_LOG else "opportunity list"
    sb.text(f"{number(ds.report.rows_loaded, cur)} rows loaded ({kind})")
    try:
        filters = state.filters()
        win = queries.window(ds, filters)
    except KpiError as err:
        sb.error(md_escape(str(err)))
        return
    if win is not None:
        sb.text(f"Window: {win.start:%Y-%m-%d} to {win.end:%Y-%m-%d} ({number(win.weeks, cur, 1)} weeks)")
    in_force = []
    if filters.teams:
        in_force.append("Teams: " + ", ".join(filters.teams))
    for label, values in filters.dimensions:
        in_force.append(f"{label}: " + ", ".join(values))
    if filters.decided_only:
        in_force.append("Decided opportunities only")
    sb.text("Filters: " + ("; ".join(in_force) if in_force else "none"))
