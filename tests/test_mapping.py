"""Column mapping proposals from real CRM export headers, and the user's corrections."""

from __future__ import annotations

from typing import Any

import pytest

from kpi_core.errors import MappingError
from kpi_core.importing import load
from kpi_core.mapping import detect_shape, normalize, outcome_of, propose_mapping, propose_stages, with_overrides
from kpi_core.model import ColumnMapping, Shape
from kpi_core.queries import kpis
from kpi_core.reading import read_file, read_text


def _proposal(header_line: str) -> dict[str, str | None]:
    # A cell with a digit in every column: a date column's proposal is kept only if it may hold dates.
    raw = read_text(header_line + "\n" + ",".join(["1"] * len(header_line.split(","))) + "\n")
    return propose_mapping(raw).columns


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            "Opportunity Owner,Created Date,Stage,Close Date,Amount",
            {
                "rep": "Opportunity Owner",
                "first_appointment": "Created Date",
                "stage": "Stage",
                "close_date": "Close Date",
                "amount": "Amount",
            },
        ),
        (
            "Deal owner,Create Date,Deal Stage,Close Date,Amount",
            {
                "rep": "Deal owner",
                "first_appointment": "Create Date",
                "stage": "Deal Stage",
                "close_date": "Close Date",
                "amount": "Amount",
            },
        ),
        (
            "Deal - Owner,Deal - Deal created,Deal - Stage,Deal - Status,Deal - Value,Deal - Won time",
            {
                "rep": "Deal - Owner",
                "first_appointment": "Deal - Deal created",
                "stage": "Deal - Stage",
                "outcome": "Deal - Status",
                "amount": "Deal - Value",
                "close_date": "Deal - Won time",
            },
        ),
        (
            "SALES REP,  created ,Revenue,Team,Region",
            {"rep": "SALES REP", "first_appointment": "created", "amount": "Revenue", "team": "Team"},
        ),
        (
            "Owner,Created,Won,Close Date,Value",
            {
                "rep": "Owner",
                "first_appointment": "Created",
                "outcome": "Won",
                "close_date": "Close Date",
                "amount": "Value",
            },
        ),
        (
            "sales_agent,engage_date,deal_stage,close_date,close_value",
            {
                "rep": "sales_agent",
                "first_appointment": "engage_date",
                "stage": "deal_stage",
                "close_date": "close_date",
                "amount": "close_value",
            },
        ),
        (
            "Nama Sales,Tim,Tanggal Janji Pertama,Tanggal Demo,Status,Tanggal Tutup,Nilai",
            {
                "rep": "Nama Sales",
                "team": "Tim",
                "first_appointment": "Tanggal Janji Pertama",
                "next_step": "Tanggal Demo",
                "outcome": "Status",
                "close_date": "Tanggal Tutup",
                "amount": "Nilai",
            },
        ),
    ],
    ids=["salesforce", "hubspot", "pipedrive", "variants", "short-names", "maven-sample", "indonesian"],
)
def test_crm_export_headers_get_the_right_roles(headers: str, expected: dict[str, str]) -> None:
    proposal = _proposal(headers)
    for canonical, header in expected.items():
        assert proposal[canonical] == header, canonical
    unmapped = set(proposal) - set(expected)
    assert all(proposal[c] is None for c in unmapped if c != "team")


def test_a_header_plays_at_most_one_role() -> None:
    proposal = _proposal("Owner,Created Date,Close Date,Amount,Revenue")
    used = [h for h in proposal.values() if h]
    assert len(used) == len(set(used))


def test_a_week_and_appointments_column_make_a_weekly_log() -> None:
    assert detect_shape(["Rep", "Week", "Appointments", "Wins"]) is Shape.WEEKLY_LOG
    assert detect_shape(["Rep", "Created Date", "Amount"]) is Shape.OPPORTUNITIES


def test_crm_default_stage_names_are_proposed_as_advanced_and_lost_is_not() -> None:
    stages = [
        "Prospecting",
        "Qualification",
        "Needs Analysis",
        "Proposal/Price Quote",
        "Negotiation/Review",
        "Closed Won",
        "Closed Lost",
        "Demo Scheduled",
        "Lead In",
        "Contact Made",
        "Presentation Scheduled",
    ]
    assert propose_stages(stages) == {
        "Proposal/Price Quote",
        "Negotiation/Review",
        "Closed Won",
        "Demo Scheduled",
        "Presentation Scheduled",
    }


