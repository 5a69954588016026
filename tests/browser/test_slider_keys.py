"""In the browser: every press of an arrow key on a Magic Number slider counts. Each press starts
a run; a run cut short by the next press had written the exact input's value on the server only,
and the browser's next request brought the input's old value back as a change, which put the
slider back: five presses moved it by one step, or none."""

from __future__ import annotations

import time

from playwright.sync_api import Page, expect

from tests.browser.helpers import TIMEOUT, go, open_home, wait_idle


def test_five_quick_presses_move_the_close_ratio_five_steps(page: Page, app_url: str) -> None:
    open_home(page, app_url)
    go(page, "Magic Number")
    exact = page.get_by_role("spinbutton", name="Close ratio (%), exact")
    exact.fill("40")
    exact.press("Enter")
    expect(exact).to_have_value("40.00", timeout=TIMEOUT)
    wait_idle(page)
    slider = page.get_by_role("slider", name="Close ratio (%)")
    for expected in ("37.50", "35.00"):
        slider.focus()
        for _ in range(5):
            page.keyboard.press("ArrowLeft")
            time.sleep(0.06)  # a key held down repeats about this fast
        wait_idle(page)
        expect(exact).to_have_value(expected, timeout=TIMEOUT)
