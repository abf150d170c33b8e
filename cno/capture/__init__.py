"""Capture: touchpoints from what the user already has — calendar exports and mail.

The readers (`ics`, `mail`) turn a file into items: one `Found` per event
occurrence or message, a `Problem` for one that cannot be read, an `Ignored`
for one that is not a conversation (a mailing list, a cancelled meeting).
`plan` matches items to contacts by e-mail and decides what is new, reading
only; `apply` logs the touchpoints and remembers what it captured, inside the
caller's one transaction. Reading a large mail folder happens before the
write lock is taken, so a capture never holds up a `cno log` typed meanwhile.

What is remembered (table `captured`, keyed by source and key):
- an event occurrence by `UID|RECURRENCE-ID` (the occurrence's start in UTC;
  just `UID` for a one-off), so a captured event changed later is left alone;
- a message by its Message-ID, and the touchpoint of a thread on a day by
  `thread:ROOT|DAY`. A later message of a thread/day that already has a
  touchpoint joins nothing and creates nothing: it is remembered as part of
  that touchpoint, which is left as it was.
Only what became a touchpoint is remembered: an item with no known contact is
looked at again next time, so a contact added later gets their history.

Table `capture_files` lets a re-run skip a file whose size, modification time
and read version are unchanged. The read version holds a digest of every
contact e-mail and of `me.email` (a new contact makes every file worth reading
again), whether unknown people were being added, the `--since` day (a file read
from a later day on is re-read for an earlier one) and, when the file held items
after "today", that day (they become due on a later day).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from dataclasses import dataclass, field
from itertools import islice
from datetime import date, datetime, time
from pathlib import Path
from typing import Callable, Iterable, Iterator

from cno import contacts, settings, touchpoints
from cno.dates import day_of, iso
from cno.bulk import collector_aside, insert_rows
from cno.db import in_chunks
from cno.errors import CnoError
from cno.refs import name_key

CAPTURED_TAG = "captured"
NO_ME = (
    "capture needs your own e-mail addresses first, so you are never matched as a contact:"
    ' cno config set me.email "you@example.com,you@work.example"'
)


@dataclass
class Found:
    """One event occurrence or one message, as read; dates already local."""

    key: str
    when: date | datetime
    people: dict[str, str]  # casefolded e-mail → display name; me and those who declined left out
    note: str | None
    via: str
    minutes: int | None = None
    direction: str | None = None
    thread: str | None = None  # mail: a day of one thread is one touchpoint


@dataclass
class Problem:
    """An item that could not be read: skipped with a warning."""

    label: str
    why: str


@dataclass
class Ignored:
    """Not a conversation with someone: list mail, no-reply, cancelled, declined by me."""

    reason: str


@dataclass
class Notice:
    """A warning that skips nothing: the item is read, something in it or about its file is not."""

    text: str


Item = Found | Problem | Ignored | Notice


@dataclass
class SourceFile:
    """One file to read; `read(me, today)` yields its items."""

    path: str
    size: int
    mtime_ns: int
    read: Callable[[frozenset[str], date], Iterator[Item]]


@dataclass
class Source:
    kind: str  # 'ics' or 'mail': the namespace of `captured` keys
    files: Callable[[], Iterable[SourceFile]]
    total: int | None = None  # items expected, for a progress bar
    folders: tuple[str, ...] = ()  # where stale capture_files rows are pruned


@dataclass
class Counts:
    logged: int = 0
    unknown: int = 0  # items with no known contact
    already: int = 0  # items captured before
    unparseable: int = 0
    ignored: int = 0  # list mail, no-reply, cancelled, declined by me
    earlier: int = 0  # before --since
    later: int = 0  # after today
    unchanged_files: int = 0
    contacts_added: int = 0


@dataclass
class Planned:
    """One touchpoint to log: an event occurrence, or a thread's day of mail."""

    group: str
    keys: list[str] = field(default_factory=list)
    when: date | datetime | None = None
    via: str = "other"
    minutes: int | None = None
    note: str | None = None
    direction: str | None = None
    contact_ids: set[int] = field(default_factory=set)
    unknown: dict[str, str] = field(default_factory=dict)
    items: int = 0
    first: tuple = ()

    def add(self, item: Found, ids: set[int], unknown: dict[str, str]) -> None:
        self.items += 1
        self.contact_ids |= ids
        for email, name in unknown.items():
            if not self.unknown.get(email):
                self.unknown[email] = name
        self.keys.append(item.key)
        # the earliest message of the day names the touchpoint and says who wrote first
        order = (_instant(item.when), item.key)
        if not self.first or order < self.first:
            self.first = order
            self.when, self.via, self.minutes = item.when, item.via, item.minutes
            self.note, self.direction = item.note, item.direction


