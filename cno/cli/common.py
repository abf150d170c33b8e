"""What every command shares: the open journal, "today", option types, messages."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from datetime import date, datetime, time
from typing import Annotated, Callable, List, Optional

import typer
from typer._click.globals import get_current_context

from cno.db import Journal, open_journal, resolve_path
from cno.errors import CnoError
from cno.render import FORMATS, visible


# The arguments of this invocation, as typed after `cno` (set by cno.cli.main).
ARGV: list[str] = []


class Session:
    """The journal of one invocation, opened on first use and closed at exit."""

    def __init__(self, db_option: str | None):
        self.db_option = db_option
        self._journal: Journal | None = None

    @property
    def path(self):
        return resolve_path(self.db_option)

    def journal(self) -> Journal:
        """The journal for a command that writes: created and migrated if needed."""
        if self._journal is None:
            # an upgrade it needs commits with the command's own write, or not at all
            self._journal = open_journal(self.path, create=True, hold_upgrade=True)
        self._label(self._journal)
        return self._journal

    @staticmethod
    def _label(j: Journal) -> None:
        """Name the change this command's write will be (README "Made a mistake?")."""
        import shlex

        j.command = shlex.join(ARGV)
        now = datetime.now()
        if os.environ.get("CNO_TODAY"):  # a fixed today dates the change too
            try:
                now = datetime.combine(date.fromisoformat(os.environ["CNO_TODAY"]), now.time())
            except ValueError:
                pass
        j.at = now.strftime("%Y-%m-%dT%H:%M")

    def reader(self) -> Journal | None:
        """The journal for a read-only command; None (and a note) if there is none yet."""
        if self._journal is None:
            self._journal = open_journal(self.path, create=False)
            if self._journal is None:
                note(f"no journal yet at {self.path} (add a contact to start one)")
            else:
                self._label(self._journal)  # a command that reads first may write later
        return self._journal

    def close(self) -> None:
        if self._journal is not None:
            self._journal.close()
            self._journal = None


def session() -> Session:
    return get_current_context().find_root().obj


@contextmanager
def writing(dry_run: bool, *, change: bool = True):
    """A writing command's one transaction (`change`: one change of the history).
    A dry run works on a throwaway copy of the journal in memory, so it reports
    exactly what would happen without holding the journal's write lock while
    it plans, and writes nothing."""
    if not dry_run:
        with session().journal().write(change=change) as conn:
            yield conn
        return
    from cno.db import scratch_copy

    scratch = scratch_copy(session().reader())
    try:
        with scratch.write(change=change) as conn:
            yield conn
    finally:
        scratch.close()


def today(as_of: str | None) -> date:
    """`--as-of`, else CNO_TODAY, else the local date (SPEC "Today")."""
    from cno.dates import day_of, parse_date

    real = date.today()
    if as_of:
        return day_of(parse_date(as_of, real))
    env = os.environ.get("CNO_TODAY")
    if env:
        try:
            return day_of(parse_date(env, real))
        except CnoError:
            raise CnoError(f"CNO_TODAY={env!r} is not a date — use YYYY-MM-DD") from None
    return real


def now_for(day: date, as_of: str | None = None) -> datetime:
    """The instant contacts' local times are shown for.

    With a fixed today (`--as-of` or CNO_TODAY) it is 09:00 local time that
    day, so reports stay deterministic; otherwise it is now.
    """
    if as_of or os.environ.get("CNO_TODAY"):
        return datetime.combine(day, time(9, 0)).astimezone()
    return datetime.now().astimezone()


def note(message: str) -> None:
    """A confirmation or warning: stderr, so stdout stays pure data."""
    print("\n".join(visible(line) for line in message.split("\n")), file=sys.stderr)


def check_format(fmt: str, allowed=FORMATS) -> str:
    f = fmt.strip().lower()
    if f not in allowed:
        raise CnoError(f"unknown format {fmt!r} — use {', '.join(allowed)}")
    return f


