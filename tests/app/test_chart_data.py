"""Charts reach Streamlit with their rows as Arrow tables (``charts._with_arrow_datasets``): the
values are the ones Streamlit's own conversion of the rows gives, for every chart the app draws."""

from __future__ import annotations

import math
from typing import Any

import pyarrow as pa
import pytest
from streamlit import dataframe_util

from ui import charts

from .conftest import new_app, open_page


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b)


def test_every_chart_s_rows_as_arrow_hold_what_streamlit_s_conversion_holds(monkeypatch: pytest.MonkeyPatch) -> None:
    drawn: list[charts.ChartSpec] = []
    show = charts.show

    def recording(chart: charts.ChartSpec, *args: Any, **kwargs: Any) -> None:
        drawn.append(chart)
        show(chart, *args, **kwargs)

    monkeypatch.setattr(charts, "show", recording)
    at = new_app()
    for page in ("funnels", "peers", "magic_number", "weekly"):
        open_page(at, page)
    assert len(drawn) >= 6  # the funnels, the peers, three on the Magic Number page, the weekly chart
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


def test_a_spec_without_inline_rows_is_passed_as_it_is() -> None:
    spec = {"mark": "bar", "data": {"url": "x.csv"}}
    assert charts._with_arrow_datasets(spec) == spec
    assert charts._arrow_rows([]) == [] and charts._arrow_rows({"type": "Topology"}) == {"type": "Topology"}
    ragged = charts._arrow_rows([{"a": 1}, {"a": 2.5, "b": "x"}])
    assert ragged.column_names == ["a", "b"] and ragged.to_pylist() == [{"a": 1.0, "b": None}, {"a": 2.5, "b": "x"}]


def test_on_a_phone_the_grids_have_one_chart_a_row() -> None:
    import pandas as pd

    from ui import charts
    from ui import format as fmt

    # The layout does not depend on the rows: the frames' columns are enough.
    weekly = charts.weekly_frame([], {}, fmt.currency("USD"))
    peers = pd.DataFrame(columns=["rep", "kpi", "deviation", "deviation_text", "value_text", "peer_text", "direction"])
    for draw, frame in ((charts.weekly_activity, weekly), (charts.peer_deviation, peers)):
        assert draw(frame).vega["columns"] == 3
        assert draw(frame, narrow=True).vega["columns"] == 1
