"""A rep on a phone: the Magic Number's answer, and every headline number, reads whole at 390 px."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser, expect

from tests.browser.helpers import TIMEOUT, wait_idle

LINK = "/magic_number?goal=600000&weeks=48&avg_sale=12500&p1=60&p2=40"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True}
#: Elements of the metrics whose content is wider than their box (cut off behind an ellipsis).
CLIPPED = """() => [...document.querySelectorAll('[data-testid=stMetric]')].flatMap(m =>
    [m, ...m.querySelectorAll('*')].filter(e => e.scrollWidth > e.clientWidth + 1).map(() => m.innerText))"""


def test_the_magic_number_reads_whole_on_a_phone(browser: Browser, app_url: str, shot: Any) -> None:
    context = browser.new_context(**PHONE)
    page = context.new_page()
    try:
        page.goto(app_url + LINK)
        hero = page.get_by_test_id("stMetric").filter(has_text="Magic Number").first
        expect(hero.get_by_test_id("stMetricValue")).to_have_text("5", timeout=TIMEOUT)
        wait_idle(page)
        expect(hero.get_by_test_id("stMetricLabel")).to_contain_text("first appointments a week")
        for part in ("stMetricLabel", "stMetricValue"):
            box = hero.get_by_test_id(part)
            # Nothing hidden behind an ellipsis: every element inside fits its own width.
            clipped = box.evaluate(
                "el => [el, ...el.querySelectorAll('*')].some(e => e.scrollWidth > e.clientWidth + 1)"
            )
            assert not clipped, f"the hero's {part} is cut off at phone width: {box.inner_text()!r}"
        shot(page, "magic-number-phone")
    finally:
        context.close()


def test_no_headline_number_is_cut_off_on_a_phone(browser: Browser, app_url: str) -> None:
    context = browser.new_context(**PHONE)
    page = context.new_page()
    try:
        seen = 0
        for path in ("/", "/funnels", "/magic_number", "/data"):
            page.goto(app_url + path)
            expect(page.get_by_test_id("stMetricValue").first).to_be_visible(timeout=TIMEOUT)
            wait_idle(page)
            seen += page.get_by_test_id("stMetric").count()
            assert page.evaluate(CLIPPED) == [], path
        assert seen >= 15  # the overview's, the funnels', the Magic Number's and the Data page's metrics
    finally:
        context.close()


def test_the_magic_number_is_the_pages_one_large_number(browser: Browser, app_url: str) -> None:
    """Design: the hero is one large number with the exact value beside it; both were the same size."""
    for screen in ({"viewport": {"width": 1280, "height": 900}}, PHONE):
        context = browser.new_context(**screen)
        page = context.new_page()
        try:
            page.goto(app_url + LINK)
            values = page.get_by_test_id("stMetricValue")
            expect(values.first).to_have_text("5", timeout=TIMEOUT)
            wait_idle(page)
            size = "el => parseFloat(getComputedStyle(el).fontSize)"
            hero = page.get_by_test_id("stMetric").filter(has_text="Magic Number").first
            exact = page.get_by_test_id("stMetric").filter(has_text="Exact value").first
            big = hero.get_by_test_id("stMetricValue").evaluate(size)
            small = exact.get_by_test_id("stMetricValue").evaluate(size)
            assert big >= 1.5 * small, (big, small)
            clipped = hero.evaluate(
                "el => [el, ...el.querySelectorAll('*')].some(e => e.scrollWidth > e.clientWidth + 1)"
            )
            assert not clipped, "the hero's number is cut off"
        finally:
            context.close()


def test_a_solved_amount_in_rupiah_reads_whole_on_a_phone(browser: Browser, app_url: str) -> None:
    """Solving for the average sale in rupiah gives the hero "Rp 104.166.667": drawn as large as
    the Magic Number it was cut to "Rp 104.1..." at 390 px."""
    context = browser.new_context(**PHONE)
    page = context.new_page()
    try:
        # 6,000,000,000 / (48 weeks x 5 a week x 0.6 x 0.4) = 104,166,666.67
        page.goto(
            app_url
            + "/magic_number?goal=6000000000&weeks=48&avg_sale=125000000&p1=60&p2=40&wa=5&solve=avg_sale&cur=IDR"
        )
        hero = page.get_by_test_id("stMetric").filter(has_text="needed").first
        expect(hero.get_by_test_id("stMetricValue")).to_have_text("Rp 104.166.667", timeout=TIMEOUT)
        wait_idle(page)
        assert page.evaluate(CLIPPED) == []
    finally:
        context.close()
