"""The Magic Number page's money sliders read as money in the browser's own notation (6.4M, or
6,4 jt in Indonesian), not as 6400000.00; the exact amount stays in the number input below."""

from __future__ import annotations

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
        assert values[:3] == [goal, "48.00", avg_sale], values  # goal, selling weeks, average sale
        exact = page.get_by_test_id("stNumberInputField").first
        expect(exact).to_have_value("6400000")
    finally:
        context.close()
