"""`cno sync contacts DIR`: the journal's active contacts and a vdir of vCards, both ways.

The rules (README "Your phone and other machines"):
- the mapped fields (FIELDS) are compared three-way against what the last
  sync left on both sides (the sync state): a field changed on one side
  takes that side's value; changed on both, cno's value is kept and the
  conflict reported; in lists an item added on either side is added and
  one removed on either side (still there on the other) is removed;
- a card deleted from the folder archives its contact; an archived or
  removed contact's card is removed; unarchiving writes it back;
- a new card is linked to the contact it names (its UID, then the import's
  matching rule) or becomes a new contact;
- a card is rewritten only when a mapped field of it changes, and then only
  the properties of what changed: a phone's photo, labels and other
  properties stay as they were; an unchanged card is never touched.
All journal writes go in the caller's one transaction; files are written
before it commits, so a sync killed half-way leaves a folder the next sync
reads as edits it already knows.
"""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import date
from pathlib import Path

from cno import contacts, followups
from cno.errors import CnoError
from cno.io import importing, vcard
from cno.io.folding import fold
from cno.refs import name_key
from cno.sync import Result, files
from cno.sync.files import Read as Item

FIELDS = ("name", "nicks", "emails", "phones", "company", "role", "birthday", "location", "linkedin", "note", "tags")
LISTS = ("nicks", "emails", "phones", "tags")
SUFFIX = ".vcf"
# The properties each field is written as; on rewriting a card these are
# replaced, every other property is kept as the card had it.
_PROPS = {
    "name": ("FN", "N"), "nicks": ("NICKNAME",), "emails": ("EMAIL",), "phones": ("TEL",), "company": ("ORG",),
    "role": ("TITLE",), "birthday": ("BDAY",), "location": ("ADR",), "linkedin": ("URL", "X-SOCIALPROFILE"),
    "note": ("NOTE",), "tags": ("CATEGORIES",),
}  # fmt: skip


def _key(f: str, value: str) -> str:
    """How two items of a list compare: e-mails by any case, nicknames as names, the rest exactly."""
    if f == "emails":
        return value.casefold()
    if f == "nicks":
        return name_key(value)
    return value


# -- the journal's side ---------------------------------------------------------


def journal_side(conn: sqlite3.Connection) -> dict[int, dict]:
    """Every contact's mapped fields, with its uid, archived flag and updated_at.

    One pass over each table (not a subquery per contact): the nightly run
    with nothing to do reads 10,000 contacts in a fraction of a second.
    """
    out = {}
    for r in _tuples(conn, f"SELECT {', '.join(_COLS)} FROM contacts"):
        row = dict(zip(_COLS, r))
        row.update(nicks=[], emails=[], phones=[], tags=[])
        out[r[0]] = row
    for f, sql in _LIST_SQL.items():
        for cid, value in _tuples(conn, sql.replace("WHERE contact_id = ?", "ORDER BY contact_id, " + _ORDER[f])):
            out[cid][f].append(value)
    return out


_COLS = ("id", "uid", "archived", "updated_at", "name", "company", "role", "birthday", "location", "linkedin", "note")


def _tuples(conn: sqlite3.Connection, sql: str, args=()):
    """Rows as plain tuples (sqlite3.Row costs a dict() each at 10,000 rows)."""
    cur = conn.cursor()
    cur.row_factory = None
    return cur.execute(sql, args)


_ORDER = {"emails": "position", "phones": "position", "tags": "tag", "nicks": "position"}
_LIST_SQL = {
    "emails": "SELECT contact_id, email FROM contact_emails WHERE contact_id = ?",
    "phones": "SELECT contact_id, phone FROM contact_phones WHERE contact_id = ?",
    "tags": "SELECT contact_id, tag FROM contact_tags WHERE contact_id = ?",
    "nicks": "SELECT contact_id, nick FROM contact_nicks WHERE contact_id = ?",
}


def fields_of(row: dict) -> dict:
    return {f: row[f] for f in FIELDS}


