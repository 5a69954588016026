"""Keep user text literal wherever Streamlit would read it as Markdown."""

from __future__ import annotations

import re

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=\"'])")
#: Anything Markdown reads as a line end: a second line could start a code block or a heading.
_LINE_ENDS = re.compile(r"\r\n|[\r\n\v\f\x85\u2028\u2029]")
#: Where remark-gfm finds a link in plain text: a scheme before its ``:``, ``www`` before its
#: ``.``, an e-mail address's ``@``. It looks for them in the text after the escapes are read, so
#: backslashes do not stop them; an invisible word joiner (U+2060) there does.
_AUTOLINK = re.compile(r"(?i)(?:(?:https?|ftp|mailto|xmpp)(?=\\?:)|www(?=\\?\.)|(?=@))")
WORD_JOINER = "\u2060"


def md_escape(text: str) -> str:
    """Backslash-escape every character Markdown, LaTeX or Streamlit directives could act on.

    ``[click](javascript:alert(1))`` and ``<img src=x onerror=alert(1)>`` then show as typed, and
    ``https://example.com``, ``www.example.com`` or ``name@example.com`` as text, not links: a
    word joiner, which shows as nothing, breaks each where the Markdown reader would find a link.
    Line ends become spaces.
    """
    escaped = _MARKDOWN.sub(r"\\\1", _LINE_ENDS.sub(" ", text))
    return _AUTOLINK.sub(lambda m: m.group(0) + WORD_JOINER, escaped)
