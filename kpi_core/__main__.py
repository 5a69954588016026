"""Entry point of ``python -m kpi_core``.

Arrow's memory pool hands freed memory back at once (:func:`cli.return_memory_promptly`).

The process ends with ``os._exit`` once its output is flushed: interpreter finalization tears
down native threads (DuckDB's, pyarrow's) and aborted a run now and then ("terminate called ...
exception not rethrown") after all its work was done and printed. A command-line run has nothing
left to clean up at that point; the exit status is the command's.
"""

import contextlib
import os
import sys

from .cli import main, return_memory_promptly

return_memory_promptly()
status = main()
for stream in (sys.stdout, sys.stderr):
    with contextlib.suppress(OSError, ValueError):  # a reader that closed the pipe early
        stream.flush()
os._exit(status)
