"""Altair chart builders. Every chart gets pre-aggregated rows (KPI rows, peer rows, a weekly
series), never raw opportunities; tooltips carry the exact values already formatted."""

from __future__ import annotations

import datetime as dt
import functools
import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import altair as alt
import pandas as pd
import pyarrow as pa

from kpi_core.magic import FunnelStage, Lever, MagicResult, at_least
from kpi_core.model import KpiRow, PeerRow
from kpi_core.queries import Window

from .format import KPI_LABELS, Currency, appointments, kpi, money, number, percent, percent_against, signed_percent

#: Width given to charts drawn "as wide as the page" when they are rendered to a PNG file.
PNG_WIDTH = 640

#: One colour per funnel stage, the same on every chart.
STAGE_COLORS: dict[str, str] = {
    "Appointments": "#4c78a8",
    "Next steps": "#f58518",
    "Sales": "#54a24b",
    "Revenue": "#b279a2",
}
STAGES = ("Appointments", "Next steps", "Sales")
#: Above / below the peer average: two hues that also differ in lightness (colour-blind safe).
BETTER, WORSE = "Better than peers", "Worse than peers"
#: Two hues that colour-blind readers tell apart (blue, orange) and that differ in lightness (2.5:1),
#: each at least 3:1 against the white page, as a bar needs (the orange was a peach of 1.8:1).
PEER_COLORS = {BETTER: "#1f4e8c", WORSE: "#d9731f"}
THRESHOLD_COLOR = "#444444"
STEP_COLORS = {"Appointment → next step": STAGE_COLORS["Next steps"], "Next step → sale": STAGE_COLORS["Sales"]}


@dataclass(frozen=True)
class ChartSpec:
    """A Vega-Lite spec as a plain dict, rows inline under ``datasets``: built once, drawn cheaply.

    Altair's schema validation costs tens of milliseconds a chart; specs are produced with
    ``to_dict(validate=False)`` (or from a cached template) and drawn with ``st.vega_lite_chart``.
    """

    vega: dict[str, Any]
    #: Drawn at the widths the spec sets, not stretched to the page: Streamlit stretches every
    #: chart of a vertical concatenation to the page's width, axes and labels coming on top.
    own_width: bool = False
    #: What the chart shows, in a sentence, for screen readers (its accessible name; Vega's own is
    #: "Vega visualization" for every chart).
    description: str | None = None


def spec(chart: alt.TopLevelMixin, *, own_width: bool = False, description: str | None = None) -> ChartSpec:
    """The chart's Vega-Lite dict, without Altair's (slow) schema validation."""
    return ChartSpec(chart.to_dict(validate=False), own_width, description)


# Every chart gets pre-aggregated rows (a rep's weeks, not the opportunities), so Altair's guard
# against embedding raw data (5,000 rows) only breaks a long window: 30 reps over four years of
# weeks, or a window a typo stretched to 2062, raised MaxRowsError on the Weekly activity page.
alt.data_transformers.disable_max_rows()


