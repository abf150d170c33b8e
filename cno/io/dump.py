"""The JSON dump: every record of the journal, losslessly, and its restore.

The dump covers every table of the schema except those listed in EXCLUDED
and the full-text indexes (derived from the rows), found by introspection so
a table added by a later migration is dumped without touching this file. It
holds a format version and nothing about the moment or machine it was made
on, and rows come in primary-key order, one per line, so dump → restore →
dump is byte-identical and two dumps diff well.
"""

from __future__ import annotations

import codecs
import json
import math
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Callable

from cno import followups, settings
from cno.bulk import collector_aside, into_empty
from cno.contacts import TIERS, ContactInput
from cno.dates import MAX_DATE, MIN_DATE, parse_duration
from cno.db import SEARCH_INDEXES
from cno.errors import CnoError
from cno.goals import METRICS, PERIODS
from cno.io import importing
from cno.io.importing import Matcher, Outcome
from cno.referrals import DIRECTIONS, MAX_VALUE
from cno.touchpoints import CHANNELS

FORMAT = "cno"
VERSION = 1
# capture_files and sync_tasks remember paths on this machine, which mean
# nothing in another journal (README "Reminders: cno sync tasks"). Tables whose name starts with "_" are bookkeeping about the file
# (_sqlite_migrations: its schema; _cno_demo: a demo's mark), not records.
# sync_contacts and sync_tasks are what a vdir on this machine held at its last sync, and a
# contact's updated_at when a write last touched it here (README "Your phone
# and other machines"): neither is data; a restore stamps updated_at afresh.
EXCLUDED = ("capture_files", "sync_contacts", "sync_tasks")
EXCLUDED_COLUMNS = {"contacts": ("updated_at",)}
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
    cols = [r[1] for r in info if r[1] not in EXCLUDED_COLUMNS.get(table, ())]
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
    _check_header(doc, where)
    data = doc.get("tables")
    if not isinstance(data, dict) or not all(isinstance(rows, list) and all(isinstance(r, dict) for r in rows) for rows in data.values()):
        raise importing.bad_file(where, 1, 'not a cno dump ("tables" must map each table to a list of rows)')
    return data


def _check_header(doc, where: str) -> None:
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise importing.bad_file(where, 1, 'not a cno dump (no "format": "cno") — make one with cno export json')
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise importing.bad_file(where, 1, f"unknown dump format version {version!r}")
    if version > VERSION:
        raise importing.bad_file(where, 1, f"dump format version {version} is from a newer cno (this one reads up to {VERSION}); upgrade cno")


# -- reading a dump as it comes ----------------------------------------------------
#
# A dump of a lifetime is hundreds of megabytes, several times that as Python
# objects: a dump laid out as `export json` writes it is read a row at a time
# (README "Bring your contacts — and take them with you"). Anything else — stdin,
# another encoding, another layout, broken JSON — is read whole by `load`, whose
# refusals name the line; a stream that turns out to be such a file is read
# again that way, nothing of it kept.

_CHUNK = 1 << 20
_WS = re.compile(r"[ \t\n\r]*")
_NEXT = re.compile(r"[ \t\n\r]*([,\]])[ \t\n\r]*")
# Strict, as JSONDecoder is by default: no control character in a string and
# only whitespace between values, so a dump holding one that importing.decode
# refuses is read whole (_NotAsWritten) and refused there, with its line.
_DECODER = json.JSONDecoder()


class _NotAsWritten(Exception):
    """The file is not laid out as export json writes it: read it whole instead."""


