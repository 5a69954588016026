"""In the browser: a goal set for one rep on the Magic Number page is that rep's goal on Weekly
activity. Streamlit drops the "Start from" box's value when another page is shown, and the Weekly
page read the goal as the team's and shared it among twelve reps ($42,000 for a $500,000 goal);
AppTest keeps the box's value across pages, so only a browser shows it."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.helpers import TIMEOUT, go, open_home, wait_idle


def test_a_goal_set_for_one_rep_is_that_reps_goal_on_weekly_activity(page: Page, app_url: str) -> None:
    open_home(page, app_url)
    go(page, "Magic Number")
    page.locator(".st-key-mn_source").get_by_role("combobox").click()
    page.get_by_role("option", name="Andi Pratama").click()
    wait_idle(page)
    goal = page.get_by_role("spinbutton", name="Revenue goal (USD), exact")
    goal.fill("500000")
    goal.press("Enter")
    expect(goal).to_have_value("500000", timeout=TIMEOUT)
    wait_idle(page)
    go(page, "Weekly activity")
    per_rep = page.get_by_role("spinbutton", name="Revenue goal per rep (USD)")
    expect(per_rep).to_be_visible(timeout=TIMEOUT)
    assert float(per_rep.input_value().replace(",", "")) == 500_000
