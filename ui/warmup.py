"""Work done once per server process before the first visitor needs it.

``serve.py`` runs :func:`run` in a background thread as the server starts, while the first
browser is still fetching Streamlit's page: the heavy libraries get imported (pyarrow, pandas,
DuckDB, Altair) and the sample dataset is read and built into the shared cache, so the first
session's first run finds them ready instead of doing them on the visitor's clock.
Nothing here is per user: the sample data is the same for everyone.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kpi_core.model import Dataset

_LOGGER = logging.getLogger(__name__)


def run() -> Dataset | None:
    """Import what the first page needs and build the sample dataset into the shared cache; the
    dataset, or ``None`` when warming up failed (only logged: the first visitor then does the
    same work, as without a warm-up)."""
    try:
        from kpi_core import db, queries
        from kpi_core.mapping import propose_mapping
        from kpi_core.model import Filters

        from . import charts, state, tables  # noqa: F401  (imports pandas, Altair's specs, the Styler)

        source = state.sample_source()
        raw = state.read_raw(source)
        ds = state.build(source, raw, propose_mapping(raw))
        cursor = db.session_cursor()
        try:
            queries.kpis_with_total(cursor, ds, "rep", Filters())
            queries.distinct_values(cursor, ds, "team")
        finally:
            cursor.close()
        return ds
    except Exception:  # a warm-up must never stop the server
        _LOGGER.exception("warming up failed; the first visitor will load the sample data instead")
        return None
