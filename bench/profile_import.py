"""Where the project's import + KPI table time goes: cProfile of the ``project`` contender.

    python -m bench.profile_import --rows 1000000 --top 25

Prints the top functions by cumulative and by own time (pstats), and the phase timings.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import io
import pstats
from pathlib import Path

from bench import generate
from bench.contenders import IMPORTS, WARM_UPS, project


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    data = args.data or generate.DATA / f"opportunities_{args.rows}.csv"
    if not data.exists():
        generate.write(args.rows, data)
    for module in IMPORTS["project"]:
        importlib.import_module(module)  # imported outside the profile, as in the benchmark
    WARM_UPS["project"]()  # and the server's warm-up, as in the benchmark

    phases: dict[str, float] = {}
    profiler = cProfile.Profile()
    profiler.enable()
    project(data, phases)
    profiler.disable()
    out = io.StringIO()
    out.write("phases (s, under the profiler): " + ", ".join(f"{k} {v:.2f}" for k, v in phases.items()) + "\n")
    for sort in ("cumulative", "tottime"):
        out.write(f"\n--- top {args.top} by {sort} ---\n")
        stats = pstats.Stats(profiler, stream=out)
        stats.strip_dirs().sort_stats(sort).print_stats(args.top)
    text = out.getvalue()
    print(text)
    return text


if __name__ == "__main__":
    main()