@dataclass
class Plan:
    kind: str
    touchpoints: list[Planned]
    attach: list[tuple[str, int | None]]  # message keys joining a thread/day captured before
    files: list[tuple[str, int, int, bool]]  # path, size, mtime_ns, held items after today
    folders: tuple[str, ...]
    counts: Counts
    known: frozenset[str]  # the contact e-mails the files were read against
    me: frozenset[str]
    digest: str
    create_unknown: bool
    since: date | None
    # unknown addresses whose name a contact already has (README "Capture"):
    # e-mail → (the name, the id of the contact with it)
    # (None: the contact this run adds for another address with that name)
    name_taken: dict[str, tuple[str, int | None]] = field(default_factory=dict)
    listed: set[str] = field(default_factory=set)  # every file the source gave, read or not


_CAPTURED = ("source", "key", "touchpoint_id", "captured_on")


def input_file(path: str) -> tuple[Path, bytes]:
    """The file to read and its first bytes; exit 2 when it cannot be read at all."""
    p = Path(path).expanduser()
    if p.is_dir():
        raise CnoError(f"{path} is a folder, not a file")
    try:
        with open(p, "rb") as fh:
            head = fh.read(64)
    except FileNotFoundError:
        raise CnoError(f"no such file: {path}") from None
    except OSError as e:
        raise CnoError(f"can't read {path}: {e.strerror or e}") from None
    return p.resolve(), head


