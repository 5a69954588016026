"""What every page shares: the KpiError guard and the empty-state end."""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn

import streamlit as st

from kpi_core.errors import KpiError
from kpi_core.model import Dataset

from .text import md_escape


def _legacy_pages_mode() -> bool:
    """Whether Streamlit is running this page file on its own, in its legacy ``pages/`` mode.

    Streamlit starts a process in that mode because the app has a ``pages/`` folder, and leaves it
    only when a run calls ``st.navigation`` (which app.py does). A deep link such as
    ``/magic_number?goal=...`` to a server that nobody has opened at its root yet would run the
    page without app.py: no sidebar, no filters, a menu of file names.
    """
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # a Streamlit without the legacy mode
        return False
    return bool(getattr(PagesManager, "uses_pages_directory", False))


def on_a_phone() -> bool:
    """Whether the visitor's browser says it runs on a phone: "Mobi" in its User-Agent (MDN's advice
    for telling phones from tablets and computers).

    A grid of charts cannot follow the page's width (Vega-Lite sizes compound charts itself), so a
    phone gets its charts in one column; a browser that says nothing gets the grid.
    """
    try:
        agent = st.context.headers.get("User-Agent") or ""
    except Exception:  # no request to ask (a bare script run)
        return False
    return "Mobi" in agent


def run(body: Callable[[], None]) -> None:
    """Run a page body; a :class:`KpiError` becomes one sentence and the loaded data stays loaded."""
    if _legacy_pages_mode():
        from streamlit.runtime.pages_manager import PagesManager

        # Leave the legacy mode as app.py's st.navigation would, and run again: app.py then draws
        # the page the link asked for, with its sidebar, settings and query parameters.
        PagesManager.uses_pages_directory = False
        st.rerun()
    try:
        body()
    except _EmptyState:
        pass  # explained; the page ends here and the run goes on (app.py draws the sidebar next)
    except KpiError as err:
        st.error(md_escape(str(err)))


class _EmptyState(Exception):
    """Ends a page body at an empty state (raised by :func:`empty`, caught by :func:`run`)."""


def empty(message: str) -> NoReturn:
    """Explain an empty state and end the page (``message`` is app text, never user text).

    Not ``st.stop()``: that would end the whole run, and app.py draws the sidebar (with the
    filters the user needs to widen) after the page.
    """
    st.info(message)
    raise _EmptyState


def close_ratio_sentence(ds: Dataset) -> str | None:
    """The import report's caveat on the close ratio (no lost opportunity counts as past the first
    gate), as the pages that show the ratio repeat it; ``None`` when there is none."""
    caveat = ds.report.close_ratio_caveat
    return f"Close ratio: {caveat.removesuffix('.')} on the Data page." if caveat else None