def _fixed_width(node: Any) -> Any:
    """A copy of a spec with every ``"container"`` width set to :data:`PNG_WIDTH` (a file has no container)."""
    if isinstance(node, dict):
        return {k: PNG_WIDTH if k == "width" and v == "container" else _fixed_width(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_fixed_width(v) for v in node]
    return node


def png_bytes(chart: ChartSpec, cur: Currency | None = None) -> bytes:
    """The chart as a PNG image (vl-convert, imported only when someone asks for a PNG), its axes'
    numbers written with ``cur``'s marks when given."""
    import vl_convert

    vega = _fixed_width(chart.vega)
    png: bytes = vl_convert.vegalite_to_png(vega if cur is None else in_locale(vega, cur), scale=2)
    return png


def number_locale(cur: Currency) -> dict[str, Any]:
    """The marks of ``cur`` as a d3 number locale, which Vega writes axis and tooltip numbers in:
    ``1.000`` and ``12,5`` for rupiah and euros, where the default wrote ``1,000``, which an
    Indonesian reader takes for one."""
    return {
        "decimal": cur.decimal,
        "thousands": cur.thousands,
        "grouping": [3],
        "currency": [cur.symbol + (" " if cur.space else ""), ""],
    }


def in_locale(vega: dict[str, Any], cur: Currency) -> dict[str, Any]:
    """A copy of the spec whose numbers Vega writes with ``cur``'s marks (:func:`number_locale`)."""
    config = vega.get("config", {})
    return {**vega, "config": {**config, "locale": {**config.get("locale", {}), "number": number_locale(cur)}}}


#: Streamlit's chart theme aligns every axis's end labels flush with the axis's ends; on a band axis
#: (a rep or a stage a row) that moved the first and last names off their bars, by 7 px.
_BAND_AXIS = {"labelFlush": False}


def _drawn(vega: dict[str, Any], cur: Currency) -> dict[str, Any]:
    """The spec as Streamlit is given it: rows as Arrow tables, numbers in ``cur``'s marks, band
    axes' labels on their bars."""
    out = in_locale(_with_arrow_datasets(vega), cur)
    config = out["config"]
    return {**out, "config": {**config, "axisBand": {**_BAND_AXIS, **config.get("axisBand", {})}}}


def show(
    chart: ChartSpec, key: str, cur: Currency, png_name: str | None = None, png_label: str = "Download PNG"
) -> None:
    """Draw the chart as wide as the page, its numbers in ``cur``'s marks; with ``png_name``, offer it
    as a PNG built on click only (``png_label`` tells the button apart where a page has two charts)."""
    import streamlit as st

    vega = _drawn(chart.vega, cur)
    st.vega_lite_chart(vega, width="content" if chart.own_width else "stretch", key=key, alt=chart.description)
    if png_name:
        st.download_button(
            png_label,
            data=lambda: png_bytes(chart, cur),
            file_name=f"{png_name}.png",
            mime="image/png",
            key=f"{key}_png",
            on_click="ignore",
            icon=":material/image:",
        )


def show_grid(
    panels: Sequence[ChartSpec],
    key: str,
    cur: Currency,
    png: Callable[[], ChartSpec] | None = None,
    png_name: str | None = None,
    *,
    fill: bool = False,
) -> None:
    """Small charts side by side, as many to a row as the page has room for: three at a laptop's
    width, two or one on a tablet or a phone, found by the browser (a row that wraps), where a
    faceted Vega-Lite chart has a fixed number of columns and ran past the right edge of a tablet.
    ``fill`` (a phone): one chart a row, each as wide as the page rather than 250 px of 358.
    With ``png_name``, offer ``png()`` (the panels as one grid) as a PNG built on click only."""
    import streamlit as st

    with st.container(horizontal=not fill, gap="small", key=key):
        for i, panel in enumerate(panels):
            vega = _drawn(panel.vega, cur)
            width = "content" if panel.own_width else "stretch" if fill else GRID_PANEL_WIDTH
            st.vega_lite_chart(vega, width=width, key=f"{key}_{i}", alt=panel.description)
    if png is not None and png_name:
        st.download_button(
            "Download PNG",
            data=lambda: png_bytes(png(), cur),
            file_name=f"{png_name}.png",
            mime="image/png",
            key=f"{key}_png",
            on_click="ignore",
            icon=":material/image:",
        )


def _with_arrow_datasets(vega: dict[str, Any]) -> dict[str, Any]:
    """A copy of the spec whose inline datasets are Arrow tables, which Streamlit sends as they are.

    Given rows (a list of dicts), Streamlit builds a pandas frame from them first: 1.3 ms against
    0.1 ms per chart, three charts on every rerun of the Magic Number page. The table holds the
    same values (a test compares them with Streamlit's own conversion for every chart).
    """
    if "datasets" not in vega:
        return dict(vega)
    datasets = {name: _arrow_rows(rows) for name, rows in vega["datasets"].items()}
    return {**vega, "datasets": datasets}


def _arrow_rows(rows: Any) -> Any:
    """Rows (dicts) as an Arrow table, one column per key any row has; anything else as it is."""
    if not isinstance(rows, list) or not rows or not all(isinstance(row, dict) for row in rows):
        return rows
    keys = list(dict.fromkeys(key for row in rows for key in row))
    return pa.table({key: pa.array([row.get(key) for row in rows]) for key in keys})


#: Text drawn beside a bar: the page's own text colour. In the stage's colour, the orange and green
#: read at 2.6:1 and 3.2:1 against white, below the 4.5:1 that text needs.
LABEL_COLOR = "#31333F"


def _stage_scale(stages: Sequence[str] = STAGES) -> alt.Scale:
    """The fixed stage colours, limited to the stages a chart shows (so legends list only those)."""
    return alt.Scale(domain=list(stages), range=[STAGE_COLORS[s] for s in stages])


def _whole_ticks(top: float, most: int) -> list[int]:
    """0, then multiples of the smallest step of 1, 2 or 5 x 10^k that reaches ``top`` (at least 1)
    in at most ``most`` steps: ``(12, 5) -> [0, 5, 10, 15]``."""
    top = max(top, 1.0)
    power = 1
    while True:
        for step in (power, 2 * power, 5 * power):
            steps = math.ceil(top / step - 1e-9)
            if steps <= most:
                return [i * step for i in range(steps + 1)]
        power *= 10


def _counts(top: float, most: int, **scale: Any) -> dict[str, Any]:
    """The scale and axis of an axis of counts (opportunities, first appointments): whole-number
    ticks, the last one ending the axis. Vega's own ticked a scale up to 2 every half ("0,5" first
    appointments) and wrote 12 opportunities' ticks as "0,0", "1,0"...; its ``tickMinStep`` does not
    prevent that (a step of 0.5 for 0 to 2)."""
    ticks = _whole_ticks(top, most)
    return {
        "scale": alt.Scale(domain=[0, ticks[-1]], nice=False, **scale),
        "axis": alt.Axis(values=ticks, format=",d"),
    }


def _top(counts: Sequence[float | int | None]) -> float:
    """The largest of the counts that are known (0 when none is)."""
    return float(max((c for c in counts if c is not None), default=0))


def _rep_axis() -> alt.Axis:
    """The reps' axis beside the per-rep funnels: a long name on two lines (:data:`REP_WRAP_CHARS`),
    the pair of lines centred on the rep's row (Vega centres the first line on it)."""
    name = "datum.label"
    wraps = f"length({name}) > {REP_WRAP_CHARS} && indexof({name}, ' ') > 0"
    # The last space in the name's first half (its middle character included), else its first space.
    first_half = f"lastindexof(substring({name}, 0, ceil(length({name}) / 2) + 1), ' ')"
    cut = f"({first_half} > 0 ? {first_half} : indexof({name}, ' '))"
    return alt.Axis(
        labelLimit=REP_LABEL_LIMIT,
        labelExpr=f"{wraps} ? [substring({name}, 0, {cut}), substring({name}, {cut} + 1)] : {name}",
        labelLineHeight=REP_LINE_HEIGHT,
        labelOffset=alt.condition(wraps, alt.value(-REP_LINE_HEIGHT / 2), alt.value(0)),
    )


def funnel_frame(rows: Sequence[KpiRow], cur: Currency) -> pd.DataFrame:
    """One row per group and stage: count and the conversion from the previous stage."""
    records = []
    for row in rows:
        stages = (
            ("Appointments", row.appointments, None, "first stage"),
            ("Next steps", row.advanced, row.p1, "of appointments"),
            ("Sales", row.won, row.p2, "of next steps"),
        )
        for order, (stage, count, conversion, of_what) in enumerate(stages):
            records.append(
                {
                    "rep": row.group,
                    "stage": stage,
                    "order": order,
                    "count": None if count is None else float(count),
                    "count_text": number(count, cur, 2),
                    "conversion": conversion,
                    "conversion_text": "" if order == 0 else f"{percent(conversion, cur)} {of_what}",
                    # The tooltip's: an empty "Conversion" row read as a value missing.
                    "conversion_tip": "where every opportunity starts"
                    if order == 0
                    else f"{percent(conversion, cur)} {of_what}",
                }
            )
    return pd.DataFrame.from_records(records)


def conversion_frame(rows: Sequence[KpiRow], cur: Currency) -> pd.DataFrame:
    """Step-to-step conversion per rep (p1 then p2), for the side-by-side comparison."""
    records = []
    for row in rows:
        for step, value in (("Appointment → next step", row.p1), ("Next step → sale", row.p2)):
            records.append({"rep": row.group, "step": step, "rate": value, "rate_text": percent(value, cur)})
    return pd.DataFrame.from_records(records)


#: Plot width of each of the two per-rep funnel charts: side by side, the reps' names on the left
#: one only (the rows line up), they fit a tablet's main column with the sidebar open (488 px at
#: 820); with names on both and 250 px each they were 719 px wide.
REP_FUNNEL_WIDTH = 180
#: The widest line of a rep's name beside the per-rep funnels, in pixels (a longer line ends in "...").
REP_LABEL_LIMIT = 100
#: A rep's name longer than this (in characters) is written on two lines beside the per-rep funnels,
#: broken at the last space of its first half: in one line of 100 px, "Rosie Papadopoulos" read
#: "Rosie Papadopou…", and a wider label would push the pair past a tablet's main column.
REP_WRAP_CHARS = 16
REP_LINE_HEIGHT = 13
#: Plot width of each small chart of a three-column grid (peer deviations, weekly activity): three
#: of them with their axes and the legend below fit the same 820 px.
SMALL_CHART_WIDTH = 200
#: A chart of :func:`show_grid` fits its width and keeps its height (fitting both squeezed a weekly
#: chart's plot to a sliver under its title and axes).
_FIT_WIDTH = alt.AutoSizeParams(type="fit-x", contains="padding")
#: Reps one weekly panel holds, one above the other. Every Vega view costs the browser about 45 ms
#: to draw: the public CRM sample's 30 reps, a view each, took 2.5 s to draw where one faceted view
#: took 1.0 s; three to a view take about as long as one view for all.
WEEKLY_REPS_PER_PANEL = 3
#: Plot width of a weekly panel: with its axis it stays within :data:`GRID_PANEL_WIDTH`; on a phone
#: it fills the 358-pixel column.
WEEKLY_PLOT_WIDTH = 190
WEEKLY_PHONE_PLOT_WIDTH = 290
#: The most weeks labelled under a weekly panel ("Feb 09" is about 35 px wide).
WEEKLY_TICKS = 4
WEEKLY_PHONE_TICKS = 6
#: The line height of the levers' two-line labels.
LEVER_LINE_HEIGHT = 14
#: Pixels each weekly panel's scales keep free at their ends, for the line's points.
WEEKLY_POINT_ROOM = 5
#: The whole width of one chart of :func:`show_grid`, its labels included (the plot takes what the
#: labels leave): three to a row in a laptop's 820-pixel main column, one on a phone.
GRID_PANEL_WIDTH = 250
#: The team funnel's rows: a stage's band, and the part of it left free above each bar for the
#: bar's conversion.
TEAM_FUNNEL_STEP = 50
TEAM_FUNNEL_GAP = 0.5
#: The most steps between the ticks of an axis of counts (:func:`_counts`): the team funnel's, a
#: per-rep funnel's, a weekly panel's.
TEAM_COUNT_TICKS = 6
REP_COUNT_TICKS = 4
WEEKLY_COUNT_TICKS = 4
#: Plot width of each per-rep funnel chart on a phone, where the two stack: with the reps' names it
#: fits a 390-pixel screen's main column (358 px).
PHONE_FUNNEL_WIDTH = 200


@dataclass(frozen=True)
class Funnels:
    """The Funnels page's two charts: the team's funnel (as wide as the page) and the per-rep pair."""

    team: ChartSpec
    reps: ChartSpec


def funnels(
    team: KpiRow,
    reps: Sequence[KpiRow],
    cur: Currency,
    thresholds: tuple[float, float] = (0.65, 0.65),
    *,
    narrow: bool = False,
) -> Funnels:
    """The team's funnel; then every rep's funnel and step conversions side by side (one above the
    other when ``narrow``, for a phone: side by side they are 719 px wide).

    Clicking a rep in either per-rep chart highlights that rep in both (one shared selection). The
    team's funnel is a chart of its own: as a view of the same concatenated chart, its
    page-wide width left out its labels and pushed the whole chart past the page's edge.
    """
    pick = alt.selection_point(name="rep_pick", fields=["rep"], on="click", clear="dblclick")
    tooltip_stage = [
        alt.Tooltip("rep:N", title="Rep"),
        alt.Tooltip("stage:N", title="Stage"),
        alt.Tooltip("count_text:N", title="Count"),
        alt.Tooltip("conversion_tip:N", title="Conversion"),
    ]
    rep_width = PHONE_FUNNEL_WIDTH if narrow else REP_FUNNEL_WIDTH
    team_df = funnel_frame([team], cur)
    team_df["rep"] = "Team"
    team_chart = (
        alt.Chart(team_df, title="Team funnel: appointments → next steps → won")
        .mark_bar()
        .encode(
            y=alt.Y(
                "stage:N",
                sort=list(STAGES),
                title=None,
                scale=alt.Scale(paddingInner=TEAM_FUNNEL_GAP, paddingOuter=TEAM_FUNNEL_GAP / 2),
            ),
            x=alt.X("count:Q", title="Opportunities", **_counts(_top([team.appointments]), TEAM_COUNT_TICKS)),
            color=alt.Color("stage:N", scale=_stage_scale(), legend=None),
            tooltip=tooltip_stage,
        )
        .properties(height=TEAM_FUNNEL_STEP * len(STAGES), width="container")
    )
    # Each conversion ("75 % of appointments") above its bar, from the bar's start: at the bar's end
    # it ran past the chart's right edge for any ratio above about 60 % on a phone.
    bar = TEAM_FUNNEL_STEP * (1 - TEAM_FUNNEL_GAP)
    team_text = team_chart.mark_text(align="left", baseline="bottom", dy=-bar / 2 - 2).encode(
        text="conversion_text:N", x=alt.value(0), color=alt.value(LABEL_COLOR)
    )
    reps_df = funnel_frame(reps, cur)
    rep_order = [r.group for r in reps]
    per_rep = (
        alt.Chart(reps_df, title="Per rep: reaching each stage")
        .mark_bar()
        .encode(
            y=alt.Y("rep:N", sort=rep_order, title=None, axis=_rep_axis()),
            yOffset=alt.YOffset("stage:N", sort=list(STAGES)),
            x=alt.X(
                "count:Q",
                title="Opportunities",
                **_counts(_top([c for r in reps for c in (r.appointments, r.advanced, r.won)]), REP_COUNT_TICKS),
            ),
            color=alt.Color(
                "stage:N",
                scale=_stage_scale(),
                sort=list(STAGES),
                title="Stage",
                legend=alt.Legend(orient="bottom", direction="vertical"),
            ),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.25)),
            tooltip=tooltip_stage,
        )
        .properties(width=rep_width, height=max(160, 36 * len(reps)))
    )
    conv_df = conversion_frame(reps, cur)
    # Side by side, the rows line up with the left chart's, which names the reps; stacked (a phone), each names them.
    conv_axis = _rep_axis() if narrow else None
    conv = (
        alt.Chart(conv_df, title="Conversion of each step")
        .mark_bar()
        .encode(
            y=alt.Y("rep:N", sort=rep_order, title=None, axis=conv_axis),
            yOffset=alt.YOffset("step:N"),
            x=alt.X("rate:Q", axis=alt.Axis(format="%"), title="Conversion", scale=alt.Scale(domain=[0, 1])),
            color=alt.Color(
                "step:N",
                scale=alt.Scale(domain=list(STEP_COLORS), range=list(STEP_COLORS.values())),
                title="Step",
                legend=alt.Legend(orient="bottom", direction="vertical"),
            ),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.25)),
            tooltip=[
                alt.Tooltip("rep:N", title="Rep"),
                alt.Tooltip("step:N", title="Step"),
                alt.Tooltip("rate_text:N", title="Conversion"),
            ],
        )
        .properties(width=rep_width, height=max(160, 36 * len(reps)))
    )
    if thresholds[0] == thresholds[1]:
        rule_df = pd.DataFrame(
            {"threshold": [thresholds[0]], "label": [f"{percent(thresholds[0], cur)} coaching threshold"]}
        )
    else:
        rule_df = pd.DataFrame(
            {
                "threshold": list(thresholds),
                "label": [
                    f"{percent(t, cur)} coaching threshold ({step})"
                    for t, step in zip(thresholds, STEP_COLORS, strict=True)
                ],
            }
        )
    rule = (
        alt.Chart(rule_df)
        .mark_rule(color=THRESHOLD_COLOR, strokeDash=[4, 3])
        .encode(x="threshold:Q", tooltip=alt.Tooltip("label:N", title="Threshold"))
    )
    with warnings.catch_warnings():
        # Altair reports that it merged the one selection shared by both views: that is the point.
        warnings.filterwarnings("ignore", message="Automatically deduplicated selection parameter")
        lower = (alt.vconcat if narrow else alt.hconcat)(per_rep, alt.layer(conv, rule)).add_params(pick)
        team_funnel = alt.layer(team_chart, team_text).properties(autosize=alt.AutoSizeParams(type="fit-x"))
        said = (
            f"Team funnel: {number(team.appointments, cur)} appointments, {number(team.advanced, cur)} next "
            f"steps, {number(team.won, cur)} sales."
        )
        return Funnels(
            spec(team_funnel, description=said),
            spec(
                lower.resolve_scale(color="independent"),
                own_width=narrow,
                description=f"Appointments, next steps and sales of each of the {len(reps)} reps, and the "
                "conversion of each step against the coaching threshold.",
            ),
        )


