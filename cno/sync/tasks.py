"""`cno sync tasks DIR`: open follow-ups and coming check-ins as VTODOs in a vdir, and back.

One sync runs in two steps (README "Reminders: cno sync tasks"):

1. From the folder to the journal. A completed to-do (STATUS:COMPLETED, or
   COMPLETED set) closes its follow-up, or logs a touchpoint `via other` for
   its check-in on the local date of COMPLETED (remembered in `captured` under
   source `tasks`, so a completion is logged once). A DUE moved on the phone
   moves the follow-up, unless the follow-up was also changed in cno since
   the last sync: then cno's value is kept and the conflict reported. A
   check-in's date is cno's (its cadence): a DUE moved there is reported and
   written back.
2. From the journal to the folder. Every open follow-up of an active contact
   and every check-in due by today + 90 days is one `<UID>.ics`; a to-do that
   is no longer due (done, moved, archived) loses its file, an applied
   completion too, and a to-do deleted on the phone is written again.

UIDs: a follow-up's to-do has the follow-up's own uid; a check-in's is
`<contact uid>-check-in-<YYYYMMDD>` (its due date), so a check-in moved by a
touchpoint is a new to-do and the old one goes.

Table `sync_tasks` remembers, per folder and UID, the DUE both sides held,
a digest of what cno rendered and one of the file as it was left: a side
changed when it no longer matches. Files written are replaced only while they
hold what was read (cno.sync.files); removals happen after the journal
commits, so a killed sync never loses a completion.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from dataclasses import dataclass, field
from functools import cached_property
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Callable

from cno.errors import CnoError
from cno import sync
from cno.sync import files

HORIZON_DAYS = 90  # check-ins due by today + this are written (as `export ics`)
SOURCE = "tasks"  # the `captured` namespace of completed check-ins
CHECK_IN = re.compile(r"([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})-check-in-(\d{8})")
PRODID = "-//cno//cno sync tasks//EN"
KEEP = {"VTODO": frozenset({"UID", "DUE", "STATUS", "COMPLETED", "SEQUENCE", "RECURRENCE-ID"})}


@dataclass
class Todo:
    """A to-do cno wants in the folder."""

    uid: str
    kind: str  # 'follow-up' or 'check-in'
    name: str  # the contact's
    due: date
    summary: str
    description: str

    @cached_property
    def body(self) -> list[str]:
        from cno.io.vcard import escape

        return [
            f"UID:{self.uid}",
            f"SUMMARY:{escape(self.summary)}",
            f"DESCRIPTION:{escape(self.description)}",
            f"DUE;VALUE=DATE:{self.due:%Y%m%d}",
            "STATUS:NEEDS-ACTION",
            f"X-CNO-KIND:{self.kind}",
        ]

    @cached_property
    def content(self) -> str:
        """What cno says of it, without stamps: when this changes, cno's side changed."""
        return hashlib.sha256("\n".join(self.body).encode("utf-8", "surrogatepass")).hexdigest()[:32]

    def render(self, today: date, sequence: int) -> bytes:
        from cno.io.folding import fold

        lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "BEGIN:VTODO", *self.body[:1],
                 f"DTSTAMP:{today:%Y%m%d}T000000Z", f"SEQUENCE:{sequence}", *self.body[1:], "END:VTODO", "END:VCALENDAR"]  # fmt: skip
        # most lines are short and plain: written as they are, the rest folded (and cleaned)
        return "".join(line + "\r\n" if len(line) <= 75 and line.isascii() and line.isprintable() else fold(line)
                       for line in lines).encode("utf-8", "surrogatepass")  # fmt: skip


@dataclass
class Seen:
    """A to-do read from a file of the folder."""

    file: str
    digest: str
    uid: str
    due: date | None
    completed: date | None  # the local day it was completed; set when done
    sequence: int


@dataclass
class Result(sync.Result):
    """What a sync did (or, in a dry run, would do). JSON keys: README "Reminders: cno sync tasks".

    added: touchpoints logged for completed check-ins; updated: follow-ups
    closed or moved; archived: always 0 (to-dos archive nothing); removed and
    written: files of the folder."""

    done: int = 0
    moved: int = 0
    skipped: int = 0  # files that could not be read
    # follow-ups moved to the phone's DUE: cno's change is the phone's, nothing to write back
    adopted: set[str] = field(default_factory=set, repr=False)
    # after the journal commits: (file, its digest as read)
    removals: list[tuple[str, str]] = field(default_factory=list, repr=False)

    def data(self) -> dict:
        keys = ("added", "updated", "archived", "removed", "written", "conflicts", "done", "moved", "skipped", "dry_run")
        return {k: getattr(self, k) for k in keys}