def decode_text(data: bytes) -> str:
    """UTF-8 as most exports are; Latin-1 for the odd one that is not, rather than failing."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _instant(when: date | datetime) -> datetime:
    return when if isinstance(when, datetime) else datetime.combine(when, time())


def my_addresses(conn: sqlite3.Connection) -> frozenset[str]:
    value = settings.get(conn, "me.email")
    if not value:
        raise CnoError(NO_ME)
    return frozenset(e.strip().casefold() for e in value.split(",") if e.strip())


def contact_emails(conn: sqlite3.Connection) -> dict[str, int]:
    return {r[1].casefold(): r[0] for r in conn.execute("SELECT contact_id, email FROM contact_emails")}


def read_digest(emails: Iterable[str], me: frozenset[str]) -> str:
    h = hashlib.sha256()
    for e in sorted(set(emails)):
        h.update(e.encode("utf-8", "surrogatepass") + b"\n")
    h.update(b"\x00" + ",".join(sorted(me)).encode("utf-8", "surrogatepass"))
    return h.hexdigest()[:32]


def read_version(digest: str, create_unknown: bool, since: date | None, until: date | None) -> str:
    return f"v1 {digest} create={int(create_unknown)} since={since or '-'} until={until or '-'}"


def covers(stored: str, digest: str, create_unknown: bool, since: date | None, today: date) -> bool:
    """Whether a file read with version `stored` needs no reading now."""
    try:
        tag, old_digest, create, old_since, until = stored.split(" ")
        old_create = create == "create=1"
        old_since = old_since.removeprefix("since=")
        until = until.removeprefix("until=")
    except ValueError:
        return False
    if tag != "v1" or old_digest != digest or (create_unknown and not old_create):
        return False
    if old_since != "-" and (since is None or since.isoformat() < old_since):
        return False
    return until == "-" or today.isoformat() <= until


def is_creatable(email: str) -> bool:
    try:
        contacts.parse_email(email)
    except CnoError:
        return False
    return True


_LOOKUP_BATCH = 500  # items, and files, looked up in `captured` and `capture_files` with one query


def _group(item: Found) -> str:
    """What an item's touchpoint is remembered by: its thread's day for mail, else the item itself."""
    return f"thread:{item.thread}|{day_of(item.when).isoformat()}" if item.thread else item.key


def _captured_keys(conn: sqlite3.Connection, kind: str, keys: Iterable[str]) -> dict[str, int | None]:
    """Which of these keys were captured before: key → its touchpoint id."""
    out: dict[str, int | None] = {}
    for chunk, marks in in_chunks(keys):
        out.update(conn.execute(f"SELECT key, touchpoint_id FROM captured WHERE source = ? AND key IN ({marks})", [kind, *chunk]))
    return out


def _with_stored(conn: sqlite3.Connection, files: Iterable[SourceFile]) -> Iterator[tuple[SourceFile, tuple | None]]:
    """Each file with its `capture_files` row (size, mtime_ns, contacts_version), a batch of files per query."""
    it = iter(files)
    while batch := list(islice(it, _LOOKUP_BATCH)):
        stored = {}
        for chunk, marks in in_chunks(f.path for f in batch):
            stored.update(
                (r[0], tuple(r[1:]))
                for r in conn.execute(f"SELECT path, size, mtime_ns, contacts_version FROM capture_files WHERE path IN ({marks})", chunk)
            )
        for f in batch:
            yield f, stored.get(f.path)


@collector_aside()
def plan(
    conn: sqlite3.Connection,
    source: Source,
    today: date,
    *,
    since: date | None = None,
    create_unknown: bool = False,
    warn: Callable[[str], None] = lambda msg: None,
    tick: Callable[[], None] = lambda: None,
) -> Plan:
    """Read the source and decide what to log; writes nothing."""
    me = my_addresses(conn)
    known = contact_emails(conn)
    digest = read_digest(known, me)
    counts = Counts()
    # a new contact never takes a name a contact has, nor one this run would already add
    names = {key: (cid, None) for key, cid in conn.execute("SELECT name_key, id FROM contacts ORDER BY id DESC")} if create_unknown else {}
    name_taken: dict[str, tuple[str, int | None]] = {}
    pending: dict[str, Planned] = {}
    attach: list[tuple[str, int | None]] = []
    seen: set[str] = set()  # keys taken in this run: a message in two folders counts once
    files: list[tuple[str, int, int, bool]] = []
    kind = source.kind
    found: list[Found] = []  # read, waiting for their captured keys to be looked up in one query

    def settle() -> None:
        # the keys (and thread/days) of a batch of items looked up at once: one
        # query per batch, not two per message (README "Capture")
        before = _captured_keys(conn, kind, {k for item in found for k in (item.key, _group(item))})
        for item in found:
            if item.key in seen or item.key in before:
                counts.already += 1
                continue
            ids = {known[e] for e in item.people if e in known}
            unknown = (
                {e: n for e, n in item.people.items() if e not in known and is_creatable(e)} if create_unknown else {}
            )
            for e, n in list(unknown.items()):
                key = name_key(contact_name(n, e))
                owner = names.setdefault(key, (None, e))
                if owner[1] != e:  # the name is a contact's, or another address's of this run
                    del unknown[e]
                    name_taken.setdefault(e, (contact_name(n, e), owner[0]))
            if not ids and not unknown:
                counts.unknown += 1
                continue
            seen.add(item.key)
            group = _group(item)
            if group not in pending:
                if group != item.key and group in before:
                    attach.append((item.key, before[group]))
                    counts.already += 1
                    continue
                pending[group] = Planned(group)
            pending[group].add(item, ids, unknown)
        found.clear()

    listed: set[str] = set()
    for f, stored in _with_stored(conn, source.files()):
        listed.add(f.path)
        if (
            stored is not None
            and (stored[0], stored[1]) == (f.size, f.mtime_ns)
            and covers(stored[2], digest, create_unknown, since, today)
        ):
            counts.unchanged_files += 1
            tick()
            continue
        later = False
        for item in f.read(me, today):
            if isinstance(item, Notice):
                warn(item.text)
                continue
            tick()
            if isinstance(item, Problem):
                counts.unparseable += 1
                warn(f"skipped {item.label}: {item.why}")
                continue
            if isinstance(item, Ignored):
                counts.ignored += 1
                continue
            day = day_of(item.when)
            if day > today:
                counts.later += 1
                later = True
                continue
            if since is not None and day < since:
                counts.earlier += 1
                continue
            found.append(item)
            if len(found) >= _LOOKUP_BATCH:
                settle()
        files.append((f.path, f.size, f.mtime_ns, later))
    settle()
    planned = sorted(pending.values(), key=lambda p: p.first)
    return Plan(kind, planned, attach, files, source.folders, counts, frozenset(known), me, digest, create_unknown, since,
                name_taken, listed)  # fmt: skip


@collector_aside()
def apply(conn: sqlite3.Connection, p: Plan, today: date) -> list[dict]:
    """Log the planned touchpoints and remember what was captured; returns the rows logged."""
    counts = p.counts
    on = today.isoformat()
    # another capture may have taken some of them since the plan was read
    todo = []
    taken = _captured_keys(conn, p.kind, (t.group for t in p.touchpoints))
    for t in p.touchpoints:
        if t.group in taken:
            counts.already += t.items
        else:
            todo.append(t)
    created = _add_unknown(conn, todo, today) if p.create_unknown else {}
    added = {e for e, (_cid, new) in created.items() if new}
    counts.contacts_added = len(added)
    existing = {r[0] for r in conn.execute("SELECT id FROM contacts")}
    logged: list[tuple[Planned, list[int]]] = []
    for t in todo:
        ids = [c for c in t.contact_ids if c in existing]  # a set: no one twice
        if t.unknown:
            ids = list(dict.fromkeys([*ids, *(created[e][0] for e in t.unknown)]))
        if not ids:  # every one of them was deleted meanwhile
            counts.unknown += t.items
            continue
        logged.append((t, ids))
    # one bulk write, the contacts' due dates and strength computed once at the
    # end: capture is linear in what it logs (README "Capture")
    tids = touchpoints.log_touchpoints(
        conn,
        ({"contact_ids": ids, "when": t.when, "via": t.via, "minutes": t.minutes, "note": t.note, "direction": t.direction}
         for t, ids in logged),
        today,
    )  # fmt: skip
    insert_rows(
        conn, "captured", _CAPTURED,
        ((p.kind, k, tid, on) for (t, _ids), tid in zip(logged, tids) for k in dict.fromkeys([t.group, *t.keys])),
        upsert="OR IGNORE",
    )  # fmt: skip
    counts.logged += len(tids)
    rows = [
        _row(t, tid, ids, [contact_name(n, e) for e, n in t.unknown.items() if e in added])
        for (t, ids), tid in zip(logged, tids)
    ]
    insert_rows(conn, "captured", _CAPTURED, ((p.kind, k, tid, on) for k, tid in p.attach), upsert="OR IGNORE")
    _remember_files(conn, p, today, added)
    _fill_names(conn, rows)
    return rows


def preview(conn: sqlite3.Connection, p: Plan) -> list[dict]:
    """The rows `apply` would log, for --dry-run; the people it would add are named too."""
    rows = [_row(t, None, sorted(t.contact_ids), [contact_name(n, e) for e, n in t.unknown.items()]) for t in p.touchpoints]
    p.counts.contacts_added = len({e for t in p.touchpoints for e in t.unknown})
    _fill_names(conn, rows)
    for r in rows:
        r["names"] += r["added"]
    return rows


def _row(t: Planned, tid: int | None, ids: list[int], added: list[str]) -> dict:
    return {
        "id": tid,
        "on": iso(t.when),
        "via": t.via,
        "minutes": t.minutes,
        "direction": t.direction,
        "contact_ids": ids,
        "names": [],
        "added": added,
        "note": t.note,
        "items": t.items,
    }


def _fill_names(conn: sqlite3.Connection, rows: list[dict]) -> None:
    ids = sorted({c for r in rows for c in r["contact_ids"]})
    names: dict[int, str] = {}
    for chunk, marks in in_chunks(ids):
        names.update((r[0], r[1]) for r in conn.execute(f"SELECT id, name FROM contacts WHERE id IN ({marks})", chunk))
    for r in rows:  # ordered by name, as `history` lists them
        people = sorted((names[c].casefold(), names[c], c) for c in r["contact_ids"])
        r["contact_ids"] = [c for _k, _n, c in people]
        r["names"] = [n for _k, n, _c in people]


def contact_name(display: str, email: str) -> str:
    """The name a new contact gets: the display name, else the address."""
    name = " ".join((display or "").split())
    if not name or name.isdecimal():
        return email
    return name


def _add_unknown(conn: sqlite3.Connection, todo: list[Planned], today: date) -> dict[str, tuple[int, bool]]:
    """Add the unknown people of the planned touchpoints; e-mail → (contact id, newly added)."""
    out: dict[str, tuple[int, bool]] = {}
    for t in todo:  # chronological: a contact is met on the day of the first item with them
        for email, display in t.unknown.items():
            if email in out:
                continue
            row = conn.execute("SELECT contact_id FROM contact_emails WHERE email = ? COLLATE NOCASE", (email,)).fetchone()
            if row is not None:
                out[email] = (row[0], False)
                continue
            data = contacts.ContactInput(emails=[email], tags=[CAPTURED_TAG], met_on=day_of(t.when).isoformat())
            out[email] = (contacts.add_contact(conn, contact_name(display, email), data, today), True)
    return out


def _remember_files(conn: sqlite3.Connection, p: Plan, today: date, added: set[str]) -> None:
    # The people this run added are part of the contact list the files were read against.
    digest = read_digest(p.known | added, p.me) if added else p.digest
    insert_rows(
        conn, "capture_files", ("path", "size", "mtime_ns", "contacts_version", "seen_on"),
        (
            (path, size, mtime, read_version(digest, p.create_unknown, p.since, today if later else None), today.isoformat())
            for path, size, mtime, later in p.files
        ),
        upsert="ON CONFLICT(path) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns,"
        " contacts_version = excluded.contacts_version, seen_on = excluded.seen_on",
    )  # fmt: skip
    for folder in p.folders:
        # a maildir message moves from new/ to cur/ when read, and may be deleted
        prefix = folder.rstrip(os.sep) + os.sep
        stale = [
            r[0]
            for r in conn.execute("SELECT path FROM capture_files WHERE path > ? AND path < ?", (prefix, prefix + "\U0010ffff"))
            if r[0] not in p.listed and not os.path.exists(r[0])  # a file just listed is there
        ]
        conn.executemany("DELETE FROM capture_files WHERE path = ?", [(s,) for s in stale])
