"""Pages with values at the edges (tests/test_extreme_values.py reads them): each page renders
with its numbers and no exception. The security audit found the Magic Number page raising
OverflowError on 300-digit amounts, and the Weekly page raising OverflowError on 9999-12-31 and
Altair's MaxRowsError on a window a typo stretched to 2062."""

from __future__ import annotations

import pytest

from tests.app.conftest import PAGES, confirm, new_app, open_page, upload


def _file(odd: tuple[str, str, str] | None) -> bytes:
    lines = ["rep,first_appointment,outcome,amount,next_step"]
    for i in range(60):
        lines.append(
            f"Rep{i % 3},2026-01-{1 + i % 28:02d},{'won' if i % 2 else 'lost'},{100 + i},2026-01-{1 + i % 28:02d}"
        )
    if odd:
        first, amount, outcome = odd
        lines += [f"Rep1,{first},{outcome},{amount},{first}"] * 3
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize(
    "odd",
    [
        ("2026-01-10", "9" * 308, "won"),
        ("9999-12-31", "100", "won"),
        ("0001-01-01", "100", "won"),
        ("2062-03-01", "100", "won"),
    ],
    ids=["300-digit amount", "year 9999", "year 1", "typo 2062"],
)
def test_every_page_renders(odd: tuple[str, str, str]) -> None:
    at = confirm(upload(new_app(), "odd.csv", _file(odd)))
    for page in PAGES:
        open_page(at, page)  # asserts no exception
        assert not at.error, [e.value for e in at.error]
