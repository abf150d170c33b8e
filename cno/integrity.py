"""`cno db check`: is the journal whole? SQLite's own checks plus cno's invariants.

It only reads (README "Your data"): the file is opened read-only, so it
works on a read-only file and beside another process's write transaction.
SQLite's integrity and foreign-key checks run on the file itself; cno's
checks run on a copy of it in memory, upgraded there when the journal is
older, because FTS5's own index check is an INSERT, which a read-only
connection refuses and another writer's lock would hold up.

Every check is driven by the declarations below and by the schema, table by
table: a new table is checked for UTF-8 as it is, and its dates once it has
an entry in DATES. Tables whose names begin with "_" (sqlite-utils' and
Litestream's bookkeeping, the demo's mark) are not cno's records.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

from cno import db, followups, maintained
from cno.errors import CnoError, JournalError

FTS_TABLES = tuple(db.SEARCH_INDEXES)

# How a date column may be written, as an SQL test that holds for a real date
# of that form ({c}: the column): julianday() counts an impossible day such
# as 2026-02-30 on into March, so only a real date comes back unchanged.
# Dates people give lie in 1800..2999 (README "Dates"); a computed one (a due
# date far ahead) only needs to be a day Python's dates can hold.
_TYPED = "{c} BETWEEN '1800-01-01' AND '2999-12-31T99'"
_FORMS = {
    "day": "typeof({c}) = 'text' AND " + _TYPED + " AND {c} = date(julianday({c}))",
    "computed": "typeof({c}) = 'text' AND {c} >= '0001' AND {c} = date(julianday({c}))",
    # a touchpoint's moment: its day, or its day and time of day
    "moment": "typeof({c}) = 'text' AND " + _TYPED +
    " AND ({c} = date(julianday({c})) OR {c} = strftime('%Y-%m-%dT%H:%M', julianday({c})))",
    # a birthday: a day, or --MM-DD without a year (checked in leap year 2000)
    "birthday": "typeof({c}) = 'text' AND (" + _TYPED + " AND {c} = date(julianday({c}))"
    " OR {c} GLOB '--[0-9][0-9]-[0-9][0-9]' AND '2000' || substr({c}, 2) = date(julianday('2000' || substr({c}, 2))))",
}  # fmt: skip
# The date columns of each table and their form (README "Your data"); the
# maintained ones of contacts come from cno.maintained.
DATES: dict[str, dict[str, str]] = {
    "contacts": {
        "birthday": "birthday", "met_on": "day", "created_on": "day", "updated_at": "moment",
        **{c: "computed" for c, col in maintained.CONTACTS.items() if col.kind == "date"},
    },
    "touchpoints": {"happened_at": "moment", "happened_on": "day", "created_on": "day"},
    "touchpoint_contacts": {"happened_on": "day"},
    "followups": {"due_on": "day", "created_on": "day", "done_on": "day"},
    "milestones": {"on_date": "day"},
    "referrals": {"on_date": "day", "closed_on": "day", "created_on": "day"},
    "goals": {"created_on": "day"},
    "captured": {"captured_on": "day"},
    "capture_files": {"seen_on": "day"},
    "sync_contacts": {"updated_at": "moment"},
    "sync_tasks": {"due_on": "day", "synced_on": "day"},
}  # fmt: skip
# Every record's `uid` is a UUID (README "Your data").
_UUID = "-".join("[0-9a-fA-F]" * n for n in (8, 4, 4, 4, 12))
# A whole check prints at most this many lines, then how many more it found.
_LIMIT = 20


def open_read_only(path: Path) -> sqlite3.Connection | None:
    """A read-only connection to the journal at `path`; None when there is no
    journal yet (no file, or a zero-byte one, which stays one).

    A journal from a newer cno is exit 3, as for every command.
    """
    if path.is_dir():
        raise JournalError(f"{path} is a folder, not a journal file")
    if not path.exists() or path.stat().st_size == 0:
        return None
    # an absolute path after "file://": no part of a file name is read as a URI's
    absolute = quote(str(path.absolute()))
    try:
        conn = sqlite3.connect(f"file://{absolute}?mode=ro", uri=True, timeout=db.BUSY_TIMEOUT_S, isolation_level=None)
    except sqlite3.Error as e:
        raise JournalError(f"can't open journal {path}: {e}") from None
    try:
        unknown = [m for m in db._applied_migrations(conn, path) if m not in db.KNOWN_MIGRATIONS]
    except BaseException:
        conn.close()
        raise
    if unknown:
        conn.close()
        raise JournalError(f"{path} was written by a newer cno (unknown migration {unknown[0]}); upgrade cno to use it")
    return conn


def problems_at(path: Path) -> list[str]:
    """`check` of the journal at `path`, read-only; no journal yet: none."""
    conn = open_read_only(path)
    if conn is None:
        return []
    try:
        return check(conn)
    finally:
        conn.close()


def check(conn: sqlite3.Connection) -> list[str]:
    """Every problem found, a line each; an empty list means all is well.

    `conn` is only read: cno's own checks run on a copy in memory.
    """
    from concurrent.futures import ThreadPoolExecutor

    mem = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    try:
        try:
            conn.backup(mem)
        except sqlite3.DatabaseError as e:
            problems = _limited("integrity", _sqlite_checks, conn)
            return problems + [f"the journal can't be read whole, so cno's checks did not run ({_reason(e)})"]
        # SQLite's checks of the file and cno's of the copy side by side:
        # SQLite's work runs outside Python's lock, so the two share the cores
        with ThreadPoolExecutor(1) as pool:
            ours = pool.submit(_cno_checks, mem)
            problems = _limited("integrity", _sqlite_checks, conn)
            problems += ours.result()
    finally:
        mem.close()
    return problems


def _tolerant(data: bytes) -> str:
    """Text as str whatever its bytes: those that aren't UTF-8 become surrogates."""
    return data.decode("utf-8", "surrogateescape")


