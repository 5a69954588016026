"""What every page shares: the KpiError guard and the empty-state stop."""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn

import streamlit as st

from kpi_core.errors import KpiError

from .text import md_escape


def run(body: Callable[[], None]) -> None:
    """Run a page body; a :class:`KpiError` becomes one sentence and the loaded data stays loaded."""
    try:
        body()
    except KpiError as err:
        st.error(md_escape(str(err)))


def empty(message: str) -> NoReturn:
    """Explain an empty state and stop the page (``message`` is app text, never user text)."""
    st.info(message)
    st.stop()
