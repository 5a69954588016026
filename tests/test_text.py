"""ui.text.md_escape: user text stays literal in Streamlit's Markdown (the browser test
tests/browser/test_markup.py shows what is drawn)."""

from __future__ import annotations

import pytest

from ui.text import WORD_JOINER, md_escape


@pytest.mark.parametrize("end", ["\n", "\r", "\r\n", "\v", "\f", "\x85", "\u2028", "\u2029"])
def test_every_line_end_becomes_a_space(end: str) -> None:
    """A second line could start a code block ("    x") or a heading; "\\r" was let through."""
    assert md_escape(f"Ana{end}    x") == "Ana     x"


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("https://evil.example", "https"),
        ("HTTP://evil.example", "HTTP"),
        ("see www.evil.example", "www"),
        ("help@evil.example", "help"),
        ("mailto:help", "mailto"),
    ],
)
def test_a_word_joiner_breaks_each_automatic_link(text: str, where: str) -> None:
    escaped = md_escape(text)
    assert where + WORD_JOINER in escaped
    assert escaped.replace(WORD_JOINER, "").replace("\\", "") == text


def test_plain_names_are_unchanged_but_for_their_escapes() -> None:
    assert md_escape("Budi Santoso") == "Budi Santoso"
    assert md_escape("PT. Maju (Jakarta)") == "PT\\. Maju \\(Jakarta\\)"
