"""Writing many rows at once, for the bulk functions of contacts, touchpoints and referrals."""

from __future__ import annotations

import gc
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
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
