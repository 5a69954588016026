"""Propose which of a file's headers plays each canonical role, and which stage values mean "advanced".

A proposal is only a proposal: the caller shows it with the file's own headers and values, and
the user confirms or changes it (:func:`with_overrides`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence

import pyarrow as pa
import pyarrow.compute as pc

from . import cells
from .errors import MappingError
from .model import (
    OPPORTUNITY_COLUMNS,
    OPPORTUNITY_REQUIRED,
    WEEKLY_COLUMNS,
    WEEKLY_REQUIRED,
    ColumnMapping,
    RawTable,
    Shape,
)

#: Header synonyms per canonical column, best first, compared after :func:`normalize`.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "rep": (
        "rep",
        "sales rep",
        "rep name",
        "salesperson",
        "sales person",
        "sales representative",
        "representative",
        "opportunity owner",
        "deal owner",
        "deal owner name",
        "deal owner full name",
        "deal owner",
        "owner",
        "owner name",
        "owner full name",
        "account executive",
        "ae",
        "sales agent",
        "agent",
        "seller",
        "salesman",
        "assigned to",
        "user",
        "sales",
        "nama sales",
        "tenaga penjual",
        "penjual",
    ),
    "first_appointment": (
        "first appointment",
        "first appointment date",
        "first meeting",
        "first meeting date",
        "appointment date",
        "created date",
        "create date",
        "created",
        "created on",
        "date created",
        "created at",
        "deal created",
        "deal created on",
        "deal add time",
        "add time",
        "engage date",
        "opportunity created date",
        "creation date",
        "open date",
        "start date",
        "tanggal janji",
        "janji pertama",
        "tanggal",
        "date",
    ),
    "next_step": (
        "next step",
        "next step date",
        "next steps date",
        "demo date",
        "proposal date",
        "site visit date",
        "survey date",
        "presentation date",
        "second meeting date",
        "qualified date",
        "tanggal demo",
        "tanggal presentasi",
        "tanggal proposal",
        "tanggal penawaran",
        "tanggal survei",
        "tanggal survey",
        "tanggal kunjungan",
        "langkah berikutnya",
    ),
    "stage": (
        "stage",
        "deal stage",
        "opportunity stage",
        "sales stage",
        "pipeline stage",
        "stage name",
        "tahap",
    ),
    "outcome": (
        "outcome",
        "result",
        "won lost",
        "win loss",
        "status",
        "deal status",
        "won",
        "is won",
        "closed won",
        "hasil",
    ),
    "close_date": (
        "close date",
        "closed date",
        "date closed",
        "closing date",
        "actual close date",
        "closed on",
        "won time",
        "deal won time",
        "won date",
        "close time",
        "deal close time",
        "closed",
        "tanggal closing",
        "tanggal tutup",
    ),
    "amount": (
        # A multi-currency CRM's amount converted to the company's one currency first: HubSpot's
        # "Amount in company currency", Salesforce's "Amount (converted)". Its "Amount" holds each
        # deal's own currency, and adding those up would mix dollars and rupiah.
        "amount in company currency",
        "amount converted",
        "amount",
        "revenue",
        "deal value",
        "value",
        "close value",
        "deal amount",
        "opportunity amount",
        "sale amount",
        "sales amount",
        "sale value",
        "price",
        "nilai",
        "nilai deal",
        "nilai penjualan",
        "nilai kontrak",
        "nilai transaksi",
        "nominal",
        "omzet",
        "pendapatan",
    ),
    "team": (
        "team",
        "sales team",
        "team name",
        "manager",
        "sales manager",
        "group",
        "division",
        "tim",
        # HubSpot's "HubSpot Team", "Deal owner's team"; Salesforce's "Owner Role"; Indonesian.
        "hubspot team",
        "owner s team",
        "owner team",
        "owner role",
        "tim penjualan",
        "tim sales",
    ),
    # weekly log
    "week": ("week", "week of", "week start", "week starting", "week commencing", "week beginning", "minggu"),
    "appointments": (
        "appointments",
        "first appointments",
        "new appointments",
        "appointments booked",
        "meetings",
        "first meetings",
        "appts",
        "janji",
        "janji temu",
        "pertemuan",
        "pertemuan pertama",
    ),
    "next_steps": (
        "next steps",
        "next step",
        "demos",
        "proposals",
        "site visits",
        "advanced",
        "demo",
        "presentasi",
        "proposal",
        "penawaran",
        "kunjungan",
        "survei",
        "langkah berikutnya",
    ),
    "wins": ("wins", "won", "sales", "deals won", "closed won", "closes", "closing", "deal", "menang", "terjual"),
    "cycle_days": (
        "cycle days",
        "avg cycle days",
        "average cycle days",
        "sales cycle",
        "sales cycle days",
        "cycle",
        "mean cycle days",
        "siklus",
        "siklus penjualan",
        "siklus hari",
        "lama siklus",
    ),
}

_WEEKLY_EXTRA = {"revenue": ("revenue", "amount", "sales amount", "value", "won revenue", "pendapatan", "omzet")}

_PREFIXES = ("deal ", "opportunity ", "opp ")

#: Words in a CRM's default stage names that mean the first gate was passed (spec 1c).
ADVANCED_STAGE_WORDS = (
    "demo",
    "proposal",
    "quote",
    "negotiat",
    "presentation",
    "decision maker",
    "contract",
    "site visit",
    "survey",
    "value proposition",
    "perception",
    "commit",
    "verbal",
    "closed won",
    "won",
    "purchase",
    # Indonesian, as the seed article names the next step ("demonstrasi, kunjungan situs, survei
    # atau proposal") and as a pipeline sheet in Jakarta writes its stages.
    "kunjungan situs",
    "kunjungan lokasi",
    "survei",
    "usulan",
    "penawaran",
    "presentasi",
    "negosiasi",
    "kontrak",
    "menang",
)
#: Words in a stage name that mean the deal was lost, whatever else the name says.
LOST_STAGE_WORDS = ("lost", "kalah", "batal", "gagal")

WON_WORDS = frozenset({"won", "win", "closed won", "closed-won", "closedwon", "yes", "1", "true"})
LOST_WORDS = frozenset({"lost", "closed lost", "closed-lost", "no", "0", "false"})
#: Outcome words beyond the spec's that the mapping *proposes* (shown, and changed, on the Data page
#: as "Also count as won / lost"; on the command line, replaced by --won-value / --lost-value):
#: Indonesian ones, as a team in Jakarta writes them.
PROPOSED_WON_WORDS = frozenset({"menang", "berhasil", "sukses", "terjual", "ya"})
PROPOSED_LOST_WORDS = frozenset({"kalah", "gagal", "batal", "dibatalkan", "tidak"})


def normalize(header: str) -> str:
    """Lower-case, drop punctuation, collapse spaces: ``'Deal - Owner'`` -> ``'deal owner'``."""
    text = re.sub(r"[^0-9a-z]+", " ", header.casefold())
    return " ".join(text.split())


#: Units a header may carry after its name: "Nilai (Rp)", "Value (USD)", "Siklus (hari)".
_UNITS = frozenset({"rp", "idr", "usd", "us", "eur", "sgd", "myr", "aud", "gbp", "jpy", "days", "hari"})


def _variants(header: str) -> list[str]:
    base = normalize(header)
    out = [base]
    for prefix in _PREFIXES:
        if base.startswith(prefix):
            out.append(base[len(prefix) :])
    out.append(base.replace("_", " "))
    words = base.split()
    while len(words) > 1 and words[-1] in _UNITS:
        words.pop()
        out.append(" ".join(words))
    return out


@functools.lru_cache(maxsize=4096)
def _match_score(header: str, synonyms: tuple[str, ...]) -> int:
    """Higher is better; 0 means no match. Exact synonym beats a synonym inside the header."""
    variants = _variants(header)
    for rank, syn in enumerate(synonyms):
        if syn in variants:
            return 1000 - rank
    for rank, syn in enumerate(synonyms):
        if len(syn) >= 6 and any(_word(syn).search(v) for v in variants):
            return 500 - rank
    return 0


@functools.lru_cache(maxsize=1024)
def _word(synonym: str) -> re.Pattern[str]:
    """The synonym as a whole word (compiled once per process, not once per header)."""
    return re.compile(rf"\b{re.escape(synonym)}\b")


def _synonyms(shape: Shape) -> dict[str, tuple[str, ...]]:
    if shape is Shape.WEEKLY_LOG:
        return {
            **{k: SYNONYMS[k] for k in ("rep", "team", "week", "appointments", "next_steps", "wins", "cycle_days")},
            **_WEEKLY_EXTRA,
        }
    return {k: SYNONYMS[k] for k in OPPORTUNITY_COLUMNS}


#: Roles a column of dates never plays, and the words that name such a column: HubSpot's
#: "Date entered 'Closed Won (Sales Pipeline)'" holds dates, not outcomes, and "Tanggal Janji
#: Temu" (the appointment's date) is not a weekly log's count of appointments.
_NOT_DATES = frozenset({"stage", "outcome", "amount", "appointments", "next_steps", "wins", "revenue", "cycle_days"})
_DATE_WORDS = frozenset({"date", "time", "tanggal", "waktu"})


def _plays(header: str, role: str) -> bool:
    return role not in _NOT_DATES or not _DATE_WORDS.intersection(normalize(header).split())


def _assign(headers: Sequence[str], shape: Shape) -> dict[str, str | None]:
    """Greedy best-score assignment: each header plays at most one role."""
    canon = WEEKLY_COLUMNS if shape is Shape.WEEKLY_LOG else OPPORTUNITY_COLUMNS
    syns = _synonyms(shape)
    scored = sorted(
        ((score, c, h) for c in canon for h in headers if _plays(h, c) and (score := _match_score(h, syns[c])) > 0),
        key=lambda t: (-t[0], canon.index(t[1]), headers.index(t[2])),
    )
    out: dict[str, str | None] = {c: None for c in canon}
    used: set[str] = set()
    for _, c, h in scored:
        if out[c] is None and h not in used:
            out[c] = h
            used.add(h)
    return out


#: Headers of a column that names each opportunity once (its CRM's record id).
ID_SYNONYMS = (
    "opportunity id",
    "deal id",
    "record id",
    "opportunity number",
    "deal number",
    "id",
    "id peluang",
    "id deal",
    "nomor peluang",
)


def id_header(headers: Sequence[str]) -> str | None:
    """The header of the opportunities' own ids (``Opportunity ID``, ``Deal - ID``), if any."""
    scored = [(score, h) for h in headers if (score := _match_score(h, ID_SYNONYMS)) > 0]
    return max(scored, key=lambda t: t[0])[1] if scored else None


