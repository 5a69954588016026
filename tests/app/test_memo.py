"""The per-session memo: the same numbers as kpi_core, no query on a slider move, fresh answers on new filters or data."""

from __future__ import annotations

import datetime as dt

from kpi_core import db, queries
from kpi_core.model import Filters
from tests.app.conftest import metric, new_app, open_page, upload_fixture
from ui import format as fmt
from ui import memo


def _answers(at) -> dict:
    return dict(at.session_state[memo.MEMO])


def _kpis_entry(at, by: str, filters: Filters):
    ds = at.session_state["dataset"]
    return _answers(at)[(memo.dataset_key(ds), "kpis", (by, filters))]


def test_the_memo_holds_the_same_rows_as_a_direct_kpis_call() -> None:
    at = new_app()
    ds = at.session_state["dataset"]
    direct = queries.kpis(db.session_cursor(), ds, "all", Filters())
    assert list(_kpis_entry(at, "all", Filters())) == direct
    rep_direct = queries.kpis(db.session_cursor(), ds, "rep", Filters())
    assert list(_kpis_entry(at, "rep", Filters())) == rep_direct


def test_moving_a_slider_reuses_the_stored_answers_instead_of_querying_again() -> None:
    at = open_page(new_app(), "magic_number")
    before = _answers(at)
    at.slider(key="mn_p1_slider").set_value(42.0).run()
    after = _answers(at)
    assert before.keys() == after.keys()
    assert all(after[k] is before[k] for k in before), "every answer is the very object stored before"


def test_a_filter_change_asks_kpi_core_again_and_shows_the_filtered_numbers() -> None:
    at = new_app()
    at.session_state["filter_teams"] = ["North"]
    at.run()
    north = Filters(teams=("North",))
    ds = at.session_state["dataset"]
    direct = queries.kpis(db.session_cursor(), ds, "all", north)
    assert list(_kpis_entry(at, "all", north)) == direct
    assert metric(at, "Appointments") == fmt.kpi("appointments", direct[0].appointments, fmt.currency("USD"))


def test_a_new_dataset_is_never_answered_from_the_previous_one() -> None:
    at = new_app()
    sample_key = memo.dataset_key(at.session_state["dataset"])
    at = upload_fixture(at, "canonical.csv")
    open_page(at, "overview")
    ds = at.session_state["dataset"]
    assert memo.dataset_key(ds) != sample_key
    direct = queries.kpis(db.session_cursor(), ds, "all", Filters())
    assert list(_kpis_entry(at, "all", Filters())) == direct
    assert metric(at, "Appointments") == fmt.kpi("appointments", direct[0].appointments, fmt.currency("USD"))


def test_the_memo_keeps_only_the_most_recent_answers() -> None:
    at = new_app()
    start = at.session_state["dataset"].first_date
    for days in range(12):
        at.session_state["filter_window"] = (start + dt.timedelta(days=days), start + dt.timedelta(days=200))
        at.run()
        assert not at.exception, at.exception
    assert len(_answers(at)) == memo.SIZE


def test_the_magic_number_page_paces_with_the_pipeline_fetched_with_the_kpis() -> None:
    at = open_page(new_app(), "magic_number")
    ds = at.session_state["dataset"]
    stored = _answers(at)[(memo.dataset_key(ds), "pipelines", Filters())]
    cursor = db.session_cursor()
    assert stored[None] == queries.pipeline(cursor, ds, Filters())
    rep = next(r for r in stored if r is not None)
    assert stored[rep] == queries.pipeline(cursor, ds, Filters(reps=(rep,)))
    # No separate pipeline question was asked: the page's answer came from the KPI scan.
    assert not any(key[1] == "pipeline" for key in _answers(at))
