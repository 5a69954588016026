"""A person's path through the app in one browser session: upload a CRM export, read it everywhere.

Every step clicks what a person clicks (sidebar links, not ``page.goto``, which would start a new
session and lose the upload) and checks the numbers against ``python -m kpi_core`` on the same file.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ROOT
from tests.browser.helpers import (
    NOT_MAPPED,
    PAGES,
    TIMEOUT,
    confirm,
    go,
    metric,
    open_home,
    table_rows,
    upload,
    wait_idle,
)

SALESFORCE = ROOT / "tests" / "fixtures" / "salesforce.csv"
AMBIGUOUS = ROOT / "tests" / "fixtures" / "indonesia_ambiguous.csv"


def cli_kpis(path: Path) -> dict[str, dict[str, Any]]:
    """``python -m kpi_core kpis <file> --format json``, one entry per rep."""
    out = subprocess.run(
        [sys.executable, "-m", "kpi_core", "kpis", str(path), "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    return {row["rep"]: row for row in json.loads(out)}


PROPOSAL = {
    "rep": ("Rep (salesperson) *", "Opportunity Owner"),
    "first_appointment": ("First appointment date *", "Created Date"),
    "close_date": ("Close date", "Close Date"),
    "amount": ("Amount", "Amount"),
    "stage": ("Stage", "Stage"),
}


def expect_mapping(page: Page, mapping: dict[str, tuple[str, str]], timeout: float = TIMEOUT) -> None:
    """Each mapping box, found by its label, shows the file's own header as its value.

    (The value is read from the combobox input: an accessibility snapshot omits a value equal to
    the label, e.g. the "Amount" box set to the header "Amount".)
    """
    for key, (label, header) in mapping.items():
        box = page.locator(f"[class*='st-key-map_col_{key}__']").get_by_role("combobox", name=label)
        expect(box).to_have_value(header, timeout=timeout)


def money(value: float) -> str:
    return f"${value:,.0f}"


def test_a_manager_uploads_a_salesforce_export_and_reads_it_on_every_page(page: Page, app_url: str, shot: Any) -> None:
    expected = cli_kpis(SALESFORCE)
    open_home(page, app_url)
    expect(page.get_by_test_id("stSidebar").get_by_text("Source: sample data")).to_be_visible()
    shot(page, "01-home-sample")

    go(page, "Data")
    upload(page, SALESFORCE)
    expect(page.locator(".st-key-map_stages")).to_contain_text("Closed Won")
    shot(page, "02-proposed-mapping")

    confirm(page, SALESFORCE.name)
    expect_mapping(page, PROPOSAL)
    expect(metric(page, "Rows loaded")).to_have_text("11")
    expect(metric(page, "Rows set aside")).to_have_text("1")
    by_reason, by_line = (page.get_by_test_id("stDataFrame").filter(has_text="total line").nth(i) for i in (0, 1))
    expect(by_reason.locator("td")).to_have_text(["is a total line, not an opportunity", "1", "13"], timeout=TIMEOUT)
    expect(by_line.locator("td").first).to_have_text("13")
    expect(page.get_by_test_id("stSidebar").get_by_text("11 rows loaded (opportunity list)")).to_be_visible()
    shot(page, "03-import-report")

    go(page, "Team overview")
    expect(metric(page, "Appointments")).to_have_text(str(sum(r["appointments"] for r in expected.values())))
    expect(metric(page, "Revenue")).to_have_text(money(sum(r["revenue"] for r in expected.values())))
    shown = {row[0]: row for row in table_rows(page)}
    assert set(shown) == set(expected)
    for rep, kpis in expected.items():
        assert float(shown[rep][1]) == kpis["appointments"], rep
        assert float(shown[rep][6]) == kpis["revenue"], rep
    shot(page, "04-overview")

    with page.expect_download(timeout=TIMEOUT) as download:
        page.locator(".st-key-overview_download_csv button").click()
    assert download.value.suggested_filename == "kpis.csv"
    content = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    rows = {r["Rep"]: r for r in csv.DictReader(io.StringIO(content))}
    assert set(rows) == set(expected)
    for rep, kpis in expected.items():
        assert float(rows[rep]["Appointments"]) == kpis["appointments"]
        assert float(rows[rep]["Revenue"]) == kpis["revenue"]
        assert float(rows[rep]["Close ratio"]) == pytest.approx(kpis["p2"])

    for title in ("Funnels", "Peer comparison", "Weekly activity"):
        go(page, title)
        expect(page.get_by_test_id("stSidebar").get_by_text(f"Source: {SALESFORCE.name}")).to_be_visible()
        shot(page, f"05-{title.lower().replace(' ', '-')}")

    go(page, "Magic Number")
    exact = metric(page, "Exact value")
    expect(exact).to_be_visible()
    expect(metric(page, "Magic Number (first appointments a week)")).to_have_text(re.compile(r"^\d+$"))
    before = exact.inner_text()
    shot(page, "06-magic-number-before")
    thumb = page.locator('.st-key-mn_p1_slider input[type="range"]')
    value = float(thumb.get_attribute("value") or "nan")
    thumb.focus()
    page.keyboard.press("ArrowRight")
    expect(thumb).to_have_attribute("value", f"{value + 0.5:g}", timeout=TIMEOUT)
    expect(exact).not_to_have_text(before, timeout=TIMEOUT)
    wait_idle(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    shot(page, "07-magic-number-after")

    go(page, "Data")
    expect(metric(page, "Rows loaded")).to_have_text("11")


# An upload used to leave the previous file's choices in the column boxes (keyed selectboxes keep their
# browser-side value when only their options change), so the first confirm was refused; these two
# tests guard the fix (ui.importer.map_key).


def test_an_upload_shows_the_mapping_proposed_from_the_files_own_headers(page: Page, app_url: str, shot: Any) -> None:
    open_home(page, app_url)
    go(page, "Data")
    upload(page, SALESFORCE)
    shot(page, "proposal")
    expect_mapping(page, PROPOSAL, timeout=5_000)


def test_the_first_confirm_after_an_upload_loads_the_file(page: Page, app_url: str, shot: Any) -> None:
    open_home(page, app_url)
    go(page, "Data")
    upload(page, SALESFORCE)
    page.locator(".st-key-confirm_mapping button").click()
    loaded = page.get_by_test_id("stMain").get_by_text(f"Source: {SALESFORCE.name}", exact=True)
    refused = page.get_by_test_id("stAlert").filter(has_text=NOT_MAPPED)
    expect(loaded.or_(refused).first).to_be_visible(timeout=TIMEOUT)
    wait_idle(page)
    shot(page, "after-first-confirm")
    expect(refused).to_have_count(0, timeout=1_000)
    expect(metric(page, "Rows loaded")).to_have_text("11")


def test_an_ambiguous_date_file_asks_which_format_and_loads_after_choosing(page: Page, app_url: str, shot: Any) -> None:
    open_home(page, app_url)
    go(page, "Data")
    upload(page, AMBIGUOUS)
    confirm(page, AMBIGUOUS.name)
    question = page.locator(".st-key-format_choice")
    expect(question).to_be_visible(timeout=TIMEOUT)
    expect(question.get_by_role("radio")).to_have_count(2)
    expect(page.get_by_test_id("stAlert").filter(has_text="dd/mm/yyyy").first).to_be_visible()
    wait_idle(page)
    # Loading stopped at the question: its "Loading and checking every row…" is not left beside it.
    expect(page.get_by_text("Loading and checking every row", exact=False)).to_have_count(0)
    shot(page, "question")
    question.get_by_text("dd/mm/yyyy", exact=True).click()
    wait_idle(page)
    page.locator(".st-key-format_apply button").click()
    expect(page.get_by_test_id("stMain").get_by_text(f"Source: {AMBIGUOUS.name}", exact=True)).to_be_visible(
        timeout=TIMEOUT
    )
    wait_idle(page)
    expect(metric(page, "Rows loaded")).to_have_text("10")
    expect(page.get_by_test_id("stDataFrame").filter(has_text="Dates in").first).to_contain_text("dd/mm/yyyy")
    expect(page.locator(".st-key-format_choice")).to_have_count(0)
    shot(page, "loaded")


def test_a_magic_number_link_opens_with_its_goal_and_ratios(page: Page, app_url: str, shot: Any) -> None:
    page.goto(f"{app_url}/magic_number?goal=600000&weeks=48&avg_sale=12500&p1=60&p2=40")
    expect(page.get_by_role("heading", name=PAGES["Magic Number"], level=1)).to_be_visible(timeout=TIMEOUT)
    expect(metric(page, "Magic Number (first appointments a week)")).to_have_text("5", timeout=TIMEOUT)
    expect(metric(page, "Exact value")).to_have_text("4.17")
    wait_idle(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    shot(page, "deep-link")


def test_after_an_upload_the_sidebars_window_shows_the_new_files_dates(page: Page, app_url: str) -> None:
    # The sample runs from 2025-12-01; this file is all in 2024. The date box used to keep showing the
    # sample's window above the new file's numbers (a keyed widget keeps its value when its default changes).
    content = (
        b"Rep,First Appointment,Outcome,Amount\n"
        b"Ana,2024-03-04,won,1000\nAna,2024-03-11,lost,\nBudi,2024-04-01,won,2000\nBudi,2024-04-08,open,\n"
    )
    open_home(page, app_url)
    window = page.get_by_test_id("stSidebar").get_by_test_id("stDateInput").locator('input[type="date"]')
    expect(window.first).to_have_value("2025-12-01")
    expect(window.last).to_have_value("2026-11-27")
    go(page, "Data")
    upload(page, "in_2024.csv", name="in_2024.csv", content=content)
    confirm(page, "in_2024.csv")
    expect(window.first).to_have_value("2024-03-04", timeout=TIMEOUT)
    expect(window.last).to_have_value("2024-04-08")
    go(page, "Team overview")
    expect(window.first).to_have_value("2024-03-04")
    expect(metric(page, "Appointments")).to_have_text("4")


def test_a_weekly_log_uploaded_after_the_sample_loads_as_a_weekly_log(page: Page, app_url: str) -> None:
    # The sample is an opportunity list; the radio used to keep showing (and send back on "Confirm")
    # "Opportunity list", and loading then asked for an opportunity list's first-appointment column.
    log = ROOT / "tests" / "fixtures" / "weekly_log.csv"
    open_home(page, app_url)
    go(page, "Data")
    upload(page, log)
    shape = page.locator(".st-key-map_shape")
    expect(shape.get_by_role("radio", name="Weekly activity log (one row per rep per week)")).to_be_checked()
    confirm(page, log.name)
    expect(page.get_by_test_id("stSidebar").get_by_text("8 rows loaded (weekly activity log)")).to_be_visible()
    expect(page.get_by_test_id("stAlert").filter(has_text="No column is mapped")).to_have_count(0)


def test_each_format_question_starts_on_its_own_first_option(page: Page, app_url: str) -> None:
    # Dates that fit both day orders, then amounts whose mark is open ("1,500" alone): two questions in
    # turn. The second used to start on the option chosen for the first (the same radio, other options).
    content = b'Rep,Created,Won,Amount\nAna,03/04/2026,yes,"1,500"\nAna,05/06/2026,no,\nBudi,07/08/2026,yes,"2,250"\n'
    open_home(page, app_url)
    go(page, "Data")
    upload(page, "two_questions.csv", name="two_questions.csv", content=content)
    confirm(page, "two_questions.csv")
    question = page.locator(".st-key-format_choice")
    expect(question.get_by_role("radio", name="dd/mm/yyyy")).to_be_checked(timeout=TIMEOUT)
    question.get_by_text("mm/dd/yyyy", exact=True).click()
    expect(question.get_by_role("radio", name="mm/dd/yyyy")).to_be_checked()
    page.locator(".st-key-format_apply button").click()
    expect(page.get_by_test_id("stAlert").filter(has_text="decimal")).to_be_visible(timeout=TIMEOUT)
    wait_idle(page)
    radios = page.locator(".st-key-format_choice").get_by_role("radio")
    expect(radios).to_have_count(2)
    expect(radios.first).to_be_checked()
    expect(radios.last).not_to_be_checked()


def test_the_share_links_point_at_the_address_the_app_was_opened_at(page: Page, app_url: str) -> None:
    open_home(page, app_url)
    go(page, "Peer comparison")
    base = page.locator(".st-key-share_base_url input")
    expect(base).to_have_value(app_url, timeout=TIMEOUT)
    link = page.get_by_test_id("stCode").first
    expect(link).to_contain_text(f"{app_url}/magic_number?rep=", timeout=TIMEOUT)
