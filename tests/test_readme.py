"""The README's first two commands stay true: the run command is the entry the browser tests start."""

from __future__ import annotations

import inspect
import re

from tests.browser.conftest import start_server

from .conftest import ROOT


def _commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", text, re.S)
    assert block is not None, "the README starts with a bash block of set-up commands"
    return [line.split("#")[0].strip() for line in block.group(1).splitlines() if line.strip()]


def test_the_readme_starts_with_the_run_and_the_test_command() -> None:
    run, test = _commands()[:2]
    assert run == "pip install -r requirements.txt && streamlit run serve.py"
    assert test == "bash scripts/test.sh"
    assert (ROOT / "scripts" / "test.sh").exists() and (ROOT / "serve.py").exists()


def test_the_browser_tests_start_the_server_the_readme_runs() -> None:
    entry = inspect.signature(start_server).parameters["entry"].default
    assert f"streamlit run {entry}" in _commands()[0]
