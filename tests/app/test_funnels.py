"""Funnels page: team and per-rep funnels in one chart with a selection shared across views."""

from __future__ import annotations

import json

import pyarrow as pa

from tests.app.conftest import confirm, new_app, open_page, upload


def _chart(at):
    return at.get("vega_lite_chart")[0].proto


def _spec(at) -> dict:
    return json.loads(_chart(at).spec)


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


def test_the_funnel_chart_is_fed_pre_aggregated_rows_not_opportunities() -> None:
    chart = _chart(open_page(new_app(), "funnels"))
    rows = sum(pa.ipc.open_stream(d.data.data).read_all().num_rows for d in chart.datasets)
    assert 0 < rows < 200


def test_a_weekly_log_without_next_steps_explains_why_there_is_no_funnel() -> None:
    content = b"Rep,Week,Appointments\nAna,2026-03-02,4\nBudi,2026-03-02,6\n"
    at = open_page(confirm(upload(new_app(), "log.csv", content)), "funnels")
    assert any("nothing about next steps" in i.value for i in at.info)
