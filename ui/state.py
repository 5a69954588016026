"""Per-session state: the active dataset, the draft being mapped, the DuckDB cursor, the filters.

Loaded files are cached with ``st.cache_resource`` keyed on the content hash of the upload plus
the options (never the file name); a session's own choices live only in ``st.session_state``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import streamlit as st

from kpi_core import db, queries
from kpi_core.importing import build_dataset, content_key
from kpi_core.mapping import propose_mapping, sheet_score
from kpi_core.model import ColumnMapping, Dataset, Filters, RawTable, Shape
from kpi_core.reading import read_file
from kpi_core.teams import TeamList, read_team_list, with_teams

from .format import CURRENCIES, Currency, currency

ROOT = Path(__file__).resolve().parent.parent
SAMPLES: dict[str, Path] = {
    "Opportunity list (sample data)": ROOT / "sample_data" / "opportunities.csv",
    "Weekly activity log (sample data)": ROOT / "sample_data" / "weekly_log.csv",
}
SAMPLE_DEFAULT = "Opportunity list (sample data)"
SAMPLE_NAME = "sample data"

# session_state keys
CURSOR = "cursor"
DATASET = "dataset"
#: The dataset as built from its file, before a team list is joined to it (``DATASET``).
BASE_DATASET = "base_dataset"
#: The team list in use (``kpi_core.teams.TeamList``): it stays when another file is loaded.
TEAM_LIST = "team_list"
SOURCE = "source"
DRAFT = "draft"
CURRENCY = "currency"
FILTERS_FOR = "filters_for"
DISTINCT = "distinct_values"
FILTER_WINDOW = "filter_window"
FILTER_TEAMS = "filter_teams"
FILTER_DECIDED = "filter_decided_only"
FILTER_DIM_PREFIX = "filter_dim_"


@dataclass
class Source:
    """Where a dataset comes from: the name shown to the user, the bytes and their content key."""

    name: str
    content: bytes
    key: str
    is_sample: bool = False
    sheet: str | None = None


@dataclass
class Draft:
    """A file being mapped on the Data page: its proposal, the user's answers, a pending question."""

    source: Source
    shape: Shape
    mapping: ColumnMapping
    date_formats: dict[str, str] = field(default_factory=dict)
    decimal: str | None = None
    question: dict[str, Any] | None = None
    build_requested: bool = False
    file_id: str | None = None
    generation: int = 0


def cursor() -> duckdb.DuckDBPyConnection:
    """This session's DuckDB cursor (one per session, kept in session_state)."""
    if CURSOR not in st.session_state:
        st.session_state[CURSOR] = db.session_cursor()
    cur: duckdb.DuckDBPyConnection = st.session_state[CURSOR]
    return cur


def money_format() -> Currency:
    """The currency the user chose in the sidebar."""
    return currency(st.session_state.get(CURRENCY))


# Shared by content hash, so bounded in count and time: one server holds at most a few files' cells
# and datasets beyond what the sessions themselves keep in their state.
_CACHE_SECONDS = 30 * 60


@st.cache_resource(max_entries=8, ttl=_CACHE_SECONDS, show_spinner=False)
def _read_raw(key: str, sheet: str | None, _content: bytes, _name: str) -> RawTable:
    return read_file(_content, _name, sheet=sheet, sheet_score=sheet_score)


@st.cache_resource(max_entries=16, ttl=_CACHE_SECONDS, show_spinner=False)
def _build(
    key: str, sheet: str | None, mapping_key: str, name: str, _raw: RawTable, _mapping: ColumnMapping
) -> Dataset:
    # The file name is part of the key: the report names the file, and a name is the uploader's own text.
    return build_dataset(_raw, _mapping, source=name, key=key)


def read_raw(source: Source) -> RawTable:
    """The file's cells, cached on its content hash and sheet."""
    return _read_raw(source.key, source.sheet, source.content, source.name)


def build(source: Source, raw: RawTable, mapping: ColumnMapping) -> Dataset:
    """The typed dataset, cached on content hash, sheet and the full mapping."""
    return _build(source.key, source.sheet, mapping.key(), source.name, raw, mapping)


def source_from_bytes(name: str, content: bytes, *, is_sample: bool = False) -> Source:
    return Source(name=name, content=content, key=content_key(content), is_sample=is_sample)


def sample_source(choice: str = SAMPLE_DEFAULT) -> Source:
    return source_from_bytes(SAMPLE_NAME, SAMPLES[choice].read_bytes(), is_sample=True)