def peer_frame(rows: Sequence[PeerRow], cur: Currency, lower_is_better: frozenset[str]) -> pd.DataFrame:
    """One row per ranked rep and KPI: deviation from the peer average, better or worse."""
    records = []
    for row in rows:
        if row.small_sample:
            continue
        for name, pk in row.kpis.items():
            if pk.deviation is None:
                continue
            better = pk.deviation < 0 if name in lower_is_better else pk.deviation > 0
            records.append(
                {
                    "rep": row.rep,
                    "kpi": KPI_LABELS.get(name, name),
                    "deviation": pk.deviation,
                    "deviation_text": signed_percent(pk.deviation, cur),
                    "value_text": kpi(name, pk.value, cur),
                    "peer_text": kpi(name, pk.peer_average, cur),
                    "direction": BETTER if better else WORSE,
                }
            )
    return pd.DataFrame.from_records(
        records, columns=["rep", "kpi", "deviation", "deviation_text", "value_text", "peer_text", "direction"]
    )


def level_kpis(frame: pd.DataFrame) -> list[str]:
    """The KPIs of a :func:`peer_frame` on which every rep is level with their peers (deviation 0
    within rounding): a panel of zero-length bars whose axis read "+0.000000%"."""
    level = frame.assign(level=frame["deviation"].abs() < 1e-9).groupby("kpi", sort=False)["level"].all()
    return [str(kpi) for kpi, flat in level.items() if flat]