def test_indonesian_stage_names_past_the_first_gate_are_proposed() -> None:
    """The next step as the seed article names it: a demo, a site visit, a survey or a proposal."""
    stages = [
        "Prospek",
        "Janji Temu",
        "Janji Pertama",
        "Demonstrasi",
        "Kunjungan Situs",
        "Kunjungan Lokasi",
        "Survei",
        "Usulan",
        "Penawaran Harga",
        "Presentasi",
        "Negosiasi",
        "Kontrak",
        "Menang",
        "Kalah",
        "Batal",
        "Gagal Setelah Demo",
    ]
    assert propose_stages(stages) == {
        "Demonstrasi",
        "Kunjungan Situs",
        "Kunjungan Lokasi",
        "Survei",
        "Usulan",
        "Penawaran Harga",
        "Presentasi",
        "Negosiasi",
        "Kontrak",
        "Menang",
    }


@pytest.mark.parametrize(
    ("text", "outcome"),
    [
        ("won", "won"),
        (" Closed Won ", "won"),
        ("closed-won", "won"),
        ("ClosedWon", "won"),
        ("YES", "won"),
        ("1", "won"),
        ("true", "won"),
        ("win", "won"),
        ("lost", "lost"),
        ("Closed Lost", "lost"),
        ("closed-lost", "lost"),
        ("no", "lost"),
        ("0", "lost"),
        ("FALSE", "lost"),
        ("", "open"),
        ("open", "open"),
        ("Negotiation", "open"),
    ],
)
def test_outcome_words_of_the_spec_are_matched_case_insensitively(text: str, outcome: str) -> None:
    assert outcome_of(text, ColumnMapping(Shape.OPPORTUNITIES, {})) == outcome


def test_the_user_can_correct_the_mapping_and_a_reused_header_moves() -> None:
    raw = read_text("Owner,Created,Closed,Amount\nA,2026-01-01,2026-01-05,10\n")
    proposal = propose_mapping(raw)
    changed = with_overrides(proposal, raw.headers, columns={"first_appointment": "Closed"})
    assert changed.header("first_appointment") == "Closed"
    assert changed.header("close_date") is None


def test_mapping_to_a_missing_header_is_one_clear_sentence() -> None:
    raw = read_text("Owner,Created\nA,2026-01-01\n")
    with pytest.raises(MappingError, match="no column 'Nope'"):
        with_overrides(propose_mapping(raw), raw.headers, columns={"rep": "Nope"})


def test_normalize_ignores_case_punctuation_and_spacing() -> None:
    assert normalize("  Deal - Owner ") == "deal owner"
    assert normalize("Probability (%)") == "probability"


def test_an_indonesian_weekly_log_gets_its_roles() -> None:
    raw = read_text("Nama Sales;Minggu;Janji;Demo;Closing;Omzet\nAndi;19/01/2026;5;3;2;Rp 20.000.000\n")
    mapping = propose_mapping(raw)
    assert mapping.shape is Shape.WEEKLY_LOG
    assert {c: h for c, h in mapping.columns.items() if h} == {
        "rep": "Nama Sales",
        "week": "Minggu",
        "appointments": "Janji",
        "next_steps": "Demo",
        "wins": "Closing",
        "revenue": "Omzet",
    }


@pytest.mark.parametrize(
    ("values", "won", "lost"),
    [
        (["Menang", "Kalah", "Terbuka"], {"Menang"}, {"Kalah"}),
        ([" BERHASIL ", "Gagal", "Batal"], {" BERHASIL "}, {"Gagal", "Batal"}),  # as the file writes them
        (["Won", "Lost", "Open"], set(), set()),  # the spec's words need no proposal
    ],
)
def test_indonesian_outcome_words_are_proposed_as_won_or_lost(values: list[str], won: set[str], lost: set[str]) -> None:
    from kpi_core.mapping import propose_outcomes

    assert propose_outcomes(values) == (frozenset(won), frozenset(lost))


@pytest.mark.parametrize(
    ("headers", "rep", "team"),
    [
        (
            ["Deal Name", "Deal owner", "Create Date", "Deal Stage", "HubSpot Team", "Amount"],
            "Deal owner",
            "HubSpot Team",
        ),
        (["Deal owner", "Deal owner's team", "Create Date", "Deal Stage"], "Deal owner", "Deal owner's team"),
        (["Opportunity Owner", "Owner Role", "Created Date", "Stage", "Amount"], "Opportunity Owner", "Owner Role"),
        (["Nama Sales", "Tim Penjualan", "Tanggal Janji", "Status", "Nilai"], "Nama Sales", "Tim Penjualan"),
    ],
)
def test_a_crm_s_own_team_columns_are_proposed_as_the_team(headers: list[str], rep: str, team: str) -> None:
    raw = read_file((",".join(headers) + "\n" + ",".join("x" for _ in headers) + "\n").encode(), "h.csv")
    mapping = propose_mapping(raw)
    assert (mapping.header("rep"), mapping.header("team")) == (rep, team)


