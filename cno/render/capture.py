"""The capture views: the touchpoints logged (or that would be), the counts, the progress bar."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Callable, Iterator

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


@contextmanager
def progress(total: int | None, label: str) -> Iterator[Callable[[], None]]:
    """A Rich progress bar on stderr when it is a terminal; a no-op otherwise."""
    if not sys.stderr.isatty():
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(file=sys.stderr, markup=False, highlight=False),
        transient=True,
    )
    with bar:
        task = bar.add_task(label, total=total)
        yield lambda: bar.advance(task)
