"""Resolve a contact REF: an id, an e-mail, an exact name, or a fragment.

Order (SPEC "Contact references"): a number is an id; text with `@` is an
e-mail; then an exact name (case-insensitive); then a prefix of any word of
the name; then a substring of it. Archived contacts are considered only when
no active contact matches at all.
"""

from __future__ import annotations

import difflib
import re
import sqlite3

from cno.errors import CnoError

_WORD_SPLIT = re.compile(r"[\s\-_.,'’()/]+")
_MAX_ID = 2**63 - 1  # SQLite's largest integer


def name_key(name: str) -> str:
    """The form names are compared in: casefolded, single-spaced."""
    return " ".join(name.casefold().split())


class NotFound(CnoError):
    pass


class Ambiguous(CnoError):
    pass


def resolve(conn: sqlite3.Connection, ref: str) -> sqlite3.Row:
    """The one contact `ref` names, or a CnoError saying why not."""
    found = find(conn, ref)
    if len(found) == 1:
        return found[0]
    if not found:
        raise NotFound(_no_match_message(conn, ref))
    listing = ", ".join(f"{r['name']} (#{r['id']})" for r in found[:10])
    more = f" and {len(found) - 10} more" if len(found) > 10 else ""
    raise Ambiguous(f"{ref!r} matches several contacts: {listing}{more} — use an id or a longer name")


def find(conn: sqlite3.Connection, ref: str) -> list[sqlite3.Row]:
    """Every contact `ref` could mean at the first level of the order that matches."""
    text = ref.strip()
    if not text:
        raise CnoError("empty contact reference — give an id, an e-mail or a name")
    if not _encodable(text):
        # argv decodes undecodable bytes to lone surrogates, which SQLite can't bind
        raise CnoError(f"can't read contact reference {ref!r} — give an id, an e-mail or a name")
    # isdecimal, not isdigit: "²" is a digit that int() refuses
    if text.isdecimal():
        # ids are SQLite integers: a longer number can't be one (and int() caps digits)
        row = None
        if len(text.lstrip("0")) <= 19 and int(text) <= _MAX_ID:
            row = conn.execute("SELECT * FROM contacts WHERE id = ?", (int(text),)).fetchone()
        if row is None:
            raise NotFound(f"no contact #{text}")
        return [row]
    for archived in (0, 1):
        rows = _find(conn, text, archived)
        if rows:
            return rows
    return []


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _find(conn: sqlite3.Connection, text: str, archived: int) -> list[sqlite3.Row]:
    if "@" in text:
        return conn.execute(
            "SELECT DISTINCT c.* FROM contacts c JOIN contact_emails e ON e.contact_id = c.id"
            " WHERE e.email = ? COLLATE NOCASE AND c.archived = ? ORDER BY c.id",
            (text, archived),
        ).fetchall()
    key = name_key(text)
    exact = conn.execute(
        "SELECT * FROM contacts WHERE name_key = ? AND archived = ? ORDER BY id", (key, archived)
    ).fetchall()
    if exact:
        return exact
    # nicknames count as exact names, after the names themselves
    exact = conn.execute(
        "SELECT DISTINCT c.* FROM contacts c JOIN contact_nicks n ON n.contact_id = c.id"
        " WHERE n.nick_key = ? AND c.archived = ? ORDER BY c.id",
        (key, archived),
    ).fetchall()
    if exact:
        return exact
    # fragments: of the name, or of a nickname (a word prefix beats a substring)
    nicks: dict[int, list[str]] = {}
    for cid, nick in conn.execute(
        "SELECT n.contact_id, n.nick_key FROM contact_nicks n JOIN contacts c ON c.id = n.contact_id"
        " WHERE instr(n.nick_key, ?) > 0 AND c.archived = ?",
        (key, archived),
    ):
        nicks.setdefault(cid, []).append(nick)
    candidates = conn.execute(
        "SELECT * FROM contacts WHERE archived = ? AND (instr(name_key, ?) > 0"
        f" OR id IN ({','.join('?' * len(nicks))})) ORDER BY name_key, id",
        (archived, key, *nicks),
    ).fetchall()
    prefix = [r for r in candidates if any(_word_prefix(key, k) for k in (r["name_key"], *nicks.get(r["id"], ())))]
    return prefix or candidates


def _word_prefix(fragment: str, key: str) -> bool:
    if key.startswith(fragment):
        return True
    words = [w for w in _WORD_SPLIT.split(key) if w]
    for i in range(len(words)):
        if " ".join(words[i:]).startswith(fragment):
            return True
    return False


def _no_match_message(conn: sqlite3.Connection, ref: str) -> str:
    names = [r[0] for r in conn.execute("SELECT name FROM contacts ORDER BY archived, name")]
    by_key = {}
    for n in names:
        by_key.setdefault(name_key(n), n)
    close = difflib.get_close_matches(name_key(ref), list(by_key), n=3, cutoff=0.6)
    if not close:
        # a typo in one word of a longer name: compare word by word
        words = {}
        for k, n in by_key.items():
            for w in k.split():
                words.setdefault(w, n)
        close_words = difflib.get_close_matches(name_key(ref), list(words), n=3, cutoff=0.7)
        close = list(dict.fromkeys(name_key(words[w]) for w in close_words))
    if close:
        return f"no contact matches {ref!r} — did you mean " + ", ".join(by_key[k] for k in close) + "?"
    return f"no contact matches {ref!r} (add one with: cno add NAME)"
