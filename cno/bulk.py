"""Writing many rows at once, for the bulk functions of contacts, touchpoints and referrals."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence


def next_id(conn: sqlite3.Connection, table: str) -> int:
    """The id SQLite would give the table's next row: above any id it ever gave
    (AUTOINCREMENT's sqlite_sequence), so an id is never given twice (README
    "Made a mistake?")."""
    (n,) = conn.execute(
        f"SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = ?), 0), coalesce((SELECT max(id) FROM {table}), 0)) + 1",
        (table,),
    ).fetchone()
    return n


def insert_rows(conn: sqlite3.Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """INSERT these rows, in order, with one statement, so per-row triggers run inside it.

    The search index is kept by triggers, and FTS5 writes its pending terms
    out at every statement: `executemany` would run one statement per row and
    write a tiny index segment for each (about ten times slower). Staged in a
    temporary table and copied with one INSERT … SELECT, the same triggers
    index the same text in a few large segments.
    """
    cols = ", ".join(columns)
    stage = f"temp.bulk_{table}"
    conn.execute(f"CREATE TEMP TABLE bulk_{table} AS SELECT {cols} FROM main.{table} LIMIT 0")
    try:
        conn.executemany(f"INSERT INTO {stage} VALUES ({', '.join('?' * len(columns))})", rows)
        conn.execute(f"INSERT INTO main.{table} ({cols}) SELECT {cols} FROM {stage} ORDER BY rowid")
    finally:
        conn.execute(f"DROP TABLE {stage}")
