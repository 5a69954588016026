"""Entry point of ``python -m kpi_core``.

The process ends with ``os._exit`` once its output is flushed: interpreter finalization tears
down native threads (DuckDB's, pyarrow's) and aborted a run now and then ("terminate called ...
exception not rethrown") after all its work was done and printed. A command-line run has nothing
left to clean up at that point; the exit status is the command's.
"""

import contextlib
import os
import sys

from .cli import main

status = main()
for stream in (sys.stdout, sys.stderr):
    with contextlib.suppress(OSError, ValueError):  # a reader that closed the pipe early
        stream.flush()
os._exit(status)