@pytest.mark.parametrize(
    ("headers", "role", "expected"),
    [
        # A multi-currency CRM: the amount in the company's one currency, never each deal's own.
        (
            "Deal owner,Create Date,Amount,Deal Currency Code,Amount in company currency",
            "amount",
            "Amount in company currency",
        ),
        ("Opportunity Owner,Created Date,Amount Currency,Amount,Amount (converted)", "amount", "Amount (converted)"),
        # A unit after the name.
        ("Nama Sales,Tanggal Janji Temu,Nilai (Rp)", "amount", "Nilai (Rp)"),
        ("Owner,Created,Value (USD)", "amount", "Value (USD)"),
        ("Nama Sales,Tanggal Janji Temu,Nilai Deal", "amount", "Nilai Deal"),
        # A stage-history date column is not the outcome: the stage gives it.
        ('Deal owner,Create Date,Deal Stage,"Date entered ""Closed Won (Sales Pipeline)"""', "outcome", None),
        ("Deal owner,Create Date,Deal Stage,Won Date", "outcome", None),
    ],
)
def test_real_headers_that_name_a_unit_or_a_currency(headers: str, role: str, expected: str | None) -> None:
    assert _proposal(headers)[role] == expected


def test_a_weekly_logs_cycle_in_days_in_indonesian() -> None:
    raw = read_text('Nama Sales,Minggu,Janji Temu,Menang,Siklus (hari)\nAna,2026-03-02,5,1,"12,5"\n')
    assert propose_mapping(raw).columns["cycle_days"] == "Siklus (hari)"


def test_a_next_step_column_of_free_text_is_not_proposed_as_a_date() -> None:
    """Salesforce's and HubSpot's "Next Step" field is a note ("Send contract"); a sheet's own
    "Next Step" column of dates is still proposed."""
    notes = read_text(
        "Opportunity Owner,Created Date,Next Step,Close Date\n"
        "Sarah,1/5/2026,Send contract,2/16/2026\n"
        "Sarah,1/13/2026,Follow up 2/20,\n"
        "Tom,1/7/2026,Call CFO,1/30/2026\n"
        "Tom,1/8/2026,,1/30/2026\n"
    )
    assert propose_mapping(notes).columns["next_step"] is None
    dates = read_text("Sales Rep,First Appointment,Next Step\nAna,2026-03-02,2026-03-05\nAna,2026-03-03,\n")
    assert propose_mapping(dates).columns["next_step"] == "Next Step"
    empty = read_text("Sales Rep,First Appointment,Next Step\nAna,2026-03-02,\n")
    assert propose_mapping(empty).columns["next_step"] == "Next Step"


def test_a_crms_own_won_and_lost_stages_are_proposed_as_won_and_lost() -> None:
    raw = read_text(
        "Deal owner,Create Date,Deal Stage\n"
        "Maya,2026-06-01,Closed Won\n"
        "Maya,2026-06-02,Closed Won - Paid\n"
        "Maya,2026-06-03,Closed won (renewal)\n"
        "Maya,2026-06-04,Closed Lost - No budget\n"
        "Maya,2026-06-05,Won't buy\n"
        "Maya,2026-06-06,Closed\n"
        "Maya,2026-06-07,Lost to competitor\n"
    )
    mapping = propose_mapping(raw)
    assert mapping.won_values == {"Closed Won - Paid", "Closed won (renewal)"}
    assert mapping.lost_values == {"Closed Lost - No budget", "Lost to competitor"}


def test_hubspot_stage_history_and_own_won_stages_count_as_sales(cursor: Any) -> None:
    """Hand-computed: Ana 4 deals, 1 won (1,200); Ben 2 deals, 1 won with a CRM's own won stage (3,000)."""
    content = (
        b'Deal owner,Create Date,Deal Stage,Close Date,Amount,"Date entered ""Closed Won (Sales Pipeline)"""\n'
        b"Ana Lopez,2026-03-02T14:30:00Z,Closed Won,2026-03-20T09:00:00Z,1200,2026-03-20\n"
        b"Ana Lopez,2026-03-05T09:00:00Z,Presentation Scheduled,,900,\n"
        b"Ana Lopez,2026-03-10T09:00:00Z,Appointment Scheduled,,700,\n"
        b"Ana Lopez,2026-03-12T09:00:00Z,Closed Lost,2026-03-25T09:00:00Z,500,\n"
        b"Ben Carter,2026-03-03T10:00:00Z,Closed Won - Paid,2026-03-28T10:00:00Z,3000,2026-03-28\n"
        b"Ben Carter,2026-03-18T10:00:00Z,Qualified To Buy,,800,\n"
    )
    ds = load(content, "hubspot.csv")
    got = {r.group: (r.appointments, r.advanced, r.won, r.revenue, r.cycle_days_mean) for r in kpis(cursor, ds, "rep")}
    assert got == {"Ana Lopez": (4, 2, 1, 1200, 18), "Ben Carter": (2, 1, 1, 3000, 25)}
