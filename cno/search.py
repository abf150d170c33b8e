"""`cno search`: full-text search over contacts, touchpoints and referrals (FTS5).

The input is never handed to FTS5's query language: it is cut into words
(letters and digits, as FTS5's tokenizer cuts text) and each word becomes a
quoted prefix term, all of them required. Quotes, `*`, `NEAR(`, `OR`,
`col:` or `-x` in the input are therefore just words or nothing.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator

from cno.db import split_list
from cno.errors import CnoError

_WORD = re.compile(r"[^\W_]+")
MARK = "**"  # around matched words in a JSON `snippet` (kept as it was first published)
# FTS5 brackets each match with these private-use characters, which no one
# types, so the text and the matches' places can be read back apart.
_OPEN, _CLOSE = "\ue000", "\ue001"


def query_for(text: str) -> str:
    """An FTS5 query that matches every word of `text` as a literal word prefix."""
    words = _WORD.findall(text)
    if not words:
        raise CnoError(f"nothing to search for in {text!r} — give a word, e.g. cno search lovelace")
    return " AND ".join(f'"{w}"*' for w in words)


def _snippet(table: str) -> str:
    return f"snippet({table}, -1, '{_OPEN}', '{_CLOSE}', '…', 12)"


# A word in more than this many records of one kind is ranked among its newest
# this many (README "Search"): FTS5 works out bm25 for every match before it
# hands over the first, 0.6 s for a word in 363,000 notes.
RANKED = 10_000


def search(conn: sqlite3.Connection, text: str, *, limit: int | None = None) -> Iterator[dict]:
    """Matching contacts, then touchpoints, then referrals, each kind best first by
    FTS5's bm25; at most `limit` of each kind (None: all, every match ranked).
    With a limit, a kind with more than RANKED matches has its newest RANKED
    ranked. Rows come as they are read.

    `ORDER BY rank` alone lets FTS5 hand the rows over in its own order, so
    the LIMIT stops the joins and snippets at the rows kept (a tie-break
    column would make SQLite sort every match first).
    """
    q = query_for(text)
    for kind, table, sql in _KINDS:
        where, args = f"{table} MATCH :q", {"q": q, "limit": limit}
        if limit is not None:
            # the newest RANKED matches: the rowid of the oldest of them, if there are more
            oldest = conn.execute(
                f"SELECT rowid FROM {table} WHERE {table} MATCH :q ORDER BY rowid DESC LIMIT 1 OFFSET :n", {"q": q, "n": RANKED - 1}
            ).fetchone()
            if oldest is not None:
                where += f" AND {table}.rowid >= :oldest"
                args["oldest"] = oldest[0]
        lim = " LIMIT :limit" if limit is not None else ""
        rows = conn.execute(sql.format(snippet=_snippet(table)) + f" WHERE {where} ORDER BY {table}.rank{lim}", args)
        yield from (_found(kind, r) for r in rows)


# (kind, index, the query of its rows, to which the MATCH is added)
_KINDS = (
    ("contact", "contacts_fts",
     "SELECT c.id, c.name, c.last_touch_on AS day, {snippet} AS snip FROM contacts_fts JOIN contacts c ON c.id = contacts_fts.rowid"),
    ("touchpoint", "touchpoints_fts",
     "SELECT t.id, t.happened_at AS day, {snippet} AS snip,"
     " (SELECT group_concat(id, char(31)) FROM (SELECT c.id AS id FROM touchpoint_contacts x JOIN contacts c ON c.id = x.contact_id"
     "   WHERE x.touchpoint_id = t.id ORDER BY c.name_key)) AS ids,"
     " (SELECT group_concat(name, char(31)) FROM (SELECT c.name AS name FROM touchpoint_contacts x JOIN contacts c ON c.id = x.contact_id"
     "   WHERE x.touchpoint_id = t.id ORDER BY c.name_key)) AS names"
     " FROM touchpoints_fts JOIN touchpoints t ON t.id = touchpoints_fts.rowid"),
    ("referral", "referrals_fts",
     "SELECT f.id, f.on_date AS day, f.contact_id, c.name, f.prospect_id, p.name AS prospect_name, {snippet} AS snip"
     " FROM referrals_fts JOIN referrals f ON f.id = referrals_fts.rowid JOIN contacts c ON c.id = f.contact_id"
     " LEFT JOIN contacts p ON p.id = f.prospect_id"),
)  # fmt: skip


def _found(kind: str, r) -> dict:
    if kind == "contact":
        ids, names = [r["id"]], [r["name"]]
    elif kind == "touchpoint":
        ids, names = [int(i) for i in split_list(r["ids"])], split_list(r["names"])
    else:
        ids, names = [r["contact_id"]], [r["name"]]
        if r["prospect_id"] is not None:
            ids.append(r["prospect_id"])
            names.append(r["prospect_name"])
    return _row(kind, r["id"], ids, names, r["day"], r["snip"])


def _row(kind: str, rid: int, ids: list[int], names: list[str], on: str | None, snippet: str | None) -> dict:
    text, matches = _matches(snippet or "")
    marked, pos = [], 0
    for start, end in matches:
        marked += [text[pos:start], MARK, text[start:end], MARK]
        pos = end
    return {
        "kind": kind, "id": rid, "contact_ids": ids, "names": names, "date": on,
        "snippet": "".join(marked) + text[pos:], "snippet_text": text, "snippet_matches": matches,
    }  # fmt: skip


def _matches(snippet: str) -> tuple[str, list[list[int]]]:
    """A snippet without its match brackets, and each match as [start, end) in that text."""
    text, matches, start = [], [], None
    for ch in snippet:
        if ch == _OPEN:
            start = len(text)
        elif ch == _CLOSE:
            if start is not None and len(text) > start:
                matches.append([start, len(text)])
            start = None
        else:
            text.append(ch)
    return "".join(text), matches
