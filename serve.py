"""The server entry for production: ``streamlit run serve.py`` serves app.py (same pages, same
settings) and, as the server starts, turns Nagle's algorithm off on its connections (see
:mod:`ui.network`) and warms up in the background (see :mod:`ui.warmup`), so the first visitor's
first page does not wait for library imports and the sample data. Streamlit's frontend files
leave it gzip-compressed, each compressed once (see :mod:`ui.compression`).

``streamlit run app.py`` runs the same app without any of these.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import streamlit as st
from starlette.middleware import Middleware

from ui.compression import CompressStatic


@asynccontextmanager
async def _warm_up(_app: Any) -> AsyncIterator[None]:
    from ui import network, warmup

    # The lifespan starts once Streamlit has bound its listening socket, before the first connection.
    network.no_delay_on_listeners()
    warmup.start()
    yield


app = st.App("app.py", lifespan=_warm_up, middleware=[Middleware(CompressStatic)])
