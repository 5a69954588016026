"""Funnels page: the team's funnel, then the per-rep funnels and conversions in one chart with a
selection shared across its views."""

from __future__ import annotations

import json

import pyarrow as pa

from tests.app.conftest import confirm, new_app, open_page, upload


def _charts(at):
    return [chart.proto for chart in at.get("vega_lite_chart")]


def _spec(at) -> dict:
    """The per-rep chart's spec (the page's second chart, after the team's funnel)."""
    return json.loads(_charts(at)[1].spec)


def test_the_sample_data_renders_the_funnels_without_an_exception() -> None:
    at = open_page(new_app(), "funnels")
    assert at.title[0].value == "How is the team converting?"
    assert [m.label for m in at.metric] == ["Appointments", "Appointment → next step", "Next step → sale"]


def test_clicking_a_rep_highlights_it_in_every_rep_chart_through_one_shared_selection() -> None:
    spec = _spec(open_page(new_app(), "funnels"))
    params = [p for p in spec.get("params", []) if p["name"] == "rep_pick"]
    assert len(params) == 1
    assert params[0]["select"]["fields"] == ["rep"]
    assert len(params[0]["views"]) >= 2


def test_the_funnel_charts_are_fed_pre_aggregated_rows_not_opportunities() -> None:
    charts = _charts(open_page(new_app(), "funnels"))
    assert len(charts) == 2
    rows = sum(pa.ipc.open_stream(d.data.data).read_all().num_rows for chart in charts for d in chart.datasets)
    assert 0 < rows < 200


def test_the_team_funnel_is_as_wide_as_the_page_and_the_per_rep_pair_fits_a_tablets_page() -> None:
    team, reps = (json.loads(chart.spec) for chart in _charts(open_page(new_app(), "funnels")))
    # A chart of its own, fitted to the page's width with its labels (not a view of a concatenation,
    # where the page-wide width left the labels out and pushed the chart past the page's edge).
    assert team["width"] == "container" and team["autosize"]["type"] == "fit-x"
    assert "vconcat" not in team and "hconcat" not in team
    views = reps["hconcat"]
    # 480 px with the reps' names once, on the left (the rows line up): a tablet's page is 488 px wide
    assert [view.get("width") or view["layer"][0]["width"] for view in views] == [180, 180]
    left, right = (view["layer"][0] if "layer" in view else view for view in views)
    assert left["encoding"]["y"]["axis"]["labelLimit"] == 100  # a long name on two lines (test_chart_labels.py)
    assert right["encoding"]["y"]["axis"] is None


def test_each_funnel_chart_has_its_own_png_download_saying_which() -> None:
    buttons = open_page(new_app(), "funnels").get("download_button")
    assert [b.label for b in buttons] == ["Download the team funnel (PNG)", "Download the per-rep charts (PNG)"]


def test_a_weekly_log_without_next_steps_explains_why_there_is_no_funnel() -> None:
    content = b"Rep,Week,Appointments\nAna,2026-03-02,4\nBudi,2026-03-02,6\n"
    at = open_page(confirm(upload(new_app(), "log.csv", content)), "funnels")
    assert any("nothing about next steps" in i.value for i in at.info)


def test_on_a_phone_the_per_rep_pair_stacks_and_keeps_its_own_widths() -> None:
    from kpi_core import db, queries
    from kpi_core.importing import load_path
    from ui import charts
    from ui import format as fmt
    from ui.state import ROOT

    ds = load_path(ROOT / "sample_data" / "opportunities.csv")
    cursor = db.session_cursor()
    team, reps = queries.kpis(cursor, ds, "all")[0], queries.kpis(cursor, ds, "rep")
    wide = charts.funnels(team, reps, fmt.currency("USD"))
    narrow = charts.funnels(team, reps, fmt.currency("USD"), narrow=True)
    assert "hconcat" in wide.reps.vega and not wide.reps.own_width
    # One above the other, each 200 px: with the reps' names, 300 px of a phone's 358. Drawn at
    # those widths: Streamlit would stretch each chart of a vertical stack to the page's width.
    assert "vconcat" in narrow.reps.vega and narrow.reps.own_width
    widths = [view.get("width") or view["layer"][0]["width"] for view in narrow.reps.vega["vconcat"]]
    assert widths == [charts.PHONE_FUNNEL_WIDTH] * 2
    params = [p for p in narrow.reps.vega["params"] if p["name"] == "rep_pick"]
    assert len(params) == 1 and len(params[0]["views"]) >= 2  # still one click highlights a rep in both
    assert narrow.team.vega == wide.team.vega


def test_every_bars_tooltip_says_its_conversion_the_first_stage_too() -> None:
    """The Appointments bars' tooltip had an empty "Conversion" row."""
    from kpi_core.model import KpiRow
    from ui import charts
    from ui import format as fmt

    row = KpiRow("Ana", None, 10, 6, 3, 0.6, 0.5, 3000.0, 1000.0, 30.0, 30.0, 4.0, 2.5)
    frame = charts.funnel_frame([row], fmt.currency("USD"))
    tips = dict(zip(frame["stage"], frame["conversion_tip"], strict=True))
    assert tips == {
        "Appointments": "where every opportunity starts",
        "Next steps": "60 % of appointments",
        "Sales": "50 % of next steps",
    }
