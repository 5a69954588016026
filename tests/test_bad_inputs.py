"""Bad and messy inputs: each one loads with every row accounted for, or is refused in one sentence.

The cases and their exact expected outcomes live in ``tests/bad_inputs/make_cases.py``; the same
list generates ``docs/bad-inputs.md``, so the documentation cannot drift from what is tested.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kpi_core.errors import KpiError
from kpi_core.importing import load
from kpi_core.model import Dataset

from .bad_inputs.make_cases import CASES, Case, Loaded, Refused, render_markdown
from .conftest import ROOT

DOC = ROOT / "docs" / "bad-inputs.md"
LOADED = [c for c in CASES if isinstance(c.expected, Loaded)]
REFUSED = [c for c in CASES if isinstance(c.expected, Refused)]
WITH_FACTS = [c for c in LOADED if isinstance(c.expected, Loaded) and c.expected.facts]
DANGEROUS = [c for c in CASES if c.dangerous]


def _ids(cases: list[Case]) -> list[str]:
    return [c.name for c in cases]


def _load(case: Case, tmp_path: Path) -> Dataset:
    path = case.write(tmp_path)
    return load(path.read_bytes(), path.name, case.options, case.limits)


def _facts(ds: Dataset) -> dict[str, Any]:
    table = ds.table.sort_by("line")
    fa = ds.mapping.header("first_appointment") or ""
    return {
        "reps": tuple(sorted(set(table.column("rep").to_pylist()))),
        "amounts": tuple(table.column("amount").to_pylist()) if "amount" in table.column_names else None,
        "decimal": ds.report.decimal,
        "delimiter": ds.report.delimiter,
        "encoding": ds.report.encoding,
        "file_format": ds.report.file_format,
        "sheet": ds.report.sheet,
        "date_format": ds.report.date_formats.get(fa),
        "first_date": ds.first_date,
        "formula_notes": tuple(n for n in ds.report.notes if "formula" in n),
    }


def _sentence_says(sentence: str, words: tuple[str, ...]) -> None:
    missing = [w for w in words if w.casefold() not in sentence.casefold()]
    assert not missing, f"{sentence!r} does not say {missing}"
    assert "\n" not in sentence and "Traceback" not in sentence
    assert sentence.endswith("."), sentence


def test_the_suite_has_at_least_thirty_cases_with_unique_names() -> None:
    assert len(CASES) >= 30
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", LOADED, ids=_ids(LOADED))
def test_a_messy_file_loads_with_every_row_accounted_for(case: Case, tmp_path: Path) -> None:
    expected = case.expected
    assert isinstance(expected, Loaded)
    report = _load(case, tmp_path).report
    assert (report.rows_loaded, report.data_rows) == (expected.rows_loaded, expected.data_rows)
    assert report.rows_loaded + report.rows_set_aside == report.data_rows
    assert [(r.line, r.reason) for r in report.set_aside] == list(expected.set_aside)
    assert [(u.column, u.count, u.example_lines, u.examples) for u in report.unreadable] == [
        u[:4] for u in expected.unreadable
    ]
    for u, (*_, reason) in zip(report.unreadable, expected.unreadable, strict=True):
        assert reason in u.reason
    for fragment in expected.notes:
        assert any(fragment in note for note in report.notes), f"no note says {fragment!r}: {report.notes}"


@pytest.mark.parametrize("case", WITH_FACTS, ids=_ids(WITH_FACTS))
def test_a_messy_file_keeps_its_names_numbers_and_formats(case: Case, tmp_path: Path) -> None:
    assert isinstance(case.expected, Loaded)
    facts = _facts(_load(case, tmp_path))
    assert {k: facts[k] for k, _ in case.expected.facts} == dict(case.expected.facts)


@pytest.mark.parametrize("case", REFUSED, ids=_ids(REFUSED))
def test_an_unusable_file_is_refused_in_one_sentence(case: Case, tmp_path: Path) -> None:
    expected = case.expected
    assert isinstance(expected, Refused)
    with pytest.raises(KpiError) as err:
        _load(case, tmp_path)
    assert type(err.value) is expected.error, f"{type(err.value).__name__}: {err.value}"
    _sentence_says(str(err.value), expected.words)


@pytest.mark.parametrize("case", DANGEROUS, ids=_ids(DANGEROUS))
def test_a_hostile_file_neither_hangs_nor_crashes_the_cli(case: Case, tmp_path: Path) -> None:
    path = case.write(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "kpi_core", "inspect", str(path), "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=case.timeout,
        check=False,
    )
    assert "Traceback" not in done.stderr
    if isinstance(case.expected, Refused):
        assert done.returncode == 2, done.stderr
        assert done.stdout == ""
        assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1, done.stderr
        _sentence_says(done.stderr.removeprefix("error: ").strip(), case.expected.words)
    else:
        assert done.returncode == 0, done.stderr
        doc = json.loads(done.stdout)
        assert (doc["rows_loaded"], doc["rows"]) == (case.expected.rows_loaded, case.expected.data_rows)


def test_the_documentation_lists_every_case_with_its_outcome() -> None:
    text = DOC.read_text(encoding="utf-8")
    for case in CASES:
        assert f"`{case.name}`" in text, f"docs/bad-inputs.md does not list {case.name}"
    assert text == render_markdown(), (
        "docs/bad-inputs.md is stale: python -m tests.bad_inputs.make_cases > docs/bad-inputs.md"
    )