def peer_panels(frame: pd.DataFrame) -> list[ChartSpec]:
    """Diverging bars, one small chart per KPI (for :func:`show_grid`): each rep's deviation from
    the peer average; the legend under the first."""
    out = []
    for i, (name, rows) in enumerate(frame.groupby("kpi", sort=False)):
        layered = _peer_layers(legend=i == 0, data=rows).properties(
            width="container",
            height=alt.Step(20),
            title=alt.Title(str(name), fontSize=12, fontWeight="normal"),
            autosize=_FIT_WIDTH,
        )
        out.append(spec(layered, description=f"{name}: each rep's deviation from the peer average."))
    return out


def peer_deviation(frame: pd.DataFrame) -> ChartSpec:
    """The same bars as :func:`peer_panels` in one faceted chart, three to a row (the PNG file)."""
    return spec(
        _peer_layers(legend=True, data=frame)
        .properties(width=SMALL_CHART_WIDTH, height=alt.Step(18))
        .facet(facet=alt.Facet("kpi:N", title=None), columns=3)
        .resolve_scale(x="independent")
    )


def _peer_layers(*, legend: bool, data: pd.DataFrame) -> alt.LayerChart:
    # Every rep named: with Vega's default, a label that came near the next was dropped (6 of 11 shown).
    base = alt.Chart().encode(y=alt.Y("rep:N", title=None, axis=alt.Axis(labelOverlap=False, labelLimit=110)))
    bars = base.mark_bar().encode(
        x=alt.X("deviation:Q", axis=alt.Axis(format="+%"), title="vs the peer average"),
        color=alt.Color(
            "direction:N",
            scale=alt.Scale(domain=list(PEER_COLORS), range=list(PEER_COLORS.values())),
            title=None,
            legend=alt.Legend(orient="bottom", direction="vertical") if legend else None,
        ),
        tooltip=[
            alt.Tooltip("rep:N", title="Rep"),
            alt.Tooltip("kpi:N", title="KPI"),
            alt.Tooltip("value_text:N", title="Rep's value"),
            alt.Tooltip("peer_text:N", title="Peer average"),
            alt.Tooltip("deviation_text:N", title="Deviation"),
        ],
    )
    zero = alt.Chart().mark_rule(color=THRESHOLD_COLOR).encode(x=alt.datum(0))
    return alt.layer(bars, zero, data=data)


