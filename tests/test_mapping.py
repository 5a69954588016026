"""Column mapping proposals from real CRM export headers, and the user's corrections."""

from __future__ import annotations

import pytest

from kpi_core.errors import MappingError
from kpi_core.mapping import detect_shape, normalize, outcome_of, propose_mapping, propose_stages, with_overrides
from kpi_core.model import ColumnMapping, Shape
from kpi_core.reading import read_file, read_text


def _proposal(header_line: str) -> dict[str, str | None]:
    raw = read_text(header_line + "\n" + ",".join(["x"] * len(header_line.split(","))) + "\n")
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