def _cno_checks(mem: sqlite3.Connection) -> list[str]:
    """cno's checks (_CHECKS), in order, on the copy `mem`."""
    problems: list[str] = []
    try:
        older = len(db._applied_migrations(mem, Path("the copy of the journal"))) < len(db.KNOWN_MIGRATIONS)
    except CnoError as e:
        return [str(e)]
    if older:
        # checked as this cno will read it; an upgrade that adds maintained
        # columns fills them, in the copy as in the file at its first write
        mem.text_factory = _tolerant
        try:
            db._migrate(mem)
        except (sqlite3.Error, CnoError, ValueError, TypeError) as e:
            problems.append(f"the journal can't be upgraded to this cno's schema ({_reason(e)})")
        mem.text_factory = str
    for name, run in _CHECKS:
        found = _limited(name, run, mem)
        problems += found
        if name == "values" and found:
            # text that isn't UTF-8 would stop the checks after this one,
            # which read text as str: their reads keep its bytes instead
            mem.text_factory = _tolerant
    return problems


def _limited(name: str, run: Callable[[sqlite3.Connection], Iterator[str]], conn: sqlite3.Connection) -> list[str]:
    """A check's lines, at most _LIMIT of them; a check that fails on the
    journal's content is itself a problem, never a crash."""
    out: list[str] = []
    more = 0
    try:
        for line in run(conn):
            if len(out) < _LIMIT:
                out.append(line)
            else:
                more += 1
    except (sqlite3.Error, CnoError, ValueError, TypeError, ArithmeticError) as e:
        out.append(f"{name}: can't be checked ({_reason(e)})")
    if more:
        out.append(f"{name}: {more} more like these")
    return out