def complete_ref(ctx: typer.Context, param, incomplete: str) -> list:
    """Contact names and nicknames from the journal, for shell completion of a REF.

    A Click `shell_complete` rather than Typer's `autocompletion`: Typer keeps
    only candidates that begin with the typed text, and a REF completes from
    any word of a name ("lov" → Ada Lovelace).
    """
    from typer._click.shell_completion import CompletionItem

    from cno import contacts

    try:
        root = ctx.find_root()
        j = open_journal(resolve_path(root.params.get("db")), create=False)
        if j is None:
            return []
        try:
            names = contacts.names_for_completion(j.conn, incomplete)
        finally:
            j.close()
    except Exception:
        return []
    return [CompletionItem(shell_word(n)) for n in names]


def shell_word(text: str) -> str:
    """A completion candidate as one word of the shell that asked (README "From
    shell aliases and cron"): bash inserts candidates as they are, so spaces and
    other special characters get a backslash; zsh and fish quote on their own."""
    if not os.environ.get("_CNO_COMPLETE", "").startswith("complete_bash"):
        return text
    return "".join("\\" + ch if not (ch.isalnum() or ch in "@%+=:,./-_") else ch for ch in text)


def complete_from(values) -> "Callable":
    """A completer offering `values` (or what `values()` gives) that begin with what was typed."""

    def complete(incomplete: str) -> list[str]:
        typed = incomplete.casefold()
        return [v for v in (values() if callable(values) else values) if v.casefold().startswith(typed)]

    return complete


def complete_tags(ctx: typer.Context, incomplete: str) -> list[str]:
    """Every tag of the journal (contacts' and touchpoints') that begins with what was typed."""
    try:
        j = open_journal(resolve_path(ctx.find_root().params.get("db")), create=False)
        if j is None:
            return []
        try:
            tags = [r[0] for r in j.conn.execute("SELECT tag FROM contact_tags UNION SELECT tag FROM touchpoint_tags ORDER BY 1")]
        finally:
            j.close()
    except Exception:
        return []
    return complete_from(tags)(incomplete)


TIERS_COMPLETE = complete_from(["A", "B", "C"])
TAGS_COMPLETE = complete_tags


def one_contact(ref: str | None, contact: str | None) -> str | None:
    """A listing's contact filter, given as `REF` or `-c REF` alike (README "Decisions")."""
    if ref is not None and contact is not None and ref != contact:
        raise CnoError(f"two contacts given ({ref!r} and -c {contact!r}) — give one")
    return ref if ref is not None else contact


def interactive() -> bool:
    """Whether a person is there to answer a question (stdin is a terminal)."""
    return sys.stdin.isatty()


def confirm(question: str, yes: bool, refusal: str) -> None:
    """Ask on a terminal unless --yes; without a terminal, refuse (exit 2)."""
    if yes:
        return
    if not interactive():
        raise CnoError(refusal)
    # the question quotes names: escaped like any output, so a name can't drive the terminal
    if not typer.confirm(visible(question), default=False, err=True):
        raise CnoError("nothing changed")


# How every destructive command ends its message (README "Made a mistake?").
UNDO_HINT = "(cno undo to take it back)"

# Numbers typed on the command line stay within what SQLite stores (README
# "Exit codes"): a larger one is a usage error, never an overflow.
MAX_INT = 2**63 - 1

FormatOpt = Annotated[
    str,
    typer.Option("--format", "-f", metavar="FORMAT", help="table, plain, json, csv or md.", autocompletion=complete_from(FORMATS)),
]
AsOfOpt = Annotated[
    Optional[str],
    typer.Option("--as-of", metavar="DATE", help="Compute dates from this day instead of today (also CNO_TODAY)."),
]
RefArg = Annotated[str, typer.Argument(metavar="REF", help="Contact: id, e-mail, name or part of it.", shell_complete=complete_ref)]
TagsOpt = Annotated[
    Optional[List[str]], typer.Option("--tag", "-t", metavar="TAG", help="A tag (repeatable).", autocompletion=TAGS_COMPLETE)
]

ListRef = Annotated[
    Optional[str], typer.Argument(metavar="[REF]", help="Only this contact's (or: -c REF).", shell_complete=complete_ref)
]
ContactOpt = Annotated[
    Optional[str],
    typer.Option("--contact", "-c", metavar="REF", help="Only this contact's (or: REF).", shell_complete=complete_ref),
]

# Positional values may start with '-' (a date such as -2w).
DASH_OK = {"ignore_unknown_options": True}
