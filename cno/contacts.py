"""Contacts: add, edit, show, list, archive, remove, merge."""

from __future__ import annotations

import re
import sqlite3
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from cno import followups, maintained, scoring
from cno.bulk import insert_rows, next_id
from cno.dates import day_of, parse_birthday, parse_duration, parse_past
from cno.db import in_chunks
from cno.errors import CnoError
from cno.refs import name_key
from cno.settings import normalise_tag

TIERS = ("A", "B", "C")
TEXT_FIELDS = ("company", "role", "location", "met", "linkedin", "note")
# --clear FIELD accepts these names (option spellings and column names alike).
CLEARABLE = {
    "company": "company", "role": "role", "tier": "tier", "every": "every",
    "birthday": "birthday", "tz": "timezone", "timezone": "timezone",
    "location": "location", "met": "met", "met-on": "met_on", "met_on": "met_on",
    "linkedin": "linkedin", "note": "note",
    "email": "emails", "emails": "emails", "phone": "phones", "phones": "phones",
    "tag": "tags", "tags": "tags", "nick": "nicks", "nicks": "nicks",
}  # fmt: skip
_LIST_TABLES = {"emails": ("contact_emails", "email"), "phones": ("contact_phones", "phone"),
                "tags": ("contact_tags", "tag"), "nicks": ("contact_nicks", "nick")}  # fmt: skip
SORTS = ("name", "last", "next", "strength")
_EMAIL = re.compile(r"^[^@\s\x00-\x1f\x7f-\x9f]+@[^@\s\x00-\x1f\x7f-\x9f]+\.[^@\s\x00-\x1f\x7f-\x9f]+$")
# SQLite's NOCASE folds ASCII letters only: the same test as _check_emails_free's query
_NOCASE = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


@dataclass(slots=True)  # an import holds one per record: no __dict__ each
class ContactInput:
    """A contact as typed (the options of `add`/`edit`) or as a file describes it
    (an import's record, `name` and the `line` it starts on included); `validate`
    turns it into column values."""

    company: str | None = None
    role: str | None = None
    tier: str | None = None
    every: str | None = None
    birthday: str | None = None
    timezone: str | None = None
    location: str | None = None
    met: str | None = None
    met_on: str | None = None
    linkedin: str | None = None
    note: str | None = None
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    nicks: list[str] = field(default_factory=list)
    name: str = ""  # an import's record: the name it gives (add and edit take the name apart)
    line: int = 0  # an import's record: where it starts in its file, for messages
    uid: str | None = None  # a card's UID as read: only a sync reads it (README "Your phone and other machines")

    def validate(self, today: date, *, met_on: bool = True) -> dict:
        """Column values for the options that were given; raises CnoError on bad
        input. `met_on` False: met_on is left out (a caller keeps its own)."""
        cols: dict = {}
        for f in TEXT_FIELDS:
            v = getattr(self, f)
            if v is not None:
                cols[f] = v.strip() or None
        if self.tier is not None:
            cols["tier"] = parse_tier(self.tier)
        if self.every is not None:
            cols["every"] = str(parse_duration(self.every))
        if self.birthday is not None:
            cols["birthday"] = parse_birthday(self.birthday)
        if self.timezone is not None:
            cols["timezone"] = parse_timezone(self.timezone)
        if met_on and self.met_on is not None:
            cols["met_on"] = day_of(parse_past(self.met_on, today)).isoformat()
        return cols

    def clean_lists(self) -> tuple[list[str], list[str], list[str]]:
        emails = [parse_email(e) for e in self.emails]
        phones = [parse_phone(p) for p in self.phones]
        tags = [normalise_tag(t) for t in self.tags]
        return _unique(emails, key=str.casefold), _unique(phones), _unique(tags)

    def clean_nicks(self) -> list[str]:
        return _unique([parse_nick(n) for n in self.nicks], key=name_key)


def _unique(items, key=lambda x: x):
    seen, out = set(), []
    for i in items:
        if key(i) not in seen:
            seen.add(key(i))
            out.append(i)
    return out