class Dump:
    """A dump file being read: its tables in the file's order, each a stream of rows.

    `open_dump` reads its header (format and version) before anything is written."""

    def __init__(self, path: str, warnings: list[str]):
        self.path, self.warnings = path, warnings
        self._file = open(path, "rb")  # noqa: SIM115 — closed when the tables are read, or by close()
        self._decode = codecs.getincrementaldecoder("utf-8-sig")()
        self._buf, self._pos, self._eof = "", 0, False
        self._by_line = True  # rows come a line each, as export json writes them (until one doesn't)

    def close(self) -> None:
        self._file.close()

    def whole(self) -> dict[str, list[dict]]:
        """The dump read whole, as `load` reads it (its refusals, its line numbers)."""
        self.close()
        return load(importing.decode(importing.read_bytes(self.path), self.path, self.warnings), self.path)

    def _more(self) -> bool:
        if self._eof:
            return False
        data = self._file.read(_CHUNK)
        try:
            text = self._decode.decode(data, final=not data)
        except UnicodeDecodeError:
            raise _NotAsWritten from None
        self._eof = not data
        self._buf = self._buf[self._pos :] + text
        self._pos = 0
        return True

    def _peek(self) -> str:
        while True:
            self._pos = _WS.match(self._buf, self._pos).end()
            if self._pos < len(self._buf) or not self._more():
                return self._buf[self._pos : self._pos + 1]

    def _take(self, ch: str) -> None:
        if self._peek() != ch:
            raise _NotAsWritten
        self._pos += 1

    def _value(self):
        self._peek()
        while True:
            try:
                value, end = _DECODER.raw_decode(self._buf, self._pos)
                if end < len(self._buf) or self._eof:  # a number may go on in the next chunk
                    self._pos = end
                    return value
            except json.JSONDecodeError:
                if self._eof:
                    raise _NotAsWritten from None
            self._more()

    def _key(self, expected: str | None = None) -> str:
        key = self._value()
        if not isinstance(key, str) or expected is not None and key != expected:
            raise _NotAsWritten
        self._take(":")
        return key

    def header(self) -> None:
        """`{"format": "cno", "version": N, "tables": {` with a version this cno reads."""
        self._take("{")
        doc = {"format": (self._key("format"), self._value())[1]}
        self._take(",")
        doc["version"] = (self._key("version"), self._value())[1]
        self._take(",")
        self._key("tables")
        try:
            _check_header(doc, self.path)
        except CnoError:
            raise _NotAsWritten from None  # read whole, it is refused with load's words
        self._take("{")

    def tables(self) -> Iterator[tuple[str, Iterator[dict]]]:
        """(table, its rows) in the file's order; each table's rows must be read before the next."""
        if self._peek() == "}":
            self._pos += 1
        else:
            while True:
                rows = self._rows(self._key())
                yield next(rows), rows
                for _ in rows:  # whatever the reader left
                    pass
                if self._peek() != ",":
                    self._take("}")
                    break
                self._pos += 1
        self._take("}")
        if self._peek() != "":
            raise _NotAsWritten
        self.close()

    def _rows(self, table: str) -> Iterator:
        yield table
        self._take("[")
        if self._peek() == "]":
            self._pos += 1
            return
        while True:
            if self._by_line and (lines := self._lines()) is not None:
                rows, ended = lines
                yield from rows
                if ended:
                    return
                continue
            row = self._value()
            if not isinstance(row, dict):
                raise _NotAsWritten
            yield row
            # the usual ",\n" after a row, without a call per character class
            m = _NEXT.match(self._buf, self._pos)
            if m and m.end() < len(self._buf):
                self._pos = m.end()
                if m[1] == "]":
                    return
                continue
            c = self._peek()
            self._pos += 1
            if c == "]":
                return
            if c != ",":
                raise _NotAsWritten


    def _lines(self) -> tuple[list[dict], bool] | None:
        """The rows on the whole lines read from here, decoded at once as one JSON array,
        and whether the table's `]` ended them; None when there is no whole line yet.

        Export json writes a row a line, `{…},` and the last `{…}` before the line
        `]`, and a string holds no raw line break: the lines up to `]` (or up to the
        last one read, less its comma) are the body of an array, decoded as the rows
        would be one by one. Rows laid out otherwise (pretty-printed) don't decode
        so, and are read one at a time from then on.
        """
        buf, pos = self._buf, self._pos
        last = buf.rfind("\n", pos)
        if last < 0:
            return None
        close = buf.find("\n]", pos, last + 2)
        if close >= 0:
            text, after = buf[pos:close], close + 2
        else:
            text, after = buf[pos:last].rstrip(" \t\r"), last + 1
            if not text.endswith(","):
                self._by_line = False
                return None
            text = text[:-1]
        try:
            rows = _DECODER.decode("[" + text + "]")
        except json.JSONDecodeError:
            rows = None
        if rows is None or not all(type(r) is dict for r in rows):
            self._by_line = False
            return None
        self._pos = after
        return rows, close >= 0


