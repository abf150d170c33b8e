"""`cno search`: full-text search over contacts, touchpoints and referrals (FTS5).

The input is never handed to FTS5's query language: it is cut into words
(letters and digits, as FTS5's tokenizer cuts text) and each word becomes a
quoted prefix term, all of them required. Quotes, `*`, `NEAR(`, `OR`,
`col:` or `-x` in the input are therefore just words or nothing.
"""

from __future__ import annotations

import re
import sqlite3

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


def search(conn: sqlite3.Connection, text: str, *, limit: int | None = None) -> list[dict]:
    """Matching contacts (best first), then touchpoints and referrals (newest first)."""
    q = query_for(text)
    rows = []
    lim = " LIMIT ?" if limit is not None else ""
    extra = [limit] if limit is not None else []
    for r in conn.execute(
        f"SELECT c.id, c.name, c.last_touch_on, {_snippet('contacts_fts')} AS snip FROM contacts_fts"
        f" JOIN contacts c ON c.id = contacts_fts.rowid WHERE contacts_fts MATCH ? ORDER BY rank, c.name_key{lim}",
        [q, *extra],
    ):
        rows.append(_row("contact", r["id"], [r["id"]], [r["name"]], r["last_touch_on"], r["snip"]))
    for r in conn.execute(
        f"SELECT t.id, t.happened_at, {_snippet('touchpoints_fts')} AS snip,"
        " (SELECT group_concat(id, char(31)) FROM (SELECT c.id AS id FROM touchpoint_contacts x JOIN contacts c ON c.id = x.contact_id"
        "   WHERE x.touchpoint_id = t.id ORDER BY c.name_key)) AS ids,"
        " (SELECT group_concat(name, char(31)) FROM (SELECT c.name AS name FROM touchpoint_contacts x JOIN contacts c ON c.id = x.contact_id"
        "   WHERE x.touchpoint_id = t.id ORDER BY c.name_key)) AS names"
        " FROM touchpoints_fts JOIN touchpoints t ON t.id = touchpoints_fts.rowid"
        f" WHERE touchpoints_fts MATCH ? ORDER BY t.happened_on DESC, t.happened_at DESC, t.id DESC{lim}",
        [q, *extra],
    ):
        ids = [int(i) for i in split_list(r["ids"])]
        names = split_list(r["names"])
        rows.append(_row("touchpoint", r["id"], ids, names, r["happened_at"], r["snip"]))
    for r in conn.execute(
        f"SELECT f.id, f.on_date, f.contact_id, c.name, f.prospect_id, p.name AS prospect_name, {_snippet('referrals_fts')} AS snip"
        " FROM referrals_fts JOIN referrals f ON f.id = referrals_fts.rowid JOIN contacts c ON c.id = f.contact_id"
        " LEFT JOIN contacts p ON p.id = f.prospect_id"
        f" WHERE referrals_fts MATCH ? ORDER BY f.on_date DESC, f.id DESC{lim}",
        [q, *extra],
    ):
        ids, names = [r["contact_id"]], [r["name"]]
        if r["prospect_id"] is not None:
            ids.append(r["prospect_id"])
            names.append(r["prospect_name"])
        rows.append(_row("referral", r["id"], ids, names, r["on_date"], r["snip"]))
    return rows


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
