"""Charts reach Streamlit with their rows as Arrow tables (``charts._with_arrow_datasets``): the
values are the ones Streamlit's own conversion of the rows gives, for every chart the app draws."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest
from streamlit import dataframe_util

from ui import charts

from .conftest import new_app, open_page


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b)


def _every_chart_drawn(monkeypatch: pytest.MonkeyPatch) -> list[charts.ChartSpec]:
    """Every chart the chart pages draw with the sample data, as handed to ``charts.show`` and
    ``charts.show_grid`` (which still draw them)."""
    drawn: list[charts.ChartSpec] = []
    show, show_grid = charts.show, charts.show_grid

    def recording(chart: charts.ChartSpec, *args: Any, **kwargs: Any) -> None:
        drawn.append(chart)
        show(chart, *args, **kwargs)

    def recording_grid(panels: list[charts.ChartSpec], *args: Any, **kwargs: Any) -> None:
        drawn.extend(panels)
        show_grid(panels, *args, **kwargs)

    monkeypatch.setattr(charts, "show", recording)
    monkeypatch.setattr(charts, "show_grid", recording_grid)
    at = new_app()
    for page in ("funnels", "peers", "magic_number", "weekly"):
        open_page(at, page)
    # the funnels (2), a chart per peer KPI (5), three on the Magic Number page, one per three reps (4)
    assert len(drawn) >= 14
    return drawn


def test_every_chart_s_rows_as_arrow_hold_what_streamlit_s_conversion_holds(monkeypatch: pytest.MonkeyPatch) -> None:
    drawn = _every_chart_drawn(monkeypatch)
    compared = 0
    for chart in drawn:
        for name, rows in chart.vega["datasets"].items():
            ours = charts._with_arrow_datasets(chart.vega)["datasets"][name]
            assert isinstance(ours, pa.Table) and ours.num_rows == len(rows) > 0
            theirs = pa.ipc.open_stream(dataframe_util.convert_anything_to_arrow_bytes(rows)).read_all()
            assert set(ours.column_names) <= set(theirs.column_names), name
            for column in ours.column_names:
                a, b = ours.column(column).to_pylist(), theirs.column(column).to_pylist()
                assert all(_same(x, y) for x, y in zip(a, b, strict=True)), (name, column, a, b)
            compared += 1
    assert compared >= 6
    assert chart.vega["datasets"] and all(isinstance(r, list) for r in chart.vega["datasets"].values())  # untouched


def _data_names(node: Any) -> set[str]:
    """The named datasets a Vega-Lite spec (or any part of it) draws from."""
    if isinstance(node, list):
        return set().union(*map(_data_names, node)) if node else set()
    if not isinstance(node, dict):
        return set()
    named = {node["data"]["name"]} if isinstance(node.get("data"), dict) and "name" in node["data"] else set()
    return named | set().union(*(_data_names(v) for k, v in node.items() if k != "datasets"))


def test_every_chart_has_rows_for_every_dataset_it_draws_and_fits_its_width_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A cached template given this rerun's rows kept none of its own: the barometer's 100 % line
    (a row of its own) was never drawn. And a chart as wide as the page is fitted in width only:
    Streamlit's default fits the height too, which squeezed the implied funnel's three bars into
    5 px each under its title and axis."""
    layered = 0
    for chart in _every_chart_drawn(monkeypatch):
        names = _data_names(chart.vega)
        assert names and names <= set(chart.vega["datasets"]), (names, list(chart.vega["datasets"]))
        layered += len(names) > 1
        if chart.vega.get("width") == "container":
            assert chart.vega.get("autosize", {}).get("type") == "fit-x", chart.vega.get("title")
    assert layered >= 1  # the barometer: its bar's rows and its rule's


def test_a_spec_without_inline_rows_is_passed_as_it_is() -> None:
    spec = {"mark": "bar", "data": {"url": "x.csv"}}
    assert charts._with_arrow_datasets(spec) == spec
    assert charts._arrow_rows([]) == [] and charts._arrow_rows({"type": "Topology"}) == {"type": "Topology"}
    ragged = charts._arrow_rows([{"a": 1}, {"a": 2.5, "b": "x"}])
    assert ragged.column_names == ["a", "b"] and ragged.to_pylist() == [{"a": 1.0, "b": None}, {"a": 2.5, "b": "x"}]


