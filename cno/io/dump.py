"""The JSON dump: every record of the journal, losslessly, and its restore.

The dump covers every table of the schema except those listed in EXCLUDED
and the full-text indexes (derived from the rows), found by introspection so
a table added by a later migration is dumped without touching this file. It
holds a format version and nothing about the moment or machine it was made
on, and rows come in primary-key order, one per line, so dump → restore →
dump is byte-identical and two dumps diff well.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Callable

from cno import followups, settings
from cno.contacts import TIERS
from cno.dates import MAX_DATE, MIN_DATE, parse_duration
from cno.errors import CnoError
from cno.goals import METRICS, PERIODS
from cno.io import importing
from cno.io.importing import Matcher, Outcome, Record
from cno.referrals import DIRECTIONS, MAX_VALUE
from cno.touchpoints import CHANNELS

FORMAT = "cno"
VERSION = 1
# capture_files and sync_tasks remember paths on this machine, which mean
# nothing in another journal (README "Reminders: cno sync tasks"). Tables whose name starts with "_" are bookkeeping about the file
# (_sqlite_migrations: its schema; _cno_demo: a demo's mark), not records.
EXCLUDED = ("capture_files", "sync_tasks")
# Contacts and what is only theirs are merged by the matching rule, not by uid.
CONTACT_PARTS = ("contact_emails", "contact_phones", "contact_tags")



@contextmanager
def snapshot(conn: sqlite3.Connection):
    """One read transaction, so an export made while cno writes elsewhere is consistent."""
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN")
    try:
        yield
    finally:
        conn.execute("ROLLBACK")


def tables(conn: sqlite3.Connection) -> list[str]:
    """The dumped tables, parents before children (then by name), so a restore
    never inserts a row before the row it points at."""
    from cno.db import record_tables

    names = [n for n in record_tables(conn) if n not in EXCLUDED]
    parents = {n: {r[2] for r in conn.execute(f'PRAGMA foreign_key_list({_q(n)})')} - {n} for n in names}
    ordered: list[str] = []
    while len(ordered) < len(names):
        ready = [n for n in names if n not in ordered and parents[n] <= set(ordered)]
        ordered += ready or [n for n in names if n not in ordered]  # a cycle: deferred keys cope
    return ordered


def columns(conn: sqlite3.Connection, table: str) -> tuple[list[str], list[str]]:
    """(column names, primary-key columns) of `table`."""
    info = conn.execute(f'PRAGMA table_info({_q(table)})').fetchall()
    cols = [r[1] for r in info]
    pk = [r[1] for r in sorted((r for r in info if r[5]), key=lambda r: r[5])]
    return cols, pk


def _q(name: str) -> str:
    """An SQL identifier, quoted."""
    return '"' + name.replace('"', '""') + '"'


def _insert(conn, table: str, row: dict, *, or_ignore: bool = False):
    keys = list(row)
    verb = "INSERT OR IGNORE" if or_ignore else "INSERT"
    return conn.execute(
        f"{verb} INTO {_q(table)} ({', '.join(map(_q, keys))}) VALUES ({', '.join('?' * len(keys))})", [row[k] for k in keys]
    )


def _line(row: dict) -> str:
    from cno.render import to_json

    return to_json(row, indent=None)  # one line; no raw C1 or line separators


def count_rows(conn: sqlite3.Connection) -> int:
    return sum(conn.execute(f"SELECT count(*) FROM {_q(t)}").fetchone()[0] for t in tables(conn))


def write(conn: sqlite3.Connection, out, *, tick=lambda n=1: None) -> None:
    """Stream the dump to `out`, a row at a time (memory stays flat)."""
    names = tables(conn)
    out.write(f'{{"format": "{FORMAT}", "version": {VERSION}, "tables": {{\n')
    for n, table in enumerate(names):
        cols, pk = columns(conn, table)
        order = ", ".join(map(_q, pk)) or "rowid"
        out.write(f"{json.dumps(table)}: [")
        sep = "\n"
        for row in conn.execute(f"SELECT {', '.join(map(_q, cols))} FROM {_q(table)} ORDER BY {order}"):
            out.write(sep + _line(dict(zip(cols, row))))
            sep = ",\n"
            tick()
        out.write(("\n]" if sep != "\n" else "]") + (",\n" if n < len(names) - 1 else "\n"))
    out.write("}}\n")


def load(text: str, where: str) -> dict[str, list[dict]]:
    """The tables of a dump, checked for shape and version; exit 2 when it isn't one."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise importing.bad_file(where, e.lineno, f"not JSON ({e.msg})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise importing.bad_file(where, 1, 'not a cno dump (no "format": "cno") — make one with cno export json')
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise importing.bad_file(where, 1, f"unknown dump format version {version!r}")
    if version > VERSION:
        raise importing.bad_file(where, 1, f"dump format version {version} is from a newer cno (this one reads up to {VERSION}); upgrade cno")
    data = doc.get("tables")
    if not isinstance(data, dict) or not all(isinstance(rows, list) and all(isinstance(r, dict) for r in rows) for rows in data.values()):
        raise importing.bad_file(where, 1, 'not a cno dump ("tables" must map each table to a list of rows)')
    return data