def _reason(e: Exception) -> str:
    """What went wrong, never quoting stored text: SQLite's message (less the
    undecodable text sqlite3 quotes), cno's own journal errors, else the kind
    of error (a bad value's message holds the value)."""
    if isinstance(e, sqlite3.Error):
        msg = str(e)
        return msg.split(" with text ", 1)[0] if "decode" in msg else msg
    return str(e) if isinstance(e, JournalError) else type(e).__name__


# -- SQLite's own checks, on the file -------------------------------------------


def _sqlite_checks(conn: sqlite3.Connection) -> Iterator[str]:
    for (row,) in conn.execute("PRAGMA integrity_check"):
        if row != "ok":
            yield f"integrity: {row}"
    for table, rowid, parent, _fk in conn.execute("PRAGMA foreign_key_check"):
        yield f"{table} row {rowid}: points at a missing {parent} record"


# -- cno's checks, on the copy ---------------------------------------------------


def _tables(conn: sqlite3.Connection) -> dict[str, list[tuple[str, str]]]:
    """cno's record tables (db.record_tables) and their (column, declared type)."""
    return {n: [(r[1], r[2] or "") for r in conn.execute(f"PRAGMA table_info({_q(n)})")] for n in db.record_tables(conn)}


def _history(conn: sqlite3.Connection) -> Iterator[str]:
    from cno import history

    yield from history.problems(conn)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _row(table: str, cols: list[str]) -> tuple[str, str]:
    """(SQL naming a row, how a line names it): its id, else its rowid."""
    return ("id", f"{table} #") if "id" in cols else ("rowid", f"{table} row ")


def _values(conn: sqlite3.Connection) -> Iterator[str]:
    """Every value readable as what its column holds, in one pass per table:
    text is UTF-8, a date column (DATES) holds real dates of its form, a uid
    is a UUID, a maintained count is a whole number and a maintained sum a
    finite one."""
    for table, cols in _tables(conn).items():
        key, label = _row(table, [c for c, _ in cols])
        tests = {c: _suspect(table, c, declared) for c, declared in cols}
        # a suspect text as its bytes, any other suspect value as its type's name
        picked = ", ".join(
            f"CASE WHEN {t} THEN CASE typeof({q}) WHEN 'text' THEN CAST({q} AS BLOB) ELSE typeof({q}) END END"
            for q, t in ((_q(c), t) for c, t in tests.items())
        )
        where = " OR ".join(f"({t})" for t in tests.values())
        for ident, *values in conn.execute(f"SELECT {key}, {picked} FROM {_q(table)} WHERE {where} ORDER BY {key}"):
            for col, value in zip(tests, values):
                if value is not None and (why := _why(table, col, value)):
                    yield f"{label}{ident}: {col} {why}"


def _suspect(table: str, col: str, declared: str) -> str:
    """An SQL test that holds for every value of `col` that may be unreadable;
    those values (only) are then read as bytes and judged by _why."""
    c = _q(col)
    if form := DATES.get(table, {}).get(col):
        return f"{c} IS NOT NULL AND NOT coalesce({_FORMS[form].format(c=c)}, 0)"
    if col == "uid":
        return f"{c} IS NOT NULL AND NOT (typeof({c}) = 'text' AND {c} GLOB '{_UUID}')"
    kind = maintained.kind(table, col)
    if kind == "int":
        return f"{c} IS NOT NULL AND typeof({c}) <> 'integer'"
    if kind == "real":
        # the largest finite double: only an infinity is above it
        return f"{c} IS NOT NULL AND NOT (typeof({c}) IN ('integer', 'real') AND abs({c}) <= 1.7976931348623157e308)"
    if _numeric(declared):
        return f"typeof({c}) = 'text'"  # a number column: text in it is rare
    # Text: GLOB picks any character outside printable ASCII (a byte >= 0x80
    # reads as one), instr a NUL, after which GLOB sees nothing.
    return f"typeof({c}) = 'text' AND ({c} GLOB '*[^ -~]*' OR instr(CAST({c} AS BLOB), x'00'))"