def open_dump(path: str, warnings: list[str]) -> Dump | dict[str, list[dict]]:
    """The dump at `path`, its header checked: streamed when it is laid out as
    export json writes it (a Dump), else read whole (its tables)."""
    if path == "-" or Path(path).is_dir():
        return load(importing.decode(importing.read_bytes(path), path, warnings), path)
    try:
        source = Dump(path, warnings)
    except OSError:
        return load(importing.decode(importing.read_bytes(path), path, warnings), path)  # refused as read_bytes words it
    try:
        source.header()
    except _NotAsWritten:
        return source.whole()
    return source


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
    # the same test for many values at once (`values` all of the column's type): see _column_test
    all_ok: Callable[[list], bool] | None = None


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
    allowed = frozenset(values)
    return Rule(lambda v: v in values, "one of " + ", ".join(values), lambda vs: allowed.issuperset(vs))


# Rules of a declared type (SQLite's affinity rules), checked before any other.
INTEGER = Rule(lambda v: type(v) is int and -_INT64 <= v < _INT64, "a whole number (of 64 bits)")
REAL = Rule(lambda v: type(v) is int and -_INT64 <= v < _INT64 or type(v) is float and math.isfinite(v), "a finite number")
TEXT = Rule(lambda v: type(v) is str and not _SURROGATE.search(v), "text")
PLAIN = Rule(lambda v: INTEGER.ok(v) or REAL.ok(v) or TEXT.ok(v), "a text or a number")

ID = Rule(lambda v: v >= 1, "a positive whole number (an id)", lambda vs: min(vs) >= 1)
UUID = Rule(lambda v: _UUID.fullmatch(v) is not None, "a UUID as cno writes it (8-4-4-4-12 lower-case hex digits)",
            lambda vs: all(map(_UUID.fullmatch, vs)))  # fmt: skip
DAY = Rule(_real_day, f"a real date (YYYY-MM-DD, {MIN_DATE}..{MAX_DATE})", lambda vs: all(map(_real_day, set(vs))))
MOMENT = Rule(_moment, f"a real date, or date and time (YYYY-MM-DD or YYYY-MM-DDTHH:MM, {MIN_DATE}..{MAX_DATE})",
              lambda vs: all(map(_moment, set(vs))))  # fmt: skip
BIRTHDAY = Rule(_birthday, f"a birthday (YYYY-MM-DD, {MIN_DATE}..{MAX_DATE}, or --MM-DD)", lambda vs: all(map(_birthday, set(vs))))
DURATION = Rule(_stored_duration, "a duration as cno stores it (such as 21d, 3w, 2m or 1y)",
                lambda vs: all(map(_stored_duration, set(vs))))  # fmt: skip
FLAG = Rule(lambda v: v in (0, 1), "0 or 1", lambda vs: {0, 1}.issuperset(vs))
COUNT = Rule(lambda v: v >= 0, "0 or more", lambda vs: min(vs) >= 0)
POSITIVE = Rule(lambda v: v >= 1, "1 or more", lambda vs: min(vs) >= 1)
MONEY = Rule(lambda v: abs(v) <= MAX_VALUE, f"an amount of at most {MAX_VALUE:g}", lambda vs: max(map(abs, vs)) <= MAX_VALUE)
ADDRESS = Rule(lambda v: _CONTROL.search(v) is None, "free of control characters", lambda vs: _CONTROL.search("".join(vs)) is None)
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


