"""Empty and partial data: every page explains what it cannot show, never an exception or a misleading zero."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import PAGES, confirm, metric, new_app, open_page, sidebar_text, upload

FILES = {
    # Who and when only: no stage, outcome, close date or amount.
    "no_amounts_no_dates.csv": "Owner,Created\nAna,2026-01-05\nAna,2026-01-12\nBudi,2026-01-20\nBudi,2026-02-02\n",
    # One rep, with wins and amounts.
    "one_rep.csv": (
        "Owner,Created,Outcome,Closed,Amount\n"
        "Ana,2026-01-05,won,2026-02-01,1000\nAna,2026-01-12,lost,2026-02-03,\nAna,2026-01-19,,,\n"
    ),
    # Amounts present, but nothing won.
    "nothing_won.csv": "Owner,Created,Outcome,Amount\nAna,2026-01-05,lost,500\nBudi,2026-01-06,,700\n",
}


def _shown(at: AppTest) -> str:
    parts: list[str] = []
    for kind in ("markdown", "caption", "info", "warning", "error", "text", "metric"):
        for element in at.get(kind):
            parts.append(str(getattr(element, "value", "")))
            parts.append(str(getattr(element, "body", "")))
    return "\n".join(parts)


def _load(name: str) -> AppTest:
    at = confirm(upload(new_app(), name, FILES[name].encode()))
    assert name in _shown(at)
    return at


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_page_renders_partial_data_without_an_exception(name: str) -> None:
    at = _load(name)
    for page in PAGES:
        open_page(at, page)
        assert not at.exception, (name, page, at.exception)


def test_revenue_without_an_amount_column_is_not_available_rather_than_zero() -> None:
    at = open_page(_load("no_amounts_no_dates.csv"), "overview")
    assert metric(at, "Appointments") == "4"
    revenue = metric(at, "Revenue")
    assert revenue == "n/a", revenue
    assert metric(at, "Average revenue per sale") == "n/a"


def test_nothing_won_shows_zero_revenue_but_no_average_sale() -> None:
    at = open_page(_load("nothing_won.csv"), "overview")
    assert metric(at, "Revenue") in ("$0", "$0.00")
    assert metric(at, "Average revenue per sale") == "n/a"


def test_a_single_rep_has_no_peers_to_compare_with_and_says_so() -> None:
    at = open_page(_load("one_rep.csv"), "peers")
    shown = _shown(at)
    assert "peer" in shown.lower()
    assert not at.exception


def test_an_empty_state_ends_the_page_but_the_sidebar_is_still_drawn_after_it() -> None:
    """The sidebar comes after the page: an empty state must not end the run before it."""
    at = open_page(_load("one_rep.csv"), "peers")
    assert any("only one rep" in str(i.value).lower() for i in at.info)
    assert "Source: one_rep.csv" in sidebar_text(at)
    assert [c.label for c in at.sidebar.checkbox] == ["Decided opportunities only"]
    assert at.sidebar.selectbox[0].label == "Currency"
    at.sidebar.checkbox[0].check().run()  # the filters still work from there
    assert not at.exception
    assert "Decided opportunities only" in sidebar_text(at)


@pytest.mark.parametrize("page", PAGES)
def test_filters_that_keep_no_opportunity_are_explained_never_an_exception(page: str) -> None:
    """Team South and region Jakarta share no opportunity in the sample. Counts over no rows are
    0, not missing (the Team overview raised on them), and no everyone row stands for no rows:
    each page that reports on the window says it is empty."""
    at = new_app()
    at.session_state["filter_teams"] = ["South"]
    at.session_state["filter_dim_1"] = ["Jakarta"]  # Region, the sample's second extra column
    open_page(at, page)
    assert not at.exception, (page, at.exception)
    assert "Filters: Teams: South; Region: Jakarta" in sidebar_text(at)
    if page != "data":
        assert any("fall in this window with these filters" in str(i.value) for i in at.info), page
    if page in ("overview", "funnels", "peers", "weekly"):
        assert not at.metric  # no headline of zeros