def _numeric(declared: str) -> bool:
    """Whether a column of this declared type has a numeric affinity (SQLite's rules, in their order)."""
    d = declared.upper()
    if "INT" in d:
        return True
    return bool(d) and not any(word in d for word in ("CHAR", "CLOB", "TEXT", "BLOB"))


def _why(table: str, col: str, value: bytes | str) -> str | None:
    """What is wrong with a suspect value (text as bytes, else its type's name), if anything."""
    if isinstance(value, bytes):
        try:
            value.decode("utf-8")
        except UnicodeDecodeError:
            return "holds text that is not UTF-8"
    if col in DATES.get(table, {}):
        return "is not a date"
    if col == "uid":
        return "is not a UUID"
    kind = maintained.kind(table, col)
    if kind:
        return f"is not {'a whole' if kind == 'int' else 'a finite'} number"
    return None  # text outside ASCII, and fine


def _copies(conn: sqlite3.Connection) -> Iterator[str]:
    """Every copied column equals the column it is copied from."""
    for table, col, source, ref in maintained.COPIED:
        for rowid, ident, stored, expected in conn.execute(
            f"SELECT x.rowid, x.{ref}, x.{col}, s.{col} FROM {_q(table)} x JOIN {_q(source)} s ON s.id = x.{ref}"
            f" WHERE x.{col} IS NOT s.{col} ORDER BY x.rowid"
        ):
            yield f"{table} row {rowid} ({source} #{ident}): {_differs(col, stored, expected)}"


def _names(conn: sqlite3.Connection) -> Iterator[str]:
    """contacts.name_key is the name in the form names are compared in."""
    from cno.refs import name_key

    for ident, name, key in conn.execute("SELECT id, name, name_key FROM contacts ORDER BY id"):
        if not isinstance(name, str) or key != name_key(name):
            yield f"contacts #{ident}: name_key is not the name's lookup form"


def _emails(conn: sqlite3.Connection) -> Iterator[str]:
    """No e-mail address on two contacts; case is ignored as `add` and `edit` ignore it."""
    for (owners,) in conn.execute(
        "SELECT group_concat(DISTINCT contact_id) FROM contact_emails GROUP BY email COLLATE NOCASE"
        " HAVING count(DISTINCT contact_id) > 1 ORDER BY min(contact_id)"
    ):
        ids = sorted(int(i) for i in str(owners).split(","))
        yield "contact_emails: one e-mail address on contacts " + ", ".join(f"#{i}" for i in ids)


def _settings(conn: sqlite3.Connection) -> Iterator[str]:
    """Every cadence and address setting reads as `cno config set` would store it."""
    from cno import settings

    for rowid, key, value in conn.execute("SELECT rowid, key, value FROM settings ORDER BY key"):
        if not isinstance(key, str):
            yield f"settings row {rowid}: its key is not text"
            continue
        if not (key.startswith("cadence.") or key == "me.email"):
            continue  # not one cno reads
        try:
            readable = isinstance(value, str) and settings.normalise(key, value)[0] == key
        except CnoError:
            readable = False
        if not readable:
            what = "a duration" if key.startswith("cadence.") else "e-mail addresses"
            yield f"settings row {rowid} ({key}): not a setting cno can read (the value should be {what})"


def _cadences(conn: sqlite3.Connection) -> Iterator[str]:
    """A contact's own cadence is a duration."""
    from cno.dates import parse_duration

    for ident, every in conn.execute("SELECT id, every FROM contacts WHERE every IS NOT NULL ORDER BY id"):
        try:
            parse_duration(every)
        except (CnoError, TypeError, AttributeError):
            yield f"contacts #{ident}: every is not a duration"


