"""Work done once per server process before the first visitor needs it.

``serve.py`` calls :func:`start` as the server starts, while the first browser is still fetching
Streamlit's page: the libraries the first answer needs get imported (pyarrow, pandas, DuckDB) and
the sample dataset is read and built into the shared cache, so the first session's first run
finds them ready instead of doing them on the visitor's clock; what pages draw after their first
answer (the table styling, the charts) is imported a few seconds later.
Nothing here is per user: the sample data is the same for everyone.
"""

from __future__ import annotations

import gc
import inspect
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kpi_core.model import Dataset

_LOGGER = logging.getLogger(__name__)


#: Seconds after the first part of the warm-up before the rest (:func:`run_later`). A visitor who
#: is waiting for a cold server is downloading and starting Streamlit's frontend meanwhile: the
#: server's imports slowed that download (0.45 s instead of 0.14 s for the first 61 files) and the
#: first metric showed 0.2 s later with everything imported at once (bench/README.md).
LATER_SECONDS = 3.0


def start() -> None:
    """The warm-up in background threads: :func:`run` at once, :func:`run_later` a little later."""
    threading.Thread(target=run, name="warm-up", daemon=True).start()
    timer = threading.Timer(LATER_SECONDS, run_later)
    timer.name, timer.daemon = "warm-up (later)", True
    timer.start()


def run() -> Dataset | None:
    """Import what the first page's answer needs and build the sample dataset into the shared
    cache; the dataset, or ``None`` when warming up failed (only logged: the first visitor then
    does the same work, as without a warm-up)."""
    try:
        with _collector_set_aside():
            return _load_sample()
    except Exception:  # a warm-up must never stop the server
        _LOGGER.exception("warming up failed; the first visitor will load the sample data instead")
        return None


def _load_sample() -> Dataset:
    from kpi_core import db, queries
    from kpi_core.mapping import propose_mapping
    from kpi_core.model import Filters

    from . import state

    source = state.sample_source()
    raw = state.read_raw(source)
    ds = state.build(source, raw, propose_mapping(raw))
    cursor = db.session_cursor()
    try:
        queries.kpis_with_total(cursor, ds, "rep", Filters())
        queries.distinct_values(cursor, ds, "team")
    finally:
        cursor.close()
    _prime_inspect()
    return ds


def _prime_inspect() -> None:
    """Fill :mod:`inspect`'s cache of which file holds which module.

    Streamlit checks once per process, on the first element any script draws, whether it runs in
    a REPL, with ``inspect.stack()``; cold, that resolves the real path of every loaded module's
    file (about 12,000 ``lstat`` calls, 0.12 s here) on the first visitor's clock, between the
    page's first message and its metrics. Warm, it costs a few milliseconds.
    """
    inspect.stack()


@contextmanager
def _collector_set_aside() -> Iterator[None]:
    """No automatic garbage collection while the libraries load, then every object alive moved out
    of the collector's sight (``gc.freeze()``).

    - While pandas, pyarrow, DuckDB and the rest load, the heap grows by ~127,000 objects and the
      automatic collector walked it 30 times (twice in full): 0.1 s of a 0.8 s warm-up here, and
      the interpreter lock held meanwhile, while the first browser fetches the page's files.
    - Streamlit runs a full collection after every script run, before the browser hears that the
      run is over (``runner.postScriptGC``): 75 ms a rerun over the libraries' objects, a slider's
      included (bench/README.md). Frozen, it walks only what sessions made since (1-3 ms).

    Frozen objects are still freed when nothing refers to them; only a reference cycle among them
    would stay, and modules live as long as the process anyway.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        gc.freeze()
    finally:
        if enabled:
            gc.enable()


def run_later() -> bool:
    """Import what pages draw after their first answer: the KPI table's Styler (pandas' styling,
    Jinja) and the charts' module. Whether it worked (a failure is only logged)."""
    try:
        with _collector_set_aside():
            from . import charts, tables  # noqa: F401
        return True
    except Exception:  # a warm-up must never stop the server
        _LOGGER.exception("the later warm-up failed; the first page that needs it imports it instead")
        return False
