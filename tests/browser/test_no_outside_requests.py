"""In the browser: the app asks nothing of any other host. A visitor's browser fetched the tab's
icon (a Material icon) from fonts.gstatic.com on every page: a request to a third party from a
hosted app, and an error in the console wherever the app runs without internet."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import Page, Request

from tests.browser.helpers import PAGES, go, open_home


def test_every_page_loads_everything_from_the_app_itself(page: Page, app_url: str) -> None:
    own = urlsplit(app_url).netloc
    outside: list[str] = []

    def seen(request: Request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != own:
            outside.append(request.url)

    page.on("request", seen)
    open_home(page, app_url)
    for title in PAGES:
        go(page, title)
    page.wait_for_timeout(500)  # the favicon is asked for after the page settles
    assert outside == []
    assert page.locator("link[rel*='icon']").first.get_attribute("href", timeout=5000)