def propose_team_columns(headers: Sequence[str]) -> tuple[str | None, str | None]:
    """A team list's rep and team columns (``sales_agent``, ``manager``) by the same synonyms as
    a pipeline's; the rep's column is the first header when none matches, the team's the first
    other header."""
    scored = _assign(headers, Shape.OPPORTUNITIES)
    rep = scored["rep"] or (headers[0] if headers else None)
    team = scored["team"] if scored["team"] != rep else None
    if team is None:
        team = next((h for h in headers if h != rep), None)
    return rep, team


def detect_shape(headers: Sequence[str]) -> Shape:
    """A weekly activity log when it has a week and an appointments column; else an opportunity list."""
    weekly = _assign(headers, Shape.WEEKLY_LOG)
    if weekly["week"] and weekly["appointments"]:
        return Shape.WEEKLY_LOG
    return Shape.OPPORTUNITIES


def sheet_score(headers: Sequence[str]) -> int:
    """How much a sheet's header row looks like pipeline data (for choosing a workbook's sheet)."""
    shape = detect_shape(headers)
    found = _assign(headers, shape)
    required = WEEKLY_REQUIRED if shape is Shape.WEEKLY_LOG else OPPORTUNITY_REQUIRED
    return 10 * sum(1 for c in required if found[c]) + sum(1 for h in found.values() if h)