# -- what a restored value may be --------------------------------------------------
#
# A dump is a file anyone can edit, and what it holds reaches exports, reports and
# `db check`: a value cno could not have written (a uid carrying a line break into
# a calendar, a date that does not exist, text in a number column) is refused
# before anything is written (README "Bring your contacts — and take them with
# you"). A column's rules come from the schema where it says enough — its declared
# type, being a key, the naming conventions of "Your data" (uid, *_on dates) — and
# from RULES below where it does not. A refusal names table, row and column, never
# the value: it may be a private note.


@dataclass(frozen=True)
class Rule:
    """What a non-null value of a column must be; `what` completes "COLUMN must be …"."""

    ok: Callable[[object], bool]
    what: str


_UUID = re.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")  # str(uuid.UUID(x)), exactly
_DAY = re.compile("([0-9]{4})-([0-9]{2})-([0-9]{2})")
_MOMENT = re.compile("([0-9]{4}-[0-9]{2}-[0-9]{2})(?:T([0-9]{2}):([0-9]{2}))?")
_YEARLESS = re.compile("--([0-9]{2})-([0-9]{2})")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")  # JSON can spell a lone surrogate; SQLite can't store one
_INT64 = 2**63


@lru_cache(maxsize=4096)  # a journal's dates repeat: a few thousand days over a million rows
def _real_day(text: str) -> bool:
    m = _DAY.fullmatch(text)
    try:
        return m is not None and MIN_DATE <= date(*map(int, m.groups())) <= MAX_DATE
    except ValueError:  # 2026-02-30
        return False


def _moment(text: str) -> bool:
    m = _MOMENT.fullmatch(text)
    return m is not None and _real_day(m[1]) and (m[2] is None or int(m[2]) < 24 and int(m[3]) < 60)


def _birthday(text: str) -> bool:
    if m := _YEARLESS.fullmatch(text):
        try:
            return bool(date(2000, int(m[1]), int(m[2])))  # a leap year: --02-29 is a birthday
        except ValueError:
            return False
    return _real_day(text)


def _stored_duration(text: str) -> bool:
    try:
        return str(parse_duration(text)) == text
    except CnoError:
        return False


def _stored_setting(row: dict) -> bool:
    try:
        return settings.normalise(row["key"], row["value"]) == (row["key"], row["value"])
    except CnoError:
        return False


def _one_of(*values: str) -> Rule:
    return Rule(lambda v: v in values, "one of " + ", ".join(values))


# Rules of a declared type (SQLite's affinity rules), checked before any other.
INTEGER = Rule(lambda v: type(v) is int and -_INT64 <= v < _INT64, "a whole number (of 64 bits)")
REAL = Rule(lambda v: type(v) is int and -_INT64 <= v < _INT64 or type(v) is float and math.isfinite(v), "a finite number")
TEXT = Rule(lambda v: type(v) is str and not _SURROGATE.search(v), "text")
PLAIN = Rule(lambda v: INTEGER.ok(v) or REAL.ok(v) or TEXT.ok(v), "a text or a number")

ID = Rule(lambda v: v >= 1, "a positive whole number (an id)")
UUID = Rule(lambda v: _UUID.fullmatch(v) is not None, "a UUID as cno writes it (8-4-4-4-12 lower-case hex digits)")
DAY = Rule(_real_day, f"a real date (YYYY-MM-DD, {MIN_DATE}..{MAX_DATE})")
MOMENT = Rule(_moment, f"a real date, or date and time (YYYY-MM-DD or YYYY-MM-DDTHH:MM, {MIN_DATE}..{MAX_DATE})")
BIRTHDAY = Rule(_birthday, f"a birthday (YYYY-MM-DD, {MIN_DATE}..{MAX_DATE}, or --MM-DD)")
DURATION = Rule(_stored_duration, "a duration as cno stores it (such as 21d, 3w, 2m or 1y)")
FLAG = Rule(lambda v: v in (0, 1), "0 or 1")
COUNT = Rule(lambda v: v >= 0, "0 or more")
POSITIVE = Rule(lambda v: v >= 1, "1 or more")
MONEY = Rule(lambda v: abs(v) <= MAX_VALUE, f"an amount of at most {MAX_VALUE:g}")
ADDRESS = Rule(lambda v: _CONTROL.search(v) is None, "free of control characters")
TIER = _one_of(*TIERS)