def _store(conn: sqlite3.Connection, cid: int, have: dict, want: dict, warnings: list[str], where: str) -> bool:
    """Make contact `cid`'s mapped fields `want` (they are `have`); whether anything changed.

    An e-mail another contact has stays with them (an address is one
    contact's), with a warning.
    """
    changed = False
    cols = {f: want[f] for f in FIELDS if f not in LISTS and want[f] != have[f]}
    if "name" in cols:
        cols["name_key"] = name_key(cols["name"])
    if cols:
        conn.execute(f"UPDATE contacts SET {', '.join(f'{k} = ?' for k in cols)} WHERE id = ?", [*cols.values(), cid])
        changed = True
    for f, table, col in (("emails", "contact_emails", "email"), ("phones", "contact_phones", "phone"),
                          ("tags", "contact_tags", "tag"), ("nicks", "contact_nicks", "nick")):  # fmt: skip
        keep = {_key(f, v) for v in want[f]}
        for v in have[f]:
            if _key(f, v) not in keep:
                conn.execute(f"DELETE FROM {table} WHERE contact_id = ? AND {col} = ?", (cid, v))
                changed = True
        present = {_key(f, v) for v in have[f]}
        for v in want[f]:
            if _key(f, v) in present:
                continue
            present.add(_key(f, v))
            if f == "emails":
                owner = conn.execute(
                    "SELECT c.id, c.name FROM contact_emails e JOIN contacts c ON c.id = e.contact_id"
                    " WHERE e.email = ? COLLATE NOCASE AND c.id <> ?",
                    (v, cid),
                ).fetchone()
                if owner:
                    warnings.append(f"{where}: {v} already belongs to {owner['name']} (#{owner['id']}); not given to contact #{cid}")
                    continue
            if f == "tags":
                conn.execute("INSERT OR IGNORE INTO contact_tags (contact_id, tag) VALUES (?, ?)", (cid, v))
            else:
                extra, marks = (", nick_key", ", ?") if f == "nicks" else ("", "")
                args = (cid, v, name_key(v)) if f == "nicks" else (cid, v)
                conn.execute(
                    f"INSERT INTO {table} (contact_id, {col}{extra}, position) VALUES (?, ?{marks},"
                    f" (SELECT coalesce(max(position), -1) + 1 FROM {table} WHERE contact_id = ?))",
                    (*args, cid),
                )
            changed = True
    return changed


# -- the folder's side ------------------------------------------------------------


def card_side(item: Item, today: date, warnings: list[str]) -> tuple[str | None, dict] | None:
    """(UID, mapped fields) of a card file; None, with a warning, when it can't be read as one contact."""
    notes: list[str] = []
    try:
        records = vcard.load(item.data, item.name, notes)
    except CnoError as e:
        warnings.append(f"skipped {item.name}: {_reason(e, item.name)}; it was left as it is")
        return None
    if len(records) != 1:
        warnings.append(f"skipped {item.name}: it holds {len(records)} cards (a vdir holds one per file); it was left as it is")
        return None
    raw = records[0]
    rec = importing.clean(raw, item.name, today, notes)
    if rec is None:
        warnings.append(f"skipped {item.name}: it has no name, and no e-mail to name it by; it was left as it is")
        return None
    warnings += notes
    nicks = []
    for n in raw.nicks:
        try:
            nick = contacts.parse_nick(n)
        except CnoError:
            continue
        if name_key(nick) not in {name_key(x) for x in nicks} and name_key(nick) != name_key(rec.name):
            nicks.append(nick)
    fields = {
        "name": rec.name, "nicks": nicks, "emails": rec.emails, "phones": rec.phones, "company": rec.company,
        "role": rec.role, "birthday": rec.birthday, "location": rec.location, "linkedin": rec.linkedin,
        "note": rec.note, "tags": sorted(set(rec.tags)),
    }  # fmt: skip
    uid = (raw.uid or "").strip() or None
    return uid, fields


def _reason(e: CnoError, name: str) -> str:
    text = str(e)
    return text[len(name) + 2 :] if text.startswith(name + ", ") else text


# -- three-way ----------------------------------------------------------------------