def propose_stages(values: Iterable[str]) -> frozenset[str]:
    """Stage values that a CRM's default names suggest mean *next step or later*."""
    out = set()
    for value in values:
        text = normalize(value)
        if not text:
            continue
        if any(w in text for w in LOST_STAGE_WORDS):
            continue
        if any(w in text for w in ADVANCED_STAGE_WORDS):
            out.add(value)
    return frozenset(out)


def distinct_values(raw: RawTable, header: str | None, limit: int = 200) -> list[str]:
    """The most frequent non-empty values of a column, most frequent first."""
    if header is None:
        return []
    cells = raw.cells(header)
    totals: dict[str, int] = {}
    if pa.types.is_dictionary(cells.type):  # count the codes, then name them: no decoding of every row
        names, counted = cells.dictionary.to_pylist(), pc.value_counts(cells.indices).to_pylist()
    else:
        names, counted = None, pc.value_counts(cells).to_pylist()
    for c in counted:
        if c["values"] is not None:
            value = str(names[c["values"]] if names is not None else c["values"])
            totals[value] = totals.get(value, 0) + int(c["counts"])
    ranked = sorted(((n, v) for v, n in totals.items() if v), key=lambda t: (-t[0], t[1]))
    return [str(v) for _, v in ranked[:limit]]


