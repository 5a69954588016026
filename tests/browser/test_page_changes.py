"""In the browser: what a user set on a page is still shown, and still used, after another page.

Streamlit forgets a widget's value when a page without it is shown; the stage box on the Data
page came back empty, and the peer threshold went back to 5 (tests/app/test_page_changes.py has
the same checks without a browser).
"""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.helpers import TIMEOUT, go, open_home, wait_idle


def _stages(page: Page) -> list[str]:
    """The values chosen in the Data page's stage box, as its tags show them."""
    box = page.locator(".st-key-map_stages")
    expect(box).to_be_visible(timeout=TIMEOUT)
    return box.get_by_test_id("stMultiSelectTagsContainer").first.locator("span[title]").all_inner_texts()


def test_the_stage_box_and_a_peer_threshold_are_still_set_after_other_pages(page: Page, app_url: str) -> None:
    open_home(page, app_url)
    go(page, "Peer comparison")
    page.get_by_text("Settings", exact=True).click()
    box = page.get_by_role("spinbutton", name="Fewest opportunities to be ranked")
    box.fill("12")
    box.press("Enter")
    # The rerun that takes the value: its caption says so (waiting for "idle" alone can pass before it starts).
    expect(page.get_by_text("Too few opportunities to rank (fewer than 12)", exact=False)).to_be_visible(
        timeout=TIMEOUT
    )
    wait_idle(page)
    go(page, "Data")
    stages = _stages(page)
    assert stages, "the sample's proposed stages are shown"
    go(page, "Funnels")
    go(page, "Data")
    assert _stages(page) == stages
    go(page, "Peer comparison")
    page.get_by_text("Settings", exact=True).click()
    expect(page.get_by_role("spinbutton", name="Fewest opportunities to be ranked")).to_have_value("12")