def _with_data(
    template: dict[str, Any], name: str, records: list[dict[str, Any]], description: str | None = None
) -> ChartSpec:
    """A cached template spec with this rerun's rows as its named dataset ``name``, beside the
    template's own inline datasets (a threshold rule's row)."""
    return ChartSpec({**template, "datasets": {**template.get("datasets", {}), name: records}}, description=description)


@functools.cache
def _implied_funnel_template() -> dict[str, Any]:
    bars = (
        alt.Chart(alt.Data(name="implied_funnel"), title="What the goal takes each week")
        .mark_bar()
        .encode(
            y=alt.Y("stage:N", sort=list(STAGES), title=None),
            x=alt.X("per_week:Q", title="Per week"),
            color=alt.Color("stage:N", scale=_stage_scale(), legend=None),
            tooltip=[
                alt.Tooltip("stage:N", title="Stage"),
                alt.Tooltip("per_week_text:N", title="Per week"),
                alt.Tooltip("period_text:N", title="Over the period"),
            ],
        )
    )
    text = bars.mark_text(align="left", dx=4).encode(text="per_week_text:N", color=alt.value(LABEL_COLOR))
    return alt.layer(bars, text).properties(height=140, width="container", autosize=_FIT_WIDTH).to_dict(validate=False)


def implied_funnel(stages: Sequence[FunnelStage], cur: Currency) -> ChartSpec:
    """The weekly funnel the goal implies: appointments -> next steps -> sales (counts per week)."""
    names = {"appointments": "Appointments", "next_steps": "Next steps", "sales": "Sales"}
    records = [
        {
            "stage": names[s.name],
            "per_week": s.per_week,
            "per_week_text": appointments(s.per_week, cur),
            "period_text": number(s.period, cur, 1),
        }
        for s in stages
        if s.name in names and s.per_week is not None
    ]
    said = "What the goal takes each week: " + ", ".join(f"{r['per_week_text']} {r['stage'].lower()}" for r in records)
    return _with_data(_implied_funnel_template(), "implied_funnel", records, said + ".")


@functools.cache
def _barometer_template() -> dict[str, Any]:
    bar = (
        alt.Chart(alt.Data(name="barometer"))
        .mark_bar()
        .encode(
            x=alt.X("value:Q", scale=alt.Scale(domainMin=0, nice=True), axis=alt.Axis(format="%"), title=None),
            y=alt.Y("what:N", title=None),
            color=alt.Color("fill:N", scale=None, legend=None),
            tooltip=[alt.Tooltip("text:N", title="Activity barometer")],
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"target": [1.0], "label": ["100 % target"]}))
        .mark_rule(color=THRESHOLD_COLOR, strokeWidth=2)
        .encode(x="target:Q", tooltip=alt.Tooltip("label:N", title="Target"))
    )
    return alt.layer(bar, rule).properties(height=70, width="container", autosize=_FIT_WIDTH).to_dict(validate=False)