def _typed_all(typed: Rule, values: list) -> bool:
    """Whether every one of `values` (none null) is of the column's declared type, at C speed for the usual ones."""
    types = set(map(type, values))
    if typed is TEXT:
        return types == {str} and _SURROGATE.search("".join(values)) is None
    if typed is INTEGER or typed is REAL and types == {int}:
        return types == {int} and -_INT64 <= min(values) and max(values) < _INT64
    if typed is REAL and types == {float}:
        return all(map(math.isfinite, values))
    return all(map(typed.ok, values))


def _column_test(typed: Rule, rule: Rule | None, notnull: bool) -> Callable[[tuple], bool]:
    """A column's tests for a run of rows at once: True only when every value passes
    them (as `Checker.row` tests each). False is not a refusal: the run is then
    tested a row at a time, which says which row is wrong and how."""
    every = None if rule is None else rule.all_ok or (lambda vs: all(map(rule.ok, vs)))

    def test(values: tuple) -> bool:
        if None in values:
            if notnull:
                return False
            values = [v for v in values if v is not None]
            if not values:
                return True
        if not _typed_all(typed, values):
            return False
        if typed is REAL and rule is not None and rule.all_ok is None:
            return all(map(rule.ok, values))  # the sets of all_ok would take 1 and 1.0 as one
        return every is None or every(values)

    return test


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
        self._tests: dict[str, dict[str, tuple[Callable[[object], bool], bool]]] = {}
        self._column_tests: dict[str, dict[str, Callable[[tuple], bool]]] = {}

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
        # each column's rules as one test, for the rows that pass (nearly all of them)
        self._tests[table] = {
            col: (typed.ok if rule is None else lambda v, a=typed.ok, b=rule.ok: a(v) and b(v), notnull)
            for col, (typed, rule, notnull) in rules.items()
        }
        self._column_tests[table] = {col: _column_test(*spec) for col, spec in rules.items()}
        return rules

    def _refuse(self, table: str, i: int, row: dict, message: str) -> CnoError:
        ident = ", ".join(f"{c} {row[c]}" for c in self._names[table] if type(row.get(c)) is int)
        return CnoError(f"{self.where}: {table} row {i}{f' ({ident})' if ident else ''}: {message}")

    def row(self, table: str, i: int, row: dict) -> None:
        """Refuse (CnoError, exit 2) the `i`th row of `table` unless every value is one cno could have written."""
        if table not in self._tests:
            self._compile(table)
        tests = self._tests[table]
        for col, value in row.items():
            test = tests.get(col)
            if test is None or (test[1] if value is None else not test[0](value)):
                self._refuse_row(table, i, row)
        for col, needs, test, what in AGREE.get(table, ()):
            if all(row.get(c) is not None for c in needs) and not test(row):
                raise self._refuse(table, i, row, f"{col} must be {what}")

    def run(self, table: str, first: int, rows: list[dict], keys: tuple[str, ...]) -> None:
        """`row` for consecutive rows of `table`, the first being the `first`th, that
        have the columns `keys` in that order: a column at a time, and a row at a
        time only when a column fails, to refuse the first wrong row as `row` does."""
        if table not in self._tests:
            self._compile(table)
        tests = self._column_tests[table]
        if not all(col in tests and tests[col](values) for col, values in zip(keys, zip(*map(dict.values, rows)))):
            for j, row in enumerate(rows):
                self.row(table, first + j, row)
            return
        for col, needs, test, what in AGREE.get(table, ()):
            for j, row in enumerate(rows):
                if all(row.get(c) is not None for c in needs) and not test(row):
                    raise self._refuse(table, first + j, row, f"{col} must be {what}")

    def _refuse_row(self, table: str, i: int, row: dict) -> None:
        """Say which value of a row that failed its tests is wrong, and how."""
        rules = self._rules[table]
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

    def copies_of(self, table: str, batch: list[tuple[int, dict]]) -> None:
        """`copies` for a batch of (line, row) as dumped, with a query per 500 rows, not per row."""
        from cno.db import in_chunks

        for col, key in COPIES.get(table, ()):
            parent, parent_key = self._parents[table][key]
            wanted = sorted({row[key] for _, row in batch if row.get(key) is not None and row.get(col) is not None})
            found = {}
            for chunk, marks in in_chunks(wanted):
                sql = f"SELECT {_q(parent_key)}, {_q(col)} FROM {_q(parent)} WHERE {_q(parent_key)} IN ({marks})"
                found.update(self.conn.execute(sql, chunk))
            for i, row in batch:
                if row.get(col) is not None and row.get(key) in found and found[row[key]] != row[col]:
                    self.copies(table, i, row, row)


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


