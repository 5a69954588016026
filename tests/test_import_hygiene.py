"""kpi_core is usable without the UI: importing it never pulls in streamlit or altair."""

from __future__ import annotations

import subprocess
import sys

from .conftest import ROOT


def test_kpi_core_never_imports_streamlit_or_altair() -> None:
    code = (
        "import sys, pkgutil, importlib, kpi_core\n"
        "for m in pkgutil.iter_modules(kpi_core.__path__):\n"
        "    if m.name != '__main__': importlib.import_module('kpi_core.' + m.name)\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in ('streamlit', 'altair'))\n"
        "print(','.join(bad))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
