"""The Magic Number page's money sliders read as money in the browser's own notation (6.4M, or
6,4 jt in Indonesian), not as 6400000.00; the exact amount stays in the number input below.
Selling weeks read as weeks (48, or 12.5 when a link asks for it), never 48.00, there and on the
Weekly activity page, whose goal per rep is a whole amount; thresholds read 40 and 65, not 40.00."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.helpers import TIMEOUT

LINK = "/magic_number?goal=6400000&weeks=48&avg_sale=15960&p1=60&p2=40"


@pytest.mark.parametrize(
    ("locale", "goal", "avg_sale"),
    [("en-US", "6.4M", "16K"), ("id-ID", "6,4\xa0jt", "16\xa0rb")],
)
def test_the_money_sliders_read_in_the_browsers_short_notation(
    browser: Browser, app_url: str, locale: str, goal: str, avg_sale: str
) -> None:
    context = browser.new_context(locale=locale)
    page = context.new_page()
    try:
        page.goto(app_url + LINK)
        thumbs = page.get_by_test_id("stSliderThumbValue")
        expect(thumbs.first).to_have_text(goal, timeout=TIMEOUT)
        expect(thumbs).to_have_count(6, timeout=TIMEOUT)  # every slider drawn before they are read
        values = thumbs.all_inner_texts()
        assert values[:3] == [goal, "48", avg_sale], values  # goal, selling weeks, average sale
        exact = page.get_by_test_id("stNumberInputField")
        expect(exact.first).to_have_value("6400000")
        expect(exact.nth(1)).to_have_value("48")
    finally:
        context.close()


def test_selling_weeks_show_a_fraction_only_when_there_is_one(browser: Browser, app_url: str) -> None:
    page = browser.new_page()
    try:
        page.goto(app_url + LINK.replace("weeks=48", "weeks=12.5"))
        thumbs = page.get_by_test_id("stSliderThumbValue")
        expect(thumbs).to_have_count(6, timeout=TIMEOUT)
        expect(thumbs.nth(1)).to_have_text("12.5")
        expect(page.get_by_test_id("stNumberInputField").nth(1)).to_have_value("12.5")
    finally:
        page.close()


def test_the_weekly_pages_goal_and_weeks_read_as_whole_numbers(browser: Browser, app_url: str) -> None:
    page = browser.new_page()
    try:
        page.goto(app_url + "/weekly")
        goal = page.get_by_role("spinbutton", name="Revenue goal per rep (USD)")
        expect(goal).to_have_value(re.compile(r"^[1-9][0-9]*$"), timeout=TIMEOUT)
        expect(page.get_by_role("spinbutton", name="Selling weeks")).to_have_value("48")
    finally:
        page.close()


@pytest.mark.parametrize(
    ("path", "expander", "inputs"),
    [
        (
            "/peers",
            "Settings",
            {
                "Money left on the table: average sale at least this far below peers (%)": "40",
                "Best practice: sales cycle at least this much shorter than peers (%)": "30",
                "Revenue goal per rep": "0",
                "Selling weeks": "48",
            },
        ),
        (
            "/magic_number",
            "Coaching thresholds",
            {
                "Appointment-to-next-step ratio below (%)": "65",
                "Close ratio below (%)": "65",
                "Activity barometer below (%)": "100",
            },
        ),
    ],
)
def test_thresholds_and_share_inputs_read_without_trailing_zeros(
    browser: Browser, app_url: str, path: str, expander: str, inputs: dict[str, str]
) -> None:
    page = browser.new_page()
    try:
        page.goto(app_url + path)
        page.get_by_test_id("stExpander").get_by_text(expander, exact=True).click(timeout=TIMEOUT)
        for label, shown in inputs.items():
            field = page.get_by_role("spinbutton", name=label, exact=True)
            expect(field).to_have_value(shown, timeout=TIMEOUT)
    finally:
        page.close()
