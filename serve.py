"""The server entry for production: ``streamlit run serve.py`` serves app.py (same pages, same
settings) and warms up in the background as the server starts (see :mod:`ui.warmup`), so the
first visitor's first page does not wait for library imports and the sample data.

``streamlit run app.py`` runs the same app without the warm-up.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import streamlit as st


@asynccontextmanager
async def _warm_up(_app: Any) -> AsyncIterator[None]:
    from ui import warmup

    warmup.start()
    yield


app = st.App("app.py", lifespan=_warm_up)
