"""What every import shares: reading the file, one record shape, the matching rule.

An import never overwrites what the user typed: a record that matches an
existing contact (by e-mail, then LinkedIn URL, then exact name + company)
only fills that contact's empty fields and adds missing e-mails, phones and
tags, so importing the same file twice adds nothing the second time.
"""

from __future__ import annotations

import re
import sqlite3
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from cno import contacts
from cno.contacts import ContactInput
from cno.dates import day_of, parse_birthday, parse_date, parse_duration
from cno.errors import CnoError
from cno.refs import name_key
from cno.settings import normalise_tag

# Fields an import fills when the matched contact has them empty.
FILLABLE = ("company", "role", "tier", "every", "birthday", "timezone", "location", "met", "met_on", "linkedin", "note")


def bad_file(where: str, line: int, message: str) -> CnoError:
    """The error for a file that can't be read as what it claims to be."""
    return CnoError(f"{where}, line {line}: {message}")


def read_bytes(path: str) -> bytes:
    """The whole file (`-` is stdin); a missing or unreadable file is exit 2."""
    if path == "-":
        return sys.stdin.buffer.read()
    p = Path(path)
    if p.is_dir():
        raise CnoError(f"can't read {path}: it is a folder")
    try:
        return p.read_bytes()
    except OSError as e:
        raise CnoError(f"can't read {path}: {e.strerror or e}") from None


_BINARY = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")


def decode(data: bytes, where: str, warnings: list[str]) -> str:
    """Text from UTF-8 (with or without BOM) or UTF-16 with a BOM.

    Spreadsheet programs on Windows still save CSV as Windows-1252: text that
    is not UTF-8 but holds no control bytes is read that way, with a warning.
    Anything with control bytes (an image, a zip) is refused at its line.
    """
    encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as e:
        line = data[: e.start].decode(encoding, "replace").count("\n") + 1
        if encoding == "utf-16" or _BINARY.search(data):
            raise bad_file(where, line, "not a text file (binary data) — is it the right file?") from None
        warnings.append(f"{where}: not UTF-8 (line {line}); read as Windows-1252")
        text = data.decode("cp1252", "replace")
    if m := re.search("[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]", text):
        raise bad_file(where, text.count("\n", 0, m.start()) + 1, "not a text file (binary data) — is it the right file?")
    return text


@dataclass
class Record:
    """One contact as a source describes it, before it meets the journal."""

    name: str
    line: int  # where it starts in its file, for messages
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


@dataclass
class Outcome:
    """What an import did (or, in a dry run, would do)."""

    added: int = 0
    updated: int = 0
    skipped: int = 0
    rows: list[dict] = field(default_factory=list)  # one per record: action, id, name, fields
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"{self.added} added, {self.updated} updated, {self.skipped} skipped"


def parse_day(text: str, today: date) -> str:
    """A source's date (`26 Jul 2025`, `2025-07-26`) as ISO text; CnoError if unreadable."""
    return day_of(parse_date(text, today, allow_time=False)).isoformat()


def parse_us_or_any_birthday(text: str) -> str | None:
    """A birthday as stored, or None for an empty one; Outlook writes M/D/YYYY and 0/0/00 for none."""
    t = text.strip()
    if m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})", t):
        month, day, year = (int(g) for g in m.groups())
        if month == 0 or day == 0:
            return None
        return parse_birthday(f"{year:04d}-{month:02d}-{day:02d}" if year >= 1000 else f"{month:02d}-{day:02d}")
    return parse_birthday(t) if t else None


def clean(rec: Record, where: str, today: date, warnings: list[str]) -> Record | None:
    """The record with every value in the journal's form; a value that can't be read is
    dropped with a warning. None (with a warning) when the record has no usable name."""
    at = f"{where}, line {rec.line}"
    try:
        rec.name = contacts.parse_name(rec.name or "")
    except CnoError as e:
        warnings.append(f"{at}: skipped: {e}")
        return None
    checks = {
        "tier": contacts.parse_tier,
        "every": lambda v: str(parse_duration(v)),
        "birthday": parse_us_or_any_birthday,
        "timezone": contacts.parse_timezone,
        "met_on": lambda v: parse_day(v, today),
    }
    for f in FILLABLE:
        v = getattr(rec, f)
        if isinstance(v, str):
            v = (v.replace("\r\n", "\n").replace("\r", "\n") if f == "note" else " ".join(v.split())).strip() or None
        if v is not None and f in checks:
            try:
                v = checks[f](v)
            except CnoError as e:
                warnings.append(f"{at}: ignored {f} of {rec.name}: {e}")
                v = None
        setattr(rec, f, v)
    for f, check in (("emails", contacts.parse_email), ("phones", contacts.parse_phone), ("tags", normalise_tag)):
        values = []
        for v in getattr(rec, f):
            if not v.strip():
                continue
            try:
                values.append(check(v))
            except CnoError as e:
                warnings.append(f"{at}: ignored {f[:-1]} of {rec.name}: {e}")
        seen: set[str] = set()
        setattr(rec, f, [v for v in values if not (v.casefold() in seen or seen.add(v.casefold()))])
    return rec


def linkedin_key(url: str) -> str:
    """A LinkedIn URL in the form two copies of it compare equal in."""
    u = url.strip().casefold()
    u = re.sub(r"^https?://", "", u)
    u = re.sub(r"^([a-z]{2,3}|www)\.linkedin\.com", "linkedin.com", u)
    return u.split("?")[0].rstrip("/")


