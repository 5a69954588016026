"""Peer comparison: each rep against the peer average on every KPI, with the flags of the spec."""

import streamlit as st

from kpi_core.model import LOWER_IS_BETTER, PeerSettings
from kpi_core.peers import BEST_PRACTICE, MONEY_LEFT_ON_TABLE, compare_peers
from ui import charts, links, memo, page, state
from ui import format as fmt
from ui import magic_inputs as mi
from ui.downloads import buttons
from ui.format import KPI_LABELS
from ui.magic_inputs import DEFAULT_WEEKS
from ui.tables import peer_frame, show_peer_table
from ui.text import md_escape

DEFAULTS = PeerSettings()
#: The inputs that stay as set while the user visits other pages (ui.state.keep).
KEPT = (
    "peers_min_opportunities",
    "peers_money_left_pct",
    "peers_best_practice_pct",
    "share_base_url",
    "share_goal",
    "share_weeks",
)


def body() -> None:
    st.title("Who is ahead of their peers, and on what?")
    ds = state.dataset()
    cur = state.money_format()
    filters = state.filters()
    rows = memo.kpis(ds, "rep", filters)
    if not rows:
        page.empty("No opportunities fall in this window with these filters; widen the window or clear a filter.")
    if len(rows) == 1:
        page.empty("Only one rep in this window: peer comparison needs at least two reps.")
    for key in KEPT:
        state.keep(key)
    with st.expander("Settings"):
        min_opps = st.number_input(
            "Fewest opportunities to be ranked",
            min_value=1,
            max_value=1000,
            **state.initial("peers_min_opportunities", value=DEFAULTS.min_opportunities),
            key="peers_min_opportunities",
            help="Reps with fewer opportunities in the window are shown but not ranked or flagged.",
        )
        left, right = st.columns(2)
        money_pct = left.number_input(
            "Money left on the table: average sale at least this far below peers (%)",
            min_value=0.0,
            max_value=100.0,
            **state.initial("peers_money_left_pct", value=DEFAULTS.money_left_on_table * 100),
            step=5.0,
            format=fmt.INPUT_SHORTEST,
            key="peers_money_left_pct",
            help="Flags a rep whose average revenue per sale is this many percent or more below the peer average.",
        )
        cycle_pct = right.number_input(
            "Best practice: sales cycle at least this much shorter than peers (%)",
            min_value=0.0,
            max_value=100.0,
            **state.initial("peers_best_practice_pct", value=DEFAULTS.best_practice_cycle * 100),
            step=5.0,
            format=fmt.INPUT_SHORTEST,
            key="peers_best_practice_pct",
            help="Flags a rep whose mean sales cycle is this many percent or more shorter than the peer average.",
        )
    peer_settings = PeerSettings(
        min_opportunities=int(min_opps),
        money_left_on_table=money_pct / 100,
        best_practice_cycle=cycle_pct / 100,
    )
    compared = compare_peers(rows, peer_settings)
    ranked = [p for p in compared if not p.small_sample]
    # Ranked reps, but each alone in their team: a lower threshold would not give anyone a peer.
    alone = (
        "Each team has a single rep with at least "
        f"{int(min_opps)} opportunities, so no rep has a peer to compare with; to compare every rep with every "
        "other, choose no team column on the Data page."
        if ranked and all(p.peers == 0 for p in ranked)
        else None
    )

    highlights = []
    for p in ranked:
        if MONEY_LEFT_ON_TABLE in p.flags:
            highlights.append(
                {
                    "Rep": p.rep,
                    "Flag": "Money left on the table",
                    "Why": "Average sale "
                    + fmt.signed_percent(p.kpis["avg_sale"].deviation, cur)
                    + f" vs peers (flagged from {fmt.percent(peer_settings.money_left_on_table, cur)} below)",
                }
            )
        if BEST_PRACTICE in p.flags:
            highlights.append(
                {
                    "Rep": p.rep,
                    "Flag": "Best practice to share with the team",
                    "Why": "Sales cycle "
                    + fmt.signed_percent(p.kpis["cycle_days_mean"].deviation, cur)
                    + f" vs peers (flagged from {fmt.percent(peer_settings.best_practice_cycle, cur)} shorter)",
                }
            )
        for kpi in p.best_on:
            highlights.append({"Rep": p.rep, "Flag": "Best on " + KPI_LABELS[kpi], "Why": "Best value among peers"})
    st.subheader("Highlights")
    if highlights:
        # Short reasons in the widest column: a table cell does not wrap, and at a laptop's width
        # "Average revenue per sale is -40.9 % against the peer average (...)" was cut off.
        why = st.column_config.TextColumn("Why", width="large")
        st.dataframe(highlights, hide_index=True, width="stretch", column_config={"Why": why}, key="peers_highlights")
    else:
        st.info(alone or "No rep stands out from their peers on these thresholds in this window.")
    small = [p for p in compared if p.small_sample]
    if small:
        st.caption(f"Too few opportunities to rank (fewer than {int(min_opps)}); shown in the table, not ranked:")
        st.text(", ".join(p.rep for p in small))

    st.subheader("Deviation from the peer average")
    frame = charts.peer_frame(ranked, cur, LOWER_IS_BETTER)
    level = charts.level_kpis(frame)
    frame = frame[~frame["kpi"].isin(level)]
    if frame.empty and level:
        st.info("Every ranked rep is level with their peers on every KPI, so there is no deviation to draw.")
    elif frame.empty:
        st.info(alone or "No rep has enough opportunities and peers to compare; lower the threshold in Settings.")
    else:
        panels = memo.cached(ds, "peers_chart", (filters, cur, peer_settings), lambda: charts.peer_panels(frame))
        charts.show_grid(
            panels,
            key="peers_chart",
            cur=cur,
            png=lambda: charts.peer_deviation(frame),
            png_name="peer_deviation",
            fill=page.on_a_phone(),
        )
        st.caption("For the sales cycle, shorter is better, so a negative deviation counts as better than peers.")
        if level:
            st.caption(
                "Not drawn: " + ", ".join(level) + " (every ranked rep has the same value as their peers' average)."
            )

    st.subheader("Every rep, every KPI")
    table = peer_frame(compared, cur)
    show_peer_table(table, cur, key="peers_table")
    buttons(table, "peer_comparison", key="peers_download")

    st.subheader("Send each rep their Magic Number")
    st.caption(
        "Each link opens the Magic Number page with that rep's own ratios, average sale and weekly appointments."
    )
    c1, c2, c3 = st.columns(3)
    base = c1.text_input(
        "Base URL of this app",
        # The address this page was opened at, as the browser sees it (behind any proxy).
        **state.initial("share_base_url", value=links.app_url(st.context.url, "peers")),
        key="share_base_url",
        placeholder="https://your-app.example.com",
    )
    goal = c2.number_input(
        "Revenue goal per rep",
        min_value=0.0,
        **state.initial("share_goal", value=0.0),
        step=1000.0,
        format=fmt.INPUT_MONEY,
        key="share_goal",
        help="0 leaves the goal for the rep to set.",
    )
    if goal:
        c2.caption(md_escape(f"{fmt.money(goal, cur)} per rep"))  # the typed digits, grouped
    weeks = c3.number_input(
        "Selling weeks",
        min_value=1.0,
        max_value=520.0,
        **state.initial("share_weeks", value=DEFAULT_WEEKS),
        format=fmt.INPUT_SHORTEST,
        key="share_weeks",
    )
    link_rows = []
    # Each link carries every input (the rep's own, or the team's or a placeholder where the rep has
    # none, and says which), the rep's sales cycle and the currency: a rep opening it has none of
    # this data in their session (a rep with no won sale had the sample's average sale filled in).
    everyone = memo.kpis(ds, "all", filters)
    for row in rows:
        values = {"rep": row.group, "goal": goal or None, "weeks": weeks, "cur": cur.code}
        values.update(mi.link_values(row, everyone[0] if everyone else None))
        link_rows.append({"Rep": row.group, "Link": links.magic_link(base or "", values)})
    st.dataframe(link_rows, hide_index=True, width="stretch", key="peers_links")
    st.code("\n".join(r["Link"] for r in link_rows), language=None)
    state.remember(*KEPT)


page.run(body)
