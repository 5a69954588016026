"""serve.py warms the server up as it starts: the first visitor's first page finds the sample ready."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.web.server.app_discovery import discover_asgi_app

from ui import state, warmup

from .conftest import APP, ROOT


def test_serve_py_is_the_app_with_a_warm_up_that_streamlit_run_discovers() -> None:
    found = discover_asgi_app(Path(ROOT / "serve.py"))
    assert found.is_asgi_app and found.app_name == "app"
    assert not discover_asgi_app(Path(APP)).is_asgi_app  # app.py stays a plain Streamlit script


def test_the_first_session_after_a_warm_up_uses_the_dataset_it_built() -> None:
    warm = warmup.run()
    assert warm is not None and warm.report.rows_loaded > 0
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    assert at.session_state[state.DATASET] is warm  # from the shared cache, not built again
    assert at.session_state[state.SOURCE].is_sample


def test_the_later_warm_up_imports_what_pages_draw_after_their_first_answer() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from ui import warmup; warmup.run(); "
        "before = {'ui.tables', 'ui.charts'} & set(sys.modules); "
        "ok = warmup.run_later(); print(sorted(before), ok, {'ui.tables', 'ui.charts'} <= set(sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.stdout.split("\n")[-2] == "[] True True", done.stderr


def test_the_warm_up_leaves_streamlit_s_first_element_check_nothing_to_resolve() -> None:
    """Streamlit's first element of a process runs ``inspect.stack()``; cold, that resolves the
    real path of every loaded module (0.12 s on the first visitor's clock). After the warm-up it
    resolves none of the modules loaded by then (counted in a fresh process)."""
    import os
    import subprocess
    import sys

    code = (
        "import os, inspect, streamlit, threading; from ui import warmup; "
        "warm = os.environ.get('WARM') == '1'; "
        "warmup._prime_inspect = warmup._prime_inspect if warm else (lambda: None); "
        "warmup.run(); "
        "calls = []; real = os.path.realpath; "
        "os.path.realpath = lambda p, *a, **k: (calls.append(p), real(p, *a, **k))[1]; "
        "inspect.stack(); print(len(calls))"
    )
    counts = {}
    for warm in ("0", "1"):
        done = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "WARM": warm},
        )
        assert done.returncode == 0, done.stderr
        counts[warm] = int(done.stdout.split()[-1])
    assert counts["0"] > 500  # the cold check resolves every module's file
    assert counts["1"] < 20, counts


def test_after_the_warm_up_the_garbage_collector_walks_only_what_sessions_make() -> None:
    """Streamlit collects garbage after every script run, before the run is over for the browser;
    the warm-up freezes what it loaded (gc.freeze), so that collection walks a few objects, not
    the libraries' 127,000 (75 ms a rerun here). Counted in a fresh process."""
    import subprocess
    import sys

    code = (
        "import gc; from ui import warmup; "
        "before = len(gc.get_objects()); warmup.run(); warmup.run_later(); "
        "print(before, gc.get_freeze_count(), len(gc.get_objects()), gc.isenabled())"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    before, frozen, walked = map(int, done.stdout.split()[-4:-1])
    assert before > 10_000 and frozen > 50_000  # the libraries are loaded and frozen
    assert walked < 2_000, walked  # what a full collection still walks
    assert done.stdout.split()[-1] == "True"  # automatic collection is back on (it was off while loading)


def test_a_failing_warm_up_turns_automatic_collection_back_on(monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    def fail() -> None:
        raise RuntimeError("no sample today")

    monkeypatch.setattr(warmup, "_load_sample", fail)
    assert gc.isenabled()
    assert warmup.run() is None  # only logged
    assert gc.isenabled()