class Matcher:
    """Finds the existing contact a record means (SPEC "Data": the matching rule)."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.by_linkedin: dict[str, int] = {}
        for cid, url in conn.execute("SELECT id, linkedin FROM contacts WHERE linkedin IS NOT NULL ORDER BY id DESC"):
            self.by_linkedin[linkedin_key(url)] = cid  # the oldest contact wins

    def remember(self, contact_id: int, linkedin: str | None) -> None:
        if linkedin:
            self.by_linkedin.setdefault(linkedin_key(linkedin), contact_id)

    def find(self, rec: Record) -> sqlite3.Row | None:
        for e in rec.emails:
            if row := self.email_owner(e):
                return row
        if rec.linkedin and (cid := self.by_linkedin.get(linkedin_key(rec.linkedin))):
            return contacts.get(self.conn, cid)
        same_name = self.conn.execute("SELECT * FROM contacts WHERE name_key = ? ORDER BY id", (name_key(rec.name),)).fetchall()
        company = (rec.company or "").casefold()
        for row in same_name:
            if (row["company"] or "").casefold() == company:
                return row
        # An empty company on either side matches, but only a name nobody else has.
        if len(same_name) == 1 and not (company and same_name[0]["company"]):
            return same_name[0]
        return None

    def email_owner(self, email: str) -> sqlite3.Row | None:
        return self.conn.execute(
            "SELECT c.* FROM contact_emails e JOIN contacts c ON c.id = e.contact_id"
            " WHERE e.email = ? COLLATE NOCASE ORDER BY c.id LIMIT 1",
            (email,),
        ).fetchone()


def _lists(conn, contact_id: int) -> dict[str, set[str]]:
    return {
        "emails": {r[0].casefold() for r in conn.execute("SELECT email FROM contact_emails WHERE contact_id = ?", (contact_id,))},
        "phones": {r[0].casefold() for r in conn.execute("SELECT phone FROM contact_phones WHERE contact_id = ?", (contact_id,))},
        "tags": {r[0] for r in conn.execute("SELECT tag FROM contact_tags WHERE contact_id = ?", (contact_id,))},
    }


def free_emails(matcher: Matcher, rec: Record, contact_id: int | None, warnings: list[str], where: str) -> list[str]:
    """The record's e-mails no other contact owns (an address belongs to one contact)."""
    out = []
    for e in rec.emails:
        owner = matcher.email_owner(e)
        if owner is not None and owner["id"] != contact_id:
            warnings.append(f"{where}, line {rec.line}: {e} already belongs to {owner['name']} (#{owner['id']}); not given to {rec.name}")
        else:
            out.append(e)
    return out


def fill(conn, matcher: Matcher, row: sqlite3.Row, rec: Record, today: date, warnings: list[str], where: str) -> list[str]:
    """Fill `row`'s empty fields from `rec` and add its missing e-mails, phones and tags.

    Returns what changed; nothing already in the journal is overwritten.
    """
    cid = row["id"]
    cols = {f: getattr(rec, f) for f in FILLABLE if row[f] in (None, "") and getattr(rec, f) is not None}
    have = _lists(conn, cid)
    emails = [e for e in free_emails(matcher, rec, cid, warnings, where) if e.casefold() not in have["emails"]]
    phones = [p for p in rec.phones if p.casefold() not in have["phones"]]
    tags = [t for t in rec.tags if t not in have["tags"]]
    changed = list(cols) + ["emails"] * bool(emails) + ["phones"] * bool(phones) + ["tags"] * bool(tags)
    if not changed:
        return []
    met_on = cols.pop("met_on", None)
    data = ContactInput(**{("tz" if k == "timezone" else k): v for k, v in cols.items()}, emails=emails, phones=phones, tags=tags)
    contacts.edit_contact(conn, cid, data, today)
    if met_on is not None:
        # set directly: a source's date may lie after an --as-of "today"
        conn.execute("UPDATE contacts SET met_on = ? WHERE id = ?", (met_on, cid))
    matcher.remember(cid, cols.get("linkedin"))
    return changed


def add(conn, matcher: Matcher, rec: Record, today: date, warnings: list[str], where: str) -> int:
    """Insert `rec` as a new contact; its met_on is the source's, or none (not today)."""
    scalars = {f: getattr(rec, f) for f in FILLABLE if f != "met_on"}
    scalars["tz"] = scalars.pop("timezone")
    data = ContactInput(**scalars, emails=free_emails(matcher, rec, None, warnings, where), phones=rec.phones, tags=rec.tags)
    cid = contacts.add_contact(conn, rec.name, data, today)
    conn.execute("UPDATE contacts SET met_on = ? WHERE id = ?", (rec.met_on, cid))
    matcher.remember(cid, rec.linkedin)
    return cid


def apply(conn: sqlite3.Connection, records: list[Record], today: date, where: str, *, tick=lambda n=1: None, warnings=None) -> Outcome:
    """Import `records`: match each, then add it or fill the match; all in the caller's transaction."""
    out = Outcome(warnings=warnings if warnings is not None else [])
    matcher = Matcher(conn)
    for raw in records:
        tick()
        rec = clean(raw, where, today, out.warnings)
        if rec is None:
            out.skipped += 1
            out.rows.append({"action": "skip", "id": None, "name": raw.name, "line": raw.line, "fields": []})
            continue
        row = matcher.find(rec)
        if row is None:
            cid = add(conn, matcher, rec, today, out.warnings, where)
            out.added += 1
            given = [f for f in FILLABLE if getattr(rec, f) is not None] + [f for f in ("emails", "phones", "tags") if getattr(rec, f)]
            out.rows.append({"action": "add", "id": cid, "name": rec.name, "line": rec.line, "fields": given})
            continue
        changed = fill(conn, matcher, row, rec, today, out.warnings, where)
        if changed:
            out.updated += 1
        else:
            out.skipped += 1
        out.rows.append(
            {"action": "update" if changed else "skip", "id": row["id"], "name": row["name"], "line": rec.line, "fields": changed}
        )
    return out
