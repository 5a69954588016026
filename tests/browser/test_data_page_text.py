"""In the browser: the Data page's own sentences read as written (a caption is Markdown: its
"* required" was drawn as a bullet point)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.helpers import TIMEOUT, go, open_home


def test_the_required_mark_is_an_asterisk_not_a_bullet(page: Page, app_url: str) -> None:
    open_home(page, app_url)
    go(page, "Data")
    caption = page.get_by_test_id("stCaptionContainer").filter(has_text="Every other column is kept for filtering")
    expect(caption).to_be_visible(timeout=TIMEOUT)
    assert caption.inner_text().startswith("* required.")
    assert caption.locator("li").count() == 0