def _maintained(conn: sqlite3.Connection) -> Iterator[str]:
    """Every maintained column equals what refresh computes from the history.

    Compared exactly, strength_raw included: followups.computed adds each
    contact's terms in one fixed order on every path, so a stored sum that
    refresh wrote is equal to the last bit, and any difference is drift.
    """
    cols = list(maintained.CONTACTS)
    stored = {r[0]: r[1:] for r in conn.execute(f"SELECT id, {', '.join(cols)} FROM contacts")}
    try:
        fresh = list(followups.computed(conn))
    except JournalError:  # a cadence setting that can't be read, listed by the settings check
        yield "contacts: the maintained columns were not compared: a cadence setting can't be read"
        return
    for ident, values in fresh:
        if values is None:
            yield f"contacts #{ident}: its maintained columns can't be computed from a day or cadence that can't be read"
            continue
        diff = [_differs(c, a, b) for c, a, b in zip(cols, stored[ident], values) if a != b]
        if diff:
            yield f"contacts #{ident}: " + "; ".join(diff)


def _fts(conn: sqlite3.Connection) -> Iterator[str]:
    """FTS5's own check, which compares each index with its table row for row
    (rank 1); it is an INSERT, hence run here, on the copy."""
    present = {
        n for (n, sql) in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
        if re.match(r"(?is)\s*CREATE\s+VIRTUAL\s+TABLE\b.*\bUSING\s+fts5\b", sql or "")
    }  # fmt: skip
    for fts in sorted(set(FTS_TABLES) | present):
        if fts not in present:
            yield f"search index {fts} is missing"
            continue
        try:
            conn.execute(f"INSERT INTO {_q(fts)}({_q(fts)}, rank) VALUES ('integrity-check', 1)")
        except sqlite3.DatabaseError as e:
            yield f"search index {fts} does not match its table ({_reason(e)})"


_DATE_SHAPE = re.compile(r"^(?:\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2})?|--\d{2}-\d{2})$", re.ASCII)


def _shown(value) -> str:
    """A stored value as a problem line may show it: numbers and date-shaped
    text as they are, anything else (which may be someone's words) by its kind."""
    if value is None:
        return "empty"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str) and _DATE_SHAPE.match(value):
        return value
    return "text" if isinstance(value, str) else "a blob"


def _differs(col: str, stored, expected) -> str:
    return f"{col}={_shown(stored)}, expected {_shown(expected)}"


def _sync_state(conn: sqlite3.Connection) -> Iterator[str]:
    """The sync state (README "Your phone and other machines") reads as a sync
    wrote it: a hash is a sha256, the fields are the JSON object of the mapped
    fields, and no contact has two cards in one folder."""
    import json

    from cno.sync.contacts import FIELDS

    have = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "sync_contacts" not in have:
        return
    for rowid, hash_, fields in conn.execute("SELECT rowid, hash, fields FROM sync_contacts ORDER BY rowid"):
        if hash_ is not None and not (isinstance(hash_, str) and re.fullmatch(r"[0-9a-f]{64}", hash_)):
            yield f"sync_contacts row {rowid}: hash is not a sha256"
        try:
            value = json.loads(fields)
            readable = isinstance(value, dict) and set(value) == set(FIELDS)
        except (TypeError, ValueError):
            readable = False
        if not readable:
            yield f"sync_contacts row {rowid}: fields is not what a sync writes (the mapped fields as JSON)"
    for (cid,) in conn.execute(
        "SELECT contact_id FROM sync_contacts WHERE contact_id IS NOT NULL GROUP BY dir, contact_id HAVING count(*) > 1"
    ):
        yield f"sync_contacts: contacts #{cid} has two cards in one folder"


# The checks run on the copy, in this order; the search indexes last, as
# their check is a write (to the copy).
_CHECKS: tuple[tuple[str, Callable[[sqlite3.Connection], Iterator[str]]], ...] = (
    ("values", _values),
    ("copies", _copies),
    ("names", _names),
    ("e-mails", _emails),
    ("settings", _settings),
    ("cadences", _cadences),
    ("maintained", _maintained),
    ("history", _history),
    ("sync state", _sync_state),
    ("search", _fts),
)
