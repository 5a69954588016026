"""A shared link is often the first visit a fresh server gets: it must open the whole app, not a bare page."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import start_server

LINK = "/magic_number?goal=600000&weeks=48&avg_sale=12500&p1=60&p2=40"


@pytest.mark.parametrize("entry", ["serve.py", "app.py"])
def test_a_deep_link_as_the_first_visit_opens_the_app_with_its_sidebar_and_numbers(
    entry: str, page: Page, shot: Any
) -> None:
    # Streamlit starts in its legacy pages/ mode until a run calls st.navigation; a link to a page
    # used to run that page file alone (menu of file names, no filters) until someone opened "/".
    proc, url = start_server(entry=entry)
    try:
        page.goto(url + LINK)
        nav = page.get_by_test_id("stSidebarNav")
        expect(nav.get_by_text("Team overview", exact=True)).to_be_visible(timeout=60_000)
        expect(nav.get_by_text("app", exact=True)).to_have_count(0)
        expect(page.get_by_test_id("stSidebar").get_by_text("Currency")).to_be_visible(timeout=30_000)
        hero = page.get_by_test_id("stMetric").filter(has_text="Magic Number").get_by_test_id("stMetricValue")
        expect(hero.first).to_have_text("5", timeout=30_000)
        shot(page, f"deep-link-{entry.removesuffix('.py')}")
    finally:
        proc.terminate()
        proc.wait(timeout=20)