def barometer(value: float, cur: Currency) -> ChartSpec:
    """The activity barometer as a bar against the 100 % line."""
    fill = STAGE_COLORS["Appointments"] if at_least(value, 1) else PEER_COLORS[WORSE]
    text = percent_against(value, 1, cur)  # 99.96 % below the line reads below it, not "100 %"
    records = [{"what": "Activity barometer", "value": value, "text": text, "fill": fill}]
    said = f"Activity barometer: {text} of the Magic Number booked; the target is 100 %."
    return _with_data(_barometer_template(), "barometer", records, said)


#: A rep's band in :func:`barometers`, room for its name (35 reps take 700 pixels).
BAROMETER_STEP = 20


def barometers(measured: Sequence[tuple[str, float, float, float]], target: float, cur: Currency) -> ChartSpec:
    """Each rep's activity barometer as a bar against the ``target`` line (100 % unless the
    coaching settings say otherwise), the furthest below it first.

    ``measured``: (rep, barometer, first appointments a week, Magic Number) per rep."""
    rows = sorted(measured, key=lambda m: (m[1], m[0]))
    records = [
        {
            "rep": rep,
            "value": value,
            "text": percent_against(value, target, cur),
            "weekly_text": appointments(weekly, cur),
            "magic_text": appointments(magic, cur),
            "fill": STAGE_COLORS["Appointments"] if at_least(value, target) else PEER_COLORS[WORSE],
        }
        for rep, value, weekly, magic in rows
    ]
    below = sum(1 for r in rows if not at_least(r[1], target))
    said = f"Activity barometers of {len(rows)} reps against the {percent(target, cur)} target: {below} below it" + (
        f", the lowest {rows[0][0]} at {percent_against(rows[0][1], target, cur)}." if rows else "."
    )
    line = [{"target": target, "label": f"{percent(target, cur)} target"}]
    template = _barometers_template()
    return ChartSpec({**template, "datasets": {"barometers": records, "target": line}}, description=said)


@functools.cache
def _barometers_template() -> dict[str, Any]:
    """:func:`barometers`' spec, its bars and its target line the named datasets ``barometers`` and
    ``target`` (built by Altair once: 30-40 ms a rerun of the Weekly activity page otherwise)."""
    bars = (
        alt.Chart(alt.Data(name="barometers"))
        .mark_bar()
        .encode(
            x=alt.X(
                "value:Q",
                scale=alt.Scale(domainMin=0, nice=True),
                axis=alt.Axis(format="%", orient="top"),
                title="Activity barometer",
            ),
            y=alt.Y("rep:N", sort=None, title=None, axis=alt.Axis(labelLimit=160)),
            color=alt.Color("fill:N", scale=None, legend=None),
            tooltip=[
                alt.Tooltip("rep:N", title="Rep"),
                alt.Tooltip("text:N", title="Activity barometer"),
                alt.Tooltip("weekly_text:N", title="First appointments a week"),
                alt.Tooltip("magic_text:N", title="Magic Number"),
            ],
        )
    )
    rule = (
        alt.Chart(alt.Data(name="target"))
        .mark_rule(color=THRESHOLD_COLOR, strokeWidth=2)
        .encode(x="target:Q", tooltip=alt.Tooltip("label:N", title="Target"))
    )
    chart = alt.layer(bars, rule).properties(height=alt.Step(BAROMETER_STEP), width="container", autosize=_FIT_WIDTH)
    vega: dict[str, Any] = chart.to_dict(validate=False)
    return vega


@functools.cache
def _levers_template() -> dict[str, Any]:
    return (
        alt.Chart(alt.Data(name="levers"), title="Change in first appointments a week")
        .mark_bar(color=STAGE_COLORS["Appointments"])
        .encode(
            # Each lever on two lines, its name above its step ("Close ratio" / "(+10 percentage
            # points)"): on one line the longest, 54 characters, was cut to "Appointment-to-...".
            y=alt.Y(
                "lever:N",
                sort=None,
                title=None,
                # Vega centres a label's first line on its bar: the two lines go up half a line.
                axis=alt.Axis(
                    labelExpr="split(replace(datum.label, ' (', '\\n('), '\\n')",
                    labelLimit=200,
                    labelLineHeight=LEVER_LINE_HEIGHT,
                    labelOffset=-LEVER_LINE_HEIGHT / 2,
                ),
            ),
            # Short enough to fit under the bars on a phone (the title says what changes).
            x=alt.X("change:Q", title="Negative = fewer needed"),
            tooltip=[
                alt.Tooltip("lever:N", title="Lever"),
                alt.Tooltip("change_text:N", title="Change"),
                alt.Tooltip("new_text:N", title="New Magic Number"),
            ],
        )
        .properties(height=alt.Step(40), width="container", autosize=_FIT_WIDTH)
        .to_dict(validate=False)
    )


def levers(items: Sequence[Lever], cur: Currency) -> ChartSpec:
    """How much the Magic Number drops when each lever improves by one step."""
    records = [
        {
            "lever": f"{lv.label} ({lv.step_description})",
            "change": lv.change,
            "change_text": appointments(lv.change, cur),
            "new_text": appointments(lv.new_magic_number, cur),
        }
        for lv in items
        if lv.change is not None
    ]
    said = "Change in first appointments a week, by lever: " + "; ".join(
        f"{r['lever']}: {r['change_text']}" for r in records
    )
    return _with_data(_levers_template(), "levers", records, said + ".")