def test_the_grids_are_one_small_chart_per_kpi_or_rep_and_one_faceted_chart_for_the_png() -> None:
    """Small charts side by side wrap to the page's width (charts.show_grid); the PNG file is one
    grid, three to a row. Every rep's chart has the same weeks and the same scale of appointments."""
    import datetime as dt

    from kpi_core.magic import Scenario, solve
    from ui import format as fmt

    cur = fmt.currency("USD")
    series = [
        ("Ana", dt.date(2026, 1, 5), 3.0),
        ("Ana", dt.date(2026, 1, 12), 9.0),
        ("Budi", dt.date(2026, 1, 12), 2.0),
    ]
    series += [(rep, dt.date(2026, 1, 5), 1.0) for rep in ("Citra", "Dedi", "Eka")]
    target = solve(Scenario(goal=120000, weeks=48, avg_sale=1000, p1=0.5, p2=0.5, weekly_appointments=2))
    weekly = charts.weekly_frame(series, {"Ana": None, "Budi": target}, cur)
    panels = charts.weekly_panels(weekly)
    # Three reps a view, one above the other (a view each cost the browser 45 ms to draw).
    assert [p.vega["facet"]["sort"] for p in panels] == [["Ana", "Budi", "Citra"], ["Dedi", "Eka"]]
    assert all(p.vega["columns"] == 1 and p.own_width for p in panels)
    encodings = [p.vega["spec"]["layer"][0]["encoding"] for p in panels]
    scales = [(e["x"]["scale"], e["y"]["scale"]) for e in encodings]
    assert scales[0] == scales[1]
    # The rule fits: the scale of appointments reaches the Magic Number, and ends on a whole tick.
    assert target.magic_number > 9 and scales[0][1]["domain"][1] >= target.magic_number
    assert encodings[0]["y"]["axis"]["values"][-1] == scales[0][1]["domain"][1]
    assert charts.weekly_activity(weekly).vega["columns"] == 3

    peers = pd.DataFrame(
        [
            {
                "rep": r,
                "kpi": k,
                "deviation": d,
                "deviation_text": "",
                "value_text": "",
                "peer_text": "",
                "direction": "",
            }
            for r, k, d in (("Ana", "Close ratio", 0.1), ("Budi", "Close ratio", -0.1), ("Ana", "Sales cycle", 0.2))
        ]
    )
    panels = charts.peer_panels(peers)
    assert [p.vega["title"]["text"] for p in panels] == ["Close ratio", "Sales cycle"]
    legends = [p.vega["layer"][0]["encoding"]["color"]["legend"] for p in panels]
    assert legends == [{"orient": "bottom", "direction": "vertical"}, None], "one legend, under the first chart"
    assert charts.peer_deviation(peers).vega["columns"] == 3


def test_axes_of_counts_have_whole_ticks_and_weeks_are_ticked_on_their_mondays() -> None:
    """Vega ticked a scale of 0 to 2 first appointments every half ("0,5") and labelled weeks on
    Sundays ("Feb 08" under the week of Monday 9 February); its ``tickMinStep`` did not prevent
    the halves. The browser test (tests/browser/test_chart_labels.py) reads the drawn labels."""
    import datetime as dt

    from kpi_core.model import KpiRow
    from ui import format as fmt

    cur = fmt.currency("USD")
    series = [
        (rep, dt.date(2026, 2, 2) + dt.timedelta(weeks=w), float(w % 3)) for rep in ("Ana", "Budi") for w in range(4)
    ]
    panel = charts.weekly_panels(charts.weekly_frame(series, {}, cur))[0].vega["spec"]["layer"][0]["encoding"]
    assert panel["y"]["axis"] == {"values": [0, 1, 2], "format": ",d"} and panel["y"]["scale"]["domain"] == [0, 2]
    mondays = [dt.date(v["year"], v["month"], v["date"]) for v in panel["x"]["axis"]["values"]]
    assert mondays == [dt.date(2026, 2, d) for d in (2, 9, 16, 23)]

    row = KpiRow("Team", None, 12, 9, 6, 0.75, 2 / 3, 6000.0, 1000.0, 30.0, 30.0, 4.0, 3.0)
    drawn = charts.funnels(row, [row], cur)
    team = drawn.team.vega["layer"][0]["encoding"]["x"]
    assert team["axis"]["values"] == [0, 2, 4, 6, 8, 10, 12] and team["scale"]["domain"] == [0, 12]
    per_rep = drawn.reps.vega["hconcat"][0]["encoding"]["x"]
    assert all(isinstance(v, int) for v in per_rep["axis"]["values"]) and per_rep["axis"]["format"] == ",d"
    assert [charts._whole_ticks(top, 4) for top in (0, 1.97, 63, 8300)] == [
        [0, 1],
        [0, 1, 2],
        [0, 20, 40, 60, 80],
        [0, 5000, 10000],
    ]


def test_a_barometer_just_below_its_target_reads_below_it_and_float_noise_reads_on_it() -> None:
    """99.96 % read "100 %" on a red bar counted below the target; 0.9999999999999998 (a rep booking
    exactly their Magic Number, through float arithmetic) was counted below it."""
    from ui import format as fmt

    cur = fmt.currency("USD")
    chart = charts.barometers([("Ana", 0.9996, 4.998, 5.0), ("Budi", 0.9999999999999998, 5.0, 5.0)], 1.0, cur)
    rows = {r["rep"]: r for r in chart.vega["datasets"]["barometers"]}
    assert rows["Ana"]["text"] == "99.96 %" and rows["Ana"]["fill"] == charts.PEER_COLORS[charts.WORSE]
    assert rows["Budi"]["fill"] == charts.STAGE_COLORS["Appointments"]
    assert "1 below it, the lowest Ana at 99.96 %." in chart.description
    single = charts.barometer(0.9996, cur)
    assert single.vega["datasets"]["barometer"][0]["text"] == "99.96 %"
    assert (
        charts.barometer(0.9999999999999998, cur).vega["datasets"]["barometer"][0]["fill"]
        == (charts.STAGE_COLORS["Appointments"])
    )
