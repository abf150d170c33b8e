"""The capture views: the touchpoints logged (or that would be), and the counts."""

from __future__ import annotations

from cno.render import Col, Listing

COLS = [
    Col("id", "id", lambda v: "" if v is None else str(v), "right", role="id"),
    Col("on", "on", role="date"),
    Col("names", "with"),
    Col("via", "via", role="status"),
    Col("minutes", "min", justify="right"),
    Col("direction", "dir", role="status"),
    Col("note", "note", role="note"),
]


def touchpoints(rows: list[dict], *, dry_run: bool) -> Listing:
    cols = COLS[1:] if dry_run else COLS
    title = "Would log" if dry_run else "Logged"
    return Listing(rows, cols, title=title, empty="nothing new to capture")


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
