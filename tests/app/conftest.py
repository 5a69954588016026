"""AppTest helpers: the app from its absolute path, page switching, uploading a fixture file."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
FIXTURES = ROOT / "tests" / "fixtures"
SAMPLE = ROOT / "sample_data"
PAGES = ("overview", "funnels", "peers", "magic_number", "weekly", "data")


def new_app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def app() -> AppTest:
    """The app after its first run on the sample data (Team overview)."""
    return new_app()


def open_page(at: AppTest, name: str) -> AppTest:
    at.switch_page(f"pages/{name}.py").run()
    assert not at.exception, at.exception
    return at


def upload(at: AppTest, name: str, content: bytes, mime: str = "text/csv") -> AppTest:
    """Upload a file on the Data page (the mapping is proposed, not yet confirmed)."""
    open_page(at, "data")
    at.file_uploader(key="upload").set_value((name, content, mime)).run()
    assert not at.exception, at.exception
    return at


def confirm(at: AppTest) -> AppTest:
    at.button(key="confirm_mapping").click().run()
    assert not at.exception, at.exception
    return at


def upload_fixture(at: AppTest, file_name: str) -> AppTest:
    return confirm(upload(at, file_name, (FIXTURES / file_name).read_bytes()))


def sidebar_text(at: AppTest) -> str:
    return "\n".join(t.value for t in at.sidebar.text)


def metric(at: AppTest, label: str) -> str:
    for m in at.metric:
        if m.label == label:
            return str(m.value)
    raise AssertionError(f"no metric labelled {label!r}: {[m.label for m in at.metric]}")