def merge(base: dict | None, mine: dict, theirs: dict) -> tuple[dict, list[tuple[str, object, object]]]:
    """The fields both sides should hold, and the conflicts (field, cno's value kept, the card's).

    Without a base (a card just linked to a contact) nothing is known to have
    changed: an empty field takes the other side's value, lists are joined,
    and two different values are a conflict that cno's wins.
    """
    out, conflicts = {}, []
    for f in FIELDS:
        m, t = mine[f], theirs[f]
        if f in LISTS:
            b = {_key(f, v) for v in (base[f] if base else [])}
            tk = {_key(f, v) for v in t}
            mk = {_key(f, v) for v in m}
            # kept: on both sides, or new on one side; gone: removed on either side
            merged = [v for v in m if _key(f, v) in tk or _key(f, v) not in b]
            seen = {_key(f, v) for v in merged}
            merged += [v for v in t if _key(f, v) not in mk and _key(f, v) not in b and _key(f, v) not in seen]
            out[f] = sorted(merged) if f == "tags" else merged
            continue
        if m == t:
            out[f] = m
        elif base is not None and m == base[f]:
            out[f] = t
        elif base is not None and t == base[f]:
            out[f] = m
        elif base is None and m in (None, ""):
            out[f] = t
        elif base is None and t in (None, ""):
            out[f] = m
        else:
            out[f] = m
            conflicts.append((f, m, t))
    return out, conflicts


# -- writing cards ----------------------------------------------------------------


def _lines(f: str, value, v4: bool) -> list[str]:
    """The property lines (unfolded) that write field `f`."""
    esc = vcard.escape
    if value in (None, "", []):
        return []
    if f == "name":
        return [f"FN:{esc(value)}", f"N:{vcard.n_value(value)}"]
    if f == "nicks":
        return ["NICKNAME:" + ",".join(esc(n) for n in value)]
    if f == "emails":
        return [f"EMAIL:{esc(e)}" for e in value]
    if f == "phones":
        return [f"TEL{';VALUE=text' if v4 else ''}:{esc(p)}" for p in value]
    if f == "company":
        return [f"ORG:{esc(value)}"]
    if f == "role":
        return [f"TITLE:{esc(value)}"]
    if f == "birthday":
        if v4:
            return [f"BDAY:{vcard.bday_value(value)}"]
        # vCard 3.0 has no date without a year: Apple's convention, which the reader knows
        return [f"BDAY;X-APPLE-OMIT-YEAR=1604:1604{value[1:]}" if value.startswith("--") else f"BDAY:{value}"]
    if f == "location":
        label = f";LABEL={vcard.param_text(value)}" if v4 else ""
        return [f"ADR{label}:;;;{esc(value)};;;"]
    if f == "linkedin":
        return [f"URL:{value}"]
    if f == "note":
        return [f"NOTE:{esc(value, tabs=True)}"]
    if f == "tags":
        return ["CATEGORIES:" + ",".join(esc(t) for t in value)]
    raise ValueError(f)


def _folded(line: str) -> str:
    return vcard.fold_keeping_tabs(line) if line.startswith("NOTE:") else fold(line)


def new_card(uid: str, fields: dict) -> bytes:
    """A card cno writes: vCard 4.0, the mapped fields only (no cno-only field
    goes to a server: README "Your phone and other machines")."""
    lines = ["BEGIN:VCARD", "VERSION:4.0", "PRODID:-//cno//cno networking journal//EN", f"UID:{uid}"]
    for f in FIELDS:
        lines += _lines(f, fields[f], True)
    lines.append("END:VCARD")
    return "".join(_folded(x) for x in lines).encode("utf-8")


_LINE = re.compile(r"\r\n|\r|\n")


def _prop_name(logical: str) -> str:
    head = re.split(r"[;:]", logical, maxsplit=1)[0]
    return head.rpartition(".")[2].strip().upper()


def _value(logical: str) -> str:
    colon = vcard.header(logical)
    v = logical[len(colon) + 1 :]
    return vcard.unescape(v).strip()