@collector_aside()
def restore(conn: sqlite3.Connection, source: Dump | dict[str, list[dict]], where: str, *, tick=lambda n=1: None) -> int:
    """Insert the dump as it is, ids included, into an empty journal; returns the rows written.

    A Dump is written as it is read, a batch at a time; one that turns out not
    to be laid out as export json writes it is undone and read whole.
    """
    with _cache(conn):
        if isinstance(source, dict):
            return _restore_whole(conn, source, where, tick=tick)
        conn.execute("SAVEPOINT cno_restore")
        try:
            written = _restore_stream(conn, source, where, tick)
        except _NotAsWritten:
            conn.execute("ROLLBACK TO cno_restore")
            conn.execute("RELEASE cno_restore")
            return _restore_whole(conn, source.whole(), where, tick=tick)
        finally:
            source.close()
        conn.execute("RELEASE cno_restore")
        return written


_BATCH = 5000
# A restore writes a lifetime of records in one transaction, inserting into
# indexes in no order of theirs (uids are random): with SQLite's default 2 MB
# page cache most of those pages are written out and read back many times.
# 48 MB keeps them in memory and the restore well under the 150 MB of README
# "Performance".
_CACHE_KB = 48 * 1024


@contextmanager
def _cache(conn: sqlite3.Connection):
    (before,) = conn.execute("PRAGMA cache_size").fetchone()
    conn.execute(f"PRAGMA cache_size = -{_CACHE_KB}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = {int(before)}")


@contextmanager
def _filling(conn: sqlite3.Connection):
    """A restore's rows going into the empty journal: logged a table at a time,
    their indexes and search indexes built at the end. Yields `logged(table)`."""
    from cno import history

    with history.logged_per_table(conn) as logged, into_empty(conn, tables(conn), SEARCH_INDEXES):
        yield logged


def _restore_stream(conn: sqlite3.Connection, source: Dump, where: str, tick) -> int:
    with _filling(conn) as logged:
        return _restore_tables(conn, source, where, tick, logged)


def _restore_tables(conn: sqlite3.Connection, source: Dump, where: str, tick, logged) -> int:
    from itertools import islice

    from cno.bulk import insert_rows

    checker = Checker(conn, where)
    order = {t: n for n, t in enumerate(tables(conn))}
    conn.execute("PRAGMA defer_foreign_keys = ON")  # ends with the transaction
    written, last = 0, -1
    for table, rows in source.tables():
        if table not in checker.known:
            raise CnoError(f"{where}: unknown table {table!r} — is the dump from a newer cno?")
        if order[table] <= last:
            raise _NotAsWritten  # a child before its parent: its copies can't be checked as it comes
        last = order[table]
        first = 1  # the number of the batch's first row in its table
        while batch := list(islice(rows, _BATCH)):
            runs = list(_runs(batch))
            for start, end, keys in runs:
                checker.run(table, first + start, batch[start:end], keys)
            if table in COPIES:
                checker.copies_of(table, list(enumerate(batch, first)))
            for start, end, keys in runs:
                try:
                    # names checked against the schema by checker.run above
                    insert_rows(conn, table, keys, map(tuple, map(dict.values, batch[start:end])))
                except sqlite3.IntegrityError as e:
                    at = f"row {first + start}" if end - start == 1 else f"rows {first + start}–{first + end - 1}"
                    raise CnoError(f"{where}: {table} {at} can't be restored ({e})") from None
                written += end - start
                tick(end - start)
            first += len(batch)
        logged(table)
    _check_references(conn, where)
    return written