# -- reading the folder ----------------------------------------------------------


def read_folder(where: Path, warn: Callable[[str], None]) -> tuple[dict[str, Seen], int, set[str]]:
    """The folder's to-dos by UID, how many files could not be read (each warned about), and those files' names.

    Two files holding one UID is exit 2: which of them is the to-do can't be told.
    """
    from cno.capture import decode_text
    from cno.capture.ics_text import parse

    out: dict[str, Seen] = {}
    skipped = 0
    events: list[str] = []  # files holding events and no to-do
    scanned = files.scan(where, ".ics")
    for f in scanned:
        if f.data is None:
            skipped += 1
            warn(f"sync tasks: skipped {f.name}: it can't be read ({f.error}); left as it is")
            continue
        try:
            doc = parse(decode_text(f.data), KEEP)
            todos = [c for cal in doc.roots if cal.name == "VCALENDAR" for c in cal.children if c.name == "VTODO" and c.end]
            todos = [c for c in todos if "RECURRENCE-ID" not in c.props] or todos
            if not todos and any(c.name == "VEVENT" for cal in doc.roots for c in cal.children):
                events.append(f.name)
                continue
            if not todos:
                raise ValueError("it holds no complete VTODO")
            seen = _seen(f, todos[0])
        except (ValueError, TypeError) as e:
            skipped += 1
            warn(f"sync tasks: skipped {f.name}: {e}; left as it is")
            continue
        other = out.get(seen.uid)
        if other is not None:
            raise CnoError(f"{other.file} and {f.name} in {where} hold the same to-do (UID {seen.uid}) —"
                           " remove one of them, then sync again")  # fmt: skip
        out[seen.uid] = seen
    if events and not out:
        # a calendar of events, not a to-do list: its server may refuse VTODOs, and its events are not cno's
        raise CnoError(f"{where} holds events, not to-dos ({len(events)} file{'' if len(events) == 1 else 's'} with a VEVENT"
                       " and none with a VTODO) — give the folder of a to-do list")  # fmt: skip
    for name in events:
        skipped += 1
        warn(f"sync tasks: skipped {name}: it holds an event, not a to-do; left as it is")
    return out, skipped, {f.name for f in scanned} - {f.file for f in out.values()}


def _seen(f: files.Read, todo) -> Seen:
    uid = " ".join((todo.text("UID") or "").split())
    if not uid:
        raise ValueError("its VTODO has no UID")
    due = _day(todo.get("DUE"), local=False)
    completed_prop = todo.get("COMPLETED")
    status = (todo.text("STATUS") or "").strip().upper()
    completed = None
    if completed_prop is not None or status == "COMPLETED":
        try:
            completed = _day(completed_prop, local=True)
        except ValueError:
            completed = None
        completed = completed or date.max  # completed, with no readable day: today (see `sync`)
    try:
        sequence = int((todo.text("SEQUENCE") or "0").strip())
    except ValueError:
        sequence = 0
    return Seen(f.name, f.digest, uid, due, completed, sequence)


def _day(prop, *, local: bool) -> date | None:
    """The day of a DUE (as its own clock shows it) or COMPLETED (in local time) value."""
    from cno.capture.ics_text import date_value

    if prop is None or not prop.value.strip():
        return None
    try:
        value = date_value(prop.value)
    except ValueError:
        raise ValueError(f"can't read {prop.name} {prop.value.strip()!r}") from None
    if not isinstance(value, datetime):
        return value
    tzid = prop.param("TZID")
    if value.tzinfo is None and tzid and local:
        try:
            from zoneinfo import ZoneInfo

            value = value.replace(tzinfo=ZoneInfo(tzid))
        except (ValueError, KeyError, OSError):  # an unknown zone: its wall clock
            return value.date()
    if value.tzinfo is not None:
        return value.astimezone().date()
    return value.date()


# -- the journal's side ------------------------------------------------------------


