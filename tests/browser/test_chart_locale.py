"""Chart axes write numbers as the rest of the app does for the chosen currency: 1.000 with rupiah,
1,000 with dollars (Vega's default wrote 1,000 for everyone, which an Indonesian reader takes for one)."""

from __future__ import annotations

from playwright.sync_api import Browser, Page

from tests.browser.helpers import TIMEOUT

AXIS_LABELS = """() => [...document.querySelector('[data-testid="stVegaLiteChart"]')
    .querySelectorAll('g.role-axis-label text')].map(t => t.textContent)"""


def _team_funnel_axis(page: Page) -> list[str]:
    page.locator('[data-testid="stVegaLiteChart"] svg.marks').first.wait_for(timeout=TIMEOUT)
    labels: list[str] = page.evaluate(AXIS_LABELS)
    return labels


def test_the_team_funnels_axis_groups_thousands_with_the_currencys_mark(browser: Browser, app_url: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(app_url + "/funnels")
        page.get_by_text("1,000", exact=True).first.wait_for(timeout=TIMEOUT)  # the sample data: 1,818 appointments
        assert "1,000" in _team_funnel_axis(page)
        page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").first.click()
        page.get_by_role("option", name="IDR").click()
        page.get_by_text("1.000", exact=True).first.wait_for(timeout=TIMEOUT)
        labels = _team_funnel_axis(page)
        assert "1.000" in labels and "1,000" not in labels, labels
        assert page.get_by_text("60,5 % of appointments").count() == 1
    finally:
        page.close()
