"""Data commands: import, export, backup, search and graph."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from cno.cli.common import MAX_INT, DASH_OK, AsOfOpt, FormatOpt, check_format, note, session, today, writing
from cno.errors import CnoError
from cno.render import Progress, render

# The commands of this module; cno.cli loads it when one of them is run.
app = typer.Typer()

import_app = typer.Typer(help="Bring contacts in: LinkedIn, vCard, CSV, or a cno JSON dump.", no_args_is_help=True)
export_app = typer.Typer(help="Take the journal out: a JSON dump, contacts as CSV or vCard, a calendar.", no_args_is_help=True)
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")

File = Annotated[str, typer.Argument(metavar="FILE", help="The file to import ('-' reads stdin).")]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Show what would change; write nothing.")]
Output = Annotated[Optional[str], typer.Option("--output", "-o", metavar="FILE", help="Write to FILE (created 0600) instead of stdout.")]
PlanFormat = Annotated[
    str, typer.Option("--format", "-f", metavar="FORMAT", help="Format of the --dry-run listing: table, plain, json, csv or md.")
]

# -- import -----------------------------------------------------------------------


@contextmanager
def _scratch():
    """An empty journal in memory, for a dry run or an export when there is no journal yet."""
    from cno.db import empty_journal

    j = empty_journal()
    try:
        yield j
    finally:
        j.close()


def _text(path: str, warnings: list[str]) -> str:
    from cno.io import importing

    return importing.decode(importing.read_bytes(path), path, warnings)


def _import_records(kind: str, path: str, records, warnings: list[str], dry_run: bool, fmt: str, day, *, lines: int | None = None) -> None:
    """`records` a list, or read as they come from a file of `lines` lines (the bar counts those)."""
    from cno.io import importing

    with Progress(f"importing {kind}", len(records) if lines is None else lines) as bar, writing(dry_run) as conn:
        if lines is not None:
            records, tick = _by_line(records, bar), lambda: None
        else:
            tick = bar.advance
        outcome = importing.apply(conn, records, day, path, tick=tick, warnings=warnings, plan=dry_run)
    _finish(outcome, dry_run, fmt)


def _by_line(records, bar):
    for rec in records:
        bar.update(rec.line, bar.total)
        yield rec


def _finish(outcome, dry_run: bool, fmt: str, extra: str = "") -> None:
    from cno.render import data as view

    for w in outcome.warnings:
        note(f"warning: {w}")
    if dry_run:
        render(view.import_plan([{**r, "id": None if r["action"] == "add" else r["id"]} for r in outcome.rows]), fmt)
        note(f"dry run: would be {outcome.summary()}{extra} (nothing written)")
    else:
        note(f"{outcome.summary()}{extra}")


@import_app.command("linkedin")
def import_linkedin(path: File, dry_run: DryRun = False, fmt: PlanFormat = "table", as_of: AsOfOpt = None) -> None:
    """Import LinkedIn's Connections.csv: each connection tagged 'linkedin', met on Connected On.

    Example: cno import linkedin ~/Downloads/Connections.csv --dry-run
    """
    from cno.io import linkedin

    fmt, day, warnings = check_format(fmt), today(as_of), []
    text = _text(path, warnings)
    _import_records("LinkedIn", path, linkedin.read(text, path), warnings, dry_run, fmt, day, lines=text.count("\n") + 1)


@import_app.command("vcard")
def import_vcard(path: File, dry_run: DryRun = False, fmt: PlanFormat = "table", as_of: AsOfOpt = None) -> None:
    """Import contacts from a vCard file (2.1, 3.0 or 4.0), e.g. a phone's export.

    Example: cno import vcard contacts.vcf
    """
    from cno.io import importing, vcard

    fmt, day, warnings = check_format(fmt), today(as_of), []
    records = vcard.load(importing.read_bytes(path), path, warnings)
    _import_records("vCard", path, records, warnings, dry_run, fmt, day)


@import_app.command("csv")
def import_csv(
    path: File,
    map_: Annotated[
        Optional[List[str]],
        typer.Option("--map", "-m", metavar="COLUMN=FIELD", help="Read COLUMN as FIELD (repeatable), e.g. 'Full Name=name'."),
    ] = None,
    dry_run: DryRun = False,
    fmt: PlanFormat = "table",
    as_of: AsOfOpt = None,
) -> None:
    """Import contacts from any CSV; common headers (Google, Outlook, cno's own) are recognised.

    Fields: name, first_name, middle_name, last_name, company, role, email, phone, tags, birthday, location, met, met_on, linkedin, note, tier, every, timezone.

    Example: cno import csv people.csv --map "Full Name=name" --map "Employer=company"
    """
    from cno.io import csv_import

    fmt, day, warnings = check_format(fmt), today(as_of), []
    mapping = csv_import.parse_map(map_ or [])
    records = csv_import.read(_text(path, warnings), path, mapping)
    _import_records("CSV", path, records, warnings, dry_run, fmt, day)


@import_app.command("json")
def import_json(
    path: File,
    merge: Annotated[bool, typer.Option("--merge", help="Merge into a journal that already has records.")] = False,
    dry_run: DryRun = False,
    fmt: PlanFormat = "table",
    as_of: AsOfOpt = None,
) -> None:
    """Restore a 'cno export json' dump exactly (ids included) into an empty journal.

    With --merge, merge it into a journal that has records: contacts by e-mail,
    LinkedIn URL or name + company (filling empty fields only), the rest by uid.

    Example: cno --db new.db import json cno-dump.json
    """
    from cno.io import dump

    fmt, day, warnings = check_format(fmt), today(as_of), []
    source = dump.open_dump(path, warnings)
    total = sum(len(rows) for rows in source.values()) if isinstance(source, dict) else None
    with Progress("restoring", total) as bar, writing(dry_run) as conn:
        if dump.is_empty(conn):
            written, outcome = dump.restore(conn, source, path, tick=bar.advance), None
        elif not merge:
            if isinstance(source, dump.Dump):
                source.close()
            raise CnoError(
                "the journal already has records: import json restores into an empty journal"
                " — add --merge to merge the dump into this one"
            )
        else:
            outcome, added, skipped = dump.merge(conn, source, path, day, tick=bar.advance)
    if outcome is None:
        for w in warnings:
            note(f"warning: {w}")
        note(f"dry run: would restore {written} records (nothing written)" if dry_run else f"restored {written} records")
        return
    outcome.warnings[:0] = warnings
    _finish(outcome, dry_run, fmt, f" contacts; {added} other records added, {skipped} already here")


# -- export -----------------------------------------------------------------------


@contextmanager
def _output(path: str | None):
    """stdout, or FILE written whole: a temporary 0600 file beside it, renamed at the end.

    A symlink is followed (its target is replaced); a FIFO, a device or any other
    file that is not a regular one is written into, never replaced.
    """
    import stat

    from cno.db import publish, temp_beside

    if path is None:
        yield sys.stdout
        return
    dest = Path(path).expanduser()
    if dest.is_dir():
        raise CnoError(f"can't write {path}: it is a folder")
    if dest.is_symlink():
        dest = Path(os.path.realpath(dest))
    try:
        special = dest.exists() and not stat.S_ISREG(dest.stat().st_mode)
    except OSError as e:
        raise CnoError(f"can't write {path}: {e.strerror or e}") from None
    if special:
        try:
            out = open(dest, "w", encoding="utf-8", newline="")
        except OSError as e:
            raise CnoError(f"can't write {path}: {e.strerror or e}") from None
        with out:
            yield out
        return
    tmp = temp_beside(dest)
    try:
        fd = os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    except OSError as e:
        raise CnoError(f"can't write {path}: {e.strerror or e}") from None
    try:
        with open(fd, "w", encoding="utf-8", newline="") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        publish(tmp, dest, replace=True)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _export(kind: str, output: str | None, write, count) -> None:
    """Run `write(conn, out, tick)` inside one read snapshot of the journal
    (of an empty one when there is none yet, so the output is the empty result)."""
    from cno.io import dump

    with _output(output) as out, _reading() as conn, dump.snapshot(conn), Progress(f"exporting {kind}", count(conn)) as bar:
        write(conn, out, bar.advance)
    if output:
        note(f"wrote {output}")


@contextmanager
def _reading():
    j = session().reader()
    if j is not None:
        yield j.conn
        return
    with _scratch() as scratch:
        yield scratch.conn


@export_app.command("json")
def export_json(output: Output = None) -> None:
    """A complete, lossless dump of the journal that 'cno import json' restores exactly.

    Example: cno export json -o cno-dump.json
    """
    from cno.io import dump

    _export("json", output, lambda conn, out, tick: dump.write(conn, out, tick=tick), dump.count_rows)


@export_app.command("csv")
def export_csv(output: Output = None) -> None:
    """Contacts as CSV (formula-safe for spreadsheets), one row each.

    Example: cno export csv -o contacts.csv
    """
    from cno.io import export

    _export("csv", output, lambda conn, out, tick: export.write_csv(conn, out, tick=tick), export.count_contacts)


@export_app.command("vcard")
def export_vcard(output: Output = None) -> None:
    """Contacts as vCard 4.0, for a phone or an address book.

    Example: cno export vcard -o contacts.vcf
    """
    from cno.io import export

    _export("vCard", output, lambda conn, out, tick: export.write_vcard(conn, out, tick=tick), export.count_contacts)


@export_app.command("ics")
def export_ics(output: Output = None, as_of: AsOfOpt = None) -> None:
    """A calendar: follow-ups and check-ins as to-dos, birthdays and milestones as yearly events.

    Holds open follow-ups and the check-ins due in the next 90 days (overdue
    ones included) as VTODOs with a due date, and birthdays and yearly
    milestones as yearly VEVENTs.

    Example: cno export ics -o cno.ics
    """
    from cno.io import export

    day = today(as_of)
    _export("calendar", output, lambda conn, out, tick: export.write_ics(conn, out, day, tick=tick), export.count_contacts)


# -- backup, search, graph ------------------------------------------------------------


@app.command()
def backup(
    path: Annotated[Optional[str], typer.Argument(metavar="PATH", help="Where to write the copy (must not exist).")] = None,
    as_of: AsOfOpt = None,
) -> None:
    """Copy the journal safely, even while cno writes to it (the copy is 0600).

    Default PATH: <journal>-backup-YYYY-MM-DD.db beside the journal (the day's
    second backup is ...-YYYY-MM-DD-2.db). The copy appears whole or not at all.

    Example: cno backup ~/backups/cno-$(date +%F).db
    """
    from cno.db import backup_to

    source = session().path
    if not source.is_file():
        raise CnoError(f"no journal at {source} to back up")
    j = session().reader()
    if j is None:
        raise CnoError(f"the journal at {source} is empty: nothing to back up")
    if path:
        dest = Path(path).expanduser()
        if dest.exists() or dest.is_symlink():
            raise CnoError(f"{dest} already exists — choose another PATH; a backup never overwrites a file")
    else:
        # the day's second backup is …-2.db, the third …-3.db: never refused
        dest = source.with_name(f"{source.stem}-backup-{today(as_of).isoformat()}.db")
    (pages,) = j.conn.execute("PRAGMA page_count").fetchone()
    with Progress("backing up", pages) as bar:  # in pages: a journal of 2,000+ (8 MB) shows a bar
        dest = backup_to(j.conn, dest, progress=lambda done, total: bar.update(done, total), numbered=not path)
    note(f"backed up {source} to {dest}")


@app.command(context_settings=DASH_OK)
def search(
    text: Annotated[List[str], typer.Argument(metavar="TEXT", help="Words to find (all of them, as word prefixes).")],
    fmt: FormatOpt = "table",
    limit: Annotated[int, typer.Option("--limit", "-n", metavar="N", max=MAX_INT, help="At most N results of each kind (0: all).")] = 50,
) -> None:
    """Find contacts, touchpoints and referrals by the words in their names, companies and notes.

    Example: cno search market map
    """
    from cno import search as finder
    from cno.render import data as view

    fmt = check_format(fmt)
    words = " ".join(text)
    finder.query_for(words)  # refuse input with no words before touching the journal
    if limit < 0:
        raise CnoError(f"--limit must be 0 (all) or more, not {limit}")
    j = session().reader()
    rows = finder.search(j.conn, words, limit=limit or None) if j is not None else []
    render(view.search_results(rows, words), fmt)


@app.command()
def graph(
    fmt: Annotated[str, typer.Option("--format", "-f", metavar="FORMAT", help="dot (Graphviz) or json.")] = "dot",
) -> None:
    """The network of introductions and referrals, for Graphviz or JSON.

    Example: cno graph | dot -Tsvg > network.svg
    """
    from cno import graph as network
    from cno.render import data as view

    fmt = check_format(fmt, ("dot", "json"))
    j = session().reader()
    net = network.network(j.conn) if j is not None else {"nodes": [], "edges": []}
    render(view.graph(net), fmt)
