"""The command line: parse, call the core, hand the result to render.

`main(argv) -> int` is the entry point (console script, `python -m cno`,
tests): it runs the Typer app without Click's standalone handling and maps
every error to one `cno: ...` line on stderr and an exit code (SPEC "Exit
codes and errors").
"""

from __future__ import annotations

import os
import sqlite3
import sys

import typer
from typer import _click as click
from typer.core import TyperGroup

from cno import __version__
from cno.errors import CnoError

# Every command, and the module under cno.cli that defines it, in --help order.
# Only the module of the command being run is imported: `cno log` does not
# pay for Typer to build (or Python to load) `cno export ics`.
COMMANDS = {
    "demo": "admin",
    "add": "contacts", "edit": "contacts", "show": "contacts", "list": "contacts", "ls": "contacts",
    "archive": "contacts", "unarchive": "contacts", "rm": "contacts", "merge": "contacts",
    "milestone": "contacts",
    "log": "touchpoints", "history": "touchpoints", "touch": "touchpoints",
    "follow-up": "followups", "done": "followups", "snooze": "followups", "due": "followups",
    "followups": "followups",
    "referral": "referrals", "intro": "referrals", "referrals": "referrals",
    "goal": "goals", "goals": "goals",
    "review": "reports", "suggest": "reports", "stats": "reports",
    "capture": "capture", "sync": "sync",
    "import": "data", "export": "data", "backup": "data", "search": "data", "graph": "data",
    "dupes": "dupes", "tags": "tags",
    "undo": "history", "redo": "history", "changes": "history",
    "config": "admin", "db": "dbcmd",
}  # fmt: skip


# `cno --help`: the commands in panels, each with a line for the list (a
# command's own --help is its docstring). Written here so the help needs no
# command module and no Rich: it is as fast as `cno log` (README "Quickstart").
PANELS = {
    "Daily loop": {
        "log": "Log a touchpoint: a coffee, a call, an e-mail, an intro",
        "due": "Who is overdue or coming up; the id there is for done",
        "done": "Close a follow-up (ID), or all of a contact's (REF)",
        "snooze": "Move a check-in or a follow-up later",
        "show": "A contact's card and timeline",
        "history": "Touchpoints, newest first",
        "touch": "Edit or delete a touchpoint",
        "undo": "Take back the last change (again: the one before)",
        "redo": "Re-apply the change last undone",
    },
    "Contacts": {
        "add": "Add a contact",
        "edit": "Change a contact's fields",
        "list": "List contacts (alias: ls)",
        "archive": "Keep a contact but never make them due",
        "unarchive": "Bring an archived contact back",
        "rm": "Delete a contact and what is only theirs",
        "merge": "Merge a duplicate into another contact",
        "dupes": "Likely duplicate contacts, with the merge line",
        "tags": "Every tag, with its contacts and touchpoints",
        "milestone": "Anniversaries, a new job, a child's birth",
    },
    "Follow-ups": {
        "follow-up": "Promise a follow-up by a date",
        "followups": "List, edit or delete follow-ups",
    },
    "Referrals": {
        "referral": "Give, receive, close and list referrals",
        "intro": "Log an introduction of two contacts",
        "referrals": "The Givers Gain ledger per contact",
    },
    "Goals": {
        "goal": "Add, edit, list or remove goals",
        "goals": "Each goal's progress in its current period",
    },
    "Reports": {
        "review": "The digest for cron: overdue, coming up, goals, …",
        "suggest": "Who to reach out to today, and why",
        "stats": "Touchpoints per week, engagement, breakdowns",
        "search": "Full-text search of names, companies, notes",
        "graph": "The network of introductions and referrals",
    },
    "Data": {
        "import": "LinkedIn, vCard, CSV or a cno JSON dump",
        "export": "A JSON dump, CSV, vCard or iCalendar",
        "capture": "Touchpoints from calendars (files or vdirs) and mail",
        "sync": "Contacts and reminders both ways with vdirs (vdirsyncer, khard)",
        "backup": "A consistent copy of the journal",
    },
    "The journal": {
        "changes": "The recent changes, and which were undone",
        "config": "Settings kept in the journal",
        "db": "Where the journal is, and whether it is whole",
        "demo": "Write a demo journal and print its review",
    },
}
ALIASES = {"ls": "list"}


class LazyGroup(TyperGroup):
    """The root command group, loading a command's module only when it is asked for."""

    def list_commands(self, ctx) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx, name: str):
        module = COMMANDS.get(name)
        if module is None:
            return None
        from importlib import import_module

        from typer.main import get_command

        import warnings

        with warnings.catch_warnings():
            # REFs complete through Click's shell_complete (see cli.common.complete_ref)
            warnings.simplefilter("ignore", DeprecationWarning)
            cmd = get_command(import_module(f"cno.cli.{module}").app)
        cmd = cmd.get_command(ctx, name) if isinstance(cmd, TyperGroup) else cmd
        _plain_metavars(cmd)
        return cmd

    def resolve_command(self, ctx, args):
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.UsageError as e:
            if args and args[0] not in COMMANDS and not args[0].startswith("-"):
                from difflib import get_close_matches

                close = get_close_matches(args[0], list(COMMANDS), n=3, cutoff=0.6)
                if close:
                    e.message = f"no such command {args[0]!r} — did you mean {' or '.join(repr(c) for c in close)}?"
            raise

    def format_help(self, ctx, formatter) -> None:
        if ctx.parent is not None:
            return super().format_help(ctx, formatter)
        formatter.write(root_help(_width()))