def value_set(raw: RawTable, header: str | None) -> list[str]:
    """Each non-empty value of a column once, in no particular order: for a dictionary-encoded
    column, its dictionary, without reading its rows (counting them, as :func:`distinct_values`
    does, took 40 ms per column at five million rows)."""
    if header is None:
        return []
    arr = raw.cells(header)
    values = cells.present(arr)
    return [str(v) for v in (values if cells.is_encoded(arr) else pc.unique(values)).to_pylist()]


def propose_mapping(raw: RawTable, shape: Shape | None = None) -> ColumnMapping:
    """The mapping a user is asked to confirm: roles from headers, advanced stages from values."""
    shape = shape or detect_shape(raw.headers)
    columns = _assign(raw.headers, shape)
    if not _holds_dates(raw, columns.get("next_step")):
        columns["next_step"] = None  # Salesforce's and HubSpot's "Next Step" is free text: "Send contract"
    if shape is not Shape.OPPORTUNITIES:
        return ColumnMapping(shape=shape, columns=columns)
    stage_values = value_set(raw, columns.get("stage"))
    stages = propose_stages(stage_values)
    outcome = columns.get("outcome")
    won, lost = propose_outcomes(value_set(raw, outcome) if outcome else stage_values)
    return ColumnMapping(shape=shape, columns=columns, advanced_stages=stages, won_values=won, lost_values=lost)


def _holds_dates(raw: RawTable, header: str | None, sample: int = 200) -> bool:
    """Whether a column may hold dates: a date always has a digit ('12 Agustus 2026', '3/1/26'),
    so at least half of (a sample of) its distinct values must have one. An empty column may."""
    if header is None:
        return True
    values = value_set(raw, header)[:sample]
    return not values or 2 * sum(any(ch.isdigit() for ch in v) for v in values) >= len(values)


def propose_outcomes(values: Iterable[str]) -> tuple[frozenset[str], frozenset[str]]:
    """The values (as the file writes them) to propose as won and as lost beyond the spec's words."""
    won, lost = set(), set()
    for value in values:
        key = outcome_word(value)
        if key in WON_WORDS or key in LOST_WORDS:
            continue  # read as won or lost without a choice
        words = re.findall(r"[\w']+", key)  # "won't buy" starts with "won't", not "won"
        first = words[1:2] if words[:1] == ["closed"] else words[:1]
        if key in PROPOSED_WON_WORDS or first in (["won"], ["menang"]):
            won.add(value)  # a CRM's own won stages: "Closed Won - Paid", "Closed won (renewal)"
        elif key in PROPOSED_LOST_WORDS or first in (["lost"], ["kalah"], ["batal"], ["gagal"]):
            lost.add(value)
    return frozenset(won), frozenset(lost)


