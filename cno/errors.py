"""The errors cno raises, each with the exit code it maps to (SPEC: exit codes)."""


class CnoError(Exception):
    """Bad input: an unreadable value, an unknown reference, a refused action."""

    exit_code = 2


class JournalError(CnoError):
    """The journal cannot be used: locked, corrupt, newer, not writable."""

    exit_code = 3


class DateError(CnoError):
    """A DATE or DURATION that cannot be read."""
