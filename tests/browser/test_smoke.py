"""A first visit: the app opens on the sample data and every page renders without an exception."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

PAGES = ["Team overview", "Funnels", "Peer comparison", "Magic Number", "Weekly activity", "Data"]


def test_every_page_renders_on_the_sample_data(page: Page, app_url: str, shot: Any) -> None:
    page.goto(app_url)
    expect(page.get_by_test_id("stSidebarNav")).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("stMetricValue").first).to_be_visible(timeout=30_000)
    for title in PAGES:
        page.get_by_test_id("stSidebarNav").get_by_text(title, exact=True).click()
        expect(page.get_by_test_id("stMain")).to_be_visible()
        page.wait_for_timeout(300)
        expect(page.get_by_test_id("stSpinner")).to_have_count(0, timeout=30_000)
        expect(page.get_by_test_id("stException")).to_have_count(0)
        shot(page, title.lower().replace(" ", "-"))