def weekly_frame(
    series: Sequence[tuple[str, dt.date, float]],
    targets: dict[str, MagicResult | None],
    cur: Currency,
    window: Window | None = None,
) -> pd.DataFrame:
    """First appointments per rep per week with the rep's Magic Number beside each week.

    A week only partly inside ``window`` (a window that starts or ends mid-week) is compared with
    its share of the Magic Number, ``days / 7`` of it (``magic_share``): its appointments are
    those of its days in the window only."""
    # Texts per distinct count and per rep, days per distinct week, not per row: a million-row
    # file's 40 reps over two years are 4,160 rows of a few hundred distinct counts and 104 weeks.
    count_text: dict[float, str] = {}
    days_of: dict[dt.date, int] = {}
    magic_of = {rep: (r.magic_number if r is not None else None) for rep, r in targets.items()}
    magic_text = {rep: appointments(m, cur) for rep, m in magic_of.items()}
    no_magic = appointments(None, cur)
    columns: dict[str, list[Any]] = {name: [] for name in WEEKLY_COLUMNS}
    for rep, week, count in series:
        magic = magic_of.get(rep)
        days = days_of.get(week)
        if days is None:
            days = days_of[week] = window.days_of_week(week) if window is not None else 7
        share = magic * days / 7 if magic is not None and days < 7 else None
        if count not in count_text:
            count_text[count] = number(count, cur, 1)
        columns["rep"].append(rep)
        columns["week"].append(week)
        columns["appointments"].append(count)
        columns["appointments_text"].append(count_text[count])
        columns["magic_number"].append(magic)
        columns["magic_text"].append(
            magic_text.get(rep, no_magic)
            if share is None
            else f"{appointments(magic, cur)} a week, {appointments(share, cur)} for these {days} days"
        )
        columns["days"].append(days)
        columns["days_text"].append("7 of 7" if days == 7 else f"{days} of 7 (a part week)")
        columns["magic_share"].append(share)
    columns["week"] = pd.to_datetime(columns["week"])
    frame = pd.DataFrame(columns)
    return frame


#: The columns of :func:`weekly_frame`.
WEEKLY_COLUMNS = [
    "rep",
    "week",
    "appointments",
    "appointments_text",
    "magic_number",
    "magic_text",
    "days",
    "days_text",
    "magic_share",
]


def weekly_panels(frame: pd.DataFrame, *, narrow: bool = False) -> list[ChartSpec]:
    """Small charts for :func:`show_grid`, :data:`WEEKLY_REPS_PER_PANEL` reps one above the other in
    each: a rep's first appointments each week, with the rep's Magic Number as a rule, every chart on
    the same weeks and the same scale of appointments. ``narrow`` (a phone): as wide as its page.

    Every panel is one spec (:func:`_weekly_template`, built by Altair once for these scales) with
    its reps and rows put in: Altair copied each panel's rows as it built it, 0.6 s for 14 panels
    of a million-row file's 40 reps on every change of the goal."""
    if frame.empty:
        return []
    first, last = frame["week"].min(), frame["week"].max()
    template = _weekly_template(first.date(), last.date(), narrow)
    # The scale of appointments reaches the busiest week or the highest Magic Number (it moves
    # with the goal): put in the template's copy, the rest of the spec is the same.
    ticks = _whole_ticks(_weekly_top(frame), WEEKLY_COUNT_TICKS)
    line, *others = template["spec"]["layer"]
    y = {
        **line["encoding"]["y"],
        "scale": {**line["encoding"]["y"]["scale"], "domain": [0, ticks[-1]]},
        "axis": {**line["encoding"]["y"]["axis"], "values": ticks},
    }
    layers = [{**line, "encoding": {**line["encoding"], "y": y}}, *others]
    template = {**template, "spec": {**template["spec"], "layer": layers}}
    by_rep = _weekly_records(frame)
    reps = list(by_rep)
    out = []
    for i in range(0, len(reps), WEEKLY_REPS_PER_PANEL):
        names = reps[i : i + WEEKLY_REPS_PER_PANEL]
        rows = [row for name in names for row in by_rep[name]]
        vega = {**template, "facet": {**template["facet"], "sort": names}, "datasets": {"weekly": rows}}
        said = f"First appointments each week of {', '.join(names)}, each against the rep's Magic Number."
        out.append(ChartSpec(vega, own_width=True, description=said))
    return out


@functools.lru_cache(maxsize=64)
def _weekly_template(first: dt.date, last: dt.date, narrow: bool) -> dict[str, Any]:
    """One weekly panel's spec for these weeks, its rows the named dataset ``weekly``, its reps the
    facet's ``sort`` and its scale of appointments (0 to 1 here) put in by :func:`weekly_panels`."""
    # Calendar dates (Vega's DateTime, local time as the weeks' own values are read): a domain in
    # epoch milliseconds put every week at the chart's left edge in the browser.
    # Both scales keep the line's points (a few pixels across) inside the plot: a point on the
    # domain's edge (a week of 0, the busiest week) grew its chart's height by its radius, and the
    # panels beside it no longer lined up (4 px a rep, 12 px by a panel's third rep).
    weeks = alt.Scale(
        domain=[alt.DateTime(year=d.year, month=d.month, date=d.day) for d in (first, last)],
        padding=WEEKLY_POINT_ROOM,
    )
    counts = _counts(1, WEEKLY_COUNT_TICKS, padding=WEEKLY_POINT_ROOM)
    week_axis = _week_axis(pd.Timestamp(first), pd.Timestamp(last), WEEKLY_PHONE_TICKS if narrow else WEEKLY_TICKS)
    header = alt.Header(labelFontSize=12, labelAnchor="start", labelColor="#31333f")
    layers = _weekly_layers(alt.Data(name="weekly"), weeks, counts, week_axis)
    panel = layers.properties(width=WEEKLY_PHONE_PLOT_WIDTH if narrow else WEEKLY_PLOT_WIDTH, height=140).facet(
        facet=alt.Facet("rep:N", title=None, sort=[], header=header), columns=1
    )
    vega: dict[str, Any] = panel.to_dict(validate=False)
    return vega


