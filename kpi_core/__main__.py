"""Entry point of ``python -m kpi_core``."""

import sys

from .cli import main

sys.exit(main())