def rewrite(data: bytes, fields: dict, changed: set[str]) -> bytes:
    """A card's bytes with the properties of the `changed` fields replaced by
    `fields`' values; every other line stays as it was. E-mails and phones
    still wanted keep their line (and its TYPE labels)."""
    text = data.decode("utf-8", "surrogateescape").removeprefix("\ufeff")
    eol = "\r\n" if "\r\n" in text else "\n"
    groups: list[list[str]] = []
    for line in _LINE.split(text):
        # a folded line goes on the one before, as does vCard 2.1's quoted-printable soft break
        soft = groups and groups[-1][-1].endswith("=") and "QUOTED-PRINTABLE" in vcard.header(groups[-1][0]).upper()
        if groups and (line[:1] in (" ", "\t") or soft):
            groups[-1].append(line)
        elif line.strip():
            groups.append([line])
    v4 = any(_prop_name(g[0]) == "VERSION" and "4.0" in "".join(g) for g in groups)
    owner = {p: f for f in changed for p in _PROPS[f]}
    kept_items: dict[str, set[str]] = {"emails": set(), "phones": set()}
    out: list[str] = []
    end = None
    for g in groups:
        logical = g[0] + "".join(x[1:] for x in g[1:])
        name = _prop_name(logical)
        if name == "END" and end is None and logical.strip().upper() == "END:VCARD":
            end = g
            continue
        f = owner.get(name)
        if f is None:
            out.append(eol.join(g))
            continue
        if f == "linkedin" and "linkedin.com/" not in logical.casefold():
            out.append(eol.join(g))  # another web page of theirs
            continue
        if f in kept_items:
            raw = _value(logical)
            try:
                v = contacts.parse_email(raw[7:] if raw[:7].lower() == "mailto:" else raw) if f == "emails" else contacts.parse_phone(raw[4:] if raw[:4].lower() == "tel:" else raw)
            except CnoError:
                out.append(eol.join(g))  # a value cno could not read: never its to drop
                continue
            if _key(f, v) in {_key(f, x) for x in fields[f]} and _key(f, v) not in kept_items[f]:
                kept_items[f].add(_key(f, v))
                out.append(eol.join(g))
            continue
        # a property of a changed field: dropped, written anew below
    for f in FIELDS:
        if f not in changed:
            continue
        values = fields[f]
        if f in kept_items:
            values = [v for v in values if _key(f, v) not in kept_items[f]]
        out += [_folded(x).rstrip("\r\n").replace("\r\n", eol) for x in _lines(f, values, v4)]
    out.append(eol.join(end) if end else "END:VCARD")
    return (eol.join(out) + eol).encode("utf-8", "surrogateescape")


# -- the sync -------------------------------------------------------------------------


