"""Named errors. Each carries the one sentence the user reads: what is wrong, where, what to do."""

from __future__ import annotations


class KpiError(Exception):
    """Base of every error kpi_core raises on purpose; ``str(err)`` is the user-facing sentence."""


class UnreadableFileError(KpiError):
    """The file cannot be used at all (wrong type, empty, corrupt, no header)."""


class LimitExceededError(KpiError):
    """The file or a query goes past a size, row, column or time limit."""


class MappingError(KpiError):
    """The column mapping is incomplete or names a column the file does not have."""


class AmbiguousFormatError(KpiError):
    """A date or number column can be read two ways; the user must choose.

    ``column`` is the file's header, ``kind`` is ``"date"`` or ``"decimal"`` and ``options``
    the choices that fit every value (date formats, or decimal marks).
    """

    def __init__(self, message: str, *, column: str, kind: str, options: tuple[str, ...]) -> None:
        super().__init__(message)
        self.column = column
        self.kind = kind
        self.options = options


class OptionNotAvailableError(KpiError):
    """An option the data cannot support (e.g. decided-only on a weekly log)."""


class InvalidInputError(KpiError):
    """A parameter given by the user is out of range or of the wrong kind."""