def _runs(rows: list[dict]) -> Iterator[tuple[int, int, tuple[str, ...]]]:
    """(start, end, columns) of each run of consecutive rows with the same columns in the same order."""
    start = 0
    while start < len(rows):
        keys = tuple(rows[start])
        end = start + 1
        while end < len(rows) and tuple(rows[end]) == keys:
            end += 1
        yield start, end, keys
        start = end


def _restore_whole(conn: sqlite3.Connection, data: dict[str, list[dict]], where: str, *, tick=lambda n=1: None) -> int:
    checker = _check(conn, data, where)
    with _filling(conn) as logged:
        written = _restore_checked(conn, checker, data, where, tick, logged)
    _check_references(conn, where)
    # The maintained columns (last touch, next due, strength) are restored as
    # dumped, not recomputed: they were consistent in the journal dumped, and a
    # recomputed float sum could differ in its last bit from the original.
    return written


def _restore_checked(conn: sqlite3.Connection, checker: Checker, data: dict[str, list[dict]], where: str, tick, logged) -> int:
    from itertools import groupby

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
        if rows:
            logged(table)
    return written


def _check_references(conn, where: str) -> None:
    bad = conn.execute("PRAGMA foreign_key_check").fetchone()
    if bad is not None:
        raise CnoError(f"{where}: {bad[0]} row {bad[1]} points at a missing {bad[2]} record")


def _contact_records(data: dict[str, list[dict]]) -> list[tuple[dict, ContactInput]]:
    lists: dict[int, dict[str, list]] = {}
    for table, key, col in (("contact_emails", "emails", "email"), ("contact_phones", "phones", "phone"), ("contact_tags", "tags", "tag")):
        for row in sorted(data.get(table, []), key=lambda r: r.get("position") or 0):
            lists.setdefault(row.get("contact_id"), {}).setdefault(key, []).append(row.get(col) or "")
    out = []
    for i, row in enumerate(data.get("contacts", []), 1):
        rec = ContactInput(name=row.get("name") or "", line=i, **{f: row.get(f) for f in importing.FILLABLE})
        for key, values in lists.get(row.get("id"), {}).items():
            setattr(rec, key, values)
        out.append((row, rec))
    return out


@collector_aside()
def merge(conn: sqlite3.Connection, source: Dump | dict[str, list[dict]], where: str, today: date, *, tick=lambda n=1: None) -> tuple[Outcome, int, int]:
    """Merge a dump into a journal that has records: contacts by the matching rule,
    every other record by its uid (or its own key); nothing already here is overwritten.

    Returns the contacts' outcome, and how many other records were added and skipped.
    A Dump is merged as it is read, holding only the contacts and their lists
    (the matching rule needs them together); one that turns out not to be laid
    out as export json writes it is undone and read whole.
    """
    if isinstance(source, dict):
        return _merge_whole(conn, source, where, today, tick)
    conn.execute("SAVEPOINT cno_merge")
    try:
        result = _merge_stream(conn, source, where, today, tick)
    except _NotAsWritten:
        conn.execute("ROLLBACK TO cno_merge")
        conn.execute("RELEASE cno_merge")
        return _merge_whole(conn, source.whole(), where, today, tick)
    finally:
        source.close()
    conn.execute("RELEASE cno_merge")
    return result


def _merge_whole(conn, data: dict[str, list[dict]], where: str, today: date, tick) -> tuple[Outcome, int, int]:
    merging = _Merging(conn, _check(conn, data, where), where, today, tick)
    merging.contacts(data)
    for table in tables(conn):
        if table != "contacts" and table in data:
            merging.table(table, enumerate(data[table], 1))
    return merging.finish()