def wanted(conn: sqlite3.Connection, today: date) -> dict[str, Todo]:
    """The to-dos the folder should hold: open follow-ups and check-ins due by today + 90 days."""
    out: dict[str, Todo] = {}
    for r in conn.execute(
        "SELECT f.id, f.uid, f.due_on, f.note, c.name FROM followups f JOIN contacts c ON c.id = f.contact_id"
        " WHERE f.done_on IS NULL AND c.archived = 0 ORDER BY f.due_on, f.id"
    ):
        summary = f"Follow up with {r['name']}" + (f": {r['note']}" if r["note"] else "")
        out[r["uid"]] = Todo(r["uid"], "follow-up", r["name"], date.fromisoformat(r["due_on"]), summary,
                             f"cno follow-up #{r['id']} (cno done {r['id']})")  # fmt: skip
    horizon = (today + timedelta(days=HORIZON_DAYS)).isoformat()
    for r in conn.execute(
        "SELECT id, uid, name, next_due_on FROM contacts WHERE archived = 0 AND next_due_on <= ? ORDER BY next_due_on, name_key",
        (horizon,),
    ):
        due = date.fromisoformat(r["next_due_on"])
        uid = f"{r['uid']}-check-in-{due:%Y%m%d}"
        out[uid] = Todo(uid, "check-in", r["name"], due, f"Check in with {r['name']}", f"cno check-in with contact #{r['id']}")
    return out


def _state(conn: sqlite3.Connection, where: Path) -> dict[str, sqlite3.Row]:
    return {r["todo_uid"]: r for r in conn.execute("SELECT * FROM sync_tasks WHERE folder = ?", (str(where),))}


def _follow_up(conn: sqlite3.Connection, uid: str) -> sqlite3.Row | None:
    return conn.execute(
        "SELECT f.id, f.due_on, f.note, f.done_on, c.id AS contact_id, c.name, c.archived FROM followups f"
        " JOIN contacts c ON c.id = f.contact_id WHERE f.uid = ?",
        (uid,),
    ).fetchone()


def _check_in_contact(conn: sqlite3.Connection, uid: str) -> tuple[sqlite3.Row, date] | None:
    m = CHECK_IN.fullmatch(uid)
    if not m:
        return None
    row = conn.execute("SELECT id, name, archived, next_due_on FROM contacts WHERE uid = ?", (m.group(1),)).fetchone()
    if row is None:
        return None
    try:
        return row, datetime.strptime(m.group(2), "%Y%m%d").date()
    except ValueError:
        return None


# -- one sync ----------------------------------------------------------------------


def sync(conn: sqlite3.Connection, where: Path, today: date, *, dry_run: bool = False,
         warn: Callable[[str], None] = lambda msg: None) -> Result:  # fmt: skip
    """Reconcile the folder and the journal inside the caller's transaction.

    In a dry run `conn` is a scratch copy of the journal (its writes are
    thrown away) and the folder is not touched. Removals wait for `finish`,
    after the commit.
    """
    result = Result(dry_run=dry_run)
    if not dry_run:
        files.sweep(where)
    seen, result.skipped, unreadable = read_folder(where, warn)
    state = _state(conn, where)
    from_folder(conn, seen, state, today, result)
    to_folder(conn, where, seen, state, today, result, unreadable, dry_run=dry_run, warn=warn)
    return result


def from_folder(conn: sqlite3.Connection, seen: dict[str, Seen], state: dict, today: date, result: Result) -> None:
    """Step 1: completions and moved due dates into the journal."""
    from cno import followups, touchpoints

    now = wanted(conn, today)  # cno's side as it stands, before anything is applied
    for uid in sorted(seen):
        f, s = seen[uid], state.get(uid)
        fu = _follow_up(conn, uid)
        if f.completed is not None:
            day = min(f.completed, today)
            if fu is not None:
                if fu["done_on"] is None:
                    followups.close(conn, fu["id"], day)
                    result.done += 1
                    result.updated += 1
                continue
            ci = _check_in_contact(conn, uid)
            if ci is not None and conn.execute("SELECT 1 FROM captured WHERE source = ? AND key = ?", (SOURCE, uid)).fetchone() is None:
                tid = touchpoints.log_touchpoint(conn, [ci[0]["id"]], today, when=day, via="other", note="check-in (reminder completed)")
                conn.execute("INSERT INTO captured (source, key, touchpoint_id, captured_on) VALUES (?, ?, ?, ?)",
                             (SOURCE, uid, tid, today.isoformat()))  # fmt: skip
                result.added += 1
            continue
        if f.due is None:
            continue
        todo = now.get(uid)
        if todo is None or f.due == todo.due:
            continue
        # the phone's DUE differs from cno's: moved on the phone (no memory of the
        # last sync, after an undo: the folder's value is the phone's)
        phone_moved = s is None or f.due.isoformat() != s["due_on"]
        if not phone_moved:
            continue  # cno moved it: step 2 writes cno's date
        cno_changed = s is not None and s["content"] != todo.content
        if todo.kind == "follow-up" and not cno_changed:
            conn.execute("UPDATE followups SET due_on = ? WHERE uid = ?", (f.due.isoformat(), uid))
            result.moved += 1
            result.updated += 1
            result.adopted.add(uid)
        else:  # cno's value wins: a follow-up edited in cno meanwhile, a check-in's cadence
            result.conflicts.append({"uid": uid, "name": todo.name, "field": "due", "kept": todo.due.isoformat(),
                                     "other": f.due.isoformat()})  # fmt: skip


