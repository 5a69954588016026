"""One session's upload is never seen by another session in the same process.

Session A uploads a file with a unique rep name; session B keeps the sample and session C uploads a
different file under the same file name. Every element of every page of B and C is searched for
the marker, and A still sees it.
"""

from __future__ import annotations

import uuid
from typing import Any

from streamlit.testing.v1 import AppTest

from tests.app.conftest import FIXTURES, PAGES, confirm, new_app, open_page, upload

SHARED_NAME = "pipeline.csv"


def with_rep(marker: str) -> bytes:
    """canonical.csv with its first rep renamed to ``marker``."""
    return (FIXTURES / "canonical.csv").read_bytes().replace(b"Ana,", marker.encode() + b",")


def everything_shown(at: AppTest) -> str:
    """The text of every element of the current run: values, labels, options and dataframe cells."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        for attr in ("value", "label", "options", "body", "placeholder", "help"):
            try:
                v = getattr(node, attr, None)
            except Exception:  # some elements raise for attributes they do not carry
                continue
            if v is None:
                continue
            if hasattr(v, "to_csv"):
                parts.append(v.to_csv())
                parts.append(" ".join(map(str, getattr(v, "columns", []))))
            else:
                parts.append(str(v))
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(parts)


def every_page(at: AppTest) -> dict[str, str]:
    return {name: everything_shown(open_page(at, name)) for name in PAGES}


def test_an_upload_in_one_session_is_never_shown_in_another() -> None:
    marker = f"Marker-{uuid.uuid4().hex[:12]}"
    a = confirm(upload(new_app(), SHARED_NAME, with_rep(marker)))
    b = new_app()
    c = confirm(upload(new_app(), SHARED_NAME, with_rep("Other-rep")))

    for name, text in every_page(b).items():
        assert marker not in text, f"session B shows the marker on {name}"
    for name, text in every_page(c).items():
        assert marker not in text, f"session C (same file name) shows the marker on {name}"
    assert "Other-rep" in everything_shown(open_page(c, "peers"))

    seen_by_a = every_page(a)
    assert marker in seen_by_a["overview"]
    assert marker in seen_by_a["peers"]
    assert marker in seen_by_a["weekly"]


def test_the_same_bytes_uploaded_under_another_name_never_show_the_first_name() -> None:
    # Identical content hits the shared dataset cache; the first uploader's file name must not come with it.
    content = (FIXTURES / "canonical.csv").read_bytes()
    secret = f"acme-{uuid.uuid4().hex[:8]}-pipeline.csv"
    a = confirm(upload(new_app(), secret, content))
    assert secret in everything_shown(a)
    b = confirm(upload(new_app(), "mine.csv", content))
    shown = every_page(b)
    assert all(secret not in text for text in shown.values())
    assert "mine.csv" in shown["data"]
    # Nor inside the session's dataset, where the import report names its file.
    assert b.session_state["dataset"].report.source == "mine.csv"