def _text_type():
    """Text, as Click's STRING, but with no `<str>` printed in help."""
    global _TEXT
    if _TEXT is None:
        from typer._click.types import STRING, ParamType

        class Text(ParamType):
            name = "text"

            def get_metavar(self, param, ctx) -> str:
                return ""

            def convert(self, value, param, ctx):
                return STRING.convert(value, param, ctx)

        _TEXT = Text()
    return _TEXT


_TEXT = None
_STORABLE = None


def _storable_int():
    """A whole number SQLite can store, ±2⁶³ (README "Exit codes"): beyond it a
    usage error that says so, and no bound in the help."""
    global _STORABLE
    if _STORABLE is None:
        from typer._click.types import INT, IntRange

        from cno.cli.common import MAX_INT

        class Storable(IntRange):
            def __init__(self):
                super().__init__(min=-MAX_INT - 1, max=MAX_INT)

            def _describe_range(self) -> str:
                return ""

            def convert(self, value, param, ctx):
                number = INT.convert(value, param, ctx)
                if not -MAX_INT - 1 <= number <= MAX_INT:
                    self.fail(f"{value} is out of range", param, ctx)
                return number

        _STORABLE = Storable()
    return _STORABLE


def _plain_metavars(cmd) -> None:
    """Usage lines say `REF LABEL [NOTE]`, not Typer's `{REF} {LABEL}`, and no
    argument is listed with a type `<str>` (README "Decisions")."""
    import types

    from typer._click.types import STRING
    from typer.core import TyperArgument

    text = _text_type()

    def metavar(self, ctx=None, *, usage: bool = False) -> str:
        var = self.metavar or (self.name or "").upper()
        if usage and not self.required and not var.startswith("["):
            var = f"[{var}]"
        return var + ("..." if self.nargs != 1 and not var.endswith("...") else "")

    from typer._click.types import IntRange
    from typer.core import TyperOption

    from cno.cli.common import MAX_INT

    for param in getattr(cmd, "params", []):
        if isinstance(param, TyperArgument):
            param.make_metavar = types.MethodType(metavar, param)
        if isinstance(param, (TyperArgument, TyperOption)) and param.type is STRING:
            param.type = text
        if isinstance(param.type, IntRange) and param.type.max == MAX_INT and param.type.min is None:
            # the bound only keeps a number storable, below as above; saying it helps no one
            param.type = _storable_int()
    cmd.format_help = types.MethodType(_format_help, cmd)
    for sub in getattr(cmd, "commands", {}).values():
        _plain_metavars(sub)


def _format_help(self, ctx, formatter) -> None:
    from cno.render import no_color_help

    no_color_help()
    type(self).format_help(self, ctx, formatter)


def _width() -> int:
    cols = os.environ.get("COLUMNS", "")
    if cols.isdigit():
        return max(40, int(cols))
    try:
        return max(40, min(os.get_terminal_size(sys.stdout.fileno()).columns, 100)) if sys.stdout.isatty() else 80
    except OSError:
        return 80


def root_help(width: int) -> str:
    """`cno --help`: usage, what cno is, the commands in panels, the options."""
    import textwrap

    inner = width - 4
    name_w = max(len(n) for panel in PANELS.values() for n in panel)

    def panel(title: str, rows: list[tuple[str, str]], name_w: int = name_w) -> list[str]:
        top = f"╭─ {title} " + "─" * max(0, width - len(title) - 5) + "╮"
        lines = [top]
        for name, text in rows:
            wrapped = textwrap.wrap(text, max(10, inner - name_w - 2)) or [""]
            for i, part in enumerate(wrapped):
                cell = f"{(name if i == 0 else ''):<{name_w}}  {part}"
                lines.append(f"│ {cell:<{inner}} │")
        lines.append("╰" + "─" * (width - 2) + "╯")
        return lines

    intro = textwrap.wrap(
        "cno — your networking journal: contacts, touchpoints, follow-ups, referrals, goals and what is due.", width
    ) + [""] + textwrap.wrap("Start with: cno add 'Ada Lovelace' --tier A, then cno log ada 'coffee', then cno due.", width)
    out = ["Usage: cno [--db PATH] COMMAND [ARGS]...", "", *intro, ""]
    for title, commands in PANELS.items():
        out += panel(title, list(commands.items()))
    options = [
        ("--db PATH", "The journal file (default: $CNO_DB, else the data folder)"),
        ("--version", "Show the version"),
        ("--install-completion", "Install shell completion (--show-completion prints it)"),
        ("-h, --help", "This help; cno COMMAND --help: a command's options and an example"),
    ]
    out += panel("Options", options, max(len(n) for n, _ in options))
    return "\n".join(out) + "\n"