def to_folder(conn: sqlite3.Connection, where: Path, seen: dict[str, Seen], state: dict, today: date, result: Result,
              unreadable: set[str], *, dry_run: bool, warn: Callable[[str], None]) -> None:  # fmt: skip
    """Step 2: the folder made to hold what the journal now says is due."""
    want = wanted(conn, today)
    drop: list[str] = []  # state rows to delete
    # file names in use: a state row's old name may hold another to-do now, or a file that can't be read
    taken = {f.file for f in seen.values()} | unreadable
    keep: list[tuple] = []  # state rows to write

    def row(todo: Todo, name: str, digest: str, sequence: int) -> None:
        values = (str(where), todo.uid, name, todo.kind, todo.due.isoformat(), todo.content, digest, sequence, today.isoformat())
        s = state.get(todo.uid)
        if s is None or tuple(s)[:8] != values[:8]:
            keep.append(values)

    def ours(uid: str) -> bool:
        return uid in state or _follow_up(conn, uid) is not None or _check_in_contact(conn, uid) is not None

    for uid in sorted(set(want) | set(seen) | set(state)):
        todo, f, s = want.get(uid), seen.get(uid), state.get(uid)
        if f is not None and todo is None:
            if not ours(uid):
                continue  # a to-do made on the phone: not cno's to remove
            result.removed += 1
            result.removals.append((f.file, f.digest))
            if s is not None:
                drop.append(uid)
            continue
        if todo is None:  # gone on both sides
            if s is None or s["file"] not in unreadable:
                drop.append(uid)
            continue
        if f is None and (s["file"] if s is not None else f"{uid}.ics") in unreadable:
            continue  # its own file can't be read (completed? moved?): left alone until it can
        sequence = max(s["sequence"] if s is not None else 0, f.sequence if f is not None else 0)
        if f is not None and f.completed is None:
            unchanged_cno = s is not None and s["content"] == todo.content or uid in result.adopted
            if f.due == todo.due and (unchanged_cno or s is None):
                # both sides agree on what matters: the file is left as it is
                row(todo, f.file, f.digest, f.sequence if s is None else s["sequence"])
                continue
            if files.digest(todo.render(today, f.sequence)) == f.digest:  # what a killed sync wrote
                row(todo, f.file, f.digest, f.sequence)
                continue
            sequence += 1
        elif f is not None:  # completed, and due again under the same UID: a fresh one
            sequence += 1
        name = f.file if f is not None else (s["file"] if s is not None and s["file"] not in taken else _free(uid, taken))
        data = todo.render(today, sequence)
        if dry_run:
            result.written += 1
            continue
        if files.put(where, name, data, f.digest if f is not None else None):
            result.written += 1
            row(todo, name, files.digest(data), sequence)
        else:
            warn(f"sync tasks: {name} changed while syncing: left as it is, it is read again on the next sync")
    if dry_run:
        return
    if result.written:
        files.settle(where)
    # deleted first, all of them: a file name moves from one to-do's row to another's
    gone = [(str(where), u) for u in drop] + [(v[0], v[1]) for v in keep]
    conn.executemany("DELETE FROM sync_tasks WHERE folder = ? AND todo_uid = ?", gone)
    conn.executemany("INSERT INTO sync_tasks (folder, todo_uid, file, kind, due_on, content, hash, sequence, synced_on)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", keep)  # fmt: skip


def _free(uid: str, taken: set[str]) -> str:
    """`<uid>.ics`, or `<uid>-2.ics` and on when another to-do's file has that name."""
    name, n = f"{uid}.ics", 1
    while name in taken:
        n += 1
        name = f"{uid}-{n}.ics"
    taken.add(name)
    return name


def finish(where: Path, result: Result, warn: Callable[[str], None] = lambda msg: None) -> None:
    """After the commit: remove the files of to-dos no longer due and of applied completions."""
    for name, digest in result.removals:
        if not files.remove(where, name, digest):
            result.removed -= 1
            warn(f"sync tasks: {name} changed while syncing: left as it is, it is read again on the next sync")