def sync(conn: sqlite3.Connection, folder: Path, today: date, *, touch_files: bool = True) -> Result:
    """Bring the journal and the vdir `folder` in step; journal writes go in the
    caller's transaction. With touch_files=False (a dry run, on a copy of the
    journal) the folder is only read."""
    res = Result(dry_run=not touch_files)
    where = str(folder)
    if touch_files:
        files.sweep(folder)
    cols = ("uid", "file", "contact_id", "hash", "fields")
    sql = "SELECT card_uid, file, contact_id, hash, fields FROM sync_contacts WHERE dir = ?"
    state = {r[0]: dict(zip(cols, r)) for r in _tuples(conn, sql, (where,))}
    by_file = {s["file"]: s for s in state.values()}
    items = []
    for read in files.scan(folder, SUFFIX):
        if read.data is None:
            res.warnings.append(f"{read.name}: can't be read ({read.error}); left as it is")
        else:
            items.append(read)
    present = {i.name for i in items}
    held: set[str] = set()  # files that can't be read, or share a UID: never written, removed or acted on
    cards: dict[str, list[tuple[Item, dict | None]]] = {}
    for item in items:
        known = by_file.get(item.name)
        if known is not None and known["hash"] == item.digest:
            cards.setdefault(known["uid"], []).append((item, None))  # unchanged: read as the state says
            continue
        read = card_side(item, today, res.warnings)
        if read is None:
            held.add(item.name)
            continue
        uid, fields = read
        cards.setdefault(uid or item.name[: -len(SUFFIX)], []).append((item, fields))
    for uid, found in list(cards.items()):
        if len(found) > 1:
            names = ", ".join(i.name for i, _ in found)
            res.warnings.append(f"skipped {names}: they have one UID ({uid}), which a vdir gives one card; they were left as they are")
            held.update(i.name for i, _ in found)
            del cards[uid]
    side = journal_side(conn)
    linked = {s["contact_id"] for s in state.values() if s["contact_id"] is not None}
    touched: set[int] = set()
    file_uid = {i.name: uid for uid, found in cards.items() for i, _ in found if uid not in state}
    relink: dict[str, tuple[int, dict]] = {}

    def save_state(uid, file, cid, hash_, fields):
        conn.execute(
            "INSERT INTO sync_contacts (dir, card_uid, file, contact_id, hash, fields, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (dir, card_uid) DO UPDATE SET file = excluded.file, contact_id = excluded.contact_id,"
            " hash = excluded.hash, fields = excluded.fields, updated_at = excluded.updated_at"
            " WHERE (file, contact_id, hash, fields, updated_at) IS NOT (excluded.file, excluded.contact_id, excluded.hash,"
            " excluded.fields, excluded.updated_at)",
            (where, uid, file, cid, hash_, json.dumps(fields, ensure_ascii=False, sort_keys=True),
             None if cid is None else conn.execute("SELECT updated_at FROM contacts WHERE id = ?", (cid,)).fetchone()[0]),
        )  # fmt: skip

    def write(name: str, data: bytes, expected: str | None) -> str | None:
        """Write a card; its hash, or None when the file changed since it was read."""
        if touch_files and not files.put(folder, name, data, expected):
            res.warnings.append(f"left {name}: it changed while the sync ran; the next sync reads it again")
            return None
        res.written += 1
        return files.digest(data)

    def drop(name: str, expected: str) -> bool:
        if touch_files and not files.remove(folder, name, expected):
            res.warnings.append(f"left {name}: it changed while the sync ran; the next sync reads it again")
            return False
        res.removed += 1
        return True

    def settle(uid, item: Item, cid: int, base: dict | None, theirs: dict):
        """Merge a linked card and contact, write whichever side changed, keep the state."""
        row = side[cid]
        mine = fields_of(row)
        want, conflicts = merge(base, mine, theirs)
        if want != theirs and touch_files and not files.still(folder, item.name, item.digest):
            # the card changed since it was read: both sides are left for the next sync
            res.warnings.append(f"left {item.name}: it changed while the sync ran; the next sync reads it again")
            return
        for f, kept, other in conflicts:
            res.conflicts.append({"uid": uid, "name": row["name"], "field": f, "kept": kept, "other": other})
        if want != mine or row["archived"]:
            changed = _store(conn, cid, mine, want, res.warnings, item.name)
            if row["archived"]:  # a card of theirs came back: the contact is active again
                conn.execute("UPDATE contacts SET archived = 0 WHERE id = ?", (cid,))
                changed = True
            res.updated += changed
            touched.add(cid)
            side[cid] = row = _one(conn, cid)
            want = fields_of(row)
        hash_ = item.digest
        if want != theirs:
            data = rewrite(item.data, want, {f for f in FIELDS if want[f] != theirs[f]})
            if data != item.data:
                hash_ = write(item.name, data, item.digest)
        if hash_ is not None:
            save_state(uid, item.name, cid, hash_, want)

    # cards the last sync knew
    for uid, st in state.items():
        cid = st["contact_id"]
        row = side.get(cid) if cid is not None else None
        found = cards.pop(uid, None)
        if found is None:
            if st["file"] in held:
                continue
            if st["file"] in file_uid and row is not None:
                # its file holds a card with another UID now: the same card, renamed
                conn.execute("DELETE FROM sync_contacts WHERE dir = ? AND card_uid = ?", (where, uid))
                relink[file_uid[st["file"]]] = (cid, json.loads(st["fields"]))
                continue
            if row is None:
                conn.execute("DELETE FROM sync_contacts WHERE dir = ? AND card_uid = ?", (where, uid))
            elif st["hash"] is None:
                if not row["archived"]:  # unarchived since its card was removed: written back
                    hash_ = write(st["file"], new_card(uid, fields_of(row)), None)
                    if hash_ is not None:
                        save_state(uid, st["file"], cid, hash_, fields_of(row))
            else:  # deleted from the folder: the contact is archived, never deleted
                if not row["archived"]:
                    conn.execute("UPDATE contacts SET archived = 1 WHERE id = ?", (cid,))
                    touched.add(cid)
                    res.archived += 1
                conn.execute("UPDATE sync_contacts SET hash = NULL WHERE dir = ? AND card_uid = ?", (where, uid))
            continue
        item, theirs = found[0]
        if row is None or row["archived"]:  # removed or archived in cno: its card goes
            if drop(item.name, item.digest):
                if row is None:
                    conn.execute("DELETE FROM sync_contacts WHERE dir = ? AND card_uid = ?", (where, uid))
                else:
                    conn.execute("UPDATE sync_contacts SET hash = NULL, file = ? WHERE dir = ? AND card_uid = ?", (item.name, where, uid))
            continue
        base = json.loads(st["fields"])
        if theirs is None:
            if st["hash"] == item.digest and fields_of(row) == base:
                continue  # neither side changed: the no-change run's path
            theirs = base
        settle(uid, item, cid, base, theirs)

    # cards new to this folder's sync: linked by UID, then as an import matches,
    # to a contact with no card here (one whose card went may take a new one)
    matcher = importing.Matcher(conn)
    cardless = dict(_tuples(conn, "SELECT contact_id, card_uid FROM sync_contacts WHERE dir = ? AND hash IS NULL"
                                  " AND contact_id IS NOT NULL", (where,)))  # fmt: skip

    def free(cid: int) -> bool:
        return cid not in linked or cid in cardless

    for uid, found in cards.items():
        item, theirs = found[0]
        if uid in relink:
            cid, base = relink[uid]
            settle(uid, item, cid, base, theirs)
            continue
        row = conn.execute("SELECT id FROM contacts WHERE uid = ?", (uid,)).fetchone()
        cid = row["id"] if row is not None and free(row["id"]) else None
        if cid is None:
            rec = contacts.ContactInput(name=theirs["name"], line=1, **{f: theirs[f] for f in ("company", "linkedin")},
                                   emails=theirs["emails"])  # fmt: skip
            match = matcher.find(rec)
            cid = match["id"] if match is not None and free(match["id"]) else None
        if cid is not None:
            if cid in cardless:  # its old card's place is taken by this one
                conn.execute("DELETE FROM sync_contacts WHERE dir = ? AND card_uid = ?", (where, cardless.pop(cid)))
            linked.add(cid)
            settle(uid, item, cid, None, theirs)
            continue
        cid = _add(conn, theirs, today, res.warnings, item.name)
        res.added += 1
        linked.add(cid)
        touched.add(cid)
        side[cid] = _one(conn, cid)
        matcher.remember(cid, theirs["linkedin"])
        # the card is the base: what the new contact could not take (an e-mail
        # another contact has) reads as removed in cno, and leaves the card too
        settle(uid, item, cid, theirs, theirs)

    # active contacts with no card yet
    for cid, row in side.items():
        if cid in linked or row["archived"]:
            continue
        name = f"{row['uid']}{SUFFIX}"
        if name in present:
            if name not in held:
                res.warnings.append(f"left {name}: it is not the card of {row['name']} (#{cid}); that contact's card was not written")
            continue
        hash_ = write(name, new_card(row["uid"], fields_of(row)), None)
        if hash_ is not None:
            save_state(row["uid"], name, cid, hash_, fields_of(row))
    if touched:
        followups.refresh(conn, sorted(touched))
    if touch_files and (res.written or res.removed):
        files.settle(folder)
    return res