def outcome_word(text: str) -> str:
    """An outcome value as the word lists compare it: case and spacing dropped (``" Closed  Won"``
    -> ``"closed won"``)."""
    return " ".join(text.casefold().split())


def with_overrides(
    mapping: ColumnMapping,
    headers: Sequence[str],
    *,
    columns: Mapping[str, str | None] | None = None,
    advanced_stages: Iterable[str] | None = None,
    date_formats: Mapping[str, str] | None = None,
    decimal: str | None = None,
    won_values: Iterable[str] | None = None,
    lost_values: Iterable[str] | None = None,
    one_spelling: bool | None = None,
) -> ColumnMapping:
    """A copy of ``mapping`` with the user's corrections, checked against the file's headers.

    ``advanced_stages``, ``won_values``, ``lost_values`` and ``one_spelling``, when given, replace
    the proposal's."""
    canon = WEEKLY_COLUMNS if mapping.shape is Shape.WEEKLY_LOG else OPPORTUNITY_COLUMNS
    new_columns = dict(mapping.columns)
    for name, header in (columns or {}).items():
        if name not in canon:
            raise MappingError(f"'{name}' is not a column this app uses; use one of: {', '.join(canon)}.")
        if header is not None and header not in headers:
            raise MappingError(
                f"The file has no column '{header}' to use as {name}; its columns are: {', '.join(headers)}."
            )
        if header is not None:
            # A header plays one role: taking it for this role frees it from any other.
            for other, h in new_columns.items():
                if h == header and other != name:
                    new_columns[other] = None
        new_columns[name] = header or None
    if decimal not in (None, ".", ","):
        raise MappingError(f"The decimal mark must be '.' or ',', not '{decimal}'.")
    return ColumnMapping(
        shape=mapping.shape,
        columns=new_columns,
        advanced_stages=frozenset(advanced_stages) if advanced_stages is not None else mapping.advanced_stages,
        won_values=frozenset(won_values) if won_values is not None else mapping.won_values,
        lost_values=frozenset(lost_values) if lost_values is not None else mapping.lost_values,
        date_formats={**mapping.date_formats, **(date_formats or {})},
        decimal=decimal if decimal is not None else mapping.decimal,
        one_spelling=one_spelling if one_spelling is not None else mapping.one_spelling,
    )


def check_mapping(mapping: ColumnMapping, headers: Sequence[str]) -> None:
    """Raise :class:`MappingError` when a required role is unmapped or a header is missing or reused."""
    required = WEEKLY_REQUIRED if mapping.shape is Shape.WEEKLY_LOG else OPPORTUNITY_REQUIRED
    labels = {
        "rep": "the salesperson",
        "first_appointment": "the first-appointment (created) date",
        "week": "the week",
        "appointments": "the number of first appointments",
    }
    missing = [c for c in required if not mapping.header(c)]
    if missing:
        names = " and ".join(f"{labels.get(c, c)} ('{c}')" for c in missing)
        raise MappingError(f"No column is mapped to {names}; choose which of the file's columns holds it.")
    seen: dict[str, str] = {}
    for canonical, header in mapping.columns.items():
        if header is None:
            continue
        if header not in headers:
            raise MappingError(
                f"The file has no column '{header}' (mapped to {canonical}); its columns are: {', '.join(headers)}."
            )
        if header in seen:
            raise MappingError(
                f"The column '{header}' is mapped to both {seen[header]} and {canonical}; a column can play one role."
            )
        seen[header] = canonical


def outcome_of(text: str, mapping: ColumnMapping) -> str:
    """``won``, ``lost`` or ``open`` for an outcome (or stage) value, per spec 1c."""
    key = outcome_word(text)
    if key in WON_WORDS or text in mapping.won_values:
        return "won"
    if key in LOST_WORDS or text in mapping.lost_values:
        return "lost"
    return "open"