def _weekly_records(frame: pd.DataFrame) -> dict[str, list[dict[str, Any]]]:
    """A weekly frame's rows per rep, as a chart's dataset and as Altair writes inline rows: each
    week an ISO timestamp, a missing number ``None`` (column by column: the frame's own
    ``to_dict`` took 0.18 s for 4,160 rows)."""
    columns: dict[str, list[Any]] = {}
    for name in frame.columns:
        column = frame[name]
        if name == "week":  # written once per distinct week, not once per rep and week
            codes, weeks = pd.factorize(column)
            texts = [w.strftime("%Y-%m-%dT%H:%M:%S") for w in weeks]
            columns[name] = [texts[c] for c in codes.tolist()]
        elif pd.api.types.is_float_dtype(column):
            columns[name] = [None if math.isnan(v) else v for v in column.tolist()]
        else:
            columns[name] = column.tolist()
    out: dict[str, list[dict[str, Any]]] = {}
    names = list(columns)
    for values in zip(*columns.values(), strict=True):
        record = dict(zip(names, values, strict=True))
        out.setdefault(record["rep"], []).append(record)
    return out


def weekly_activity(frame: pd.DataFrame) -> ChartSpec:
    """The same charts as :func:`weekly_panels` in one faceted chart, three to a row (the PNG file)."""
    if frame.empty:
        week_axis, counts = alt.Axis(), _counts(0, WEEKLY_COUNT_TICKS)
    else:
        week_axis = _week_axis(frame["week"].min(), frame["week"].max(), WEEKLY_TICKS)
        counts = _counts(_weekly_top(frame), WEEKLY_COUNT_TICKS)
    return spec(
        _weekly_layers(frame, alt.Scale(), counts, week_axis)
        .properties(width=SMALL_CHART_WIDTH, height=160)
        .facet(facet=alt.Facet("rep:N", title=None), columns=3)
    )


def _weekly_top(frame: pd.DataFrame) -> float:
    """The busiest week's first appointments or the highest Magic Number, whichever is higher."""
    magic = pd.to_numeric(frame["magic_number"], errors="coerce")
    return max(float(frame["appointments"].max()), float(magic.max()) if magic.notna().any() else 0.0)


def _week_axis(first: pd.Timestamp, last: pd.Timestamp, most: int) -> alt.Axis:
    """A "Week starting" axis ticked on Mondays, the weeks' own starts (Vega's week ticks fall on
    Sundays: "Feb 08" under a week starting Monday, 9 February), every week or every few weeks so
    that at most ``most`` are labelled; the year under each date when the weeks span two years."""
    mondays = pd.date_range(first, last, freq="7D")
    step = -(-len(mondays) // most)
    values = [alt.DateTime(year=d.year, month=d.month, date=d.day) for d in mondays[::step]]
    date = "timeFormat(datum.value, '%b %d')"
    label = date if first.year == last.year else f"[{date}, timeFormat(datum.value, '%Y')]"
    return alt.Axis(values=values, labelExpr=label)


def _weekly_layers(
    data: pd.DataFrame | alt.Data, weeks: alt.Scale, counts: dict[str, Any], week_axis: alt.Axis
) -> alt.LayerChart:
    tooltip = [
        alt.Tooltip("rep:N", title="Rep"),
        alt.Tooltip("week:T", title="Week starting", format="%Y-%m-%d"),
        alt.Tooltip("appointments_text:N", title="First appointments"),
        alt.Tooltip("magic_text:N", title="Magic Number"),
    ]
    line = (
        alt.Chart()
        .mark_line(point=True, color=STAGE_COLORS["Appointments"])
        .encode(
            x=alt.X("week:T", title="Week starting", scale=weeks, axis=week_axis),
            y=alt.Y("appointments:Q", title="First appointments", **counts),
            tooltip=tooltip,
        )
    )
    rule = (
        alt.Chart()
        .mark_rule(color=THRESHOLD_COLOR, strokeDash=[4, 3], strokeWidth=2)
        .encode(
            y="mean(magic_number):Q", tooltip=[alt.Tooltip("mean(magic_number):Q", title="Magic Number", format=".2f")]
        )
    )
    # A part week (the window starts or ends inside it): an open point, and a tick at its share of
    # the Magic Number, which is what its few days' appointments are to be read against.
    part = alt.Chart().transform_filter("datum.days < 7")
    tooltip = [*tooltip, alt.Tooltip("days_text:N", title="Days in the window")]
    open_point = part.mark_point(
        filled=True, fill="white", stroke=STAGE_COLORS["Appointments"], strokeWidth=1.5, opacity=1
    ).encode(x=alt.X("week:T"), y=alt.Y("appointments:Q"), tooltip=tooltip)
    share = (
        part.transform_filter("isValid(datum.magic_share)")
        .mark_tick(color=THRESHOLD_COLOR, thickness=2, size=12)
        .encode(x=alt.X("week:T"), y=alt.Y("magic_share:Q"), tooltip=tooltip)
    )
    return alt.layer(line, rule, open_point, share, data=data)


def money_axis_title(what: str, cur: Currency) -> str:
    """An axis title that names the currency: ``Revenue (USD)``."""
    return f"{what} ({cur.code})"


__all__ = [
    "ChartSpec",
    "barometers",
    "funnels",
    "implied_funnel",
    "levers",
    "money",
    "peer_deviation",
    "peer_panels",
    "show",
    "show_grid",
    "weekly_activity",
    "weekly_panels",
]