app = typer.Typer(
    name="cno",
    cls=LazyGroup,
    help=(
        "cno — your networking journal: contacts, touchpoints, follow-ups, referrals, goals and what is due.\n\n"
        "Start with: cno add 'Ada Lovelace' --tier A, then cno log ada 'coffee', then cno due."
    ),
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # a traceback must never print someone's notes
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        print(f"cno {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    db: str = typer.Option(None, "--db", metavar="PATH", help="Journal file (default: $CNO_DB, else the data folder)."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
) -> None:
    from cno.cli.common import Session

    session = Session(db)
    ctx.obj = session
    ctx.call_on_close(session.close)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    from cno.cli import common
    from cno.db import CREATED

    CREATED.clear()
    common.ARGV[:] = args
    for arg in args:
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:  # bytes that are not UTF-8 reach us as lone surrogates
            shown = arg.encode("utf-8", "backslashreplace").decode()
            return _fail(f"argument '{shown}' is not valid UTF-8 text", 2)
    try:
        rv = app(args=args, prog_name="cno", standalone_mode=False)
    except CnoError as e:
        return _debug_or_fail(str(e), e.exit_code)
    except click.exceptions.NoArgsIsHelpError:  # `cno` alone: Typer has shown the help
        return 0
    except click.exceptions.UsageError as e:
        hint = f" (see 'cno {e.ctx.command_path.partition(' ')[2]} --help')".replace("cno  ", "cno ") if e.ctx else ""
        return _debug_or_fail(f"{e.format_message()}{hint}", 2)
    except click.exceptions.ClickException as e:
        return _debug_or_fail(e.format_message(), 2)
    except (typer.Abort, KeyboardInterrupt):
        return _fail("aborted", 2)
    except sqlite3.OperationalError as e:
        return _debug_or_fail(_journal_problem(e), 3)
    except sqlite3.DatabaseError as e:
        return _debug_or_fail(_journal_problem(e), 3)
    except BrokenPipeError:
        # `cno history | head`: the reader left; not an error worth a word
        sys.stderr.close()
        return 0
    except Exception as e:
        # Bad journal content that got past SQLite (a date that is no date, a
        # number that is text) is the journal's problem, not a bug: exit 3.
        if _journal_damaged(args):
            return _debug_or_fail("the journal holds damaged records — run 'cno db check' to list them", 3)
        return _debug_or_fail(f"internal error: {type(e).__name__}: {e} (a bug: please report it; CNO_DEBUG=1 shows a traceback)", 70)
    return rv if isinstance(rv, int) else 0


def _journal_problem(e: sqlite3.Error) -> str:
    """What SQLite said, phrased for a person, never quoting stored text."""
    msg = str(e)
    if "locked" in msg or "busy" in msg:
        from cno.db import BUSY_TIMEOUT_S

        return f"the journal is locked by another process (waited {BUSY_TIMEOUT_S:g} s); try again"
    if "readonly" in msg or "read-only" in msg:
        return "the journal is not writable"
    if "decode" in msg.lower():
        # sqlite3 quotes the undecodable text itself: name only the column
        column = msg.split("column '", 1)[1].split("'", 1)[0] if "column '" in msg else "a column"
        return f"the journal holds text that is not UTF-8 (in {column}) — run 'cno db check' to list it"
    return f"the journal can't be used: {msg}"


def _journal_damaged(args: list[str]) -> bool:
    """Whether the journal of this invocation fails cno's checks (see `cno db check`)."""
    try:
        from cno import integrity
        from cno.db import resolve_path

        db = None
        for i, arg in enumerate(args):
            if arg == "--db" and i + 1 < len(args):
                db = args[i + 1]
            elif arg.startswith("--db="):
                db = arg[5:]
        return bool(integrity.problems_at(resolve_path(db)))
    except Exception:
        return False


def _debug_or_fail(message: str, code: int) -> int:
    """The one `cno: ...` line; with CNO_DEBUG set, the traceback first (same exit code)."""
    if os.environ.get("CNO_DEBUG"):
        import traceback

        # the frames and the exception's type, not its message: that may quote stored text
        e = sys.exc_info()[1]
        sys.stderr.write("Traceback (most recent call last):\n" + "".join(traceback.format_tb(e.__traceback__)))
        sys.stderr.write(f"{type(e).__module__}.{type(e).__qualname__}\n")
    return _fail(message, code)


def _fail(message: str, code: int) -> int:
    from cno.db import discard_created
    from cno.render import visible

    discard_created()  # a failed first command leaves no empty journal behind
    print(f"cno: {visible(message)}", file=sys.stderr)
    return code
