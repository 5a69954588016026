"""When no lost opportunity counts as past the first gate, the close ratio only sees won deals
(100 % on the public CRM sample): the pages that show it say so, not only the Data page's report."""

from __future__ import annotations

from kpi_core.importing import load

from .conftest import confirm, new_app, open_page, upload

# Lost deals whose stage says nothing of a demo: every advanced deal is a won one.
ONLY_WON = (
    b"Sales Rep,Created Date,Stage\n"
    b"Ana,2026-03-02,Won\nAna,2026-03-03,Lost\nAna,2026-03-04,Lost\nAna,2026-03-05,Engaging\n"
    b"Budi,2026-03-02,Won\nBudi,2026-03-06,Lost\n"
)
SENTENCE = (
    "Close ratio: None of the 3 lost opportunities counts as having passed the first gate, so the close ratio only "
    "sees won deals; if lost deals had reached a demo or proposal, mark their stage as 'next step or later' on the "
    "Data page."
)


def _infos(at: object) -> list[str]:
    """Each info box's sentences (one box may hold several, a blank line apart)."""
    return [s for i in at.info for s in i.value.replace("\\", "").split("\n\n")]  # type: ignore[attr-defined]


def test_the_report_keeps_the_sentence_apart() -> None:
    report = load(ONLY_WON, "crm.csv").report
    assert report.close_ratio_caveat is not None and report.close_ratio_caveat in report.notes
    assert load(b"Sales Rep,Created Date,Stage\nAna,2026-03-02,Won\n", "w.csv").report.close_ratio_caveat is None


def test_the_overview_funnels_and_magic_number_pages_say_what_the_close_ratio_sees() -> None:
    at = confirm(upload(new_app(), "crm.csv", ONLY_WON))
    assert SENTENCE in _infos(open_page(at, "overview"))
    assert SENTENCE in _infos(open_page(at, "funnels"))
    assert SENTENCE in _infos(open_page(at, "magic_number"))


def test_the_sample_data_has_no_such_sentence() -> None:
    at = open_page(new_app(), "overview")
    assert not any(i.startswith("Close ratio:") for i in _infos(at))
