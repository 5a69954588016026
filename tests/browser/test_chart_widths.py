"""Every chart fits the page's main column on a 1280-pixel screen with the sidebar open, on a
tablet and on a phone: nothing is cut off at the right edge (the Funnels page's chart was 1,179 px wide in 820, the
peer deviations 953 and the weekly activity 902; on a 390-pixel phone the grids and the per-rep
funnel pair, 719-740 px, showed their first column only)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.browser.helpers import TIMEOUT

#: Each chart's drawn width (its SVG or canvas) and the main column's width inside its padding.
WIDTHS = """() => {
  const main = document.querySelector('[data-testid="stMainBlockContainer"]');
  const style = getComputedStyle(main);
  const column = main.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  const charts = [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')].map(
    c => c.querySelector('svg.marks, canvas').getBoundingClientRect().width);
  return {column, charts};
}"""


#: A phone as Playwright's device list describes an iPhone 13: its screen and its browser's User-Agent.
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
    "user_agent": (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 15_0 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/15.0 Mobile/15E148 Safari/604.1"
    ),
}
#: An iPad Air in portrait, whose browser sends a desktop User-Agent (the server cannot tell it from
#: a laptop): with the sidebar open the main column is about 520 px.
TABLET = {"viewport": {"width": 820, "height": 1180}, "device_scale_factor": 2, "has_touch": True}
SCREENS = {"1280-pixel screen": {"viewport": {"width": 1280, "height": 900}}, "phone": PHONE, "tablet": TABLET}


@pytest.mark.parametrize("screen", list(SCREENS))
@pytest.mark.parametrize("path", ["funnels", "peers", "magic_number", "weekly"])
def test_every_chart_fits_the_main_column(browser: Browser, app_url: str, path: str, screen: str) -> None:
    context = browser.new_context(**SCREENS[screen])
    page = context.new_page()
    try:
        page.goto(f"{app_url}/{path}")
        page.locator(
            '[data-testid="stVegaLiteChart"] svg.marks, [data-testid="stVegaLiteChart"] canvas'
        ).first.wait_for(timeout=TIMEOUT)
        page.wait_for_function(
            "() => [...document.querySelectorAll('[data-testid=\"stVegaLiteChart\"]')]"
            ".every(c => c.querySelector('svg.marks, canvas'))",
            timeout=TIMEOUT,
        )
        widths = page.evaluate(WIDTHS)
        assert widths["charts"], widths
        assert all(0 < w <= widths["column"] + 1 for w in widths["charts"]), widths
        if screen == "phone" and path in ("peers", "weekly"):  # one small chart a row, as wide as the page
            assert all(w >= 0.9 * widths["column"] for w in widths["charts"]), widths
    finally:
        context.close()