def parse_tier(text: str) -> str:
    t = text.strip().upper()
    if t not in TIERS:
        raise CnoError(f"unknown tier {text!r} — use A, B or C")
    return t


def parse_timezone(text: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = text.strip()
    try:
        if not name or name.startswith(("/", ".")) or ".." in name:
            raise ValueError
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise CnoError(f"unknown time zone {text!r} — use an IANA name such as Europe/London") from None
    return name


def parse_email(text: str) -> str:
    e = text.strip()
    if not _EMAIL.match(e):
        raise CnoError(f"not an e-mail address: {text!r} (e.g. ada@example.com)")
    return e


def parse_phone(text: str) -> str:
    p = " ".join(text.split())
    if not p or not re.search(r"\d", p) or re.search(r"[\x00-\x1f\x7f-\x9f]", p):
        raise CnoError(f"not a phone number: {text!r} (e.g. +44 20 7946 0958)")
    return p


def parse_nick(text: str) -> str:
    """A nickname: a name of its own (README "Who a REF is")."""
    n = " ".join(text.split())
    if not n or n.isdecimal() or "@" in n or re.search(r"[\x00-\x1f\x7f-\x9f]", n):
        raise CnoError(f"not a nickname: {text!r} (a name such as 'Ada' or 'Countess'; not a number or an e-mail)")
    return n


def parse_name(text: str) -> str:
    n = " ".join(text.split())
    if not n:
        raise CnoError("a contact needs a name")
    if n.isdecimal():
        raise CnoError(f"a name can't be only digits ({text!r}): that would read as an id")
    return n


def get(conn: sqlite3.Connection, contact_id: int) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM contacts WHERE id = ?", (contact_id,)).fetchone()
    if row is None:
        raise CnoError(f"no contact #{contact_id}")
    return row


def _new_contact(name: str, data: ContactInput, today: date, met_on_as_given: bool = False) -> tuple[dict, list[str], list[str], list[str]]:
    """A new contact's column values and lists, validated (what `add` writes);
    see add_contacts for `met_on_as_given`."""
    name = parse_name(name)
    cols = data.validate(today, met_on=not met_on_as_given)
    emails, phones, tags = data.clean_lists()
    if met_on_as_given:
        cols["met_on"] = data.met_on
    else:
        cols.setdefault("met_on", today.isoformat())
    cols.update(uid=str(uuid.uuid4()), name=name, name_key=name_key(name), created_on=today.isoformat())
    return cols, emails, phones, tags


def same_name(conn: sqlite3.Connection, name: str) -> sqlite3.Row | None:
    """A contact (archived ones included) with this name, case and spacing ignored."""
    return conn.execute("SELECT * FROM contacts WHERE name_key = ? ORDER BY id LIMIT 1", (name_key(parse_name(name)),)).fetchone()


def add_contact(conn: sqlite3.Connection, name: str, data: ContactInput, today: date, *, again: bool = True) -> int:
    """Add a contact; with again=False a name a contact already has is refused (`cno add`)."""
    if not again and (other := same_name(conn, name)) is not None:
        where = f", {other['company']}" if other["company"] else ""
        archived = ", archived" if other["archived"] else ""
        raise CnoError(
            f"{other['name']} (#{other['id']}{where}{archived}) already has that name"
            " — add --again if this is another person with the same name"
        )
    cols, emails, phones, tags = _new_contact(name, data, today)
    nicks = data.clean_nicks()
    _check_emails_free(conn, emails, None)
    keys = list(cols)
    cur = conn.execute(
        f"INSERT INTO contacts ({', '.join(keys)}) VALUES ({', '.join('?' * len(keys))})",
        [cols[k] for k in keys],
    )
    cid = cur.lastrowid
    _add_lists(conn, cid, emails, phones, tags)
    _add_nicks(conn, cid, nicks)
    followups.refresh(conn, [cid])
    return cid


# Every column `add` can set: a bulk insert names them all, NULL where unset,
# which is what the column defaults give a single insert; then the maintained
# columns, which a new contact has from its own fields alone.
_NEW_COLUMNS = ("id", "uid", "name", "name_key", "created_on", "met_on", *TEXT_FIELDS, "tier", "every", "birthday", "timezone")


def add_contacts(
    conn: sqlite3.Connection, rows: Iterable[tuple[str, ContactInput]], today: date, *, met_on_as_given: bool = False
) -> list[int]:
    """Add many contacts, each exactly as `add_contact` would; returns their ids in order.

    For imports and generated journals: every row is validated as `add` does
    (an e-mail already taken, in the journal or earlier in `rows`, is refused
    the same way), then the rows go in with one statement per table, their
    maintained columns written with them (a new contact has no history, so
    they are what refresh would give). Run it inside a transaction, so a bad
    row leaves nothing behind. Ids are given explicitly as the next id SQLite
    would give (bulk.next_id) + 1, + 2, …: the ids SQLite would have chosen one
    insert at a time. `met_on_as_given`: a row's met_on is the source's as it
    stands (an import's: none stays none, a day after an --as-of today is kept).
    """
    from cno.migrations import UPDATED_STAMP

    start = next_id(conn, "contacts")
    fresh = followups.new_contact_values(conn)
    # stamped in the insert, as the insert trigger would stamp each row after it
    (stamp,) = conn.execute(f"SELECT {UPDATED_STAMP}").fetchone()
    new, emails, phones, tags = [], [], [], []
    taken: dict[str, tuple[int, str]] = {}
    for cid, (name, data) in enumerate(rows, start):
        cols, mails, nums, labels = _new_contact(name, data, today, met_on_as_given)
        for e in mails:
            key = e.translate(_NOCASE)
            if key in taken:
                other_id, other = taken[key]
                raise CnoError(f"{e} already belongs to {other} (#{other_id})")
            taken[key] = (cid, cols["name"])
        _check_emails_free(conn, mails, None)
        cols["id"] = cid
        kept = fresh(cid, cols.get("every"), cols.get("tier"), labels, cols["created_on"])
        new.append([*(cols.get(k) for k in _NEW_COLUMNS), *kept, stamp])
        emails += [(cid, e, i) for i, e in enumerate(mails)]
        phones += [(cid, p, i) for i, p in enumerate(nums)]
        tags += [(cid, t) for t in labels]
    insert_rows(conn, "contacts", (*_NEW_COLUMNS, *maintained.CONTACTS, "updated_at"), new)
    conn.executemany("INSERT INTO contact_emails (contact_id, email, position) VALUES (?, ?, ?)", emails)
    conn.executemany("INSERT INTO contact_phones (contact_id, phone, position) VALUES (?, ?, ?)", phones)
    conn.executemany("INSERT OR IGNORE INTO contact_tags (contact_id, tag) VALUES (?, ?)", tags)
    return [r[0] for r in new]


def _check_emails_free(conn, emails, own_id):
    for e in emails:
        row = conn.execute(
            "SELECT c.id, c.name FROM contact_emails e JOIN contacts c ON c.id = e.contact_id"
            " WHERE e.email = ? COLLATE NOCASE",
            (e,),
        ).fetchone()
        if row and row["id"] != own_id:
            raise CnoError(f"{e} already belongs to {row['name']} (#{row['id']})")


def _add_nicks(conn, cid: int, nicks: list[str]) -> None:
    start = conn.execute("SELECT coalesce(max(position), -1) + 1 FROM contact_nicks WHERE contact_id = ?", (cid,)).fetchone()[0]
    conn.executemany(
        "INSERT OR IGNORE INTO contact_nicks (contact_id, nick, nick_key, position) VALUES (?, ?, ?, ?)",
        [(cid, n, name_key(n), start + i) for i, n in enumerate(nicks)],
    )


def nicks_of(conn, cid: int) -> list[str]:
    return [r[0] for r in conn.execute("SELECT nick FROM contact_nicks WHERE contact_id = ? ORDER BY position", (cid,))]


def _add_lists(conn, cid, emails, phones, tags):
    for table, col, values in (("contact_emails", "email", emails), ("contact_phones", "phone", phones)):
        start = conn.execute(f"SELECT coalesce(max(position), -1) + 1 FROM {table} WHERE contact_id = ?", (cid,)).fetchone()[0]
        existing = {r[0].casefold() for r in conn.execute(f"SELECT {col} FROM {table} WHERE contact_id = ?", (cid,))}
        for i, v in enumerate(x for x in values if x.casefold() not in existing):
            conn.execute(f"INSERT INTO {table} (contact_id, {col}, position) VALUES (?, ?, ?)", (cid, v, start + i))
    conn.executemany("INSERT OR IGNORE INTO contact_tags (contact_id, tag) VALUES (?, ?)", [(cid, t) for t in tags])


def edit_contact(
    conn: sqlite3.Connection,
    contact_id: int,
    data: ContactInput,
    today: date,
    *,
    new_name: str | None = None,
    untag: list[str] = (),
    clear: list[str] = (),
    remove_emails: list[str] = (),
    remove_phones: list[str] = (),
    remove_nicks: list[str] = (),
    refresh: bool = True,
) -> list[str]:
    """Apply an edit; returns the names of what changed (empty: nothing to do)."""
    get(conn, contact_id)
    cols = data.validate(today)
    emails, phones, tags = data.clean_lists()
    nicks = data.clean_nicks()
    _check_emails_free(conn, emails, contact_id)
    changed = list(cols)
    if new_name is not None:
        n = parse_name(new_name)
        cols.update(name=n, name_key=name_key(n))
        changed.append("name")
    clear_cols = []
    for f in clear:
        col = CLEARABLE.get(f.strip().lower())
        if col is None:
            raise CnoError(f"can't clear {f!r} — clearable: {', '.join(sorted(set(CLEARABLE.values())))}")
        clear_cols.append(col)
    for col in clear_cols:
        if col in _LIST_TABLES:
            conn.execute(f"DELETE FROM {_LIST_TABLES[col][0]} WHERE contact_id = ?", (contact_id,))
        else:
            cols[col] = None
        changed.append(col)
    # one e-mail, phone or nickname out of several: e-mails and nicknames by
    # any case, phones by their digits
    for kind, values, same in (
        ("emails", remove_emails, lambda a, b: a.casefold() == b.casefold()),
        ("phones", remove_phones, lambda a, b: re.sub(r"\D", "", a) == re.sub(r"\D", "", b) != ""),
        ("nicks", remove_nicks, lambda a, b: name_key(a) == name_key(b)),
    ):
        table, col = _LIST_TABLES[kind]
        have = [r[0] for r in conn.execute(f"SELECT {col} FROM {table} WHERE contact_id = ?", (contact_id,))]
        for v in values:
            hits = [h for h in have if same(h, v.strip())]
            if not hits:
                noun = {"emails": "e-mail", "phones": "phone", "nicks": "nickname"}[kind]
                raise CnoError(f"contact #{contact_id} has no {noun} {v.strip()!r}")
            conn.executemany(f"DELETE FROM {table} WHERE contact_id = ? AND {col} = ?", [(contact_id, h) for h in hits])
            changed.append(kind)
    for t in untag:
        tag = normalise_tag(t)
        if conn.execute("DELETE FROM contact_tags WHERE contact_id = ? AND tag = ?", (contact_id, tag)).rowcount == 0:
            raise CnoError(f"contact #{contact_id} has no tag {tag!r}")
        changed.append("tags")
    if cols:
        conn.execute(
            f"UPDATE contacts SET {', '.join(f'{k} = ?' for k in cols)} WHERE id = ?",
            [*cols.values(), contact_id],
        )
    _add_lists(conn, contact_id, emails, phones, tags)
    _add_nicks(conn, contact_id, nicks)
    changed += ["emails"] * bool(emails) + ["phones"] * bool(phones) + ["tags"] * bool(tags) + ["nicks"] * bool(nicks)
    if refresh:
        followups.refresh(conn, [contact_id])
    return list(dict.fromkeys(changed))


def set_archived(conn: sqlite3.Connection, contact: sqlite3.Row, archived: bool) -> None:
    if bool(contact["archived"]) == archived:
        state = "archived" if archived else "not archived"
        raise CnoError(f"{contact['name']} (#{contact['id']}) is already {state}")
    conn.execute("UPDATE contacts SET archived = ? WHERE id = ?", (int(archived), contact["id"]))


def remove_contact(conn: sqlite3.Connection, contact_id: int) -> dict[str, int]:
    """Delete the contact and what is only theirs (touchpoints with no one else);
    returns how many of each kind of record went with them."""
    gone = {
        "touchpoints": conn.execute(
            "SELECT count(*) FROM touchpoint_contacts tc WHERE tc.contact_id = ?"
            " AND (SELECT count(*) FROM touchpoint_contacts t WHERE t.touchpoint_id = tc.touchpoint_id) = 1",
            (contact_id,),
        ).fetchone()[0],
        **{
            table: conn.execute(f"SELECT count(*) FROM {table} WHERE contact_id = ?", (contact_id,)).fetchone()[0]
            for table in ("followups", "milestones", "referrals")
        },
    }
    conn.execute(
        "DELETE FROM touchpoints WHERE id IN (SELECT touchpoint_id FROM touchpoint_contacts WHERE contact_id = ?)"
        " AND (SELECT count(*) FROM touchpoint_contacts t WHERE t.touchpoint_id = touchpoints.id) = 1",
        (contact_id,),
    )
    conn.execute("DELETE FROM contacts WHERE id = ?", (contact_id,))
    return gone


def check_mergeable(src: sqlite3.Row, dst: sqlite3.Row) -> None:
    if src["id"] == dst["id"]:
        raise CnoError(f"can't merge {src['name']} (#{src['id']}) into itself")


def merge_contacts(conn: sqlite3.Connection, src: sqlite3.Row, dst: sqlite3.Row) -> list[str]:
    """Move everything of `src` into `dst`, fill dst's empty fields, delete src."""
    check_mergeable(src, dst)
    s, d = src["id"], dst["id"]
    filled = [
        col
        for col in ("company", "role", "tier", "every", "birthday", "timezone", "location", "met", "met_on", "linkedin", "note")
        if dst[col] in (None, "") and src[col] not in (None, "")
    ]
    if filled:
        conn.execute(
            f"UPDATE contacts SET {', '.join(f'{c} = ?' for c in filled)} WHERE id = ?",
            [*(src[c] for c in filled), d],
        )
    if src["created_on"] < dst["created_on"]:
        conn.execute("UPDATE contacts SET created_on = ? WHERE id = ?", (src["created_on"], d))
    if src["met_on"] and dst["met_on"] and src["met_on"] < dst["met_on"]:
        # the two met on different days: they were met on the earlier one
        conn.execute("UPDATE contacts SET met_on = ? WHERE id = ?", (src["met_on"], d))
        filled.append("met_on (earlier)")
    emails = [r[0] for r in conn.execute("SELECT email FROM contact_emails WHERE contact_id = ? ORDER BY position", (s,))]
    phones = [r[0] for r in conn.execute("SELECT phone FROM contact_phones WHERE contact_id = ? ORDER BY position", (s,))]
    tags = [r[0] for r in conn.execute("SELECT tag FROM contact_tags WHERE contact_id = ?", (s,))]
    _add_lists(conn, d, emails, phones, tags)
    # the duplicate's name and nicknames still name the person
    _add_nicks(conn, d, [n for n in [src["name"], *nicks_of(conn, s)] if name_key(n) != dst["name_key"]])
    conn.execute(
        "INSERT OR IGNORE INTO touchpoint_contacts (touchpoint_id, contact_id, happened_on)"
        " SELECT touchpoint_id, ?, happened_on FROM touchpoint_contacts WHERE contact_id = ?",
        (d, s),
    )
    for table in ("followups", "milestones", "referrals"):
        conn.execute(f"UPDATE {table} SET contact_id = ? WHERE contact_id = ?", (d, s))
    conn.execute("UPDATE referrals SET prospect_id = ? WHERE prospect_id = ?", (d, s))
    conn.execute("DELETE FROM contacts WHERE id = ?", (s,))
    followups.refresh(conn, [d])
    return filled


# -- reading ------------------------------------------------------------------


_LISTS = {  # e-mails and phones in the contact's order, tags by name
    "emails": "SELECT contact_id, email FROM contact_emails{} ORDER BY contact_id, position",
    "phones": "SELECT contact_id, phone FROM contact_phones{} ORDER BY contact_id, position",
    "tags": "SELECT contact_id, tag FROM contact_tags{} ORDER BY contact_id, tag",
}


def _lists_for(conn, ids: list[int] | None, kinds=tuple(_LISTS)) -> dict[str, dict[int, list[str]]]:
    """Each contact's e-mails, phones and tags (those of `kinds`) as {kind:
    {contact id: items}} (a contact without any is not there); `ids` None:
    every contact's, each table read once (what a listing of most of the
    journal needs)."""
    found = {kind: {} for kind in kinds}
    cursor = conn.cursor()
    cursor.row_factory = None
    for chunk, marks in [((), "")] if ids is None else in_chunks(ids):
        where = f" WHERE contact_id IN ({marks})" if marks else ""
        for kind, items in found.items():
            for cid, v in cursor.execute(_LISTS[kind].format(where), chunk):
                if (have := items.get(cid)) is None:
                    items[cid] = [v]
                else:
                    have.append(v)
    return found


# the contacts columns a summary is made of, in _summary's order
_LISTED = ("id", "name", "company", "role", "tier", "cadence_days", "birthday", "timezone",
           "last_touch_on", "next_due_on", "strength_raw", "archived")  # fmt: skip


def _summary(values, lists, strength) -> dict:
    """The pinned `list` JSON keys (SPEC "Output") from the _LISTED columns and
    _lists_for's lists (a kind it did not read is not a key); `strength` is
    scoring.strength_on(today)."""
    cid, name, company, role, tier, every_days, birthday, tz, last, next_, raw, archived = values
    out = {"id": cid, "name": name, "company": company, "role": role}
    for kind, items in lists.items():
        out[kind] = items.get(cid) or []
    out.update(
        tier=tier,
        every_days=every_days,  # kept current by followups.refresh
        birthday=birthday,
        timezone=tz,
        last_touch_on=last,
        next_due_on=next_,
        strength=strength(raw),
        archived=bool(archived),
    )
    return out


def list_contacts(
    conn: sqlite3.Connection,
    today: date,
    *,
    tag: str | None = None,
    tier: str | None = None,
    company: str | None = None,
    archived: str = "active",
    sort: str = "name",
    addresses: bool = True,
) -> Iterator[dict]:
    """The contacts, in `sort` order, as the pinned `list` rows: read as they are
    written, so a listing of 100k contacts never holds them all in memory.

    `addresses` False: the rows have no `emails` and `phones` (a table shows
    neither, and reading them is a third of a long listing's time)."""
    if sort not in SORTS:
        raise CnoError(f"unknown sort {sort!r} — use {', '.join(SORTS)}")
    where, args = [], []
    if archived == "active":
        # nearly every contact is active: `+` keeps SQLite from reaching them
        # through an index on `archived` and then sorting, where a scan of
        # contacts_name_key is already in name order (0.18 s at 100k, not 0.53)
        where.append("+archived = 0")
    elif archived == "archived":
        where.append("archived = 1")
    if tag:
        where.append("id IN (SELECT contact_id FROM contact_tags WHERE tag = ?)")
        args.append(normalise_tag(tag))
    if tier:
        where.append("tier = ?")
        args.append(parse_tier(tier))
    if company:
        where.append("instr(lower(coalesce(company, '')), lower(?)) > 0")
        args.append(company.strip())
    order = {
        "name": "name_key, id",
        # never-touched contacts last; the longest-untouched first
        "last": "last_touch_on IS NULL, last_touch_on, name_key",
        "next": "next_due_on IS NULL, next_due_on, name_key",
        "strength": "strength_raw DESC, name_key",
    }[sort]
    # a listing of (nearly) every contact reads the lists whole; a filtered one, by its rows
    filtered = tag or tier or company or archived == "archived"
    sql = (f"SELECT {', '.join(_LISTED)} FROM contacts" + (" WHERE " + " AND ".join(where) if where else "")
           + f" ORDER BY {order}")  # fmt: skip
    cursor = conn.cursor()
    cursor.row_factory = None  # plain tuples, in _LISTED order
    cursor.execute(sql, args)
    kinds = tuple(_LISTS) if addresses else ("tags",)
    return _summaries(conn, cursor, today, kinds, every_list=not filtered)


def _summaries(conn, cursor, today: date, kinds, every_list: bool) -> Iterator[dict]:
    """Summaries as the rows are read; `every_list`: the listing covers most of
    the journal, so the lists are read whole at once rather than per 500 rows."""
    strength = scoring.strength_on(today)
    everyone = _lists_for(conn, None, kinds) if every_list else None
    while rows := cursor.fetchmany(500):
        lists = everyone if everyone is not None else _lists_for(conn, [r[0] for r in rows], kinds)
        yield from (_summary(r, lists, strength) for r in rows)


def card(conn: sqlite3.Connection, contact_id: int, today: date, *, now: datetime | None = None) -> dict:
    """Everything `cno show` prints: fields, cadence, follow-ups, milestones, referrals, timeline."""
    from cno import milestones, referrals, touchpoints

    row = get(conn, contact_id)
    summary = _summary([row[k] for k in _LISTED], _lists_for(conn, [contact_id]), scoring.strength_on(today))
    out = {
        **summary,
        "uid": row["uid"],
        "nicks": nicks_of(conn, contact_id),
        "location": row["location"],
        "met": row["met"],
        "met_on": row["met_on"],
        "linkedin": row["linkedin"],
        "note": row["note"],
        "every": row["every"],
        "created_on": row["created_on"],
        "snoozed_until": row["snoozed_until"],
        "days_overdue": (today - date.fromisoformat(row["next_due_on"])).days if row["next_due_on"] else None,
        "local_time": local_time(row["timezone"], now) if now else None,
        "follow_ups": followups.list_follow_ups(conn, contact_id=contact_id),
        "milestones": milestones.list_milestones(conn, today, contact_id=contact_id),
        "touchpoints": list(touchpoints.history(conn, today, contact_id=contact_id)),
        "referral_balance": referrals.contact_balance(conn, contact_id, today),
        "referrals": referrals.list_referrals(conn, today, contact_id=contact_id),
    }
    return out


def local_time(tz: str | None, now: datetime) -> str | None:
    """The contact's wall-clock time now, e.g. '2026-11-22T09:14 Asia/Tokyo'."""
    if not tz:
        return None
    from zoneinfo import ZoneInfo

    return now.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%dT%H:%M")


def names_for_completion(conn: sqlite3.Connection, incomplete: str) -> list[str]:
    """Active contacts' names and nicknames with a word that begins with what
    was typed, whatever its case ("lov" → "Ada Lovelace"), at most 50.

    The shell quoting of a candidate is the CLI's business (cli.common.complete_ref).
    """
    from cno.refs import _word_prefix
    from cno.render import clean

    key = name_key(incomplete)
    found: dict[str, None] = {}
    for text, k in conn.execute(
        "SELECT name, name_key FROM contacts WHERE archived = 0 AND instr(name_key, ?) > 0"
        " UNION ALL SELECT n.nick, n.nick_key FROM contact_nicks n JOIN contacts c ON c.id = n.contact_id"
        " WHERE c.archived = 0 AND instr(n.nick_key, ?) > 0 ORDER BY 2",
        (key, key),
    ):
        # A name holding a control character is not offered: raw, it would reach
        # the terminal; escaped, the shell would type a REF that names no one.
        if _word_prefix(key, k) and clean(text) == text:
            found.setdefault(text)
            if len(found) == 50:
                break
    return list(found)
