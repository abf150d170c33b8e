"""Writing many rows at once, for the bulk functions of contacts, touchpoints and referrals."""

from __future__ import annotations

import gc
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager


@contextmanager
def collector_aside() -> Iterator[None]:
    """Python's cycle collector set aside while a bulk read builds hundreds of
    thousands of objects that live until it ends. Each of its full collections
    walks every one of them, and they come more often the more there are: it
    made capturing 100,000 messages take 11.6 times as long as 10,000, where
    without it the time grows with the messages (README "Performance").
    Reference counting still frees what is built (the peak memory is the
    same); the collector is put back as it was. As a decorator too."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


_BUILD_CACHE_KB = 8 * 1024


@contextmanager
def into_empty(conn: sqlite3.Connection, tables: Sequence[str], search: Mapping[str, str]) -> Iterator[None]:
    """For rows written only into tables that were empty (a restore into an
    empty journal): their secondary indexes and their search indexes are built
    once, from the finished tables, instead of kept up row by row.

    Rows come in id order but their indexed values in none (uids are random):
    an index built at the end is one sort, where keeping it up as rows come
    touches its pages over and over; FTS5's 'rebuild' indexes a table's text
    in one pass, where the insert trigger writes a segment a batch at a time.
    The journal comes out as the row-by-row path leaves it: each index and
    trigger is put back from its own text (`search`: each search index and the
    table whose text it holds, which its trigger `TABLE_fts_ai` fills). SQLite
    keeps a table's indexes, and its triggers, in the order they were made (its
    triggers fire, its indexes are weighed, in that order), so those made after
    one set aside are put back after it too, and each table's come back in the
    order they had. A unique index stays while rows come, so a duplicate is
    refused at its row. On an error, all done inside is rolled back to where
    it began, the indexes and triggers with it (README "Performance").
    """
    marks = ", ".join("?" * len(tables))
    schema = conn.execute(
        f"SELECT type, tbl_name, name, sql FROM sqlite_master WHERE tbl_name IN ({marks})"
        " AND type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY rowid",
        tuple(tables),
    ).fetchall()
    plain = {
        name
        for table in tables
        for _, name, unique, origin, *_ in conn.execute(f'PRAGMA index_list("{table}")')
        if origin == "c" and not unique  # made by CREATE INDEX, not by a constraint
    }
    searched = [fts for fts, table in search.items() if table in tables]
    names = plain | {f"{search[fts]}_fts_ai" for fts in searched}
    aside = [entry for entry in schema if entry[2] in names]
    first: dict[tuple[str, str], int] = {}  # (kind, table): where its first one set aside was
    for i, (kind, table, name, _) in enumerate(schema):
        if name in names:
            first.setdefault((kind, table), i)
    later = [e for i, e in enumerate(schema) if e not in aside and i > first.get((e[0], e[1]), len(schema))]
    conn.execute("SAVEPOINT cno_into_empty")
    try:
        for kind, _, name, _ in aside:
            conn.execute(f'DROP {kind.upper()} "{name}"')
        yield
        # SQLite sorts an index's entries in memory up to the page cache's
        # size, beside the cache: built with a small one, a restore's peak
        # stays that of its rows (164 MB with the 48 MB cache it writes with,
        # 122 MB so, in as little time)
        (cache,) = conn.execute("PRAGMA cache_size").fetchone()
        conn.execute(f"PRAGMA cache_size = -{_BUILD_CACHE_KB}")
        try:
            for fts in searched:
                conn.execute(f"INSERT INTO \"{fts}\"(\"{fts}\") VALUES ('rebuild')")
            for kind, _, name, _ in later:
                conn.execute(f'DROP {kind.upper()} "{name}"')
            for entry in schema:
                if entry in aside or entry in later:
                    conn.execute(entry[3])
        finally:
            conn.execute(f"PRAGMA cache_size = {int(cache)}")
    except BaseException:
        conn.execute("ROLLBACK TO cno_into_empty")
        conn.execute("RELEASE cno_into_empty")
        raise
    conn.execute("RELEASE cno_into_empty")


def next_id(conn: sqlite3.Connection, table: str) -> int:
    """The id SQLite would give the table's next row: above any id it ever gave
    (AUTOINCREMENT's sqlite_sequence), so an id is never given twice (README
    "Made a mistake?")."""
    (n,) = conn.execute(
        f"SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = ?), 0), coalesce((SELECT max(id) FROM {table}), 0)) + 1",
        (table,),
    ).fetchone()
    return n


def insert_rows(
    conn: sqlite3.Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence], *, upsert: str = ""
) -> None:
    """INSERT these rows, in order, with one statement, so per-row triggers run inside it.

    `upsert` is what follows the INSERT: `ON CONFLICT …` or, for an
    `INSERT OR IGNORE`, "OR IGNORE" (put where SQLite reads it).

    The search index is kept by triggers, and FTS5 writes its pending terms
    out at every statement: `executemany` would run one statement per row and
    write a tiny index segment for each (about ten times slower). Staged in a
    temporary table and copied with one INSERT … SELECT, the same triggers
    index the same text in a few large segments. One statement instead of one
    per row also spares SQLite a statement journal per row, which the history
    triggers make it keep (about twice as fast for a row of `captured`).
    """
    cols = ", ".join(columns)
    stage = f"temp.bulk_{table}"
    conn.execute(f"CREATE TEMP TABLE bulk_{table} AS SELECT {cols} FROM main.{table} LIMIT 0")
    try:
        conn.executemany(f"INSERT INTO {stage} VALUES ({', '.join('?' * len(columns))})", rows)
        ignore = "OR IGNORE " if upsert == "OR IGNORE" else ""
        on_conflict = upsert if not ignore else ""
        conn.execute(f"INSERT {ignore}INTO main.{table} ({cols}) SELECT {cols} FROM {stage} WHERE true ORDER BY rowid {on_conflict}")
    finally:
        conn.execute(f"DROP TABLE {stage}")
