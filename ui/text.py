"""Keep user text literal wherever Streamlit would read it as Markdown."""

from __future__ import annotations

import re

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=\"'])")


def md_escape(text: str) -> str:
    """Backslash-escape every character Markdown, LaTeX or Streamlit directives could act on.

    ``[click](javascript:alert(1))`` and ``<img src=x onerror=alert(1)>`` then show as typed.
    """
    return _MARKDOWN.sub(r"\\\1", text).replace("\n", " ")