# What the schema's types and names don't say (README "Your data").
RULES: dict[str, dict[str, Rule]] = {
    "contacts": {
        "tier": TIER, "every": DURATION, "birthday": BIRTHDAY, "archived": FLAG, "cadence_days": POSITIVE,
        "prior_touches": COUNT, "ref_given": COUNT, "ref_received": COUNT, "intros": COUNT,
    },
    "contact_emails": {"email": ADDRESS, "position": COUNT},
    "contact_phones": {"phone": ADDRESS, "position": COUNT},
    "touchpoints": {
        "happened_at": MOMENT, "via": _one_of(*CHANNELS), "minutes": POSITIVE, "direction": _one_of("in", "out"),
        "gave": FLAG, "asked": FLAG, "intro": FLAG,
    },
    "milestones": {"yearly": FLAG},
    "referrals": {
        "direction": _one_of(*DIRECTIONS), "kind": _one_of("inside", "outside"), "status": _one_of("open", "won", "lost"),
        "value": MONEY, "closed_value": MONEY,
    },
    "goals": {"metric": _one_of(*METRICS), "target": POSITIVE, "per": _one_of(*PERIODS), "tier": TIER},
    "captured": {"source": _one_of("ics", "mail", "tasks")},
}  # fmt: skip

# Values that must agree with others of the same row: (column, the columns it
# needs, the test, what it must be). Checked once the row's values passed.
AGREE: dict[str, list[tuple[str, tuple[str, ...], Callable[[dict], bool], str]]] = {
    "touchpoints": [("happened_on", ("happened_at", "happened_on"), lambda r: r["happened_at"][:10] == r["happened_on"], "the date of happened_at")],
    "settings": [("value", ("key", "value"), _stored_setting, "what cno config set stores for its key, under a key cno knows")],
}  # fmt: skip

# Columns copied from the row a key points at (the same column there):
# checked against that row as restored, since parents are restored first.
COPIES: dict[str, list[tuple[str, str]]] = {"touchpoint_contacts": [("happened_on", "touchpoint_id")]}


def _affinity(declared: str) -> Rule:
    t = declared.upper()
    if "INT" in t:
        return INTEGER
    if any(k in t for k in ("CHAR", "CLOB", "TEXT")):
        return TEXT
    if any(k in t for k in ("REAL", "FLOA", "DOUB")):
        return REAL
    return PLAIN


def _by_name(column: str) -> Rule | None:
    if column == "uid":
        return UUID
    if column.endswith(("_on", "_until")) or column == "on_date":
        return DAY
    return None


