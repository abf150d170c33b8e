"""The capture views: the touchpoints logged (or that would be), and the counts."""

from __future__ import annotations

from cno.render import Col, emit

COLS = [
    Col("id", "id", lambda v: "" if v is None else str(v), "right"),
    Col("on", "on"),
    Col("names", "with"),
    Col("via", "via"),
    Col("minutes", "min", justify="right"),
    Col("direction", "dir"),
    Col("note", "note"),
]


def touchpoints(rows: list[dict], fmt: str, *, dry_run: bool) -> None:
    cols = COLS[1:] if dry_run else COLS
    title = "Would log" if dry_run else "Logged"
    emit(rows, fmt, cols, title=title, empty="nothing new to capture")


def summary(counts, logged: int, *, dry_run: bool) -> str:
    """One line of counts for stderr; the four main ones always, the rest when they happened."""
    c = counts
    parts = [
        f"{'would log' if dry_run else 'logged'} {logged} touchpoint{'' if logged == 1 else 's'}",
        f"{c.already} already captured",
        f"{c.unknown} with no known contact",
        f"{c.unparseable} unparseable",
    ]
    extra = [
        (c.ignored, "skipped as mailing list, no-reply, cancelled or declined"),
        (c.earlier, "before --since"),
        (c.later, "after today"),
        (c.unchanged_files, "unchanged file{s} not read again"),
        (c.contacts_added, "new contact{s} tagged captured" if not dry_run else "new contact{s} to add"),
    ]
    parts += [f"{n} {what.format(s='' if n == 1 else 's')}" for n, what in extra if n]
    return "capture: " + ", ".join(parts)