def _merge_stream(conn, source: Dump, where: str, today: date, tick) -> tuple[Outcome, int, int]:
    checker = Checker(conn, where)
    merging = _Merging(conn, checker, where, today, tick)
    order = {t: n for n, t in enumerate(tables(conn))}
    # the contacts and the tables of theirs up to their last list, until merged
    held: dict[str, list[dict]] | None = {}
    lists_end = max(order[t] for t in CONTACT_PARTS)
    last = -1
    for table, rows in source.tables():
        if table not in checker.known:
            raise CnoError(f"{where}: unknown table {table!r} — is the dump from a newer cno?")
        if order[table] <= last:
            raise _NotAsWritten  # a child before its parent
        last = order[table]
        checked = ((i, checker.row(table, i, row) or row) for i, row in enumerate(rows, 1))
        of_contacts = table == "contacts" or "contacts" in _ancestors(conn, table)
        if of_contacts and order[table] <= lists_end:
            held[table] = [row for _, row in checked]
            continue
        if held is not None and of_contacts:
            _merge_held(merging, held)
            held = None
        merging.table(table, checked)
    if held is not None:
        _merge_held(merging, held)
    return merging.finish()


def _merge_held(merging: _Merging, held: dict[str, list[dict]]) -> None:
    """The contacts, then the tables of theirs held with them, in the file's order."""
    if "contacts" not in held:
        raise _NotAsWritten  # the contacts come later, or not at all: read whole, it is refused there
    merging.contacts(held)
    for table, rows in held.items():
        if table != "contacts":
            merging.table(table, enumerate(rows, 1))


def _ancestors(conn, table: str) -> set[str]:
    """The tables `table` points at, directly or through others."""
    seen: set[str] = set()
    todo = [table]
    while todo:
        for r in conn.execute(f"PRAGMA foreign_key_list({_q(todo.pop())})"):
            if r[2] not in seen:
                seen.add(r[2])
                todo.append(r[2])
    return seen


class _Merging:
    """One merge: contacts first (by the matching rule), then each other table's rows."""

    def __init__(self, conn, checker: Checker, where: str, today: date, tick):
        self.conn, self.checker, self.where, self.today, self.tick = conn, checker, where, today, tick
        conn.execute("PRAGMA defer_foreign_keys = ON")
        self.ids: dict[str, dict[int, int]] = {}  # table → dumped id → id here
        self.existing: dict[str, set[int]] = {}  # table → dumped ids of records that were already here
        self.out = Outcome()
        self.added = self.skipped = 0

    def contacts(self, data: dict[str, list[dict]]) -> None:
        conn, where, today, out, ids, existing = self.conn, self.where, self.today, self.out, self.ids, self.existing
        matcher = Matcher(conn)
        contact_cols = self.checker.columns.get("contacts") or columns(conn, "contacts")[0]
        for row, raw in _contact_records(data):
            self.tick()
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

    def table(self, table: str, rows) -> None:
        """Merge the (line, row)s of one table other than contacts."""
        conn, where, ids, existing, checker = self.conn, self.where, self.ids, self.existing, self.checker
        cols, pk = columns(conn, table)
        parents = {r[3]: r[2] for r in conn.execute(f'PRAGMA foreign_key_list({_q(table)})')}  # column → table
        own_id = pk == ["id"]
        for i, dumped in rows:
            self.tick()
            row = dict(dumped)
            # A row that is part of its parent (its key holds the parent's id: a
            # touchpoint's people and tags) stays with a parent that was already here.
            if any(c in pk and p != "contacts" and row.get(c) in existing.get(p, ()) for c, p in parents.items()):
                self.skipped += 1
                continue
            if table in CONTACT_PARTS and row.get("contact_id") in existing.get("contacts", ()):
                self.skipped += 1  # merged into the matching contact above
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
                self.skipped += 1
                continue
            checker.copies(table, i, dumped, row)
            old = row.pop("id", None) if own_id else None
            cur = _insert(conn, table, row, or_ignore=True)
            if own_id and cur.rowcount:
                ids.setdefault(table, {})[old] = cur.lastrowid
            self.added += cur.rowcount
            self.skipped += 1 - cur.rowcount

    def finish(self) -> tuple[Outcome, int, int]:
        _check_references(self.conn, self.where)
        followups.refresh(self.conn)
        return self.out, self.added, self.skipped