class Checker:
    """The rules of every table here, compiled from the schema on first use;
    `row` checks one dumped row, `copies` one about to be written."""

    def __init__(self, conn: sqlite3.Connection, where: str):
        self.conn, self.where = conn, where
        self.known = tables(conn)
        self.columns: dict[str, list[str]] = {}
        self._rules: dict[str, dict[str, tuple[Rule, Rule | None, bool]]] = {}
        self._names: dict[str, list[str]] = {}  # the integer key columns that name a row in a message
        self._parents: dict[str, dict[str, tuple[str, str]]] = {}  # column → (table, column) it points at

    def _compile(self, table: str) -> dict[str, tuple[Rule, Rule | None, bool]]:
        info = self.conn.execute(f"PRAGMA table_info({_q(table)})").fetchall()
        self._parents[table] = {r[3]: (r[2], r[4] or "rowid") for r in self.conn.execute(f"PRAGMA foreign_key_list({_q(table)})")}
        pk = [r[1] for r in info if r[5]]
        rules = {}
        for _cid, name, declared, notnull, _default, _pk in info:
            typed = _affinity(declared or "")
            is_key = typed is INTEGER and (name in self._parents[table] or pk == [name])
            rules[name] = (typed, RULES.get(table, {}).get(name) or (ID if is_key else _by_name(name)), bool(notnull))
        self.columns[table] = [r[1] for r in info]
        self._names[table] = ["id"] if "id" in pk else [c for c in pk if rules[c][0] is INTEGER]
        self._rules[table] = rules
        return rules

    def _refuse(self, table: str, i: int, row: dict, message: str) -> CnoError:
        ident = ", ".join(f"{c} {row[c]}" for c in self._names[table] if type(row.get(c)) is int)
        return CnoError(f"{self.where}: {table} row {i}{f' ({ident})' if ident else ''}: {message}")

    def row(self, table: str, i: int, row: dict) -> None:
        """Refuse (CnoError, exit 2) the `i`th row of `table` unless every value is one cno could have written."""
        rules = self._rules.get(table) or self._compile(table)
        for col, value in row.items():
            if (spec := rules.get(col)) is None:
                raise self._refuse(table, i, row, f"unknown column {col!r} — is the dump from a newer cno?")
            typed, rule, notnull = spec
            if value is None:
                if notnull:
                    raise self._refuse(table, i, row, f"{col} is empty (null), which it can't be")
                continue
            for r in (typed, rule):
                if r is not None and not r.ok(value):
                    raise self._refuse(table, i, row, f"{col} must be {r.what}")
        for col, needs, test, what in AGREE.get(table, ()):
            if all(row.get(c) is not None for c in needs) and not test(row):
                raise self._refuse(table, i, row, f"{col} must be {what}")

    def copies(self, table: str, i: int, dumped: dict, here: dict) -> None:
        """Refuse a copied column that differs from the row it is copied from; `here`
        is the row as it will be written (its keys pointing at rows here)."""
        for col, key in COPIES.get(table, ()):
            parent, parent_key = self._parents[table][key]
            if here.get(col) is None or here.get(key) is None:
                continue
            found = self.conn.execute(f"SELECT {_q(col)} FROM {_q(parent)} WHERE {_q(parent_key)} = ?", (here[key],)).fetchone()
            if found is not None and found[0] != here[col]:
                raise self._refuse(table, i, dumped, f"{col} must be the {col} of the {parent} row its {key} points at")


def _check(conn, data: dict[str, list[dict]], where: str) -> Checker:
    """Every dumped table exists here and every row passes its rules, before anything is written."""
    checker = Checker(conn, where)
    for table, rows in data.items():
        if table not in checker.known:
            raise CnoError(f"{where}: unknown table {table!r} — is the dump from a newer cno?")
        for i, row in enumerate(rows, 1):
            checker.row(table, i, row)
    return checker


def is_empty(conn: sqlite3.Connection) -> bool:
    return all(conn.execute(f"SELECT 1 FROM {_q(t)} LIMIT 1").fetchone() is None for t in tables(conn))


def restore(conn: sqlite3.Connection, data: dict[str, list[dict]], where: str, *, tick=lambda n=1: None) -> int:
    """Insert the dump as it is, ids included, into an empty journal; returns the rows written."""
    from itertools import groupby

    checker = _check(conn, data, where)
    conn.execute("PRAGMA defer_foreign_keys = ON")  # ends with the transaction
    written = 0
    for table in tables(conn):
        rows = data.get(table, [])
        # consecutive rows with the same columns go in one executemany
        for keys, group in groupby(enumerate(rows, 1), key=lambda item: tuple(item[1])):
            batch = list(group)
            if table in COPIES:
                for i, row in batch:
                    checker.copies(table, i, row, row)
            sql = f"INSERT INTO {_q(table)} ({', '.join(map(_q, keys))}) VALUES ({', '.join('?' * len(keys))})"
            try:
                conn.executemany(sql, ([row[k] for k in keys] for _, row in batch))
            except sqlite3.IntegrityError as e:
                first, last = batch[0][0], batch[-1][0]
                at = f"row {first}" if first == last else f"rows {first}–{last}"
                raise CnoError(f"{where}: {table} {at} can't be restored ({e})") from None
            written += len(batch)
            tick(len(batch))
    _check_references(conn, where)
    # The maintained columns (last touch, next due, strength) are restored as
    # dumped, not recomputed: they were consistent in the journal dumped, and a
    # recomputed float sum could differ in its last bit from the original.
    return written


def _check_references(conn, where: str) -> None:
    bad = conn.execute("PRAGMA foreign_key_check").fetchone()
    if bad is not None:
        raise CnoError(f"{where}: {bad[0]} row {bad[1]} points at a missing {bad[2]} record")