def activate(source: Source, ds: Dataset) -> None:
    """Make ``ds`` the dataset every page shows (with the team list in use joined to it)."""
    st.session_state[SOURCE] = source
    st.session_state[BASE_DATASET] = ds
    st.session_state[DATASET] = _with_team_list(ds)


@st.cache_resource(max_entries=8, ttl=_CACHE_SECONDS, show_spinner=False)
def _read_team_list(key: str, name: str, rep: str | None, team: str | None, _content: bytes) -> TeamList:
    return read_team_list(_content, name, rep=rep, team=team)


def team_list_of(content: bytes, name: str, rep: str | None = None, team: str | None = None) -> TeamList:
    """A team list's file read (cached on its content hash, name and columns); raises ``KpiError``."""
    return _read_team_list(content_key(content), name, rep, team, content)


@st.cache_resource(max_entries=16, ttl=_CACHE_SECONDS, show_spinner=False)
def _joined(ds_key: str, ds_name: str, teams_key: str, teams_name: str, _ds: Dataset, _teams: TeamList) -> Dataset:
    # The names are part of the key: the report names both files, and a name is the uploader's own text.
    return with_teams(_ds, _teams)


def _with_team_list(ds: Dataset) -> Dataset:
    teams: TeamList | None = st.session_state.get(TEAM_LIST)
    if teams is None:
        return ds
    return _joined(ds.content_key, ds.report.source, teams.key, teams.source, ds, teams)


def team_list() -> TeamList | None:
    """The team list in use, if any."""
    teams: TeamList | None = st.session_state.get(TEAM_LIST)
    return teams


def use_team_list(teams: TeamList | None) -> None:
    """Join ``teams`` to the data in use, and to every file loaded after it (``None``: stop)."""
    if teams is None:
        st.session_state.pop(TEAM_LIST, None)
    else:
        st.session_state[TEAM_LIST] = teams
    base: Dataset | None = st.session_state.get(BASE_DATASET)
    if base is not None:
        st.session_state[DATASET] = _with_team_list(base)


def ensure_dataset() -> Dataset:
    """The active dataset; the sample opportunity list on a session's first run."""
    if DATASET not in st.session_state:
        source = sample_source()
        raw = read_raw(source)
        activate(source, build(source, raw, propose_mapping(raw)))
    ds: Dataset = st.session_state[DATASET]
    if st.session_state.get(FILTERS_FOR) != ds.content_key:
        reset_filters(ds)
        st.session_state[FILTERS_FOR] = ds.content_key
    return ds


def dataset() -> Dataset:
    return ensure_dataset()


def source() -> Source:
    ensure_dataset()
    src: Source = st.session_state[SOURCE]
    return src


def reset_filters(ds: Dataset) -> None:
    """Set the filters back to none for ``ds`` (a new dataset has other teams, dates and columns).

    The filter widgets' values are set, not forgotten: a keyed widget keeps its identity when its
    default changes, so the browser went on showing the previous file's window (the sample's
    2025-12-01 to 2026-11-27 above a 2024 file) while the numbers used the new file's.
    """
    for key in list(st.session_state.keys()):
        if isinstance(key, str) and (key.startswith(FILTER_DIM_PREFIX) or key == FILTER_TEAMS):
            st.session_state[key] = []
    st.session_state[FILTER_DECIDED] = False  # listed among the filters in force: it goes with them
    if ds.first_date and ds.last_date:
        st.session_state[FILTER_WINDOW] = (ds.first_date, ds.last_date)
    else:
        st.session_state.pop(FILTER_WINDOW, None)
    st.session_state.pop(DISTINCT, None)
    if ds.report.currency in CURRENCIES:
        # Amounts written "Rp 15.000.000" are rupiah: they read as "$15,000,000" until the
        # reader found the currency box. A file naming no currency leaves the choice as it is.
        st.session_state[CURRENCY] = ds.report.currency


def distinct(column: str, limit: int = 500) -> list[str]:
    """Values of team or an extra column for the filters (at most ``limit``), cached for the active dataset.

    The cache is keyed by the limit too: the Teams filter asked for its values with the default of 51
    and showed only 51 teams of a larger organisation."""
    ds = dataset()
    cache: dict[tuple[str, str, int], list[str]] = st.session_state.setdefault(DISTINCT, {})
    k = (ds.content_key, column, limit)
    if k not in cache:
        cache[k] = queries.distinct_values(cursor(), ds, column, limit)
    return cache[k]


#: The most values an extra column may have to get a filter in the sidebar (a searchable list): a
#: region, a product or an account, not an id or free text.
FILTER_VALUES = 200


