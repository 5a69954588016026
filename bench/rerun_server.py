"""Page rerun times on the real server, as a browser's session sees them:

    python -m bench.rerun_server --rows 1000000 --repeat 20

``streamlit run serve.py`` is started cold and a websocket session (``tests/load/ws_client.py``,
Streamlit's own protocol) uploads the file on the Data page and confirms its mapping, as a
manager does. Then it changes one widget at a time and times each rerun from the message that
asks for it to the server's ``script_finished``: the server's time, plus the local websocket and
the client reading every message. The same scenarios as ``bench.rerun`` (AppTest), whose times
also hold AppTest's own work on every run (it compiles ``app.py`` and the page again, 4 ms each,
where a server compiles them once).
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path
from typing import Any

from .first_page import _serving
from .rerun import data_file, markdown, measured

ROOT = Path(__file__).resolve().parent.parent


def _teams(content: bytes) -> list[str]:
    """The file's teams, as the sidebar's filter lists them."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    table = pacsv.read_csv(pa.BufferReader(content), convert_options=pacsv.ConvertOptions(include_columns=["Team"]))
    return sorted({t for t in table.column("Team").to_pylist() if t})


def measure(data: Path, repeat: int, settle: float = 4.0) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    from tests.load.ws_client import StreamlitSession, widget_id

    content = data.read_bytes()
    teams = _teams(content)
    # Distinct team selections, as in bench.rerun: one team, then pairs, then back to all.
    selections = [[t] for t in teams] + [[a, b] for a, b in itertools.pairwise(teams)] + [[]]
    results: dict[str, Any] = {}
    with _serving("serve.py", 120) as (url, _), StreamlitSession(url, timeout=600) as session:
        time.sleep(settle)  # the warm-up, as for a visitor arriving after the server started
        session.open()
        run = session.go("data")
        run = session.upload(run, "upload", data.name, content)
        start = time.perf_counter()
        run = session.click(run, "confirm_mapping")
        results["load_seconds"] = time.perf_counter() - start
        if run.exceptions or not run.contains(f"Source: {data.name}"):
            raise RuntimeError(f"the file did not load: {run.exceptions or run.alerts}")
        run = session.go("overview")
        results["rows"] = _rows_loaded(run.text())
        results["first_run_overview_ms"] = run.seconds * 1000

        def timed(set_state: Any, count: int) -> list[float]:
            times = []
            for i in range(count):
                set_state(i)
                rerun = session.rerun()
                if rerun.exceptions:
                    raise RuntimeError(f"the page raised: {rerun.exceptions}")
                times.append(rerun.seconds * 1000)
            return times

        def set_teams(i: int) -> None:
            wid = widget_id(run, "filter_teams")
            state = WidgetState(id=wid)
            state.string_array_value.data.extend(selections[i % len(selections)])
            session.states[wid] = state

        results["overview_filter_ms"] = timed(set_teams, repeat)
        set_teams(0)
        if not session.rerun().contains(f"Filters: Teams: {selections[0][0]}"):
            raise RuntimeError("the teams filter did not reach the server")
        session.states.pop(widget_id(run, "filter_teams"))
        run = session.go("magic_number")
        results["first_run_magic_number_ms"] = run.seconds * 1000

        def set_double(key: str, value: float, array: bool) -> None:
            wid = widget_id(run, key)
            state = WidgetState(id=wid)
            if array:
                state.double_array_value.data.append(value)
            else:
                state.double_value = value
            session.states[wid] = state

        results["magic_slider_ms"] = timed(lambda i: set_double("mn_p1_slider", 40.0 + 0.5 * (i % 60), True), repeat)
        results["magic_number_input_ms"] = timed(
            lambda i: set_double("mn_goal_input", 1_000_000.0 + 1000 * i, False), repeat
        )
        results["magic_filter_ms"] = timed(set_teams, repeat)
    return results


def _rows_loaded(text: str) -> int:
    """The rows the sidebar says were loaded ("1,000,000 rows loaded" in any currency's digits)."""
    for line in text.splitlines():
        if line.endswith("rows loaded (opportunity list)"):
            return int("".join(ch for ch in line.split(" rows loaded")[0] if ch.isdigit()))
    raise RuntimeError("the sidebar does not say how many rows were loaded")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--data", type=Path)
    parser.add_argument("--settle", type=float, default=4.0, help="seconds between health and the session")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    data = data_file(args.rows, args.data)
    results = measured(lambda: measure(data, args.repeat, args.settle), args.out)
    print("Real server (streamlit run serve.py), websocket session; " + markdown(results))
    return results


if __name__ == "__main__":
    main()
