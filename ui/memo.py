"""A per-session memo of kpi_core query results, so a rerun that changes no filter runs no query.

Entries are keyed by what the answer depends on: the dataset's content key (a hash of the file's
bytes and the mapping, never its name) and sheet, the query, and its arguments (``Filters`` is a
frozen dataclass, so it hashes by value). The memo keeps the last :data:`SIZE` answers in
``st.session_state``: one session's rows never reach another session.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import streamlit as st

from kpi_core import queries
from kpi_core.model import Dataset, Filters, KpiRow

from . import state

MEMO = "kpi_memo"
SIZE = 16
T = TypeVar("T")


def _store() -> OrderedDict[Hashable, Any]:
    store: OrderedDict[Hashable, Any] | None = st.session_state.get(MEMO)
    if store is None:
        store = OrderedDict()
        st.session_state[MEMO] = store
    return store


def dataset_key(ds: Dataset) -> tuple[str, str | None]:
    """What identifies a dataset's content: its content key and the sheet it was read from."""
    return ds.content_key, ds.report.sheet


def remember(ds: Dataset, name: str, args: Hashable, compute: Callable[[], T]) -> T:
    """The memoised answer of ``compute`` for this dataset, query name and arguments."""
    store = _store()
    key = (dataset_key(ds), name, args)
    if key in store:
        store.move_to_end(key)
        value: T = store[key]
        return value
    value = compute()
    store[key] = value
    while len(store) > SIZE:
        store.popitem(last=False)
    return value


def kpis(ds: Dataset, by: str, filters: Filters) -> list[KpiRow]:
    """``queries.kpis`` for this dataset, grouping and filters, run once per distinct question.

    A grouping is fetched together with the everyone row in one scan; asking for "all" first
    fetches the per-rep rows with it, since every page that shows a headline also shows reps.
    """
    grouping = "rep" if by == "all" else by

    def both() -> tuple[KpiRow, ...]:
        answer = queries.kpis_with_total_and_pipelines(state.cursor(), ds, grouping, filters)
        everyone = (answer.total,) if answer.total is not None else ()
        remember(ds, "kpis", ("all", filters), lambda: everyone)
        if grouping == "rep" and not filters.reps and answer.pipelines:
            # Each rep's pipeline (and the team's, under None) came with the same scan.
            remember(ds, "pipelines", filters, lambda: dict(answer.pipelines))
        return tuple(answer.groups)

    if by == "all" and (dataset_key(ds), "kpis", ("all", filters)) not in _store():
        remember(ds, "kpis", (grouping, filters), both)
    return list(remember(ds, "kpis", (by, filters), both))


def pipeline(ds: Dataset, filters: Filters) -> queries.Pipeline | None:
    """``queries.pipeline`` (on the session's connection), run once per distinct question.

    The team's or one rep's pipeline is usually already here, fetched with the per-rep KPIs of
    the same filters (the pipeline counts open opportunities whatever "decided only" says).
    """
    if len(filters.reps) <= 1:
        base = dataclasses.replace(filters, reps=(), decided_only=False)
        known = _store().get((dataset_key(ds), "pipelines", base))
        group = filters.reps[0] if filters.reps else None
        if known is not None and group in known:
            found: queries.Pipeline = known[group]
            return found
    return remember(ds, "pipeline", filters, lambda: state.pipeline(ds, filters))


def weekly_series(ds: Dataset, filters: Filters) -> list[tuple[str, dt.date, float]]:
    """``queries.weekly_appointments_series``, run once per distinct question."""
    series = remember(
        ds, "weekly", filters, lambda: tuple(queries.weekly_appointments_series(state.cursor(), ds, filters))
    )
    return list(series)


def groupable_dimensions(ds: Dataset) -> list[str]:
    """``queries.groupable_dimensions`` for this dataset (the whole file, whatever the filters)."""
    return list(remember(ds, "groupable", (), lambda: tuple(queries.groupable_dimensions(state.cursor(), ds))))


def duplicate_ids(ds: Dataset) -> queries.DuplicateIds | None:
    """``queries.duplicate_ids`` for this dataset, asked once (a whole-file group-by)."""
    return remember(ds, "duplicate_ids", (), lambda: queries.duplicate_ids(state.cursor(), ds))


def cached(ds: Dataset, name: str, args: Hashable, compute: Callable[[], T]) -> T:
    """Anything derived only from query results and settings (a chart spec), memoised the same way."""
    return remember(ds, name, args, compute)


def size() -> int:
    """How many answers the memo holds now."""
    return len(_store())