def filterable_dimensions(ds: Dataset, limit: int = FILTER_VALUES) -> list[tuple[int, str]]:
    """Extra columns worth a filter: at most ``limit`` distinct values (not ids or free text)."""
    out = []
    for i, dim in enumerate(ds.dimensions):
        values = distinct(dim.label, limit + 1)
        if 1 < len(values) <= limit:
            out.append((i, dim.label))
    return out


def window_dates() -> tuple[dt.date | None, dt.date | None]:
    value = st.session_state.get(FILTER_WINDOW)
    if isinstance(value, list | tuple):
        start = value[0] if len(value) > 0 else None
        end = value[1] if len(value) > 1 else None
        return start, end
    return None, None


def filters(*, reps: tuple[str, ...] = ()) -> Filters:
    """The filters in force, from the sidebar widgets (shared by every page)."""
    ds = dataset()
    start, end = window_dates()
    dims = []
    for i, label in filterable_dimensions(ds):
        chosen = st.session_state.get(f"{FILTER_DIM_PREFIX}{i}") or []
        if chosen:
            dims.append((label, tuple(chosen)))
    decided = bool(st.session_state.get(FILTER_DECIDED)) and ds.shape is Shape.OPPORTUNITIES
    # The file's own first and last dates mean "no date filter": one spelling, so memoised answers match.
    return Filters(
        start=None if start == ds.first_date else start,
        end=None if end == ds.last_date else end,
        decided_only=decided,
        teams=tuple(st.session_state.get(FILTER_TEAMS) or ()),
        reps=reps,
        dimensions=tuple(dims),
    )


def pipeline(ds: Dataset, filters: Filters) -> queries.Pipeline | None:
    """``queries.pipeline`` on this session's cursor; pacing is shown as unavailable if it fails."""
    try:
        return queries.pipeline(cursor(), ds, filters)
    except duckdb.Error:
        return None


def initial(key: str, **default: Any) -> dict[str, Any]:
    """A widget's default (``value=...``, ``index=...``) for its keyword arguments, or none when its
    value is already set in session_state: passing both makes Streamlit warn on the page."""
    return {} if key in st.session_state else default


#: Where :func:`remember` sets a widget's value aside: ``KEPT_PREFIX + key``.
KEPT_PREFIX = "kept_"


def kept(key: str, scope: object = None) -> Any:
    """The value :func:`remember` set aside for ``key`` under ``scope``; ``None`` when there is none."""
    store = st.session_state.get(KEPT_PREFIX + key)
    if store is None or store[0] != scope:
        return None
    return store[1]


def keep(key: str, scope: object = None) -> None:
    """Restore a widget's value that Streamlit dropped while its page was not shown.

    Streamlit forgets the value of every widget a run does not draw (any other page's), and draws
    it with its default on the way back: peer thresholds went back to 5 and 40 %, and the Data
    page's stage box came back empty, so confirming again loaded no stage as a next step.
    Call before the widget is drawn (give it its default with :func:`initial`), and
    :func:`remember` after it or in its ``on_change``. A value kept under another ``scope`` (say,
    another file's content key) is not restored.
    """
    value = kept(key, scope)
    if key not in st.session_state and value is not None:
        st.session_state[key] = value


def remember(*keys: str, scope: object = None) -> None:
    """Set widget values aside, under ``scope``, so :func:`keep` can restore them on the next visit."""
    for key in keys:
        if key in st.session_state:
            st.session_state[KEPT_PREFIX + key] = (scope, st.session_state[key])


def forget(key: str) -> None:
    """Drop a widget's value and the copy :func:`remember` set aside."""
    st.session_state.pop(key, None)
    st.session_state.pop(KEPT_PREFIX + key, None)


#: The last upload's (name, file id, bytes), kept as it arrives (``ui.importer.keep_upload``): a
#: user who leaves the Data page while the file is read takes the uploader, and the file in it,
#: off the page with them.
PENDING_UPLOAD = "upload_pending"


def waiting() -> str | None:
    """The name of a file uploaded but not in use yet (being read, or its mapping not confirmed),
    for the sidebar's note on every page; ``None`` when there is none."""
    pending = st.session_state.get(PENDING_UPLOAD)
    d: Draft | None = st.session_state.get(DRAFT)
    if pending is not None and (d is None or d.file_id != pending[1]):
        return str(pending[0])
    if d is not None and d.file_id is not None and d.source.key != source().key:
        return d.source.name
    return None