def _contact_records(data: dict[str, list[dict]]) -> list[tuple[dict, Record]]:
    lists: dict[int, dict[str, list]] = {}
    for table, key, col in (("contact_emails", "emails", "email"), ("contact_phones", "phones", "phone"), ("contact_tags", "tags", "tag")):
        for row in sorted(data.get(table, []), key=lambda r: r.get("position") or 0):
            lists.setdefault(row.get("contact_id"), {}).setdefault(key, []).append(row.get(col) or "")
    out = []
    for i, row in enumerate(data.get("contacts", []), 1):
        rec = Record(name=row.get("name") or "", line=i, **{f: row.get(f) for f in importing.FILLABLE})
        for key, values in lists.get(row.get("id"), {}).items():
            setattr(rec, key, values)
        out.append((row, rec))
    return out


def merge(conn: sqlite3.Connection, data: dict[str, list[dict]], where: str, today: date, *, tick=lambda n=1: None) -> tuple[Outcome, int, int]:
    """Merge a dump into a journal that has records: contacts by the matching rule,
    every other record by its uid (or its own key); nothing already here is overwritten.

    Returns the contacts' outcome, and how many other records were added and skipped.
    """
    checker = _check(conn, data, where)
    conn.execute("PRAGMA defer_foreign_keys = ON")
    ids: dict[str, dict[int, int]] = {}  # table → dumped id → id here
    existing: dict[str, set[int]] = {}  # table → dumped ids of records that were already here
    out = Outcome()
    matcher = Matcher(conn)
    contact_cols = checker.columns.get("contacts", [])
    for row, raw in _contact_records(data):
        tick()
        old = row.get("id")
        here = conn.execute("SELECT * FROM contacts WHERE uid = ?", (row.get("uid"),)).fetchone()
        rec = importing.clean(raw, where, today, out.warnings)
        if rec is None:
            raise CnoError(f"{where}: contacts row {raw.line} has no usable name")
        here = here or matcher.find(rec)
        if here is None:
            cur = _insert(conn, "contacts", {k: row[k] for k in contact_cols if k in row and k != "id"})
            ids.setdefault("contacts", {})[old] = cur.lastrowid
            matcher.remember(cur.lastrowid, rec.linkedin)
            out.added += 1
            out.rows.append({"action": "add", "id": cur.lastrowid, "name": rec.name, "line": raw.line, "fields": []})
            continue
        ids.setdefault("contacts", {})[old] = here["id"]
        existing.setdefault("contacts", set()).add(old)
        changed = importing.fill(conn, matcher, here, rec, today, out.warnings, where)
        out.updated += bool(changed)
        out.skipped += not changed
        out.rows.append({"action": "update" if changed else "skip", "id": here["id"], "name": here["name"], "line": raw.line, "fields": changed})
    added = skipped = 0
    for table in tables(conn):
        if table == "contacts" or table not in data:
            continue
        cols, pk = columns(conn, table)
        parents = {r[3]: r[2] for r in conn.execute(f'PRAGMA foreign_key_list({_q(table)})')}  # column → table
        own_id = pk == ["id"]
        for i, dumped in enumerate(data[table], 1):
            tick()
            row = dict(dumped)
            # A row that is part of its parent (its key holds the parent's id: a
            # touchpoint's people and tags) stays with a parent that was already here.
            if any(c in pk and p != "contacts" and row.get(c) in existing.get(p, ()) for c, p in parents.items()):
                skipped += 1
                continue
            if table in CONTACT_PARTS and row.get("contact_id") in existing.get("contacts", ()):
                skipped += 1  # merged into the matching contact above
                continue
            for c, p in parents.items():
                if row.get(c) is not None:
                    if row[c] not in ids.get(p, {}):
                        raise CnoError(f"{where}: {table} row {i} points at a {p} record the dump does not have")
                    row[c] = ids[p][row[c]]
            found = "uid" in cols and conn.execute(f"SELECT rowid FROM {_q(table)} WHERE uid = ?", (row.get("uid"),)).fetchone()
            if found:
                if own_id:
                    ids.setdefault(table, {})[dumped.get("id")] = found[0]
                    existing.setdefault(table, set()).add(dumped.get("id"))
                skipped += 1
                continue
            checker.copies(table, i, dumped, row)
            old = row.pop("id", None) if own_id else None
            cur = _insert(conn, table, row, or_ignore=True)
            if own_id and cur.rowcount:
                ids.setdefault(table, {})[old] = cur.lastrowid
            added += cur.rowcount
            skipped += 1 - cur.rowcount
    _check_references(conn, where)
    followups.refresh(conn)
    return out, added, skipped
