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
import sqlite3
from contextlib import contextmanager
from datetime import date

from cno import followups
from cno.errors import CnoError
from cno.io import importing
from cno.io.importing import Matcher, Outcome, Record

FORMAT = "cno"
VERSION = 1
# capture_files remembers paths on this machine, which mean nothing in another
# journal. Tables whose name starts with "_" are bookkeeping about the file
# (_sqlite_migrations: its schema; _cno_demo: a demo's mark), not records.
EXCLUDED = ("capture_files",)
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
    rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall()
    virtual = [n for n, sql in rows if (sql or "").upper().startswith("CREATE VIRTUAL TABLE")]
    names = sorted(
        n for n, _ in rows
        if not n.startswith(("sqlite_", "_")) and n not in EXCLUDED and n not in virtual
        and not any(n.startswith(v + "_") for v in virtual)  # FTS shadow tables
    )  # fmt: skip
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


def _check(conn, data: dict[str, list[dict]], where: str) -> dict[str, list[str]]:
    """Every dumped table and column exists here and every value is a plain one."""
    known = tables(conn)
    cols_of = {}
    plain = (str, float, type(None))
    for table, rows in data.items():
        if table not in known:
            raise CnoError(f"{where}: unknown table {table!r} — is the dump from a newer cno?")
        cols = columns(conn, table)[0]
        cols_of[table] = cols
        seen: set[tuple] = set()
        for i, row in enumerate(rows, 1):
            keys = tuple(row)
            if keys not in seen:
                if unknown := [k for k in keys if k not in cols]:
                    raise CnoError(f"{where}: {table} row {i}: unknown column {unknown[0]!r} — is the dump from a newer cno?")
                seen.add(keys)
            for k, v in row.items():
                if type(v) is int and -(2**63) <= v < 2**63 or type(v) in plain:
                    continue
                raise CnoError(f"{where}: {table} row {i}: {k} holds {json.dumps(v)[:40]}, not a text, number or null")
    return cols_of


def is_empty(conn: sqlite3.Connection) -> bool:
    return all(conn.execute(f"SELECT 1 FROM {_q(t)} LIMIT 1").fetchone() is None for t in tables(conn))


def restore(conn: sqlite3.Connection, data: dict[str, list[dict]], where: str, *, tick=lambda n=1: None) -> int:
    """Insert the dump as it is, ids included, into an empty journal; returns the rows written."""
    from itertools import groupby

    _check(conn, data, where)
    conn.execute("PRAGMA defer_foreign_keys = ON")  # ends with the transaction
    written = 0
    for table in tables(conn):
        rows = data.get(table, [])
        # consecutive rows with the same columns go in one executemany
        for keys, group in groupby(enumerate(rows, 1), key=lambda item: tuple(item[1])):
            batch = list(group)
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
    cols_of = _check(conn, data, where)
    conn.execute("PRAGMA defer_foreign_keys = ON")
    ids: dict[str, dict[int, int]] = {}  # table → dumped id → id here
    existing: dict[str, set[int]] = {}  # table → dumped ids of records that were already here
    out = Outcome()
    matcher = Matcher(conn)
    contact_cols = cols_of.get("contacts", [])
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
            old = row.pop("id", None) if own_id else None
            cur = _insert(conn, table, row, or_ignore=True)
            if own_id and cur.rowcount:
                ids.setdefault(table, {})[old] = cur.lastrowid
            added += cur.rowcount
            skipped += 1 - cur.rowcount
    _check_references(conn, where)
    followups.refresh(conn)
    return out, added, skipped