def _one(conn: sqlite3.Connection, cid: int) -> dict:
    """journal_side of one contact."""
    row = conn.execute(
        "SELECT id, uid, archived, updated_at, name, company, role, birthday, location, linkedin, note FROM contacts WHERE id = ?",
        (cid,),
    ).fetchone()
    lists = {f: [r[1] for r in conn.execute(f"{sql} ORDER BY {_ORDER[f]}", (cid,))] for f, sql in _LIST_SQL.items()}
    return {**dict(row), **lists}


def _add(conn: sqlite3.Connection, fields: dict, today: date, warnings: list[str], where: str) -> int:
    """A new contact from a card no contact matched (the duplicate-name refusal of `add` does not apply)."""
    free = []
    for e in fields["emails"]:
        owner = conn.execute(
            "SELECT c.id, c.name FROM contact_emails x JOIN contacts c ON c.id = x.contact_id WHERE x.email = ? COLLATE NOCASE", (e,)
        ).fetchone()
        if owner:
            warnings.append(f"{where}: {e} already belongs to {owner['name']} (#{owner['id']}); not given to {fields['name']}")
        else:
            free.append(e)
    data = contacts.ContactInput(
        company=fields["company"], role=fields["role"], birthday=fields["birthday"], location=fields["location"],
        linkedin=fields["linkedin"], note=fields["note"], emails=free, phones=fields["phones"], tags=fields["tags"],
        nicks=fields["nicks"],
    )  # fmt: skip
    cid = contacts.add_contact(conn, fields["name"], data, today)
    # a card says nothing of when you met: not "today" (as an import)
    conn.execute("UPDATE contacts SET met_on = NULL WHERE id = ?", (cid,))
    return cid
